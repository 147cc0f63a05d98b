import type { ChannelName, InputOf, OutputOf } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import type { Result } from '../../../shared/result';

/**
 * The renderer's one way to the engine: a typed call over `window.latchkey.invoke`. Channel names,
 * inputs and results all come from the contract, so a change there is a type error here.
 */

/** Channels whose input has no required field may be called without one. */
// `{} extends X` asks whether every field of X is optional: here `{}` is the point, not a loose type.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type InputArgs<C extends ChannelName> = {} extends InputOf<C> ? [input?: InputOf<C>] : [input: InputOf<C>];

type SessionEndedListener = (channel: ChannelName) => void;
const sessionEndedListeners = new Set<SessionEndedListener>();

/** Called whenever a call finds the session gone (idle, absolute timeout, revoked elsewhere). */
export function onSessionEnded(listener: SessionEndedListener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

export async function call<C extends ChannelName>(channel: C, ...[input]: InputArgs<C>): Promise<Result<OutputOf<C>>> {
  let result: Result<OutputOf<C>>;
  try {
    result = await window.latchkey.invoke(channel, (input ?? {}) as InputOf<C>);
  } catch {
    // The bridge promises an envelope; this covers a bridge that is missing or broken.
    result = { ok: false, error: { code: 'INTERNAL', message: 'Latchkey could not be reached.' } };
  }
  if (!result.ok && result.error.code === 'SESSION_EXPIRED') {
    for (const listener of sessionEndedListeners) listener(channel);
  }
  return result;
}

export type { ErrorInfo, Result };
