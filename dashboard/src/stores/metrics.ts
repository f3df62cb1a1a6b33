// The page's one store: everything the WebSocket delivered, with capped histories.
// A snapshot replaces all of it, so every reconnect resynchronises the page.

import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type {
  Alert,
  AlertMessage,
  AlertRule,
  BreakerMessage,
  ConfigSummary,
  LogMessage,
  ModelInfo,
  ModelSample,
  RequestRecord,
  SampleMessage,
  ServerMessage,
  SnapshotMessage,
  SystemSample,
} from '../protocol';
import type { ConnectionDetail, ConnectionStatus } from '../connection/reconnectingSocket';
import { ALERT_HISTORY_LIMIT, HISTORY_POINTS, LOG_LINE_LIMIT, REQUEST_LIMIT, appendCapped, lastEntries } from './capped';
import { healthOf, type Health, type HealthReport } from './health';

interface ModelLog {
  lines: string[];
  /** Set on (re)subscribing: the server starts again with the last 100 lines, which replace the buffer. */
  replaceOnNext: boolean;
  /** Lines appended since the page opened, so a paused view can count what it missed. */
  received: number;
}

export const useMetricsStore = defineStore('metrics', () => {
  const connection = ref<ConnectionStatus>('connecting');
  const connectionDetail = ref<ConnectionDetail>({ failures: 0 });
  const config = ref<ConfigSummary>();
  const snapshotReceivedAt = ref<number>();
  const authRequired = ref(false);
  /** The last `GET /api/health` body, or undefined when it failed. */
  const healthReport = ref<HealthReport>();

  const models = ref<ModelInfo[]>([]);
  /** When each model's info arrived (ms since the epoch), to advance its uptime between updates. */
  const modelReceivedAt = ref<Record<string, number>>({});

  // Histories are shallow: samples never change after arrival, so Vue tracks only the arrays,
  // and each change assigns a new array.
  const systemHistory = shallowRef<SystemSample[]>([]);
  const modelHistory = shallowRef<Record<string, ModelSample[]>>({});
  const requests = shallowRef<RequestRecord[]>([]);
  const logs = shallowRef<Record<string, ModelLog>>({});
  /** Counts samples; charts watch it instead of the arrays. */
  const sampleVersion = ref(0);

  const activeAlerts = ref<Alert[]>([]);
  const alertHistory = ref<Alert[]>([]);
  const alertRules = ref<AlertRule[]>([]);

  const latestSystem = computed(() => systemHistory.value[systemHistory.value.length - 1]);
  const health = computed<Health>(() =>
    healthOf(connection.value, healthReport.value, activeAlerts.value, models.value),
  );
  const apiKeyRequired = computed(() => authRequired.value || config.value?.api_key_required === true);

  function setConnection(status: ConnectionStatus, detail: ConnectionDetail): void {
    connection.value = status;
    connectionDetail.value = detail;
  }

  function applySnapshot(message: SnapshotMessage, now = Date.now()): void {
    config.value = message.config;
    snapshotReceivedAt.value = now;

    models.value = message.models;
    modelReceivedAt.value = Object.fromEntries(message.models.map((model) => [model.id, now]));

    systemHistory.value = lastEntries(message.history.system, HISTORY_POINTS).map((sample) => markRaw(sample));
    const perModel: Record<string, ModelSample[]> = {};
    for (const [id, samples] of Object.entries(message.history.models)) {
      perModel[id] = lastEntries(samples, HISTORY_POINTS).map((sample) => markRaw(sample));
    }
    modelHistory.value = perModel;
    requests.value = lastEntries(message.requests, REQUEST_LIMIT).map((record) => markRaw(record));

    activeAlerts.value = message.alerts.active;
    alertHistory.value = lastEntries(message.alerts.history, ALERT_HISTORY_LIMIT);
    alertRules.value = message.alerts.rules;
    sampleVersion.value += 1;
  }

  function applySample(message: SampleMessage): void {
    systemHistory.value = appendCapped(systemHistory.value, [markRaw(message.system)], HISTORY_POINTS);

    const perModel = { ...modelHistory.value };
    for (const [id, sample] of Object.entries(message.models)) {
      perModel[id] = appendCapped(perModel[id] ?? [], [markRaw(sample)], HISTORY_POINTS);

      const model = models.value.find((candidate) => candidate.id === id);
      if (model) {
        model.in_flight = sample.in_flight;
        if (sample.generation_tokens_per_second !== undefined) {
          model.last_generation_tokens_per_second = sample.generation_tokens_per_second;
        }
      }
    }
    modelHistory.value = perModel;
    sampleVersion.value += 1;
  }

  function applyModelState(model: ModelInfo, now = Date.now()): void {
    const index = models.value.findIndex((candidate) => candidate.id === model.id);
    if (index === -1) {
      models.value.push(model);
    } else {
      models.value[index] = model;
    }
    modelReceivedAt.value[model.id] = now;
  }

  function applyRequest(record: RequestRecord): void {
    requests.value = appendCapped(requests.value, [markRaw(record)], REQUEST_LIMIT);

    // The counters advance here until the server's next model_state replaces them.
    const model = models.value.find((candidate) => candidate.id === record.model);
    if (model) {
      model.requests = (model.requests ?? 0) + 1;
      if (record.status >= 400) {
        model.errors = (model.errors ?? 0) + 1;
      }
    }
  }

  function applyAlert(message: AlertMessage): void {
    const alert = message.alert;
    activeAlerts.value = activeAlerts.value.filter((active) => active.id !== alert.id);
    if (message.event === 'fired') {
      activeAlerts.value.push(alert);
      return;
    }
    alertHistory.value = appendCapped(alertHistory.value, [alert], ALERT_HISTORY_LIMIT);
  }

  function applyBreaker(message: BreakerMessage): void {
    const model = models.value.find((candidate) => candidate.id === message.model);
    if (model) {
      model.breaker = { ...model.breaker, state: message.to };
    }
  }

  function applyLog(message: LogMessage): void {
    const previous = logs.value[message.model] ?? { lines: [], replaceOnNext: false, received: 0 };
    const retainedLines = previous.replaceOnNext ? [] : previous.lines;
    const log: ModelLog = {
      lines: appendCapped(retainedLines, message.lines, LOG_LINE_LIMIT),
      replaceOnNext: false,
      received: previous.received + message.lines.length,
    };
    logs.value = { ...logs.value, [message.model]: log };
  }

  /** Marks a model's log as subscribed anew, so the server's opening lines replace what is shown. */
  function expectLogReplay(model: string): void {
    const previous = logs.value[model] ?? { lines: [], replaceOnNext: false, received: 0 };
    logs.value = { ...logs.value, [model]: { ...previous, replaceOnNext: true } };
  }

  function applyMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'snapshot':
        applySnapshot(message);
        break;
      case 'sample':
        applySample(message);
        break;
      case 'model_state':
        applyModelState(message.model);
        break;
      case 'request':
        applyRequest(message.request);
        break;
      case 'alert':
        applyAlert(message);
        break;
      case 'breaker':
        applyBreaker(message);
        break;
      case 'log':
        applyLog(message);
        break;
    }
  }

  return {
    connection,
    connectionDetail,
    config,
    snapshotReceivedAt,
    authRequired,
    healthReport,
    models,
    modelReceivedAt,
    systemHistory,
    modelHistory,
    requests,
    logs,
    sampleVersion,
    activeAlerts,
    alertHistory,
    alertRules,
    latestSystem,
    health,
    apiKeyRequired,
    setConnection,
    applySnapshot,
    applySample,
    applyModelState,
    applyRequest,
    applyAlert,
    applyBreaker,
    applyLog,
    expectLogReplay,
    applyMessage,
  };
});
