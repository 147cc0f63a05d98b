import { createHmac } from 'node:crypto';
import type { SecretStore } from '../../secrets/secret-store.js';
import { constantTimeEqual } from '../crypto/random.js';

/** A point in the chain: the sequence number of an event and its MAC (seq 0: the empty log). */
export interface ChainPoint {
  readonly seq: number;
  readonly mac: Buffer;
}

/**
 * What the anchor says of a log whose own chain holds: `short` when the log ends before the
 * anchored event, `diverged` when its event at that number is another one.
 */
export type AnchorFinding =
  { readonly agrees: true } | { readonly agrees: false; readonly anchoredSeq: number; readonly how: 'short' | 'diverged' };

/**
 * The furthest point of the audit chain this computer has seen, kept outside the vault file, in
 * the keychain. The chain and its head live in the file, so a whole older copy of the file
 * verifies on its own; it no longer reaches, or no longer matches, the anchor.
 *
 * Several processes may record at once; a slower one can set an earlier point over a later one.
 * That only weakens the anchor: it never names a point the log did not reach.
 */
export class AuditAnchor {
  readonly #secrets: SecretStore;
  readonly #name: string;
  readonly #key: Buffer;
  /** The last point this process wrote, so a call with nothing new costs no keychain round trip. */
  #recorded = -1;
  /** Records run one after another, each reading the head when its turn comes. */
  #queue: Promise<void> = Promise.resolve();

  constructor(secrets: SecretStore, vaultId: string, key: Buffer) {
    this.#secrets = secrets;
    this.#name = `audit-anchor:${vaultId}`;
    this.#key = key;
  }

  /** Moves the anchor to `head()`, the committed head, when it is further than what was recorded. */
  record(head: () => ChainPoint | null): Promise<void> {
    const run = this.#queue.then(async () => {
      const point = head();
      if (point === null || point.seq <= this.#recorded) return;
      const stored = await this.#read();
      if (stored === null || stored.seq < point.seq) await this.#secrets.set(this.#name, this.#encode(point));
      this.#recorded = Math.max(point.seq, stored?.seq ?? -1);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Whether the log, whose chain holds up to `lastSeq`, still reaches and matches the anchor. */
  async check(lastSeq: number, macAt: (seq: number) => Buffer | null): Promise<AnchorFinding> {
    const anchor = await this.#read();
    if (anchor === null) return { agrees: true };
    if (anchor.seq > lastSeq) return { agrees: false, anchoredSeq: anchor.seq, how: 'short' };
    const mac = macAt(anchor.seq);
    return mac !== null && constantTimeEqual(mac, anchor.mac)
      ? { agrees: true }
      : { agrees: false, anchoredSeq: anchor.seq, how: 'diverged' };
  }

  /** A stored anchor whose tag does not verify is ignored: it cannot have been written with this vault's key. */
  async #read(): Promise<ChainPoint | null> {
    const stored = await this.#secrets.get(this.#name);
    if (stored === null) return null;
    const [seqText, macText, tagText] = stored.split('.');
    const point = { seq: Number(seqText), mac: Buffer.from(macText ?? '', 'base64url') };
    if (!Number.isSafeInteger(point.seq) || point.seq < 0) return null;
    return constantTimeEqual(Buffer.from(tagText ?? '', 'base64url'), this.#tag(point)) ? point : null;
  }

  #encode(point: ChainPoint): string {
    return `${point.seq}.${point.mac.toString('base64url')}.${this.#tag(point).toString('base64url')}`;
  }

  #tag(point: ChainPoint): Buffer {
    return createHmac('sha256', this.#key).update(`anchor:${point.seq}:`).update(point.mac).digest();
  }
}
