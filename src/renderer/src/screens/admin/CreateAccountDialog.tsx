import { useState } from 'react';
import type { AccountView, Role } from '../../../../shared/views';
import { useAction } from '../../api/use-action';
import { NewPasswordField } from '../../components/NewPasswordField';
import { Dialog } from '../../components/Dialog';
import { SelectField, TextField } from '../../components/Field';
import { ROLE_LABELS } from '../../format/labels';
import { useAdmin } from '../../stores/admin';
import { PASSWORD_HINT } from '../settings/password-rules';
import { EMAIL_MAX_LENGTH } from '../../../../shared/fields';
import { AccountNameField, accountNameProblem } from '../../components/AccountNameField';

/** A new account with a first password that the administrator hands over. */
export function CreateAccountDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (account: AccountView) => void }) {
  const createAccount = useAdmin((s) => s.createAccount);
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [password, setPassword] = useState('');
  const create = useAction(createAccount);

  const confirm = (): void => {
    void create.run({ username, password, role, ...(email.trim() === '' ? {} : { email: email.trim() }) }).then((result) => {
      if (result?.ok === true) onCreated(result.value);
    });
  };

  const code = create.error?.code;
  const refusedField = code === 'INVALID_INPUT' ? create.error?.details?.field : undefined;
  return (
    <Dialog
      title="Create account"
      description={<p>They can change the password themselves after signing in.</p>}
      confirmLabel="Create account"
      busy={create.busy}
      error={create.error}
      canConfirm={username.trim() !== '' && !accountNameProblem(username) && password !== ''}
      onClose={onClose}
      onConfirm={confirm}
    >
      <AccountNameField
        autoComplete="off"
        value={username}
        onChange={setUsername}
        refused={code === 'CONFLICT' || refusedField === 'username'}
        autoFocus
      />
      <TextField
        label="E-mail address (optional)"
        type="email"
        autoComplete="off"
        maxLength={EMAIL_MAX_LENGTH}
        invalid={refusedField === 'email'}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
        {(Object.keys(ROLE_LABELS) as Role[]).map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </SelectField>
      <NewPasswordField
        label="Initial password"
        hint={PASSWORD_HINT}
        invalid={code === 'PASSWORD_REJECTED'}
        value={password}
        onChange={setPassword}
      />
    </Dialog>
  );
}
