import { useEffect } from 'react';
import { ErrorAlert } from '../components/Alerts';
import { AuthFrame } from '../components/AuthFrame';
import { Button } from '../components/Button';
import { HostNotices } from '../components/HostNotices';
import { FirstRunScreen } from '../screens/first-run/FirstRunScreen';
import { ChallengeScreen } from '../screens/mfa/ChallengeScreen';
import { EnrollmentScreen } from '../screens/mfa/EnrollmentScreen';
import { FreshBackupCodesScreen } from '../screens/mfa/FreshBackupCodesScreen';
import { LockScreen } from '../screens/sign-in/LockScreen';
import { SignInScreen } from '../screens/sign-in/SignInScreen';
import { useSession } from '../stores/session';
import { AppShell } from './AppShell';
import { useHostNoticeWatch } from './use-host-notice-watch';
import { useSessionWatch } from './use-session-watch';

/** The screen for the session's phase, with the host's notices floating above it. */
export function App() {
  useHostNoticeWatch();
  return (
    <>
      <Screen />
      <HostNotices />
    </>
  );
}

/** Which screen the app shows follows the session's phase; once signed in, the shell routes the pages. */
function Screen() {
  const phase = useSession((s) => s.phase);
  const freshBackupCodes = useSession((s) => s.freshBackupCodes);

  useEffect(() => {
    void useSession.getState().start();
  }, []);
  useSessionWatch();

  switch (phase.name) {
    case 'starting':
      return (
        <AuthFrame>
          <h1 className="auth__title">Opening the vault…</h1>
          <p className="auth__lead" role="status">
            Reading the vault and its key from the system keychain.
          </p>
        </AuthFrame>
      );
    case 'unavailable':
      return (
        <AuthFrame>
          <h1 className="auth__title">Latchkey cannot open the vault</h1>
          <div className="form form--spaced">
            <ErrorAlert error={phase.error} />
            <Button variant="primary" onClick={() => void useSession.getState().start()}>
              Try again
            </Button>
          </div>
        </AuthFrame>
      );
    case 'first_run':
      return <FirstRunScreen />;
    case 'sign_in':
      return <SignInScreen ended={phase.ended} />;
    case 'locked':
      return <LockScreen key={phase.username} username={phase.username} cause={phase.cause} />;
    case 'challenge':
      return <ChallengeScreen key={phase.step.challenge.challengeId} step={phase.step} />;
    case 'enrollment':
      return <EnrollmentScreen key={phase.step.challenge.challengeId} step={phase.step} />;
    case 'signed_in':
      return freshBackupCodes === null ? <AppShell /> : <FreshBackupCodesScreen codes={freshBackupCodes} />;
  }
}
