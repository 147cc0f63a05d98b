import { afterEach, describe, expect, it } from 'vitest';
import { time } from '../../src/cli/format.js';

describe('times in the CLI’s text', () => {
  const zone = process.env['TZ'];
  afterEach(() => {
    if (zone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zone;
  });

  const at = Date.UTC(2026, 11, 3, 12, 21, 2, 345);

  it('are the local time to the second, with the offset that makes them one instant', () => {
    process.env['TZ'] = 'UTC';
    expect(time(at)).toBe('2026-12-03 12:21:02 +00:00');
    process.env['TZ'] = 'Asia/Kolkata';
    expect(time(at)).toBe('2026-12-03 17:51:02 +05:30');
    process.env['TZ'] = 'America/St_Johns';
    expect(time(at)).toBe('2026-12-03 08:51:02 -03:30');
  });

  it('say "-" for no time at all', () => {
    expect(time(null)).toBe('-');
  });
});
