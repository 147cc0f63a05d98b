import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** The impacts that fail a journey; minor and moderate findings are left to review. */
const BLOCKING = new Set(['serious', 'critical']);

/** Runs axe-core on the screen as it is now and fails on any serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
  // Legacy mode runs axe in the page itself. The default mode finishes in a new page of the same
  // browser context, which neither the fixture's implicit context nor an Electron window can open;
  // the app has no frames, so nothing is lost.
  const { violations } = await new AxeBuilder({ page }).setLegacyMode().analyze();
  const blocking = violations
    .filter((violation) => BLOCKING.has(violation.impact ?? ''))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')),
    }));
  expect(blocking, `accessibility violations on "${await page.title()}" (${page.url()})`).toEqual([]);
}
