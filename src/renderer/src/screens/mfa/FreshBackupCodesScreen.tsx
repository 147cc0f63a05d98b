import { AuthFrame } from '../../components/AuthFrame';
import { useSession } from '../../stores/session';
import { BackupCodesPanel } from './BackupCodesPanel';

/** Right after a forced enrollment: the backup codes, before the app opens. */
export function FreshBackupCodesScreen({ codes }: { readonly codes: readonly string[] }) {
  const acknowledge = useSession((s) => s.acknowledgeBackupCodes);
  const username = useSession((s) => s.signedIn?.account.username ?? 'account');
  return (
    <AuthFrame wide>
      <h1 className="auth__title">Save your backup codes</h1>
      <p className="auth__lead">Two-step sign-in is on. If you lose your phone, these codes are how you get back in.</p>
      <div className="form form--spaced">
        <BackupCodesPanel codes={codes} username={username} doneLabel="Continue to Latchkey" onDone={acknowledge} />
      </div>
    </AuthFrame>
  );
}
