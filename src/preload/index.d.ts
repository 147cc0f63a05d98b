/** What the preload script exposes to the renderer. */
interface LatchkeyApi {
  readonly version: string;
}

interface Window {
  readonly latchkey: LatchkeyApi;
}
