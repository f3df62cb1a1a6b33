import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert, ModelInfo, RequestRecord, SampleMessage, SnapshotMessage, SystemSample } from '../src/protocol';
import { HISTORY_POINTS, LOG_LINE_LIMIT, REQUEST_LIMIT } from '../src/stores/capped';
import { useMetricsStore } from '../src/stores/metrics';

function systemSample(ts: number): SystemSample {
  return {
    ts,
    cpu_percent: 10,
    cpu_per_core: [10, 10],
    load_average: [0.5, 0.4, 0.3],
    memory: { total: 100, used: 40, available: 60 },
    swap: { total: 10, used: 0 },
    disks: [{ mount: '/', total: 100, used: 50 }],
    disk_io: { read_bytes_per_second: 1, write_bytes_per_second: 2 },
    network: { rx_bytes_per_second: 3, tx_bytes_per_second: 4, interfaces: [] },
    process_count: 100,
    runner: { cpu_percent: 1, rss: 1000 },
  };
}

function model(id: string, changes: Partial<ModelInfo> = {}): ModelInfo {
  return { id, name: id, state: 'stopped', requests: 0, errors: 0, in_flight: 0, breaker: { state: 'closed' }, ...changes };
}

function snapshot(changes: Partial<SnapshotMessage> = {}): SnapshotMessage {
  return {
    type: 'snapshot',
    models: [model('a'), model('b')],
    history: { system: [systemSample(1), systemSample(2)], models: { a: [{ ts: 1, state: 'stopped', in_flight: 0 }] } },
    alerts: { active: [], history: [], rules: [{ rule: 'cpu_percent', warning: 85, critical: 95, for_seconds: 60, hysteresis: 5 }] },
    requests: [],
    config: {
      version: '1',
      ports: { dashboard: 8585 },
      concurrent_runners: 1,
      interval_seconds: 1,
      history_points: 100,
      api_key_required: false,
    },
    ...changes,
  };
}

function sample(ts: number, models: SampleMessage['models'] = {}): SampleMessage {
  return { type: 'sample', system: systemSample(ts), models };
}

function request(id: string, modelId: string, status = 200): RequestRecord {
  return { id, ts: 1, model: modelId, route: '/v1/chat/completions', dialect: 'openai', status, duration_ms: 10, streamed: false };
}

function alert(id: string, level: Alert['level']): Alert {
  return { id, rule: 'cpu_percent', level, subject: '', value: 96, threshold: 95, since: 1, message: 'CPU high' };
}

beforeEach(() => {
  setActivePinia(createPinia());
});

describe('metrics store', () => {
  it('takes everything from a snapshot', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());

    expect(store.models.map((entry) => entry.id)).toEqual(['a', 'b']);
    expect(store.systemHistory).toHaveLength(2);
    expect(store.modelHistory.a).toHaveLength(1);
    expect(store.alertRules).toHaveLength(1);
    expect(store.config?.interval_seconds).toBe(1);
    expect(store.latestSystem?.ts).toBe(2);
  });

  it('keeps the last 100 system points', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    for (let ts = 3; ts <= 250; ts += 1) {
      store.applyMessage(sample(ts));
    }

    expect(store.systemHistory).toHaveLength(HISTORY_POINTS);
    expect(store.systemHistory[0]!.ts).toBe(151);
    expect(store.latestSystem?.ts).toBe(250);
  });

  it('caps a snapshot history that is longer than the limit', () => {
    const store = useMetricsStore();
    const long = Array.from({ length: 300 }, (_, index) => systemSample(index));
    store.applyMessage(snapshot({ history: { system: long, models: {} } }));
    expect(store.systemHistory).toHaveLength(HISTORY_POINTS);
    expect(store.systemHistory[0]!.ts).toBe(200);
  });

  it('keeps capped per-model samples and updates in-flight counts', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    for (let ts = 2; ts <= 150; ts += 1) {
      store.applyMessage(sample(ts, { a: { ts, state: 'ready', in_flight: 2, generation_tokens_per_second: 50 } }));
    }

    expect(store.modelHistory.a).toHaveLength(HISTORY_POINTS);
    expect(store.models[0]!.in_flight).toBe(2);
    expect(store.models[0]!.last_generation_tokens_per_second).toBe(50);
  });

  it('replaces a model on model_state and adds an unknown one', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    store.applyMessage({ type: 'model_state', model: model('a', { state: 'ready', pid: 42, port: 9000 }) });
    store.applyMessage({ type: 'model_state', model: model('c', { state: 'starting' }) });

    expect(store.models.find((entry) => entry.id === 'a')).toMatchObject({ state: 'ready', pid: 42, port: 9000 });
    expect(store.models.map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
  });

  it('appends requests and counts them on the model', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    store.applyMessage({ type: 'request', request: request('r1', 'a') });
    store.applyMessage({ type: 'request', request: request('r2', 'a', 503) });

    expect(store.requests.map((record) => record.id)).toEqual(['r1', 'r2']);
    expect(store.models[0]!.requests).toBe(2);
    expect(store.models[0]!.errors).toBe(1);
  });

  it('keeps the newest requests up to the limit', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    for (let index = 0; index < REQUEST_LIMIT + 20; index += 1) {
      store.applyMessage({ type: 'request', request: request(`r${index}`, 'b') });
    }
    expect(store.requests).toHaveLength(REQUEST_LIMIT);
    expect(store.requests[0]!.id).toBe('r20');
  });

  it('moves a resolved alert from active to history', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    store.applyMessage({ type: 'alert', event: 'fired', alert: alert('cpu', 'warning') });
    store.applyMessage({ type: 'alert', event: 'fired', alert: alert('cpu', 'critical') });
    expect(store.activeAlerts).toHaveLength(1);
    expect(store.activeAlerts[0]!.level).toBe('critical');

    store.applyMessage({ type: 'alert', event: 'resolved', alert: { ...alert('cpu', 'critical'), resolved_at: 5 } });
    expect(store.activeAlerts).toHaveLength(0);
    expect(store.alertHistory).toHaveLength(1);
    expect(store.alertHistory[0]!.resolved_at).toBe(5);
  });

  it('updates the breaker state of a model', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    store.applyMessage({ type: 'breaker', model: 'b', from: 'closed', to: 'open', reason: 'five failures' });
    expect(store.models[1]!.breaker?.state).toBe('open');
  });

  it('appends log lines and caps them', () => {
    const store = useMetricsStore();
    store.applyMessage({ type: 'log', model: 'a', lines: ['one', 'two'] });
    store.applyMessage({ type: 'log', model: 'a', lines: ['three'] });
    expect(store.logs.a!.lines).toEqual(['one', 'two', 'three']);

    const many = Array.from({ length: LOG_LINE_LIMIT }, (_, index) => `line ${index}`);
    store.applyMessage({ type: 'log', model: 'a', lines: many });
    expect(store.logs.a!.lines).toHaveLength(LOG_LINE_LIMIT);
    expect(store.logs.a!.lines.at(-1)).toBe(`line ${LOG_LINE_LIMIT - 1}`);
    expect(store.logs.a!.received).toBe(LOG_LINE_LIMIT + 3);
  });

  it('replaces log lines with the replay after resubscribing', () => {
    const store = useMetricsStore();
    store.applyMessage({ type: 'log', model: 'a', lines: ['old one', 'old two'] });
    store.expectLogReplay('a');
    store.applyMessage({ type: 'log', model: 'a', lines: ['old two', 'new'] });
    store.applyMessage({ type: 'log', model: 'a', lines: ['newer'] });
    expect(store.logs.a!.lines).toEqual(['old two', 'new', 'newer']);
  });

  it('resynchronises from the snapshot after a reconnect', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    for (let ts = 3; ts <= 50; ts += 1) {
      store.applyMessage(sample(ts));
    }
    store.applyMessage({ type: 'model_state', model: model('a', { state: 'ready', pid: 42 }) });
    store.applyMessage({ type: 'alert', event: 'fired', alert: alert('stale', 'warning') });

    // The server restarted: its snapshot has a fresh history and no running model.
    store.applyMessage(snapshot({ history: { system: [systemSample(1000)], models: {} } }));
    expect(store.systemHistory.map((entry) => entry.ts)).toEqual([1000]);
    expect(store.models[0]!.state).toBe('stopped');
    expect(store.activeAlerts).toHaveLength(0);
    expect(store.modelHistory.a).toBeUndefined();
  });

  it('rates health from connection, alerts and models', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    expect(store.health).toBe('unknown');

    store.setConnection('connected', { failures: 0 });
    expect(store.health).toBe('ok');

    store.applyMessage({ type: 'model_state', model: model('a', { state: 'failed', last_error: 'exit 1' }) });
    expect(store.health).toBe('degraded');

    store.applyMessage({ type: 'alert', event: 'fired', alert: alert('cpu', 'critical') });
    expect(store.health).toBe('critical');

    store.setConnection('reconnecting', { failures: 1 });
    expect(store.health).toBe('unknown');
  });

  it('takes the worse of server report and live data', () => {
    const store = useMetricsStore();
    store.applyMessage(snapshot());
    store.setConnection('connected', { failures: 0 });

    store.healthReport = { status: 'critical', checks: [{ name: 'openai_port', status: 'critical', detail: 'refused' }] };
    expect(store.health).toBe('critical');

    store.healthReport = { status: 'ok', checks: [] };
    store.applyMessage({ type: 'breaker', model: 'b', from: 'closed', to: 'open', reason: 'failures' });
    expect(store.health).toBe('degraded');
  });

  it('asks for a key when the snapshot says keys are required', () => {
    const store = useMetricsStore();
    expect(store.apiKeyRequired).toBe(false);
    const base = snapshot();
    store.applyMessage({ ...base, config: { ...base.config, api_key_required: true } });
    expect(store.apiKeyRequired).toBe(true);
  });
});
