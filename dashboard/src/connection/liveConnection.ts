// Connects the WebSocket to the store: status, messages, log subscriptions that survive
// reconnects, and the check for a required API key after a failed attempt.

import type { InjectionKey } from 'vue';
import { UnauthorizedError, webSocketUrl } from '../api/client';
import { probeAccess } from '../api/management';
import type { useMetricsStore } from '../stores/metrics';
import { ReconnectingSocket, type ReconnectingSocketOptions } from './reconnectingSocket';

type MetricsStore = ReturnType<typeof useMetricsStore>;

export interface LiveConnection {
  start(): void;
  stop(): void;
  retryNow(): void;
  /** Reconnects at once, for example after the user entered an API key. */
  reconnect(): void;
  subscribeLogs(model: string): void;
  unsubscribeLogs(model: string): void;
}

export const liveConnectionKey: InjectionKey<LiveConnection> = Symbol('liveConnection');

/** A silent connection is closed after this many sample intervals, and never sooner than 15 s. */
const SILENT_INTERVALS = 5;
const MIN_IDLE_TIMEOUT_MS = 15_000;

export function createLiveConnection(
  store: MetricsStore,
  socketOptions: Partial<ReconnectingSocketOptions> = {},
): LiveConnection {
  const logSubscriptions = new Set<string>();

  const socket: ReconnectingSocket = new ReconnectingSocket({
    url: () => webSocketUrl(window.location),
    ...socketOptions,
    onStatus: (status, detail) => store.setConnection(status, detail),
    onOpen: () => {
      for (const model of logSubscriptions) {
        store.expectLogReplay(model);
        socket.send({ type: 'subscribe_logs', model });
      }
    },
    onMessage: (message) => {
      if (message.type === 'snapshot') {
        const intervalMs = message.config.interval_seconds * 1000;
        socket.setIdleTimeout(Math.max(MIN_IDLE_TIMEOUT_MS, SILENT_INTERVALS * intervalMs));
      }
      store.applyMessage(message);
    },
    onFailure: () => {
      // A browser hides the status of a rejected WebSocket upgrade, so ask the API directly.
      probeAccess().catch((error: unknown) => {
        if (error instanceof UnauthorizedError) {
          store.authRequired = true;
        }
      });
    },
  });

  const retryWhenVisible = () => {
    if (document.visibilityState === 'visible') {
      socket.retryNow();
    }
  };
  const retryNow = () => socket.retryNow();

  return {
    start() {
      window.addEventListener('online', retryNow);
      document.addEventListener('visibilitychange', retryWhenVisible);
      socket.start();
    },
    stop() {
      window.removeEventListener('online', retryNow);
      document.removeEventListener('visibilitychange', retryWhenVisible);
      socket.stop();
    },
    retryNow,
    reconnect: () => socket.reconnect(),
    subscribeLogs(model) {
      logSubscriptions.add(model);
      store.expectLogReplay(model);
      socket.send({ type: 'subscribe_logs', model });
    },
    unsubscribeLogs(model) {
      logSubscriptions.delete(model);
      socket.send({ type: 'unsubscribe_logs', model });
    },
  };
}
