import { useEffect } from 'react';
import { useSession } from '../stores/session';

/** How often the app looks whether its session still lives (app.peek: not counted as activity). */
export const PEEK_INTERVAL_MS = 15_000;
/** Real input keeps the session alive, with at most one call (app.status) per this interval. */
export const ACTIVITY_INTERVAL_MS = 60_000;

/**
 * While signed in: notice an idle lock or a revoked session soon (a poll, and on focus), and let
 * the person's own keys and clicks count as activity. Polling alone must never keep a session alive.
 */
export function useSessionWatch(): void {
  const signedIn = useSession((s) => s.phase.name === 'signed_in');

  useEffect(() => {
    if (!signedIn) return;
    const { peek, refresh } = useSession.getState();
    const look = (): void => void peek();
    let lastActivity = Date.now();
    const active = (): void => {
      const now = Date.now();
      if (now - lastActivity < ACTIVITY_INTERVAL_MS) return;
      lastActivity = now;
      void refresh();
    };

    const timer = window.setInterval(look, PEEK_INTERVAL_MS);
    window.addEventListener('focus', look);
    window.addEventListener('keydown', active, { capture: true, passive: true });
    window.addEventListener('pointerdown', active, { capture: true, passive: true });
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', look);
      window.removeEventListener('keydown', active, { capture: true });
      window.removeEventListener('pointerdown', active, { capture: true });
    };
  }, [signedIn]);
}
