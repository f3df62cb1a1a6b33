// The servers the end-to-end script drives: real llama-runner with the real model, or the mock.
// Each target can be stopped and started again on the same ports, and binds 127.0.0.1 only.

import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from './checks.mjs';
import { freePort } from './processes.mjs';

/** Runs a server process, appending its output to `logFile`, and stops it with SIGTERM. */
class ServerProcess {
  constructor(command, args, logFile) {
    this.command = command;
    this.args = args;
    this.log = createWriteStream(logFile, { flags: 'a' });
    this.child = undefined;
  }

  start() {
    this.log.write(`\n=== starting ${this.command} ${this.args.join(' ')}\n`);
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    this.child = child;
  }

  /** Sends SIGTERM and waits up to `graceMs` for the exit, then sends SIGKILL. */
  async stop(graceMs = 20_000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    child.kill('SIGTERM');
    const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), graceMs));
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      child.kill('SIGKILL');
      await this.exited;
    }
    this.child = undefined;
  }
}

async function waitForPage(baseUrl, timeoutMs) {
  await waitFor(
    async () => {
      const response = await fetch(baseUrl);
      return response.ok;
    },
    { timeoutMs, message: `${baseUrl} did not answer` },
  );
}

/**
 * Real llama-runner: writes a config with free ports and one model, then serves it.
 * Needs `binary` (target/debug/llama-runner), `llamaServer` and `ggufModel`.
 */
export async function runnerTarget({ binary, llamaServer, ggufModel, artifactsDir }) {
  const [openaiPort, ollamaPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
  const modelId = 'gemma-3-270m';
  const config = {
    'llama-runtimes': { default: { runtime: llamaServer } },
    default_runtime: 'default',
    concurrentRunners: 1,
    host: '127.0.0.1',
    proxies: {
      ollama: { enabled: true, port: ollamaPort },
      lmstudio: { enabled: true, port: openaiPort },
    },
    dashboard: { enabled: true, host: '127.0.0.1', port: dashboardPort },
    models: {
      'Gemma 3 270M': {
        model_id: modelId,
        model_path: ggufModel,
        llama_cpp_runtime: 'default',
        parameters: { ctx_size: 1024, threads: 2 },
      },
    },
  };
  const configFile = path.join(artifactsDir, 'dashboard-e2e-config.json');
  await writeFile(configFile, JSON.stringify(config, null, 2));

  const server = new ServerProcess(binary, ['serve', '--config', configFile], path.join(artifactsDir, 'dashboard-e2e-llama-runner.log'));
  const baseUrl = `http://127.0.0.1:${dashboardPort}/`;
  return {
    name: 'llama-runner',
    baseUrl,
    chatUrl: `http://127.0.0.1:${openaiPort}/v1/chat/completions`,
    modelId,
    processName: 'llama-server',
    // Loading the real model takes seconds; the first start of llama-server may take longer.
    loadTimeoutMs: 180_000,
    async start() {
      server.start();
      await waitForPage(baseUrl, 60_000);
    },
    stop: () => server.stop(),
  };
}

/** Creates a target that runs mock/server.mjs, requiring `apiKey` when one is given. */
export async function mockTarget({ artifactsDir, apiKey, label = 'mock' }) {
  const port = await freePort();
  const script = path.resolve(import.meta.dirname, '../mock/server.mjs');
  const args = [script, '--port', String(port)];
  if (apiKey) {
    args.push('--api-key', apiKey);
  }
  const server = new ServerProcess(process.execPath, args, path.join(artifactsDir, `dashboard-e2e-${label}.log`));
  const baseUrl = `http://127.0.0.1:${port}/`;
  return {
    name: label,
    baseUrl,
    chatUrl: `http://127.0.0.1:${port}/v1/chat/completions`,
    modelId: 'gemma-3-270m',
    processName: 'sleep',
    loadTimeoutMs: 10_000,
    async start() {
      server.start();
      await waitForPage(baseUrl, 10_000);
    },
    stop: () => server.stop(),
  };
}
