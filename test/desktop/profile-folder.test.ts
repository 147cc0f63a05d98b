import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileFolder } from '../../src/main/profile-folder.js';

describe('the profile folder', () => {
  it('is one per vault, under the app data folder, and the same on every launch', () => {
    const a = profileFolder('/home/u/.config', '/home/u/a/vault.db');
    expect(a).toMatch(new RegExp(`^${join('/home/u/.config', 'Latchkey', 'profiles')}/[0-9a-f]{16}$`));
    expect(profileFolder('/home/u/.config', '/home/u/a/vault.db')).toBe(a);
    expect(profileFolder('/home/u/.config', '/home/u/b/vault.db')).not.toBe(a);
  });
});
