/**
 * The one narrow door to the outside for messages: the outbox hands a transport one message at a
 * time and records what came back. A transport never throws for the network or the server; it says
 * whether to try again, so the outbox alone decides the state.
 */
export interface Outgoing {
  /** The outbox row's id: a mail's Message-ID, an idempotency key a receiver can drop a duplicate by. */
  readonly id: string;
  /** An e-mail address or an E.164 phone number, in clear only in memory. */
  readonly to: string;
  /** Mail only; an SMS has none. */
  readonly subject: string;
  readonly text: string;
  /** Mail only. */
  readonly html: string | null;
}

/**
 * What one attempt came to. `retry`: worth another attempt later (a timeout, a refused connection,
 * SMTP 4xx, HTTP 429 and 5xx). `refused`: the server will never take this message (SMTP 5xx, HTTP
 * 4xx other than 429, a bad setting), so trying again only repeats the refusal. `error` is plain
 * words for an admin, holding no secret and no body: at most the masked recipient.
 */
export type Attempt =
  | { readonly outcome: 'sent'; readonly providerId: string | null }
  | { readonly outcome: 'retry'; readonly error: string; readonly retryAfterMs: number | null }
  | { readonly outcome: 'refused'; readonly error: string };

export interface Transport {
  /** Gives up when `signal` aborts (the outbox's time limit), as a `retry`. */
  send(message: Outgoing, signal: AbortSignal): Promise<Attempt>;
  /** Lets go of connections it holds; sending after it is not allowed. */
  close(): void;
}

/** Longest `error` kept: a server's words can be long, and a row's strings all have a maximum. */
export const ATTEMPT_ERROR_MAX = 300;
