import type { ClientInfo } from '../shared/client.js';

export interface DesktopFacts {
  readonly version: string;
  readonly electronVersion: string;
  readonly platform: string;
  readonly hostname: string;
  readonly osUser: string | null;
}

/** How the desktop app describes itself in the sessions it starts (shown in session lists, never trusted). */
export function desktopClient(facts: DesktopFacts): ClientInfo {
  return {
    host: 'desktop',
    deviceName: facts.hostname,
    osUser: facts.osUser,
    ip: null,
    userAgent: `Latchkey/${facts.version} Electron/${facts.electronVersion} (${facts.platform})`,
  };
}
