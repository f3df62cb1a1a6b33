// The mock server's state: two models, system samples, alerts and finished requests, shaped as
// docs/websocket.md defines them. A loaded model runs a real `sleep` process, so tests can find
// its PID in the process list.

import { spawn } from 'node:child_process';
import os from 'node:os';

const HISTORY_POINTS = 100;
const REQUEST_LIMIT = 500;
const LOG_REPLAY_LINES = 100;

export const GOOD_MODEL = 'gemma-3-270m';
export const BROKEN_MODEL = 'broken-model';

export class MockWorld {
  /** @param {{ intervalSeconds: number, apiKeyRequired: boolean, dashboardPort: number, onEvent: (message: object) => void }} options */
  constructor(options) {
    this.options = options;
    this.systemHistory = [];
    this.modelHistory = { [GOOD_MODEL]: [], [BROKEN_MODEL]: [] };
    this.requests = [];
    this.logs = { [GOOD_MODEL]: [], [BROKEN_MODEL]: [] };
    this.processes = new Map();
    this.requestCounter = 0;
    this.models = new Map([
      [GOOD_MODEL, { id: GOOD_MODEL, name: 'Gemma 3 270M', state: 'stopped', loads: 0, crashes: 0, requests: 0, errors: 0, in_flight: 0, queued: 0, breaker: { state: 'closed' } }],
      [BROKEN_MODEL, { id: BROKEN_MODEL, name: 'Broken model', state: 'stopped', loads: 0, crashes: 0, requests: 0, errors: 0, in_flight: 0, queued: 0, breaker: { state: 'closed' } }],
    ]);
    const now = Date.now();
    this.rules = [
      { rule: 'cpu_percent', warning: 85, critical: 95, for_seconds: 60, hysteresis: 5 },
      { rule: 'memory_percent', warning: 85, critical: 95, for_seconds: 60, hysteresis: 5 },
      { rule: 'disk_percent', warning: 85, critical: 95, for_seconds: 0, hysteresis: 2 },
      // llama-runner leaves out a level that a rule does not have.
      { rule: 'breaker_open', critical: 1, for_seconds: 0, hysteresis: 0 },
    ];
    this.activeAlerts = [
      { id: 2, rule: 'disk_percent', level: 'warning', subject: '/data', value: 88.5, threshold: 85, since: now - 600_000, message: 'Disk /data is 88.5 % full' },
    ];
    this.alertHistory = [
      { id: 1, rule: 'cpu_percent', level: 'critical', subject: '', value: 97.1, threshold: 95, since: now - 3_600_000, resolved_at: now - 3_540_000, message: 'CPU use is 97.1 %' },
    ];
    for (let index = HISTORY_POINTS; index > 0; index -= 1) {
      this.systemHistory.push(this.systemSample(now - index * options.intervalSeconds * 1000));
    }
  }

  snapshot() {
    return {
      type: 'snapshot',
      models: this.modelList(),
      history: { system: this.systemHistory, models: this.modelHistory },
      alerts: { active: this.activeAlerts, history: this.alertHistory, rules: this.rules },
      requests: this.requests,
      config: {
        version: '0.1.0-mock',
        ports: { openai: this.options.dashboardPort, ollama: this.options.dashboardPort, dashboard: this.options.dashboardPort },
        concurrent_runners: 1,
        interval_seconds: this.options.intervalSeconds,
        history_points: HISTORY_POINTS,
        api_key_required: this.options.apiKeyRequired,
      },
    };
  }

  modelList() {
    return [...this.models.values()].map((model) => this.modelInfo(model.id));
  }

  modelInfo(id) {
    const model = this.models.get(id);
    const info = { ...model };
    if (model.startedAt !== undefined && (model.state === 'ready' || model.state === 'draining')) {
      info.uptime_seconds = Math.floor((Date.now() - model.startedAt) / 1000);
    }
    delete info.startedAt;
    return info;
  }

  systemSample(ts) {
    const wave = (period, phase = 0) => 0.5 + 0.5 * Math.sin(ts / period + phase);
    const total = os.totalmem();
    const used = total - os.freemem();
    return {
      ts,
      cpu_percent: 15 + 30 * wave(9000),
      cpu_per_core: os.cpus().map((_, core) => 10 + 40 * wave(7000, core)),
      load_average: os.loadavg(),
      memory: { total, used, available: total - used },
      swap: { total: 2 ** 31, used: 2 ** 27 },
      disks: [
        { mount: '/', total: 2 ** 36, used: 2 ** 35 },
        { mount: '/data', total: 2 ** 38, used: 0.885 * 2 ** 38 },
      ],
      disk_io: { read_bytes_per_second: 2e6 * wave(5000), write_bytes_per_second: 1e6 * wave(6000, 1) },
      network: {
        rx_bytes_per_second: 5e5 * wave(4000),
        tx_bytes_per_second: 2e5 * wave(4500, 2),
        interfaces: [{ name: 'lo', rx_bytes_per_second: 5e5 * wave(4000), tx_bytes_per_second: 2e5 * wave(4500, 2) }],
      },
      process_count: 200,
      runner: { cpu_percent: 2 * wave(3000), rss: 48 * 2 ** 20 },
    };
  }

  /** Records one sample of everything and returns the `sample` message. */
  tick() {
    const ts = Date.now();
    const system = this.systemSample(ts);
    this.systemHistory = [...this.systemHistory, system].slice(-HISTORY_POINTS);

    const models = {};
    for (const model of this.models.values()) {
      const sample = { ts, state: model.state, in_flight: model.in_flight };
      if (model.pid !== undefined) {
        sample.pid = model.pid;
        sample.cpu_percent = 5;
        sample.rss = 300 * 2 ** 20;
        sample.generation_tokens_per_second = 40 + 10 * Math.sin(ts / 3000);
      }
      models[model.id] = sample;
      this.modelHistory[model.id] = [...this.modelHistory[model.id], sample].slice(-HISTORY_POINTS);
      if (model.state === 'ready') {
        this.appendLog(model.id, [`slot update: n_past = ${Math.floor(ts / 1000) % 1000}, ${new Date(ts).toISOString()}`]);
      }
    }
    return { type: 'sample', system, models };
  }

  appendLog(id, lines) {
    this.logs[id] = [...this.logs[id], ...lines].slice(-1000);
    this.options.onEvent({ type: 'log', model: id, lines });
  }

  logReplay(id) {
    return (this.logs[id] ?? []).slice(-LOG_REPLAY_LINES);
  }

  setState(id, changes) {
    Object.assign(this.models.get(id), changes);
    this.options.onEvent({ type: 'model_state', model: this.modelInfo(id) });
  }

  /** Starts a model: the good one runs `sleep` and is ready after 300 ms, the broken one fails. */
  load(id) {
    const model = this.models.get(id);
    if (model.state === 'ready' || model.state === 'starting') {
      return;
    }
    const started = Date.now();
    this.setState(id, { state: 'starting', last_error: undefined, last_log_lines: undefined, loads: model.loads + 1 });
    this.appendLog(id, [`main: loading model ${id}`]);

    if (id === BROKEN_MODEL) {
      setTimeout(() => {
        const lines = ['main: loading model', 'gguf_init_from_file: invalid magic characters', 'main: exiting due to model loading error'];
        this.appendLog(id, lines);
        this.setState(id, { state: 'failed', crashes: model.crashes + 1, last_error: 'llama-server exited with status 1 while loading', last_log_lines: lines });
      }, 200);
      return;
    }

    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    this.processes.set(id, child);
    setTimeout(() => {
      this.appendLog(id, ['main: server is listening on http://127.0.0.1:40001']);
      this.setState(id, { state: 'ready', pid: child.pid, port: 40001, startedAt: Date.now(), last_load_ms: Date.now() - started });
    }, 300);
  }

  unload(id) {
    const model = this.models.get(id);
    if (model.state === 'stopped') {
      return;
    }
    this.setState(id, { state: 'stopping' });
    this.processes.get(id)?.kill('SIGTERM');
    this.processes.delete(id);
    setTimeout(() => {
      this.appendLog(id, ['main: stopped']);
      this.setState(id, { state: 'stopped', pid: undefined, port: undefined, startedAt: undefined });
    }, 100);
  }

  /** Records a finished chat request and returns its RequestRecord. */
  recordRequest(id, route, durationMs) {
    this.requestCounter += 1;
    const record = {
      id: this.requestCounter,
      ts: Date.now(),
      model: id,
      route,
      dialect: 'openai',
      status: 200,
      duration_ms: durationMs,
      ttfb_ms: Math.round(durationMs / 3),
      streamed: false,
      prompt_tokens: 12,
      cached_tokens: 0,
      generated_tokens: 24,
      prompt_tokens_per_second: 400,
      generation_tokens_per_second: 42,
      cancelled: false,
    };
    this.requests = [...this.requests, record].slice(-REQUEST_LIMIT);
    this.models.get(id).requests += 1;
    this.options.onEvent({ type: 'request', request: record });
    return record;
  }

  stopProcesses() {
    for (const child of this.processes.values()) {
      child.kill('SIGTERM');
    }
    this.processes.clear();
  }
}
