import type { AccountView } from '../../../../shared/views';
import { Badge } from '../../components/Badge';
import { Time } from '../../components/Time';

/** Active or disabled, and whether failed sign-ins hold the account. */
export function AccountStatus({ account }: { readonly account: AccountView }) {
  // The engine sets lockedUntil only while the hold lasts, by its own clock.
  const locked = account.lockedUntil !== null;
  return (
    <span className="badge-row">
      {account.status === 'active' ? <Badge tone="success">Active</Badge> : <Badge tone="danger">Disabled</Badge>}
      {locked && <Badge tone="warning">Locked</Badge>}
      {locked && (
        <span className="cell-sub">
          until <Time at={account.lockedUntil} short />
        </span>
      )}
      {!locked && account.failedSignIns > 0 && <span className="cell-sub">{account.failedSignIns} failed sign-ins</span>}
    </span>
  );
}
