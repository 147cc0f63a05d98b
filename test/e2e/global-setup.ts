import type { FullConfig } from '@playwright/test';
import { ELECTRON_MISSING, electronBinary } from './hosts.js';

/** Says once, up front, why the electron project's specs will be reported as not run. */
export default function globalSetup(config: FullConfig): void {
  const electronSelected = config.projects.some((project) => project.name === 'electron');
  if (electronSelected && electronBinary() === null) process.stderr.write(`[electron] project cannot run here: ${ELECTRON_MISSING}\n`);
}
