import type { ReactNode } from 'react';
import { useSession } from '../stores/session';
import { ClockNotice } from './ClockNotice';
import { Logo } from './Logo';

/**
 * The frame of every screen before the app opens (first run, sign-in, lock, second factor):
 * the product's name, one card with the step, and which vault this is.
 */
export function AuthFrame({ wide = false, children }: { readonly wide?: boolean; readonly children: ReactNode }) {
  const status = useSession((s) => s.status);
  return (
    <div className="auth">
      <div className={wide ? 'auth__column auth__column--wide' : 'auth__column'}>
        <header className="auth__brand">
          <Logo size={36} />
          <span>Latchkey</span>
        </header>
        <ClockNotice />
        <main className="auth__card" id="main">
          {children}
        </main>
        <footer className="auth__footer">
          {status === null ? (
            <p>Latchkey {window.latchkey.version}</p>
          ) : (
            <p>
              Latchkey {status.version} · Vault <span className="mono">{status.vaultPath}</span>
            </p>
          )}
        </footer>
      </div>
    </div>
  );
}
