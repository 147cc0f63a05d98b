import { useEffect, useId, useState, type FormEvent } from 'react';
import type { PolicyEntry } from '../../../../shared/contract';
import { POLICY_UNITS, policyValueInWords, policyValueProblem } from '../../../../shared/policy-input';
import { brokenPolicyRules } from '../../../../shared/policy-rules';
import { useAction } from '../../api/use-action';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { Dialog } from '../../components/Dialog';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { useAdmin } from '../../stores/admin';
import { AdminNav } from './AdminNav';

/** Section titles for the policy keys' prefixes; a prefix not listed here shows as itself. */
const GROUPS: Record<string, { title: string; description: string }> = {
  session: { title: 'Sessions', description: 'How long a sign-in lasts and how many one account may hold.' },
  lockout: { title: 'Failed sign-ins', description: 'How the vault slows down and stops password guessing.' },
  mfa: { title: 'Two-step sign-in', description: 'Who must have a second factor, and how codes are checked.' },
  monitor: { title: 'Monitoring', description: 'When the vault raises a warning on the Security screen.' },
};

/** The values typed but not saved, by key; a key not here shows its value in force. */
type Drafts = Readonly<Record<string, string>>;

/** A change waiting for Save changes: the entry, and its new value as typed. */
interface PendingChange {
  readonly entry: PolicyEntry;
  readonly to: string;
}

/**
 * Every rule the vault runs by, in words: a label and a unit for each value, a segmented control
 * for each choice, and one Save changes for the whole screen that lists what it will change and
 * applies all of it or none.
 */
export function PolicyScreen() {
  const policy = useAdmin((s) => s.policy);
  const loadPolicy = useAdmin((s) => s.loadPolicy);
  const savePolicy = useAdmin((s) => s.savePolicy);
  const [drafts, setDrafts] = useState<Drafts>({});
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useAction(savePolicy);
  const summaryId = useId();

  useEffect(() => {
    void loadPolicy();
  }, [loadPolicy]);

  const entries = policy.data ?? [];
  const draftOf = (entry: PolicyEntry): string => drafts[entry.key] ?? String(entry.value);
  const problems = problemsOf(entries, draftOf);
  const changes: PendingChange[] = entries
    .filter((entry) => draftOf(entry).trim() !== String(entry.value))
    .map((entry) => ({ entry, to: draftOf(entry).trim() }));
  const canSave = changes.length > 0 && problems.size === 0;

  const setDraft = (key: string, value: string): void => {
    setDrafts((now) => ({ ...now, [key]: value }));
    setSaved(null);
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!canSave) return;
    save.setError(null);
    setConfirming(true);
  };

  const apply = (): void => {
    void save.run(changes.map((change) => ({ key: change.entry.key, value: change.to }))).then((result) => {
      if (result?.ok !== true) return;
      setDrafts({});
      setConfirming(false);
      setSaved(`Saved ${countOf(changes.length)}.`);
    });
  };

  const groups = new Map<string, PolicyEntry[]>();
  for (const entry of entries) {
    const prefix = entry.key.split('.')[0] ?? entry.key;
    groups.set(prefix, [...(groups.get(prefix) ?? []), entry]);
  }

  return (
    <>
      <AdminNav />
      <PageHeader
        title="Policy"
        description="The rules every account in this vault follows. Changes apply together when you save them, and each is recorded in the audit log. The defaults follow NIST SP 800-63B and OWASP ASVS."
      />
      <ErrorAlert error={policy.error} />
      {policy.data === null && policy.loading && <p className="loading-line">Loading policy…</p>}
      {policy.data !== null && (
        <form className="stack" onSubmit={submit} noValidate aria-label="Policy">
          {[...groups].map(([prefix, members]) => (
            <Card key={prefix} title={GROUPS[prefix]?.title ?? prefix} description={GROUPS[prefix]?.description} className="card--flush">
              <ul className="policy-list">
                {members.map((entry) => (
                  <li key={entry.key}>
                    <PolicyRow
                      entry={entry}
                      draft={draftOf(entry)}
                      problem={problems.get(entry.key) ?? null}
                      onChange={(value) => setDraft(entry.key, value)}
                    />
                  </li>
                ))}
              </ul>
            </Card>
          ))}
          <div className="policy-save">
            <p className="policy-save__summary" id={summaryId}>
              {problems.size > 0
                ? 'Correct the values marked above to save.'
                : changes.length === 0
                  ? 'No unsaved changes.'
                  : `${countOf(changes.length)} not saved yet.`}
            </p>
            <StatusMessage>{saved}</StatusMessage>
            <div className="policy-save__actions">
              <Button onClick={() => setDrafts({})} disabled={Object.keys(drafts).length === 0}>
                Discard changes
              </Button>
              <Button type="submit" variant="primary" disabled={!canSave} aria-describedby={summaryId}>
                Save changes
              </Button>
            </div>
          </div>
        </form>
      )}
      {confirming && (
        <Dialog
          title="Save these changes?"
          description="They apply together, at once, to every account, and each is recorded in the audit log."
          confirmLabel={`Apply ${countOf(changes.length)}`}
          busy={save.busy}
          error={save.error}
          onConfirm={apply}
          onClose={() => setConfirming(false)}
        >
          <ul className="policy-summary" aria-label="Changes">
            {changes.map(({ entry, to }) => (
              <li key={entry.key}>
                <span className="policy-summary__label">{entry.label}</span>: {policyValueInWords(entry.input, entry.value)} →{' '}
                {policyValueInWords(entry.input, to)}
              </li>
            ))}
          </ul>
        </Dialog>
      )}
    </>
  );
}

function PolicyRow({
  entry,
  draft,
  problem,
  onChange,
}: {
  readonly entry: PolicyEntry;
  readonly draft: string;
  readonly problem: string | null;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const { input } = entry;
  const atDefault = draft.trim() === String(entry.default);
  const pending = draft.trim() !== String(entry.value);
  const describedBy = [problem === null ? undefined : `${id}-problem`, `${id}-description`, `${id}-meta`].filter(Boolean).join(' ');

  return (
    <div className="policy-row">
      <div className="policy-row__text">
        {input.kind === 'integer' ? (
          <label className="policy-row__label" id={`${id}-label`} htmlFor={`${id}-value`}>
            {entry.label}
          </label>
        ) : (
          <span className="policy-row__label" id={`${id}-label`}>
            {entry.label}
          </span>
        )}
        <span className="policy-row__key">
          <span className="mono">{entry.key}</span>
          {pending && <Badge tone="warning">Not saved</Badge>}
        </span>
        <p className="policy-row__description" id={`${id}-description`}>
          {entry.description}
        </p>
        <p className="policy-row__meta" id={`${id}-meta`}>
          {input.kind === 'integer' && (
            <>
              From {input.min} to {policyValueInWords(input, input.max)}.{' '}
            </>
          )}
          {String(entry.value) === String(entry.default) ? (
            <>Default: {policyValueInWords(input, entry.default)}, in use.</>
          ) : (
            <>
              Default: {policyValueInWords(input, entry.default)}. <Badge tone="accent">Changed</Badge>
            </>
          )}
          {entry.updatedAt !== null && (
            <>
              {' '}
              Last set {entry.updatedBy !== null && `by ${entry.updatedBy} `}on <Time at={entry.updatedAt} />.
            </>
          )}
        </p>
        {problem !== null && (
          <p className="policy-row__problem" id={`${id}-problem`}>
            {problem}
          </p>
        )}
      </div>
      <div className="policy-row__control">
        {input.kind === 'choice' ? (
          // Native radios sharing a name: the arrow keys move within the group, and Tab leaves it.
          <fieldset className="segmented" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
            {input.options.map((option) => (
              <label key={option.value} className="segmented__option">
                <input
                  type="radio"
                  name={`${id}-value`}
                  value={option.value}
                  checked={draft === option.value}
                  onChange={() => onChange(option.value)}
                />
                <span>{option.label}</span>
              </label>
            ))}
          </fieldset>
        ) : (
          <span className="policy-row__number">
            <input
              className="input policy-row__input"
              id={`${id}-value`}
              type="number"
              inputMode="numeric"
              min={input.min}
              max={input.max}
              step={1}
              value={draft}
              aria-invalid={problem !== null || undefined}
              aria-describedby={`${id}-unit ${describedBy}`}
              onChange={(event) => onChange(event.target.value)}
            />
            <span className="policy-row__unit" id={`${id}-unit`}>
              {POLICY_UNITS[input.unit].many}
            </span>
          </span>
        )}
        {!atDefault && (
          <Button
            size="small"
            variant="quiet"
            aria-label={`Reset to default: ${entry.label}`}
            onClick={() => onChange(String(entry.default))}
          >
            Reset to default
          </Button>
        )}
      </div>
    </div>
  );
}

/**
 * What stands in the way of saving, by the key it is shown next to: a value out of its bounds, in
 * the engine's words, or else a rule between keys that the values as typed would break.
 */
function problemsOf(entries: readonly PolicyEntry[], draftOf: (entry: PolicyEntry) => string): Map<string, string> {
  const problems = new Map<string, string>();
  const values: Record<string, string | number> = {};
  for (const entry of entries) {
    const draft = draftOf(entry).trim();
    const problem = policyValueProblem(entry.input, draft);
    if (problem !== null) problems.set(entry.key, `${problem[0]?.toUpperCase() ?? ''}${problem.slice(1)}.`);
    values[entry.key] = entry.input.kind === 'integer' ? Number(draft) : draft;
  }
  // A rule over a value that is itself out of bounds would only repeat that value's problem.
  for (const rule of brokenPolicyRules(values)) {
    if (rule.reads.some((key) => problems.has(key) || !Object.hasOwn(values, key))) continue;
    if (!problems.has(rule.key)) problems.set(rule.key, rule.message);
  }
  return problems;
}

function countOf(changes: number): string {
  return changes === 1 ? '1 change' : `${changes} changes`;
}
