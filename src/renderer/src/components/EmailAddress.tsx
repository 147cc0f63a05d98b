import type { AccountView } from '../../../shared/views';
import { Badge } from './Badge';

/** An account's address and whether its owner has proved it through a verification link. */
export function EmailAddress({ account }: { readonly account: AccountView }) {
  if (account.email === null) return <span className="muted">None</span>;
  return (
    <>
      {account.email}{' '}
      {account.emailVerifiedAt === null ? <Badge tone="warning">Not verified</Badge> : <Badge tone="success">Verified</Badge>}
    </>
  );
}
