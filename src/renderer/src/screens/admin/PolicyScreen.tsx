import { useEffect, useId, useState, type ChangeEvent, type FormEvent } from 'react';
import type { PolicyEntry } from '../../../../shared/contract';
import { policyValueProblem, type PolicyInput } from '../../../../shared/policy-input';
import type { ErrorInfo } from '../../../../shared/errors';
import { useAction } from '../../api/use-action';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { useAdmin } from '../../stores/admin';
import { AdminNav } from './AdminNav';

/** Section titles for the policy keys' prefixes; a prefix not listed here shows as itself. */
const GROUPS: Record<string, { title: string; description: string }> = {
  session: { title: 'Sessions', description: 'How long a sign-in lasts and how many one account may hold.' },
  lockout: { title: 'Failed sign-ins', description: 'How the vault slows down and stops password guessing.' },
  mfa: { title: 'Two-step sign-in', description: 'Who must have a second factor, and how codes are checked.' },
};

/** Every rule the vault runs by: its meaning, its value and its default, each editable on its own. */
export function PolicyScreen() {
  const policy = useAdmin((s) => s.policy);
  const loadPolicy = useAdmin((s) => s.loadPolicy);

  useEffect(() => {
    void loadPolicy();
  }, [loadPolicy]);

  const groups = new Map<string, PolicyEntry[]>();
  for (const entry of policy.data ?? []) {
    const prefix = entry.key.split('.')[0] ?? entry.key;
    groups.set(prefix, [...(groups.get(prefix) ?? []), entry]);
  }

  return (
    <>
      <AdminNav />
      <PageHeader
        title="Policy"
        description="The rules every account in this vault follows. A change applies at once and is recorded in the audit log. The defaults follow NIST SP 800-63B and OWASP ASVS."
      />
      <ErrorAlert error={policy.error} />
      {policy.data === null && policy.loading && <p className="loading-line">Loading policy…</p>}
      <div className="stack">
        {[...groups].map(([prefix, entries]) => (
          <Card key={prefix} title={GROUPS[prefix]?.title ?? prefix} description={GROUPS[prefix]?.description} className="card--flush">
            <ul className="policy-list">
              {entries.map((entry) => (
                <li key={entry.key}>
                  <PolicyRow entry={entry} />
                </li>
              ))}
            </ul>
          </Card>
        ))}
      </div>
    </>
  );
}

function PolicyRow({ entry }: { readonly entry: PolicyEntry }) {
  const setPolicy = useAdmin((s) => s.setPolicy);
  const [draft, setDraft] = useState(String(entry.value));
  const [saved, setSaved] = useState<string | null>(null);
  const save = useAction(setPolicy);
  const id = useId();
  const dirty = draft.trim() !== String(entry.value);
  const isDefault = String(entry.value) === String(entry.default);

  const control = {
    id: `${id}-value`,
    'aria-describedby': `${id}-description ${id}-meta`,
    'aria-invalid': save.error !== null || undefined,
    value: draft,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
      setDraft(e.target.value);
      setSaved(null);
    },
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setSaved(null);
    if (!dirty) return;
    const refusal = checkValue(entry.input, draft.trim());
    if (refusal !== null) {
      save.setError(refusal);
      return;
    }
    void save.run(entry.key, draft.trim()).then((result) => {
      if (result?.ok === true) {
        setDraft(String(result.value.value));
        setSaved(`Saved: ${entry.key} is now ${String(result.value.value)}.`);
      }
    });
  };

  return (
    <form className="policy-row" onSubmit={submit} noValidate>
      <div className="policy-row__text">
        <label className="policy-row__key mono" id={`${id}-key`} htmlFor={`${id}-value`}>
          {entry.key}
        </label>
        <p className="policy-row__description" id={`${id}-description`}>
          {entry.description}
        </p>
        <p className="policy-row__meta" id={`${id}-meta`}>
          {entry.input.kind === 'integer' && (
            <>
              A whole number from <span className="mono">{entry.input.min}</span> to <span className="mono">{entry.input.max}</span>.{' '}
            </>
          )}
          {isDefault ? (
            <>
              Uses the default, <span className="mono">{String(entry.default)}</span>.
            </>
          ) : (
            <>
              The default is <span className="mono">{String(entry.default)}</span>. <Badge tone="accent">Changed</Badge>
            </>
          )}
          {entry.updatedAt !== null && (
            <>
              {' '}
              Last set {entry.updatedBy !== null && `by ${entry.updatedBy} `}on <Time at={entry.updatedAt} />.
            </>
          )}
        </p>
        <ErrorAlert error={save.error} />
        <StatusMessage>{saved}</StatusMessage>
      </div>
      <div className="policy-row__control">
        {entry.input.kind === 'choice' ? (
          <select className="input select policy-row__input" {...control}>
            {entry.input.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        ) : (
          <input
            className="input policy-row__input"
            type="number"
            inputMode="numeric"
            min={entry.input.min}
            max={entry.input.max}
            step={1}
            {...control}
          />
        )}
        <Button type="submit" variant={dirty ? 'primary' : 'secondary'} busy={save.busy} disabled={!dirty}>
          Save<span className="visually-hidden"> {entry.key}</span>
        </Button>
      </div>
    </form>
  );
}

/**
 * The value checked against the bounds the engine declared, before it is sent, in the words the
 * engine and the CLI use too.
 */
function checkValue(input: PolicyInput, value: string): ErrorInfo | null {
  const problem = policyValueProblem(input, value);
  return problem === null ? null : { code: 'INVALID_INPUT', message: `${problem[0]?.toUpperCase() ?? ''}${problem.slice(1)}.` };
}
