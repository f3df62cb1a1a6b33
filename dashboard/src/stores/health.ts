// The health badge's level: the worse of the server's `GET /api/health` status and what the
// WebSocket shows now (alerts, failed models, open breakers).

import type { Alert, ModelInfo } from '../protocol';
import type { ConnectionStatus } from '../connection/reconnectingSocket';

/** The server's levels (`GET /api/health`), plus `unknown` while the page is disconnected. */
export type Health = 'ok' | 'degraded' | 'critical' | 'unknown';

export interface HealthCheck {
  name: string;
  status: Exclude<Health, 'unknown'>;
  detail: string;
}

/** The body of `GET /api/health`. */
export interface HealthReport {
  status: Exclude<Health, 'unknown'>;
  checks: HealthCheck[];
}

const RANK = { ok: 0, degraded: 1, critical: 2 } as const;

/**
 * Rates the service as unknown while disconnected, else as the worse of the server's last report
 * and the live data. In the live data a critical alert is critical, and a warning alert, a failed
 * model or an open breaker is degraded.
 */
export function healthOf(
  connection: ConnectionStatus,
  report: HealthReport | undefined,
  activeAlerts: readonly Alert[],
  models: readonly ModelInfo[],
): Health {
  if (connection !== 'connected') {
    return 'unknown';
  }

  let live: Exclude<Health, 'unknown'> = 'ok';
  if (activeAlerts.some((alert) => alert.level === 'critical')) {
    live = 'critical';
  } else if (
    activeAlerts.length > 0 ||
    models.some((model) => model.state === 'failed' || model.breaker?.state === 'open')
  ) {
    live = 'degraded';
  }

  const reported = report?.status ?? 'ok';
  return RANK[reported] > RANK[live] ? reported : live;
}
