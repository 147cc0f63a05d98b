import { copyFileSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/main/engine/engine.js';
import { failure } from '../support/errors.js';
import { addAccount, openVaultWithAdmin, QUICK_HASH, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';
import { AUDITOR } from '../support/auditor.js';

/**
 * Someone puts back an older copy of the vault file: its chain and head agree with each other, so
 * only the anchor kept outside the file (in the keychain) can tell.
 */
let v: VaultWithAdmin;
let engine: Engine;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  engine = v.engine;
});
afterEach(() => v.vault.dispose());

const failedSignIn = (): Promise<unknown> =>
  failure(() => engine.signIn.withPassword({ username: 'admin', password: PASSWORDS.bob, client: cliClient() }), 'INVALID_CREDENTIALS');

/** Closes the engine so the file is whole on disk, and returns a function that puts this copy back. */
async function copyOfVault(): Promise<() => Promise<Engine>> {
  engine.close();
  const copy = `${v.vault.path}.copy`;
  copyFileSync(v.vault.path, copy);
  engine = await v.vault.open({ hashParameters: QUICK_HASH });
  return async () => {
    engine.close();
    for (const suffix of ['-wal', '-shm']) rmSync(`${v.vault.path}${suffix}`, { force: true });
    copyFileSync(copy, v.vault.path);
    engine = await v.vault.open({ hashParameters: QUICK_HASH });
    return engine;
  };
}

const lastSeq = async (): Promise<number> => (await engine.audit.verify(AUDITOR)).events;

describe('the audit anchor', () => {
  it('finds a vault put back to an older copy, though its own chain holds', async () => {
    await engine.audit.anchor();
    const putBack = await copyOfVault();
    const before = await lastSeq();
    await failedSignIn();
    await addAccount(engine, v.admin.caller, 'alice', PASSWORDS.alice);
    await engine.audit.anchor();
    const after = await lastSeq();

    await putBack();
    expect(await engine.audit.verify(AUDITOR)).toEqual({
      intact: false,
      events: before,
      brokenAt: before + 1,
      problem: 'rolled_back',
      message: `The log ends at event ${before}, but this computer has seen it reach event ${after}: the vault was replaced by an older copy.`,
    });
  });

  it('finds an older copy that has since written as many events again, and more', async () => {
    const putBack = await copyOfVault();
    await failedSignIn();
    await engine.audit.anchor();
    const anchored = await lastSeq();

    await putBack();
    // Other events than the anchored one: a later time is enough to make them differ.
    v.vault.clock.advance(1000);
    for (let i = 0; i < 3; i += 1) await failedSignIn();
    expect(await lastSeq()).toBeGreaterThan(anchored);
    expect(await engine.audit.verify(AUDITOR)).toMatchObject({
      intact: false,
      brokenAt: 1,
      problem: 'rolled_back',
      message: expect.stringContaining(`Event ${anchored} is not the one`),
    });
  });

  it('agrees with a log that went on after it was anchored, and with one never anchored', async () => {
    expect(await engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });
    await engine.audit.anchor();
    await failedSignIn();
    expect(await engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });
    await engine.audit.anchor();
    expect(await engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });
  });

  it('never moves back: an anchor call from a process that saw less leaves the further point in place', async () => {
    const putBack = await copyOfVault();
    await failedSignIn();
    await engine.audit.anchor();
    // The engine opened on the older copy anchors too; the keychain keeps the further point.
    await putBack();
    await engine.audit.anchor();
    expect(await engine.audit.verify(AUDITOR)).toMatchObject({ intact: false, problem: 'rolled_back' });
  });

  it("ignores an anchor in the keychain that this vault's key did not write", async () => {
    await failedSignIn();
    await engine.audit.anchor();
    const name = `audit-anchor:${engine.vaultId}`;
    const stored = await v.vault.keychain.get(name);
    expect(stored).toMatch(/^\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const [, mac, tag] = (stored ?? '').split('.');
    await v.vault.keychain.set(name, `999.${mac}.${tag}`);
    expect(await engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });
  });
});
