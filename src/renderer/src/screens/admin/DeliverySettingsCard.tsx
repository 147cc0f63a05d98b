import { useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  DELIVERY_SECRET_MAX,
  SMTP_SECURITY,
  type DeliverySecretKey,
  type DeliverySettingKey,
  type DeliverySettingView,
} from '../../../../shared/delivery';
import { useAction } from '../../api/use-action';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { Dialog } from '../../components/Dialog';
import { SelectField, TextField } from '../../components/Field';
import { SMTP_SECURITY_LABELS } from '../../format/labels';
import { useDelivery, type SettingChange } from '../../stores/delivery';

interface SettingField {
  readonly key: DeliverySettingKey;
  readonly label: string;
  /** A closed set to choose from, each value with its words; otherwise a text field. */
  readonly choices?: Readonly<Record<string, string>>;
  readonly inputMode?: 'numeric' | 'url' | 'tel';
}

interface SecretField {
  readonly key: DeliverySecretKey;
  readonly label: string;
  /** How a sentence names it: "Remove the SMTP password?" */
  readonly noun: string;
}

export interface SettingsForm {
  readonly title: string;
  readonly description: string;
  /** The submit button's words. */
  readonly save: string;
  readonly fields: readonly SettingField[];
  readonly secret: SecretField;
}

export const SMTP_FORM: SettingsForm = {
  title: 'E-mail settings (SMTP)',
  description: 'The mail server Latchkey hands every message to. Leave a field empty to go back to its default.',
  save: 'Save e-mail settings',
  fields: [
    { key: 'smtp.host', label: 'SMTP server' },
    { key: 'smtp.port', label: 'Port', inputMode: 'numeric' },
    { key: 'smtp.secure', label: 'Security', choices: Object.fromEntries(SMTP_SECURITY.map((s) => [s, SMTP_SECURITY_LABELS[s]])) },
    { key: 'smtp.user', label: 'User name' },
    { key: 'smtp.from', label: 'Sender' },
  ],
  secret: { key: 'smtp.password', label: 'Password', noun: 'SMTP password' },
};

export const SMS_FORM: SettingsForm = {
  title: 'SMS settings',
  description: 'The SMS gateway: Twilio, or any gateway that speaks its Messages API. Leave a field empty to go back to its default.',
  save: 'Save SMS settings',
  fields: [
    { key: 'sms.provider', label: 'Provider', choices: { twilio: 'Twilio Messages API' } },
    { key: 'sms.baseUrl', label: 'Gateway address', inputMode: 'url' },
    { key: 'sms.accountSid', label: 'Account SID' },
    { key: 'sms.region', label: 'Region' },
    { key: 'sms.from', label: 'From number', inputMode: 'tel' },
    { key: 'sms.messagingServiceSid', label: 'Or messaging service SID' },
  ],
  secret: { key: 'sms.authToken', label: 'Auth token', noun: 'auth token' },
};

/**
 * One channel's settings as a form: each field shows the value set (or, empty, the default in
 * force), and Save sends only what changed. The secret is write-only: the screen learns only
 * whether it is set.
 */
export function DeliverySettingsCard({
  form,
  settings,
}: {
  readonly form: SettingsForm;
  readonly settings: readonly DeliverySettingView[];
}) {
  const saveSettings = useDelivery((s) => s.saveSettings);
  const unsetSetting = useDelivery((s) => s.unsetSetting);
  const [drafts, setDrafts] = useState<Partial<Record<DeliverySettingKey, string>>>({});
  // Null while the secret field is closed (a secret is set and kept as it is).
  const [secretDraft, setSecretDraft] = useState<string | null>(null);
  const [refusedKey, setRefusedKey] = useState<SettingChange['key'] | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const save = useAction(async (changes: readonly SettingChange[]) => {
    const outcome = await saveSettings(changes);
    setDrafts((current) => withoutKeys(current, outcome.saved));
    if (outcome.saved.includes(form.secret.key)) setSecretDraft(null);
    setRefusedKey(outcome.refused?.key ?? null);
    if (outcome.saved.length > 0) setDone(`Saved: ${outcome.saved.map((key) => labelOf(form, key)).join(', ')}.`);
    return outcome.refused === null ? { ok: true as const, value: null } : { ok: false as const, error: outcome.refused.error };
  });
  const remove = useAction(() => unsetSetting(form.secret.key));

  const view = (key: SettingChange['key']): DeliverySettingView | undefined => settings.find((setting) => setting.key === key);
  const secret = view(form.secret.key);
  const secretSet = secret?.set === true;
  const secretOpen = !secretSet || secretDraft !== null;
  const changes = changesOf(form, view, drafts, secretDraft);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setDone(null);
    if (changes.length === 0) return;
    void save.run(changes);
  };
  const edit = (key: DeliverySettingKey, value: string): void => {
    setDrafts((current) => ({ ...current, [key]: value }));
    setDone(null);
  };

  return (
    <Card title={form.title} description={form.description}>
      <form className="form" onSubmit={submit} noValidate>
        <div className="settings-grid">
          {form.fields.map((field) => {
            const current = view(field.key);
            const value = drafts[field.key] ?? baseValue(field, current);
            const hint = <SettingHint setting={current} />;
            const invalid = refusedKey === field.key && save.error !== null;
            return field.choices === undefined ? (
              <TextField
                key={field.key}
                label={field.label}
                hint={hint}
                inputMode={field.inputMode}
                autoComplete="off"
                spellCheck={false}
                maxLength={DELIVERY_SECRET_MAX}
                placeholder={current?.set === false ? (current.value ?? undefined) : undefined}
                invalid={invalid}
                value={value}
                onChange={(e) => edit(field.key, e.target.value)}
              />
            ) : (
              <SelectField
                key={field.key}
                label={field.label}
                hint={hint}
                invalid={invalid}
                value={value}
                onChange={(e) => edit(field.key, e.target.value)}
              >
                {Object.entries(field.choices).map(([choice, words]) => (
                  <option key={choice} value={choice}>
                    {words}
                  </option>
                ))}
              </SelectField>
            );
          })}
          <div>
            {secretOpen ? (
              <TextField
                label={secretSet ? `New ${form.secret.label.toLowerCase()}` : form.secret.label}
                type="password"
                autoComplete="new-password"
                maxLength={DELIVERY_SECRET_MAX}
                hint={<SecretHint set={secretSet} setting={secret} />}
                invalid={refusedKey === form.secret.key && save.error !== null}
                value={secretDraft ?? ''}
                onChange={(e) => {
                  setSecretDraft(e.target.value);
                  setDone(null);
                }}
                autoFocus={secretSet}
              />
            ) : (
              <SecretSummary label={form.secret.label} setting={secret} />
            )}
            {secretSet && (
              <div className="button-row secret-actions">
                {secretDraft === null ? (
                  <>
                    <Button size="small" onClick={() => setSecretDraft('')}>
                      Replace<span className="visually-hidden"> the {form.secret.noun}</span>
                    </Button>
                    <Button size="small" className="button--danger-outline" onClick={() => setRemoving(true)}>
                      Remove<span className="visually-hidden"> the {form.secret.noun}</span>
                    </Button>
                  </>
                ) : (
                  <Button size="small" variant="quiet" onClick={() => setSecretDraft(null)}>
                    Keep the current {form.secret.label.toLowerCase()}
                  </Button>
                )}
              </div>
            )}
          </div>
        </div>
        <ErrorAlert error={save.error} />
        <StatusMessage>{done}</StatusMessage>
        <div className="button-row">
          <Button type="submit" variant={changes.length > 0 ? 'primary' : 'secondary'} busy={save.busy} disabled={changes.length === 0}>
            {form.save}
          </Button>
        </div>
      </form>
      {removing && (
        <Dialog
          title={`Remove the ${form.secret.noun}?`}
          description={<p>It is deleted from the system keychain. Until a new one is set, what needs it cannot be sent.</p>}
          confirmLabel={`Remove the ${form.secret.noun}`}
          danger
          busy={remove.busy}
          error={remove.error}
          onClose={() => {
            setRemoving(false);
            remove.setError(null);
          }}
          onConfirm={() =>
            void remove.run().then((result) => {
              if (result?.ok !== true) return;
              setRemoving(false);
              setDone(`The ${form.secret.noun} was removed from the keychain.`);
            })
          }
        />
      )}
    </Card>
  );
}

function SettingHint({ setting }: { readonly setting: DeliverySettingView | undefined }) {
  if (setting === undefined) return null;
  return (
    <>
      <span className="mono">{setting.key}</span> · {setting.describe}
      {!setting.set && setting.value !== null && (
        <>
          {' '}
          Default in force: <span className="mono">{setting.value}</span>.
        </>
      )}
    </>
  );
}

function SecretHint({ set, setting }: { readonly set: boolean; readonly setting: DeliverySettingView | undefined }): ReactNode {
  return (
    <>
      <Badge tone={set ? 'success' : 'neutral'}>{set ? 'Set' : 'Not set'}</Badge> <span className="mono">{setting?.key}</span> ·{' '}
      {setting?.describe} It is never shown, here or anywhere.
    </>
  );
}

/** A secret that is set: only that it is, with the buttons to replace or remove it below. */
function SecretSummary({ label, setting }: { readonly label: string; readonly setting: DeliverySettingView | undefined }) {
  const id = useId();
  return (
    <div className="field" role="group" aria-labelledby={id}>
      <p className="field__label" id={id}>
        {label}
      </p>
      <p className="field__hint">
        <SecretHint set setting={setting} />
      </p>
    </div>
  );
}

/** What the form shows before any typing: the value set, or (a choice) the value in force; empty for a default. */
function baseValue(field: SettingField, setting: DeliverySettingView | undefined): string {
  if (setting === undefined) return '';
  if (field.choices !== undefined) return setting.value ?? '';
  return setting.set ? (setting.value ?? '') : '';
}

function changesOf(
  form: SettingsForm,
  view: (key: SettingChange['key']) => DeliverySettingView | undefined,
  drafts: Partial<Record<DeliverySettingKey, string>>,
  secretDraft: string | null,
): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const field of form.fields) {
    const draft = drafts[field.key];
    if (draft === undefined) continue;
    const current = view(field.key);
    const value = draft.trim();
    if (value === baseValue(field, current)) continue;
    if (value !== '') changes.push({ kind: 'set', key: field.key, value });
    else if (current?.set === true) changes.push({ kind: 'unset', key: field.key });
  }
  if (secretDraft !== null && secretDraft !== '') changes.push({ kind: 'secret', key: form.secret.key, secret: secretDraft });
  return inSafeOrder(changes);
}

/**
 * The engine refuses any one change that would leave mail going out unprotected to a host that is
 * not this machine. So a stricter `smtp.secure` goes before a new host, and `none` after it
 * (switching to 127.0.0.1 without TLS, or to a remote server with it, each work in one save).
 */
function inSafeOrder(changes: readonly SettingChange[]): SettingChange[] {
  const rank = (change: SettingChange): number =>
    change.key !== 'smtp.secure' ? 1 : change.kind === 'set' && change.value === 'none' ? 2 : 0;
  return [...changes].sort((a, b) => rank(a) - rank(b));
}

function labelOf(form: SettingsForm, key: SettingChange['key']): string {
  if (key === form.secret.key) return form.secret.label;
  return form.fields.find((field) => field.key === key)?.label ?? key;
}

function withoutKeys<K extends string>(record: Partial<Record<K, string>>, keys: readonly string[]): Partial<Record<K, string>> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key))) as Partial<Record<K, string>>;
}
