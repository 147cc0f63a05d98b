#!/usr/bin/env bash
# Provokes the security monitoring rules one by one from the command line, on a throwaway vault and
# keychain service, then lists the alerts they raised: what an administrator can run to see that
# each rule fires (README, "Security monitoring"). Where a rule needs a secret copied out of the
# keychain, as an attacker with the user's keychain would, secret-tool does it.
#   usage: bash scripts/provoke-rules.sh        (after `npm run build`, in a session whose keychain
#          is unlocked, or inside scripts/with-test-keychain.sh)
#   needs: secret-tool (Debian: libsecret-tools), oathtool, faketime, sqlite3
# Exits 0 when every rule below raised its alert, 1 naming the ones that did not.
set -euo pipefail

repo=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
for tool in secret-tool oathtool faketime sqlite3; do
  command -v "$tool" >/dev/null || { echo "provoke-rules: $tool is needed (Debian: libsecret-tools oathtool faketime sqlite3)" >&2; exit 2; }
done
[[ -f "$repo/out/node/cli/index.js" && -f "$repo/out/node/browser-host/main.js" ]] || { echo "provoke-rules: run npm run build first" >&2; exit 2; }

work=$(mktemp -d)
export LATCHKEY_VAULT="$work/vault.db" LATCHKEY_KEYCHAIN_SERVICE="latchkey-rules-$$"
host_pid=""
cleanup() {
  [[ -n "$host_pid" ]] && kill "$host_pid" 2>/dev/null || true
  secret-tool clear service "$LATCHKEY_KEYCHAIN_SERVICE" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

latchkey() { node "$repo/bin/latchkey.js" "$@"; }
json() { node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(eval("JSON.parse(s)" + process.argv[1])))' "$1"; }
step() { printf '\n== %s\n' "$1"; }
# A command that must be refused: its error is shown, its exit status is not the script's.
refused() { if "$@"; then echo "provoke-rules: expected a refusal from: $*" >&2; exit 1; fi; }
keychain_put() { secret-tool store --label "$1" xdg:schema org.freedesktop.Secret.Generic service "$LATCHKEY_KEYCHAIN_SERVICE" account "$1"; }
keychain_get() { secret-tool lookup service "$LATCHKEY_KEYCHAIN_SERVICE" account "$1"; }
keychain_drop() { secret-tool clear service "$LATCHKEY_KEYCHAIN_SERVICE" account "$1"; }

ROOT_PASSWORD='correct horse battery staple 1'
ALICE_PASSWORD='maple river quartz 83'
ERIN_PASSWORD='plum orbit lantern 47'
as_root() { printf '%s\n' "$ROOT_PASSWORD" | latchkey signin root --password-stdin >/dev/null; }
as_alice() { printf '%s\n' "$ALICE_PASSWORD" | latchkey signin alice --password-stdin "$@" >/dev/null; }

step "a vault with an administrator (root) and alice; low thresholds, to see each rule at once"
printf '%s\n' "$ROOT_PASSWORD" | latchkey init --admin root --password-stdin
as_root
printf '%s\n' "$ALICE_PASSWORD" | latchkey account add alice --password-stdin
latchkey policy set monitor.failureBurst 3
latchkey policy set monitor.sprayNames 3
latchkey policy set monitor.revokedSessionGraceSeconds 5
latchkey policy set monitor.evictionsPerDay 1
vault_id=$(latchkey status --json | json .vault.id)
# The CLI's own keychain entries: its session token, and a sign-in's step waiting for enrollment.
session_entry="cli-session:$vault_id:$(id -un)"
enrollment_entry="enrollment:$vault_id:$(id -un)"

step "new device, and many devices: alice signs in here, then as three kiosks (LATCHKEY_DEVICE_NAME)"
as_alice
for device in kiosk-2 kiosk-3 kiosk-4; do LATCHKEY_DEVICE_NAME=$device as_alice; done

step "failure burst: three wrong passwords for alice"
for _ in 1 2 3; do refused latchkey signin alice --password-stdin <<<'not her password'; done

step "password spraying: one password tried for three names (unknown ones count too)"
for name in bob carol dave; do refused latchkey signin "$name" --password-stdin <<<'Winter2026!'; done

step "revoked session used again: alice's token copied, her session revoked, the copy tried twice"
as_alice
copy=$(keychain_get "$session_entry")
latchkey session revoke "$(latchkey whoami --json | json .session.id)"
for try in 1 2; do
  printf '%s' "$copy" | keychain_put "$session_entry"
  refused latchkey whoami
  [[ $try == 1 ]] && sleep 6 # past monitor.revokedSessionGraceSeconds
done

step "session evictions: a limit of 2 sessions, and alice signs in four times without signing out"
as_root
latchkey policy set session.maxPerAccount 2
for _ in 1 2 3 4; do
  as_alice
  keychain_drop "$session_entry" # forget the token without ending the session
done
as_root
latchkey policy set session.maxPerAccount 5

step "TOTP code replayed, backup code reused: alice sets up an authenticator, then offers a code twice"
as_alice
secret=$(latchkey mfa totp begin --json | json .secret)
code=$(oathtool --totp -b "$secret")
backup=$(latchkey mfa totp confirm --code "$code" --json | json '.backupCodes[0]')
refused as_alice --code "$code"
as_alice --backup-code "$backup"
refused as_alice --backup-code "$backup"

step "TOTP code from ahead, clock far ahead: this process's clock 10 minutes fast, and a code of that time"
refused faketime -f +10m node "$repo/bin/latchkey.js" signin alice --password-stdin \
  --code "$(oathtool --totp -b -N "$(date -u -d '+10 min' '+%Y-%m-%d %H:%M:%S UTC')" "$secret")" <<<"$ALICE_PASSWORD"

step "clock set back: a sign-in with this process's clock three hours slow"
refused faketime -f -3h node "$repo/bin/latchkey.js" signin alice --password-stdin <<<'not her password'

step "second step answered again: erin must enroll; her kept step is copied, used, and offered again"
as_root
printf '%s\n' "$ERIN_PASSWORD" | latchkey account add erin --password-stdin
latchkey policy set mfa.required all
# The administrator's session stays put aside while erin signs in on this CLI.
root_token=$(keychain_get "$session_entry")
keychain_drop "$session_entry"
refused latchkey signin erin --password-stdin --json <<<"$ERIN_PASSWORD" >"$work/erin.json"
erin_secret=$(json .error.details.secret <"$work/erin.json")
kept_step=$(keychain_get "$enrollment_entry")
latchkey mfa totp confirm --code "$(oathtool --totp -b "$erin_secret")" >/dev/null
printf '%s' "$kept_step" | keychain_put "$enrollment_entry"
refused latchkey mfa totp confirm --code "$(oathtool --totp -b "$erin_secret")"
printf '%s' "$root_token" | keychain_put "$session_entry"
latchkey policy set mfa.required off

step "the browser host on the same vault, for the two rules only the app's router sees"
node "$repo/out/node/browser-host/main.js" --vault "$LATCHKEY_VAULT" --keychain-service "$LATCHKEY_KEYCHAIN_SERVICE" >"$work/host.json" &
host_pid=$!
for _ in $(seq 50); do [[ -s "$work/host.json" ]] && break; sleep 0.2; done
host_url=$(json .url <"$work/host.json")
# One page's calls over one connection, which closes (and ends the page's session) once answered.
host_call() { node "$repo/scripts/host-call.mjs" "$host_url" "$@"; }

step "calls without a session: 40 calls from a page that never signed in"
host_call sessions.list 40 <<<'{}'

step "stay-signed-in token reused: root signs in with it on a page; the token is copied, a new page uses (and rotates) it, then the copy comes back"
printf '{"username": "root", "password": "%s", "staySignedIn": true}' "$ROOT_PASSWORD" | host_call auth.signIn
refresh_entry="refresh:$vault_id:$(id -un):browser"
old_refresh=$(keychain_get "$refresh_entry")
host_call app.status <<<'{}'
printf '%s' "$old_refresh" | keychain_put "$refresh_entry"
host_call app.status <<<'{}'
kill "$host_pid" && wait "$host_pid" 2>/dev/null || true
host_pid=""

step "audit log tampered: one event's reason edited in the file"
sqlite3 "$LATCHKEY_VAULT" "UPDATE audit_events SET reason = 'edited' WHERE seq = 5"

step "the alerts (alerts list checks the whole log first)"
latchkey alerts list
raised=$(latchkey alerts list --json | json '.alerts.map((a) => a.kind).join(" ")')
missing=()
for kind in new_device many_devices failure_burst password_spray revoked_session_used session_evictions \
  totp_replayed backup_code_reused totp_ahead clock_ahead clock_rollback challenge_reused calls_without_session refresh_token_reused \
  audit_tampered; do
  [[ " $raised " == *" $kind "* ]] || missing+=("$kind")
done
if ((${#missing[@]} > 0)); then
  echo "provoke-rules: no alert for: ${missing[*]}" >&2
  exit 1
fi
echo
echo "Every rule raised its alert."
