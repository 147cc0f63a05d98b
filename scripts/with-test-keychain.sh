#!/usr/bin/env bash
# Runs a command against a throwaway, unlocked Secret Service, so tests use a real keychain
# and never the user's own.
#
#   usage: scripts/with-test-keychain.sh COMMAND [ARG...]
#
# On Linux the command runs in a private D-Bus session with its own gnome-keyring-daemon, whose
# keyrings and control socket live in a temporary directory removed afterwards. Elsewhere
# (macOS, Windows) the command runs as it is, against the system's store.
set -euo pipefail

if (( $# == 0 )); then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

if [[ "$(uname -s)" != Linux ]]; then
  exec "$@"
fi

if [[ "$1" == --inside-session ]]; then
  # Second stage, run by dbus-run-session below: DBUS_SESSION_BUS_ADDRESS now points at a bus
  # that only this command and its keyring daemon share.
  shift
  scratch=$LATCHKEY_TEST_KEYCHAIN_DIR
  # A fresh XDG_DATA_HOME holds no login keyring with another password (which would refuse to
  # unlock); a fresh XDG_RUNTIME_DIR keeps the daemon from finding and unlocking a running one.
  export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime"
  unset GNOME_KEYRING_CONTROL
  mkdir -m 700 "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"

  # The daemon creates the login keyring with this password, unlocks it, moves to the background
  # and prints the variables its clients should see.
  daemon_variables=$(printf throwaway | gnome-keyring-daemon --unlock --components=secrets)
  while IFS= read -r assignment; do
    if [[ "$assignment" == *=* ]]; then
      export "${assignment?}"
    fi
  done <<< "$daemon_variables"

  exec "$@"
fi

for program in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$program" > /dev/null; then
    echo "with-test-keychain: '$program' was not found." >&2
    echo "Tests need a throwaway Secret Service. On Debian or Ubuntu, install it with:" >&2
    echo "  sudo apt-get install libsecret-1-dev gnome-keyring dbus dbus-x11" >&2
    exit 1
  fi
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# dbus-run-session ends with the command's exit status and takes the bus (and so the daemon) down.
status=0
LATCHKEY_TEST_KEYCHAIN_DIR=$scratch \
  dbus-run-session -- bash "${BASH_SOURCE[0]}" --inside-session "$@" || status=$?
exit "$status"
