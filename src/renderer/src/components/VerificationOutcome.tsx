import type { PromptDelivery, SentVerificationView } from '../../../shared/contract';
import { PROMPT_DELIVERY_LABELS } from '../format/labels';
import { StatusMessage } from './Alerts';

/** The outcomes that leave the mail on its way; the others need someone to act before it arrives. */
const ON_ITS_WAY: ReadonlySet<PromptDelivery> = new Set(['sent', 'queued']);

/** What became of a verification mail just asked for, to the address `to`. */
export function VerificationOutcome({ sent, to }: { readonly sent: SentVerificationView | null; readonly to: string }) {
  return (
    <StatusMessage kind={sent === null || ON_ITS_WAY.has(sent.delivery) ? 'success' : 'warning'}>
      {sent === null ? null : PROMPT_DELIVERY_LABELS[sent.delivery](to)}
    </StatusMessage>
  );
}
