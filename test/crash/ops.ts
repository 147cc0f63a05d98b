/**
 * What the crash test's parent asks its writer to do, one security-state write at a time, and what
 * the writer says back once the write has committed. Types only: the writer runs as plain
 * JavaScript against the built engine, and shares nothing else with the parent.
 */

interface Step {
  /** The op's number in the whole test, across every writer the parent has started. */
  readonly n: number;
  /** The engine's clock for this op: it only moves forward, across kills too. */
  readonly at: number;
}

export type Op = Step &
  (
    | { readonly kind: 'fail'; readonly username: string; readonly password: string }
    | {
        readonly kind: 'signin';
        readonly username: string;
        readonly password: string;
        readonly second: { readonly factor: 'totp' | 'backup_code'; readonly code: string } | null;
      }
    | { readonly kind: 'signout'; readonly token: string }
    | { readonly kind: 'passwd_own'; readonly token: string; readonly current: string; readonly next: string }
    | { readonly kind: 'passwd_reset'; readonly admin: string; readonly username: string; readonly next: string }
    | { readonly kind: 'create'; readonly admin: string; readonly username: string; readonly password: string }
    | { readonly kind: 'disable' | 'enable'; readonly admin: string; readonly username: string }
    | { readonly kind: 'mfa_begin'; readonly token: string }
    | { readonly kind: 'mfa_confirm'; readonly token: string; readonly code: string }
    | { readonly kind: 'regenerate'; readonly token: string; readonly password: string }
  );

export type OpKind = Op['kind'];

/** What a write produced that the parent could not know before: ids, tokens, secrets. */
export interface Produced {
  readonly sessionId?: string;
  readonly token?: string;
  readonly accountId?: string;
  readonly secret?: string;
  readonly backupCodes?: readonly string[];
}

export type Outcome = ({ readonly ok: true } & Produced) | { readonly ok: false; readonly code: string; readonly message: string };

/** An audit event as the writer read it back after its write committed. */
export interface AckedEvent {
  readonly seq: number;
  readonly type: string;
  readonly outcome: string;
  readonly target: string | null;
  readonly sessionId: string | null;
}

/** Lines the writer prints on standard output. */
export type WriterLine =
  | { readonly ready: true; readonly pid: number }
  | { readonly ack: number; readonly outcome: Outcome; readonly events: readonly AckedEvent[] };
