// Messages of the management port's `GET /ws` WebSocket, as docs/websocket.md defines them.
// Times are milliseconds since the Unix epoch, sizes are bytes and rates are per second.
// Fields the document calls optional ("absent when unknown", "omitted") are optional here.

export interface DiskUsage {
  mount: string;
  total: number;
  used: number;
}

export interface NetworkInterfaceRate {
  name: string;
  rx_bytes_per_second: number;
  tx_bytes_per_second: number;
}

export interface GpuSample {
  index: number;
  name: string;
  utilization_percent: number;
  memory_used: number;
  memory_total: number;
  temperature_celsius?: number;
  power_watts?: number;
}

export interface SystemSample {
  ts: number;
  cpu_percent: number;
  cpu_per_core: number[];
  load_average: [number, number, number];
  memory: { total: number; used: number; available: number };
  swap: { total: number; used: number };
  disks: DiskUsage[];
  disk_io: { read_bytes_per_second: number; write_bytes_per_second: number };
  network: {
    rx_bytes_per_second: number;
    tx_bytes_per_second: number;
    interfaces: NetworkInterfaceRate[];
  };
  process_count: number;
  runner: { cpu_percent: number; rss: number };
  gpus?: GpuSample[];
}

export type ModelState = 'stopped' | 'starting' | 'ready' | 'draining' | 'stopping' | 'failed';

export interface ModelSample {
  ts: number;
  state: ModelState;
  pid?: number;
  cpu_percent?: number;
  rss?: number;
  in_flight: number;
  generation_tokens_per_second?: number;
}

export interface ModelInfo {
  id: string;
  name: string;
  state: ModelState;
  port?: number;
  pid?: number;
  uptime_seconds?: number;
  last_load_ms?: number;
  loads?: number;
  crashes?: number;
  requests?: number;
  errors?: number;
  in_flight?: number;
  queued?: number;
  last_generation_tokens_per_second?: number;
  average_generation_tokens_per_second?: number;
  breaker?: { state: string };
  last_error?: string;
  last_log_lines?: string[];
}

export interface RequestRecord {
  id: number | string;
  ts: number;
  model: string;
  route: string;
  dialect: 'openai' | 'ollama' | 'lmstudio';
  status: number;
  duration_ms: number;
  ttfb_ms?: number;
  streamed: boolean;
  prompt_tokens?: number;
  cached_tokens?: number;
  generated_tokens?: number;
  prompt_tokens_per_second?: number;
  generation_tokens_per_second?: number;
  cancelled?: boolean;
}

export type AlertLevel = 'warning' | 'critical';

export interface Alert {
  /** llama-runner sends a sequence number; a level change keeps the id. */
  id: number | string;
  rule: string;
  level: AlertLevel;
  subject: string;
  value: number;
  threshold: number;
  since: number;
  resolved_at?: number;
  message: string;
}

export interface AlertRule {
  rule: string;
  /** Absent for a rule without that level, such as `breaker_open`, which is only critical. */
  warning?: number;
  critical?: number;
  for_seconds: number;
  hysteresis: number;
}

export interface ConfigSummary {
  version: string;
  ports: { openai?: number; ollama?: number; dashboard?: number };
  concurrent_runners: number;
  interval_seconds: number;
  history_points: number;
  api_key_required: boolean;
}

export interface SnapshotMessage {
  type: 'snapshot';
  models: ModelInfo[];
  history: { system: SystemSample[]; models: Record<string, ModelSample[]> };
  alerts: { active: Alert[]; history: Alert[]; rules: AlertRule[] };
  requests: RequestRecord[];
  config: ConfigSummary;
}

export interface SampleMessage {
  type: 'sample';
  system: SystemSample;
  models: Record<string, ModelSample>;
}

export interface ModelStateMessage {
  type: 'model_state';
  model: ModelInfo;
}

export interface RequestMessage {
  type: 'request';
  request: RequestRecord;
}

export interface AlertMessage {
  type: 'alert';
  event: 'fired' | 'resolved';
  alert: Alert;
}

export interface BreakerMessage {
  type: 'breaker';
  model: string;
  from: string;
  to: string;
  reason: string;
}

export interface LogMessage {
  type: 'log';
  model: string;
  lines: string[];
}

export type ServerMessage =
  | SnapshotMessage
  | SampleMessage
  | ModelStateMessage
  | RequestMessage
  | AlertMessage
  | BreakerMessage
  | LogMessage;

export type ClientMessage =
  | { type: 'subscribe_logs'; model: string }
  | { type: 'unsubscribe_logs'; model: string };

const SERVER_MESSAGE_TYPES = new Set(['snapshot', 'sample', 'model_state', 'request', 'alert', 'breaker', 'log']);

/**
 * Parses one text frame. Returns undefined for invalid JSON or an unknown `type`, so a newer
 * server that adds message types does not break an older page.
 */
export function parseServerMessage(text: string): ServerMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }

  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !SERVER_MESSAGE_TYPES.has(type)) {
    return undefined;
  }
  return value as ServerMessage;
}
