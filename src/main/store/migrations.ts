import type Database from 'better-sqlite3';
import { LatchkeyError } from '../../shared/errors.js';

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}

/**
 * Forward-only. A migration is never edited once released: a change of schema is a new entry.
 * The schema version is SQLite's `user_version`, so it changes in the same transaction as the tables.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts, sessions, lockout, policy and the audit log',
    up: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE accounts (
        id                  TEXT PRIMARY KEY,
        username            TEXT NOT NULL UNIQUE,
        display_name        TEXT NOT NULL,
        role                TEXT NOT NULL CHECK (role IN ('admin', 'user')),
        status              TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
        email_enc           TEXT,
        password_hash       TEXT NOT NULL,
        password_changed_at INTEGER NOT NULL,
        created_at          INTEGER NOT NULL,
        updated_at          INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE session_families (
        id            TEXT PRIMARY KEY,
        account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        assurance     TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        expires_at    INTEGER NOT NULL,
        revoked_at    INTEGER,
        revoke_reason TEXT
      ) STRICT;

      CREATE TABLE sessions (
        id             TEXT PRIMARY KEY,
        account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        token_hash     BLOB NOT NULL UNIQUE,
        family_id      TEXT REFERENCES session_families(id) ON DELETE SET NULL,
        assurance      TEXT NOT NULL,
        host           TEXT NOT NULL,
        device_name    TEXT NOT NULL,
        os_user        TEXT,
        ip             TEXT,
        user_agent     TEXT NOT NULL,
        created_at     INTEGER NOT NULL,
        last_active_at INTEGER NOT NULL,
        expires_at     INTEGER NOT NULL,
        active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        ended_at       INTEGER,
        end_reason     TEXT
      ) STRICT;
      CREATE INDEX sessions_by_account ON sessions(account_id, active);
      CREATE INDEX sessions_by_end ON sessions(active, ended_at);

      CREATE TABLE refresh_tokens (
        token_hash BLOB PRIMARY KEY,
        family_id  TEXT NOT NULL REFERENCES session_families(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at    INTEGER
      ) STRICT;
      CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family_id);

      -- Keyed by an HMAC of the typed name, not the account: unknown names are throttled alike,
      -- and a password typed into the name field is not kept in the clear.
      CREATE TABLE sign_in_failures (
        name_key        TEXT PRIMARY KEY,
        failures        INTEGER NOT NULL,
        last_failure_at INTEGER NOT NULL,
        locked_until    INTEGER
      ) STRICT;

      CREATE TABLE policy (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT
      ) STRICT;

      CREATE TABLE audit_events (
        seq         INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        type        TEXT NOT NULL,
        outcome     TEXT NOT NULL,
        actor_id    TEXT,
        actor_name  TEXT,
        target_id   TEXT,
        target_name TEXT,
        session_id  TEXT,
        device      TEXT,
        reason      TEXT,
        details     TEXT,
        mac         BLOB NOT NULL
      ) STRICT;
      CREATE INDEX audit_events_by_target ON audit_events(target_id, seq);
      CREATE INDEX audit_events_by_type ON audit_events(type, seq);
      CREATE INDEX audit_events_by_time ON audit_events(at);
    `,
  },
  {
    version: 2,
    name: 'second factors: TOTP in three states, backup codes, sign-in challenges, trusted devices',
    up: `
      ALTER TABLE accounts ADD COLUMN mfa_state TEXT NOT NULL DEFAULT 'DISABLED'
        CHECK (mfa_state IN ('DISABLED', 'SETUP_IN_PROGRESS', 'ENABLED'));
      -- Something the account holder is told at their next sign-in (an admin reset their MFA).
      ALTER TABLE accounts ADD COLUMN notice TEXT;

      CREATE TABLE totp_credentials (
        account_id         TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        secret_enc         TEXT,
        pending_secret_enc TEXT,
        pending_expires_at INTEGER,
        algorithm          TEXT NOT NULL,
        digits             INTEGER NOT NULL,
        period             INTEGER NOT NULL,
        last_step          INTEGER,
        enabled_at         INTEGER
      ) STRICT;

      CREATE TABLE backup_codes (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        digest     BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        used_at    INTEGER,
        PRIMARY KEY (account_id, digest)
      ) STRICT;

      CREATE TABLE mfa_challenges (
        id             TEXT PRIMARY KEY,
        account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        purpose        TEXT NOT NULL CHECK (purpose IN ('verify', 'enroll')),
        created_at     INTEGER NOT NULL,
        expires_at     INTEGER NOT NULL,
        attempts       INTEGER NOT NULL DEFAULT 0,
        used_at        INTEGER,
        stay_signed_in INTEGER NOT NULL CHECK (stay_signed_in IN (0, 1)),
        client         TEXT NOT NULL
      ) STRICT;
      CREATE INDEX mfa_challenges_by_expiry ON mfa_challenges(expires_at);

      CREATE TABLE trusted_devices (
        id            TEXT PRIMARY KEY,
        account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        token_hash    BLOB NOT NULL UNIQUE,
        device_name   TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        expires_at    INTEGER NOT NULL,
        last_used_at  INTEGER,
        revoked_at    INTEGER,
        revoke_reason TEXT
      ) STRICT;
      CREATE INDEX trusted_devices_by_account ON trusted_devices(account_id);
    `,
  },
  {
    version: 3,
    name: 'e-mail verification',
    up: `
      ALTER TABLE accounts ADD COLUMN email_verified_at INTEGER;

      -- One outstanding link per account: a new one replaces the old. The link is bound to the
      -- address as it was stored when the link was made (email_enc), so changing the address voids it.
      CREATE TABLE email_verifications (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        token_hash BLOB NOT NULL UNIQUE,
        email_enc  TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX email_verifications_by_expiry ON email_verifications(expires_at);
    `,
  },
  {
    version: 4,
    name: 'password checks in flight',
    up: `
      -- A password check is reserved here, in the transaction that reads the failure count, before
      -- the (asynchronous) hash comparison starts; it counts toward the delay until it ends. A check
      -- whose process died is counted as a failure once its lease runs out.
      CREATE TABLE sign_in_checks (
        id          TEXT PRIMARY KEY,
        name_key    TEXT NOT NULL,
        started_at  INTEGER NOT NULL,
        lease_until INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sign_in_checks_by_name ON sign_in_checks(name_key);
    `,
  },
  {
    version: 5,
    name: 'row seals',
    up: `
      -- HMAC-SHA-256 of each security row under a key from the keychain (store/row-seal.ts). SQL
      -- has no key, so the rows of an older vault are sealed by the engine once it has opened it
      -- (engine/integrity/row-sealing.ts); until then the column is NULL.
      ALTER TABLE accounts ADD COLUMN mac BLOB;
      ALTER TABLE sessions ADD COLUMN mac BLOB;
      ALTER TABLE session_families ADD COLUMN mac BLOB;
      ALTER TABLE refresh_tokens ADD COLUMN mac BLOB;
      ALTER TABLE totp_credentials ADD COLUMN mac BLOB;
      ALTER TABLE backup_codes ADD COLUMN mac BLOB;
      ALTER TABLE mfa_challenges ADD COLUMN mac BLOB;
      ALTER TABLE trusted_devices ADD COLUMN mac BLOB;
      ALTER TABLE email_verifications ADD COLUMN mac BLOB;
      ALTER TABLE policy ADD COLUMN mac BLOB;
    `,
  },
  {
    version: 6,
    name: 'outbox, delivery settings, codes sent by SMS and e-mail, phones, known devices',
    up: `
      -- A message waits here from the change that causes it until it is sent or given up on. Its
      -- recipient and body are one value sealed by the field cipher (bound to the row's id), set to
      -- NULL once the message is sent, expired or abandoned: what stays is the kind, the masked
      -- recipient, the states and the times. Rows are not sealed: what an edit of the file could do
      -- (mark a message sent) is to withhold it, which deleting the row does as well.
      CREATE TABLE outbox (
        id               TEXT PRIMARY KEY,
        channel          TEXT NOT NULL,
        kind             TEXT NOT NULL,
        account_id       TEXT REFERENCES accounts(id) ON DELETE SET NULL,
        recipient_masked TEXT NOT NULL,
        payload_enc      TEXT,
        state            TEXT NOT NULL,
        attempts         INTEGER NOT NULL,
        max_attempts     INTEGER NOT NULL,
        last_error       TEXT,
        provider_id      TEXT,
        next_attempt_at  INTEGER NOT NULL,
        lease_until      INTEGER,
        expires_at       INTEGER NOT NULL,
        sent_at          INTEGER,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
      CREATE INDEX outbox_by_created ON outbox(created_at);
      CREATE INDEX outbox_by_account ON outbox(account_id);

      -- Where mail and SMS go (smtp.host, sms.baseUrl ...), sealed like policy: an edited host would
      -- send links and codes elsewhere. Secrets (smtp.password, sms.authToken) are in the keychain.
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT,
        mac        BLOB
      ) STRICT;

      -- A one-time code sent by SMS or e-mail, for a sign-in step (purpose signin, bound to its
      -- challenge) or to prove a phone (purpose phone): only its keyed hash. One per account,
      -- channel and purpose: a new code replaces (voids) the one before.
      CREATE TABLE sent_codes (
        account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        channel      TEXT NOT NULL,
        purpose      TEXT NOT NULL,
        challenge_id TEXT,
        code_hash    BLOB NOT NULL,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        attempts     INTEGER NOT NULL,
        mac          BLOB,
        PRIMARY KEY (account_id, channel, purpose)
      ) STRICT;
      CREATE INDEX sent_codes_by_expiry ON sent_codes(expires_at);

      -- Every code sent, for the limits (one a minute, five an hour, per account and channel): a
      -- resend replaces the code but never these. Rows older than an hour are dropped at cleanup.
      CREATE TABLE code_sends (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        channel    TEXT NOT NULL,
        sent_at    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX code_sends_by_account ON code_sends(account_id, channel, sent_at);
      CREATE INDEX code_sends_by_time ON code_sends(sent_at);

      -- The devices each account has signed in from (a keyed hash of the host and device name), so
      -- that a sign-in from a new one sends its owner a notice. A row removed only sends one more.
      CREATE TABLE known_devices (
        account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        device_hash   BLOB NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at  INTEGER NOT NULL,
        PRIMARY KEY (account_id, device_hash)
      ) STRICT;

      -- A phone for SMS codes, sealed by the field cipher; it receives sign-in codes once proved.
      CREATE TABLE phones (
        account_id  TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        phone_enc   TEXT NOT NULL,
        masked      TEXT NOT NULL,
        verified_at INTEGER,
        created_at  INTEGER NOT NULL,
        mac         BLOB
      ) STRICT;
    `,
  },
  {
    version: 7,
    name: 'security monitoring: alerts, the windows their rules count, daily figures',
    up: `
      -- What a detection rule raised (engine/monitoring/rules.ts). One alert that is not resolved
      -- per rule and subject (an account, a device, the vault): later events add to it. The events
      -- it rests on are audit seqs; the rows of the audit log stay the evidence.
      CREATE TABLE alerts (
        id                   TEXT PRIMARY KEY,
        kind                 TEXT NOT NULL,
        severity             TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'high', 'critical')),
        subject              TEXT NOT NULL,
        summary              TEXT NOT NULL,
        accounts             TEXT NOT NULL,
        first_seen_at        INTEGER NOT NULL,
        last_seen_at         INTEGER NOT NULL,
        count                INTEGER NOT NULL,
        events               TEXT NOT NULL,
        state                TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        acknowledged_by_id   TEXT,
        acknowledged_by_name TEXT,
        acknowledged_at      INTEGER,
        acknowledged_note    TEXT,
        resolved_by_id       TEXT,
        resolved_by_name     TEXT,
        resolved_at          INTEGER,
        resolved_note        TEXT
      ) STRICT;
      CREATE INDEX alerts_by_subject ON alerts(kind, subject, state);
      CREATE INDEX alerts_by_state ON alerts(state, last_seen_at);

      -- The events a windowed rule counts, kept only while inside the rule's window (a day at most).
      CREATE TABLE monitor_hits (
        rule    TEXT NOT NULL,
        subject TEXT NOT NULL,
        value   TEXT NOT NULL,
        at      INTEGER NOT NULL,
        seq     INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX monitor_hits_by_subject ON monitor_hits(rule, subject, at);
      CREATE INDEX monitor_hits_by_time ON monitor_hits(at);

      -- Daily counters for the security report, bumped as events are written. They start with
      -- this version: events of an older vault are in the audit log, not counted here.
      CREATE TABLE security_daily (
        day    INTEGER NOT NULL,
        figure TEXT NOT NULL,
        value  TEXT NOT NULL,
        count  INTEGER NOT NULL,
        PRIMARY KEY (day, figure, value)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'indexes for the queries run per request and per cleanup batch',
    up: `
      -- (active, ended_at) let every query on active sessions lean on active = 1 alone, which
      -- selects about half the table. Ended sessions are looked up by when they ended, active ones
      -- by each of their three deadlines, in partial indexes that hold only the rows asked for.
      DROP INDEX sessions_by_end;
      CREATE INDEX sessions_ended ON sessions(ended_at) WHERE active = 0;
      CREATE INDEX sessions_active_by_expiry ON sessions(expires_at) WHERE active = 1;
      CREATE INDEX sessions_active_by_last_active ON sessions(last_active_at) WHERE active = 1;
      CREATE INDEX sessions_active_by_created ON sessions(created_at) WHERE active = 1;

      -- The child side of foreign keys: without it, deleting a family (ON DELETE SET NULL) or an
      -- account (ON DELETE CASCADE) scans the whole child table for each row deleted.
      CREATE INDEX sessions_by_family ON sessions(family_id) WHERE family_id IS NOT NULL;
      CREATE INDEX session_families_by_account ON session_families(account_id);
      CREATE INDEX mfa_challenges_by_account ON mfa_challenges(account_id);

      -- What the cleanup job looks for, batch after batch.
      CREATE INDEX session_families_revoked ON session_families(revoked_at) WHERE revoked_at IS NOT NULL;
      CREATE INDEX session_families_by_expiry ON session_families(expires_at);
      CREATE INDEX sign_in_failures_by_time ON sign_in_failures(last_failure_at);
      CREATE INDEX sign_in_checks_by_lease ON sign_in_checks(lease_until);
      CREATE INDEX totp_pending_by_expiry ON totp_credentials(pending_expires_at) WHERE pending_secret_enc IS NOT NULL;
      CREATE INDEX mfa_challenges_used ON mfa_challenges(used_at) WHERE used_at IS NOT NULL;
      CREATE INDEX trusted_devices_by_expiry ON trusted_devices(expires_at);
      CREATE INDEX trusted_devices_revoked ON trusted_devices(revoked_at) WHERE revoked_at IS NOT NULL;

      -- Whether an administrator is left, asked before one is disabled, demoted or deleted.
      CREATE INDEX accounts_by_role ON accounts(role, status);
      -- The Delivery screen: the latest outcome per channel, and the messages in one state.
      CREATE INDEX outbox_by_channel ON outbox(channel, updated_at);
      CREATE INDEX outbox_by_state ON outbox(state, created_at);
      -- An account's own events (the security dashboard), as the actor; as the target they had one.
      CREATE INDEX audit_events_by_actor ON audit_events(actor_id, seq);
      -- The newest alerts first, on the Alerts screen.
      CREATE INDEX alerts_by_last_seen ON alerts(last_seen_at);
    `,
  },
  {
    version: 9,
    name: "an index for whether a rule's window already holds a value",
    up: `
      -- The rules that count distinct names or devices ask, on every event, whether the window
      -- already holds this one: without the value in an index that read walks the whole window,
      -- which a flood of events makes longer with each event.
      CREATE INDEX monitor_hits_by_value ON monitor_hits(rule, subject, value, at);
      -- The rules that count distinct values now keep one row per value, its latest; a window
      -- written before kept one per event, and would count a repeated value more than once.
      DELETE FROM monitor_hits
       WHERE rule IN ('password_spray', 'many_devices')
         AND rowid NOT IN (SELECT MAX(rowid) FROM monitor_hits
                            WHERE rule IN ('password_spray', 'many_devices')
                            GROUP BY rule, subject, value);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((latest, m) => Math.max(latest, m.version), 0);

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Reads only: safe to call before anything else touches the file. */
export function refuseNewerSchema(db: Database.Database): void {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new LatchkeyError(
      'VAULT_TOO_NEW',
      `This vault was written by a newer version of Latchkey (schema ${current}; this version knows up to ${SCHEMA_VERSION}). ` +
        'It has not been changed. Update Latchkey to open it.',
      { vaultSchema: current, supportedSchema: SCHEMA_VERSION },
    );
  }
}

/** Brings the schema up to `upTo` (the latest unless a test builds a vault as an older release left it). */
export function migrate(db: Database.Database, upTo: number = SCHEMA_VERSION): void {
  refuseNewerSchema(db);
  if (schemaVersion(db) >= upTo) return;
  // IMMEDIATE, and the version read again inside: two processes opening one new vault
  // must not both run the same migration.
  const run = db.transaction(() => {
    const start = schemaVersion(db);
    for (const migration of MIGRATIONS.filter((m) => m.version > start && m.version <= upTo)) {
      db.exec(migration.up);
      db.pragma(`user_version = ${migration.version}`);
    }
  });
  run.immediate();
}
