import { useState, type FormEvent } from 'react';
import { call } from '../../api/latchkey';
import { useAction } from '../../api/use-action';
import { Callout, ErrorAlert } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { CurrentPasswordField } from '../../components/Field';
import { plural } from '../../format/time';
import { BackupCodesPanel } from '../mfa/BackupCodesPanel';
import { useSecurity } from '../../stores/security';
import { useSession } from '../../stores/session';
import { BACKUP_CODES_LOW } from '../../../../shared/notices';

/** A fresh set of backup codes, which voids the old set; asks for the password first. */
export function RegenerateBackupCodesForm({ backupCodesLeft }: { readonly backupCodesLeft: number | null }) {
  const username = useSession((s) => s.signedIn?.account.username ?? 'account');
  const loadMfa = useSecurity((s) => s.loadMfa);
  const [password, setPassword] = useState('');
  const [codes, setCodes] = useState<readonly string[] | null>(null);
  const regenerate = useAction(() => call('mfa.regenerateBackupCodes', { password }));

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void regenerate.run().then((result) => {
      if (result?.ok !== true) return;
      setPassword('');
      setCodes(result.value.backupCodes);
      void loadMfa();
    });
  };

  return (
    <Card
      title="Backup codes"
      description={
        backupCodesLeft === null
          ? undefined
          : backupCodesLeft === 0
            ? 'You have no backup codes. Each code signs you in once if your phone is lost.'
            : `${plural(backupCodesLeft, 'unused code')} left. New codes replace all of the old ones.`
      }
    >
      {codes !== null ? (
        <BackupCodesPanel codes={codes} username={username} doneLabel="Done" onDone={() => setCodes(null)} />
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          {backupCodesLeft !== null && backupCodesLeft <= BACKUP_CODES_LOW && (
            <Callout kind="warning">
              <p>
                {backupCodesLeft === 0
                  ? 'You have no backup codes: generate a set and keep it safe.'
                  : 'You are running out of backup codes. Generate a new set and keep it safe.'}
              </p>
            </Callout>
          )}
          <CurrentPasswordField
            value={password}
            onChange={setPassword}
            errorCode={regenerate.error?.code}
            hint="Your password, to confirm it is you."
          />
          <ErrorAlert error={regenerate.error} />
          <div className="button-row">
            <Button type="submit" variant="primary" busy={regenerate.busy}>
              Generate new backup codes
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}
