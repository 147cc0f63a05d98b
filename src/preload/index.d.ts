import type { LatchkeyBridge } from '../shared/contract';

declare global {
  interface Window {
    /** Built by the preload (Electron) or the browser host's bridge, from the one contract. */
    readonly latchkey: LatchkeyBridge;
  }
}
