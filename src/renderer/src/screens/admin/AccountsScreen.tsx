import { useEffect, useMemo, useState } from 'react';
import type { AccountView } from '../../../../shared/views';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { DataTable, EmptyState } from '../../components/DataTable';
import { TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { MFA_STATE_LABELS, ROLE_LABELS } from '../../format/labels';
import { plural } from '../../format/time';
import { useAdmin } from '../../stores/admin';
import { AccountPanel } from './AccountPanel';
import { AccountStatus } from './AccountStatus';
import { AdminNav } from './AdminNav';
import { CreateAccountDialog } from './CreateAccountDialog';

/** Every account in the vault: find one, create one, and act on the one chosen. */
export function AccountsScreen() {
  const accounts = useAdmin((s) => s.accounts);
  const sessionCounts = useAdmin((s) => s.sessionCounts);
  const loadAccounts = useAdmin((s) => s.loadAccounts);
  const [query, setQuery] = useState('');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void loadAccounts();
  }, [loadAccounts]);

  const list = useMemo(() => accounts.data ?? [], [accounts.data]);
  const shown = useMemo(() => filterAccounts(list, query), [list, query]);
  const selected = list.find((account) => account.id === selectedId) ?? null;

  return (
    <>
      <AdminNav />
      <PageHeader
        title="Accounts"
        description="Everyone who can sign in to this vault. Changes here take effect at once and are recorded in the audit log."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create account
          </Button>
        }
      />
      <div className="stack">
        <StatusMessage>{message}</StatusMessage>
        <ErrorAlert error={accounts.error} />
        <div className="split">
          <section className="card card--flush" aria-labelledby="accounts-list-heading">
            <div className="card__header toolbar">
              <h2 className="visually-hidden" id="accounts-list-heading">
                All accounts
              </h2>
              <TextField
                label="Search accounts"
                type="search"
                className="toolbar__search"
                placeholder="Name or e-mail"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
              />
              <p className="muted small" aria-live="polite">
                {accounts.data === null
                  ? ''
                  : query.trim() === ''
                    ? plural(list.length, 'account')
                    : `${shown.length} of ${plural(list.length, 'account')}`}
              </p>
            </div>
            {accounts.data === null ? (
              accounts.loading && <p className="card__body loading-line">Loading accounts…</p>
            ) : shown.length === 0 ? (
              <EmptyState>No account matches “{query}”.</EmptyState>
            ) : (
              <DataTable caption="Accounts">
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">Role</th>
                    <th scope="col">Status</th>
                    <th scope="col">Two-step</th>
                    <th scope="col" className="numeric">
                      Sessions
                    </th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((account) => (
                    <tr key={account.id} className={account.id === selectedId ? 'is-selected' : undefined}>
                      <th scope="row">
                        <span className="cell-main">{account.username}</span>
                        <span className="cell-sub">{account.email ?? 'No e-mail address'}</span>
                      </th>
                      <td>{ROLE_LABELS[account.role]}</td>
                      <td>
                        <AccountStatus account={account} />
                      </td>
                      <td>
                        <Badge tone={account.mfaState === 'ENABLED' ? 'success' : 'neutral'}>{MFA_STATE_LABELS[account.mfaState]}</Badge>
                      </td>
                      <td className="numeric">{sessionCounts[account.id] ?? 0}</td>
                      <td className="actions">
                        <Button
                          size="small"
                          variant={account.id === selectedId ? 'primary' : 'secondary'}
                          aria-pressed={account.id === selectedId}
                          onClick={() => {
                            setSelectedId(account.id);
                            setMessage(null);
                          }}
                        >
                          Manage<span className="visually-hidden"> {account.username}</span>
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </DataTable>
            )}
          </section>
          {selected === null ? (
            <aside className="card placeholder-panel" aria-label="Account details">
              <p className="muted">Choose an account with “Manage” to see its details and act on it.</p>
            </aside>
          ) : (
            <AccountPanel
              key={selected.id}
              account={selected}
              sessions={sessionCounts[selected.id] ?? 0}
              onDone={(text, deleted) => {
                setMessage(text);
                if (deleted) setSelectedId(null);
              }}
            />
          )}
        </div>
      </div>
      {creating && (
        <CreateAccountDialog
          onClose={() => setCreating(false)}
          onCreated={(account) => {
            setCreating(false);
            setSelectedId(account.id);
            setMessage(`The account ${account.username} was created.`);
          }}
        />
      )}
    </>
  );
}

function filterAccounts(accounts: readonly AccountView[], query: string): readonly AccountView[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return accounts;
  return accounts.filter((account) =>
    [account.username, account.displayName, account.email ?? ''].some((text) => text.toLowerCase().includes(needle)),
  );
}
