import { useEffect } from 'react';
import { useHostNotices } from '../stores/host-notices';

/** How often the window looks for notices when nothing brought it forward. */
export const NOTICE_INTERVAL_MS = 15_000;

/**
 * The host acts on a `latchkey://` link and then brings the window forward, so the window looks
 * at start, whenever it gains focus or becomes visible, and (as a fallback) on a slow poll.
 */
export function useHostNoticeWatch(): void {
  useEffect(() => {
    const look = (): void => void useHostNotices.getState().take();
    const visible = (): void => {
      if (document.visibilityState === 'visible') look();
    };
    look();
    const timer = window.setInterval(look, NOTICE_INTERVAL_MS);
    window.addEventListener('focus', look);
    document.addEventListener('visibilitychange', visible);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', look);
      document.removeEventListener('visibilitychange', visible);
    };
  }, []);
}
