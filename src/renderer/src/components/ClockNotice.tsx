import { describeClockSkew } from '../../../shared/monitoring';
import { useSession } from '../stores/session';
import { Callout } from './Alerts';

/**
 * This machine's clock is off against the vault's time: said on every screen, signed in or not,
 * since the person at the machine is the one who can set it right. The words are the engine's.
 */
export function ClockNotice() {
  const skew = useSession((s) => s.status?.clockSkew ?? null);
  if (skew === null) return null;
  return (
    <Callout kind="warning" title={skew.direction === 'behind' ? "This computer's clock was set back" : "This computer's clock runs ahead"}>
      <p>{describeClockSkew(skew)}</p>
    </Callout>
  );
}
