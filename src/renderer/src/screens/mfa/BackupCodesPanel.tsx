import { useEffect, useState } from 'react';
import { Callout, StatusMessage } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Checkbox } from '../../components/Field';
import { formatDateTime } from '../../format/time';
import { copyText, downloadText, fileDate } from '../../platform/files';
import { useNavigation } from '../../stores/navigation';
import { LEAVE_CODES_WARNING } from '../../../../shared/notices';

interface BackupCodesPanelProps {
  readonly codes: readonly string[];
  readonly username: string;
  /** The button that closes the panel, e.g. "Finish". */
  readonly doneLabel: string;
  onDone: () => void;
}

/**
 * Backup codes, shown this once: copy them, save them as a file, and say so before moving on,
 * because nothing can show them again.
 */
export function BackupCodesPanel({ codes, username, doneLabel, onDone }: BackupCodesPanelProps) {
  const [saved, setSaved] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // When the codes were shown: one time for the file, the print and every render in between.
  const [madeAt] = useState(() => Date.now());
  const text = backupCodesText(codes, username, madeAt);
  // Shown this once: until the person moves on with the button, leaving the screen asks first.
  const warnOnLeave = useNavigation((s) => s.warnOnLeave);
  useEffect(() => {
    warnOnLeave(LEAVE_CODES_WARNING);
    return () => warnOnLeave(null);
  }, [warnOnLeave]);
  const done = (): void => {
    warnOnLeave(null);
    onDone();
  };

  const copy = async (): Promise<void> => {
    setMessage(
      (await copyText(text))
        ? 'The backup codes are on the clipboard.'
        : 'Copying is not available here. Save them as a file or write them down.',
    );
  };
  const save = (): void => {
    downloadText(`latchkey-backup-codes-${username}-${fileDate()}.txt`, text);
    setMessage('The backup codes were saved as a text file in your downloads.');
  };

  return (
    <div className="backup-codes-frame">
      <div className="backup-codes">
        <div className="backup-codes__list">
          <Callout kind="warning" title="Shown only now">
            <p>
              Each code signs you in once if your phone is lost or out of reach. Keep them somewhere safe, away from this computer: a
              password manager, or printed in a drawer.
            </p>
          </Callout>
          <p className="print-only">
            Latchkey backup codes for {username}, made {formatDateTime(madeAt)}. Each code works once.
          </p>
          <ol className="code-list" aria-label="Backup codes">
            {codes.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </ol>
        </div>
        <div className="backup-codes__actions">
          <div className="button-row">
            <Button onClick={() => void copy()}>Copy codes</Button>
            <Button onClick={save}>Save as text file</Button>
            <Button onClick={() => window.print()}>Print</Button>
          </div>
          <StatusMessage>{message}</StatusMessage>
          <Checkbox label="I have saved these backup codes" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
          <div className="button-row">
            <Button variant="primary" disabled={!saved} onClick={done}>
              {doneLabel}
            </Button>
            {!saved && <span className="field__hint">Tick the box above once the codes are safe.</span>}
          </div>
        </div>
      </div>
    </div>
  );
}

function backupCodesText(codes: readonly string[], username: string, madeAt: number): string {
  return [
    `Latchkey backup codes for ${username}`,
    `Made ${formatDateTime(madeAt)}`,
    '',
    'Each code works once. Dashes and letter case do not matter.',
    '',
    ...codes.map((code, i) => `${String(i + 1).padStart(2, ' ')}. ${code}`),
    '',
  ].join('\n');
}
