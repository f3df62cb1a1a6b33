#!/usr/bin/env node
// End-to-end test of the dashboard in headless Chromium (the Debian `chromium` package, driven
// by playwright-core). It loads the page from llama-runner, checks the live charts, loads and
// unloads the model, sends a chat request, restarts llama-runner and waits for the page to
// reconnect by itself, and tries the API key prompt against the mock server. Screenshots go to
// test-artifacts/. It prints the gzipped size of dashboard/dist and the first paint, and ends
// with `N passed, N failed`.
//
//   DASHBOARD_E2E_TARGET=runner (default): LLAMA_RUNNER_BIN (default target/debug/llama-runner),
//     LLAMA_SERVER and GGUF_MODEL (from scripts/fetch-test-assets.sh)
//   DASHBOARD_E2E_TARGET=mock: dashboard/mock/server.mjs, no other input

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { Checks, assert, waitFor } from './checks.mjs';
import { gzippedSize, paintTimings } from './measure.mjs';
import { commandLine } from './processes.mjs';
import { mockTarget, runnerTarget } from './targets.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const distDir = path.join(repo, 'dashboard/dist');
const artifactsDir = path.join(repo, 'test-artifacts');
const targetKind = process.env.DASHBOARD_E2E_TARGET ?? 'runner';

// Chromium reports refused connections while the server restarts; those are expected.
const EXPECTED_CONSOLE_ERRORS = [/WebSocket connection to .* failed/, /Failed to load resource: net::ERR_CONNECTION_REFUSED/];

async function createTarget() {
  if (targetKind === 'mock') {
    return mockTarget({ artifactsDir });
  }
  const { LLAMA_SERVER: llamaServer, GGUF_MODEL: ggufModel } = process.env;
  if (!llamaServer || !ggufModel) {
    throw new Error('LLAMA_SERVER and GGUF_MODEL are not set: run `eval "$(scripts/fetch-test-assets.sh)"` first, or set DASHBOARD_E2E_TARGET=mock');
  }
  const binary = process.env.LLAMA_RUNNER_BIN ?? path.join(repo, 'target/debug/llama-runner');
  return runnerTarget({ binary, llamaServer, ggufModel, artifactsDir });
}

const connectionStatus = (page) => page.getByTestId('connection-status').innerText();
const modelRow = (page, id) => page.locator(`tr[data-model="${id}"]`);

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir, `dashboard-${name}.png`) });
}

async function openView(page, view) {
  await page.click(`a[data-view="${view}"]`);
  await page.waitForFunction((name) => location.hash === `#${name}`, view);
}

async function main() {
  await mkdir(artifactsDir, { recursive: true });
  const checks = new Checks();

  const size = await gzippedSize(distDir);
  assert(size.files.some((file) => file.file === 'index.html'), `${distDir}/index.html is missing: run scripts/build-dashboard.sh`);
  console.log(`dashboard size: ${(size.gzipped / 1024).toFixed(1)} KiB gzipped (${(size.raw / 1024).toFixed(1)} KiB raw, ${size.files.length} files; target ≤ 400 KB gzipped)`);

  const target = await createTarget();
  const browser = await launchBrowser();
  const consoleErrors = [];

  try {
    await target.start();
    const page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && !EXPECTED_CONSOLE_ERRORS.some((pattern) => pattern.test(message.text()))) {
        consoleErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));

    await checks.step(`page loads from ${target.name}`, async () => {
      await page.goto(target.baseUrl, { waitUntil: 'load' });
      assert((await page.title()) === 'llama-runner', `unexpected title ${await page.title()}`);
      const paint = await waitFor(async () => {
        const timings = await paintTimings(page);
        return timings.firstContentfulPaint !== undefined && timings;
      });
      console.log(
        `first paint: ${paint.firstPaint?.toFixed(0)} ms, first contentful paint: ${paint.firstContentfulPaint.toFixed(0)} ms, ` +
          `DOMContentLoaded: ${paint.domContentLoaded?.toFixed(0)} ms (target ≤ 500 ms; localhost, headless Chromium)`,
      );
    });

    await checks.step('connection shows connected', async () => {
      await waitFor(async () => (await connectionStatus(page)) === 'Connected', { message: 'status is not Connected' });
      const health = await page.getByTestId('health').innerText();
      assert(/^Health: (OK|Degraded|Critical)$/.test(health), `unexpected health badge: ${health}`);
    });

    await checks.step('charts receive at least three live points', async () => {
      const seen = new Set();
      await waitFor(
        async () => {
          const note = page.getByTestId('points');
          seen.add(await note.getAttribute('data-last-ts'));
          const count = Number(await note.getAttribute('data-count'));
          return count >= 3 && seen.size >= 3;
        },
        { timeoutMs: 30_000, intervalMs: 500, message: 'fewer than three points, or no new samples' },
      );
      assert((await page.locator('canvas').count()) >= 5, 'fewer than five charts');
      await screenshot(page, 'overview');
    });

    let pid;
    await checks.step('Load shows the model ready with a live process', async () => {
      await openView(page, 'models');
      await page.getByRole('button', { name: `Load ${target.modelId}`, exact: true }).click();
      const row = modelRow(page, target.modelId);
      await waitFor(async () => (await row.getByTestId('model-state').innerText()) === 'ready', {
        timeoutMs: target.loadTimeoutMs,
        intervalMs: 500,
        message: 'model did not become ready',
      });
      pid = Number(await row.getByTestId('model-pid').innerText());
      assert(Number.isInteger(pid), `no PID shown for the ready model`);
      assert(pid > 0, `invalid PID ${pid} shown for the ready model`);
      const command = await commandLine(pid);
      assert(command?.includes(target.processName), `process ${pid} is not ${target.processName}: ${command}`);
      await screenshot(page, 'models');
    });

    await checks.step('chat request appears in Requests', async () => {
      const response = await fetch(target.chatUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: target.modelId, messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 16 }),
      });
      assert(response.ok, `chat request failed with ${response.status}: ${await response.text()}`);
      await openView(page, 'requests');
      const row = page.locator('[data-testid="requests-table"] tbody tr', { hasText: '/v1/chat/completions' }).first();
      await waitFor(async () => (await row.count()) > 0 && (await row.innerText()).includes(target.modelId), {
        message: 'no chat request row',
      });
      await screenshot(page, 'requests');
    });

    await checks.step('Logs tail the model with filter and pause', async () => {
      await openView(page, 'logs');
      await page.getByTestId('log-model').selectOption(target.modelId);
      const output = page.getByTestId('log-output');
      await waitFor(async () => !(await output.innerText()).startsWith('No log lines yet'), {
        timeoutMs: 15_000,
        message: 'no log lines',
      });
      const pause = page.getByTestId('log-pause');
      await pause.click();
      assert((await pause.getAttribute('aria-pressed')) === 'true', 'pause is not pressed');
      await pause.click();
      await screenshot(page, 'logs');

      await page.getByTestId('log-filter').fill('no line contains this text');
      assert((await output.innerText()) === 'No log lines yet.', 'filter did not hide the lines');
      await page.getByTestId('log-filter').fill('');
    });

    await checks.step('Alerts show active alerts, history and thresholds', async () => {
      await openView(page, 'alerts');
      for (const table of ['active-alerts', 'alert-history', 'alert-rules']) {
        assert(await page.getByTestId(table).isVisible(), `${table} is not visible`);
      }
      await screenshot(page, 'alerts');
    });

    await checks.step('Unload stops the model and its process', async () => {
      await openView(page, 'models');
      const row = modelRow(page, target.modelId);
      await page.getByRole('button', { name: `Unload ${target.modelId}`, exact: true }).click();
      await waitFor(async () => (await row.getByTestId('model-state').innerText()) === 'stopped', {
        timeoutMs: 30_000,
        message: 'model did not stop',
      });
      assert((await row.getByTestId('model-pid').innerText()) === '–', 'a PID is still shown');
      if (pid) {
        await waitFor(async () => !(await commandLine(pid))?.includes(target.processName), {
          timeoutMs: 15_000,
          message: `process ${pid} is still running`,
        });
      }
    });

    await checks.step(`page reconnects by itself after ${target.name} restarts`, async () => {
      await target.stop();
      await waitFor(async () => ['Reconnecting', 'Offline'].includes(await connectionStatus(page)), {
        message: 'page did not notice the stop',
      });
      await screenshot(page, 'reconnecting');
      await target.start();
      await waitFor(async () => (await connectionStatus(page)) === 'Connected', {
        timeoutMs: 45_000,
        intervalMs: 250,
        message: 'page did not reconnect',
      });
      await openView(page, 'overview');
      const before = await page.getByTestId('points').getAttribute('data-last-ts');
      await waitFor(async () => (await page.getByTestId('points').getAttribute('data-last-ts')) !== before, {
        timeoutMs: 15_000,
        message: 'no new sample after reconnecting',
      });
    });

    await checks.step('narrow window and dark scheme render', async () => {
      await page.setViewportSize({ width: 420, height: 900 });
      await screenshot(page, 'overview-narrow');
      await openView(page, 'models');
      await screenshot(page, 'models-narrow');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 0, `the page scrolls sideways by ${overflow} px at 420 px`);

      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await openView(page, 'overview');
      await page.waitForTimeout(300);
      await screenshot(page, 'overview-dark');
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert(background === 'rgb(17, 20, 24)', `dark background expected, got ${background}`);
      await page.emulateMedia({ colorScheme: 'light' });
    });

    await checks.step('page shows no unexpected console errors', async () => {
      assert(consoleErrors.length === 0, consoleErrors.join('\n'));
    });
    await page.close();

    await checks.step('API key prompt: asks, stores and connects', async () => {
      await checkApiKeyPrompt(browser.context);
    });
  } finally {
    await browser.close();
    await target.stop();
  }

  if (!checks.summary()) {
    process.exitCode = 1;
  }
}

/** Serves the mock with a required key; the page must ask for it and connect once it has it. */
async function checkApiKeyPrompt(context) {
  const key = 'e2e-secret-key';
  const mock = await mockTarget({ artifactsDir, apiKey: key, label: 'mock-api-key' });
  await mock.start();
  const page = await context.newPage();
  try {
    await page.goto(mock.baseUrl);
    const dialog = page.getByRole('dialog', { name: 'API key required' });
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'api-key');

    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.keyboard.press('Enter');
    await waitFor(async () => (await connectionStatus(page)) === 'Connected', { message: 'not connected with the key' });
    assert(!(await dialog.isVisible()), 'dialog is still open');
    const stored = await page.evaluate(() => sessionStorage.getItem('llama-runner.api-key'));
    assert(stored === key, `sessionStorage holds ${stored}`);
  } finally {
    await page.close();
    await mock.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
