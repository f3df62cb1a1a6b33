// Launches the Debian `chromium` package headless through playwright-core, with a fresh
// profile that is removed on close. Playwright's own browser download is not used.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Opens a browser context at 1280×800; `close()` also deletes the profile folder. */
export async function launchBrowser({ executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium' } = {}) {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'dashboard-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
