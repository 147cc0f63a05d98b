import { useState, type ReactNode } from 'react';
import type { TotpSetupView } from '../../../../shared/views';
import { StatusMessage } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { formatClock } from '../../format/time';
import { copyText } from '../../platform/files';

/** "JBSW Y3DP EHPK 3PXP …": the secret in groups of four, as authenticator apps ask for it. */
export function groupSecret(secret: string): string {
  return (
    secret
      .replace(/\s+/g, '')
      .match(/.{1,4}/g)
      ?.join(' ') ?? secret
  );
}

/**
 * The new authenticator secret: as a QR code to scan, and as text to type in by hand. `children`
 * (the code entry, where the page has it here) follow the key in the same column.
 */
export function AuthenticatorKey({ setup, children }: { readonly setup: TotpSetupView; readonly children?: ReactNode }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (): Promise<void> => {
    setCopied((await copyText(setup.secret)) ? 'Key copied.' : 'Copying is not available here; type the key by hand.');
  };
  return (
    <div className="authenticator-key">
      <img className="qr" src={setup.qrDataUrl} alt="QR code for adding Latchkey to an authenticator app" width={192} height={192} />
      <div className="authenticator-key__text">
        <ol className="instructions">
          <li>Open an authenticator app on your phone: Aegis, Google Authenticator, Microsoft Authenticator, 1Password or another.</li>
          <li>Add an account and scan the QR code. Can’t scan it? Enter this setup key instead:</li>
        </ol>
        <dl className="setup-key">
          <dt className="field__label">Setup key</dt>
          <dd>
            <code className="secret">{groupSecret(setup.secret)}</code>
          </dd>
        </dl>
        <div className="button-row">
          <Button size="small" onClick={() => void copy()}>
            Copy key
          </Button>
          <span className="field__hint">Time-based, 6 digits. This setup expires at {formatClock(setup.expiresAt)}.</span>
        </div>
        <StatusMessage>{copied}</StatusMessage>
        {children}
      </div>
    </div>
  );
}
