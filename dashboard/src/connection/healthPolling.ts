// Fetches `GET /api/health` for the health badge: at once when a connection opens, then every
// few seconds while connected.

import { watch } from 'vue';
import { requestJson } from '../api/client';
import type { HealthReport } from '../stores/health';
import type { useMetricsStore } from '../stores/metrics';

type MetricsStore = ReturnType<typeof useMetricsStore>;

const POLL_INTERVAL_MS = 5_000;

/** Starts polling; returns a function that stops it. */
export function startHealthPolling(store: MetricsStore, intervalMs = POLL_INTERVAL_MS): () => void {
  const refresh = async () => {
    if (store.connection !== 'connected') {
      return;
    }
    try {
      // The server returns the same body with status 503 when the state is critical.
      store.healthReport = await requestJson<HealthReport>('/api/health', {}, [503]);
    } catch {
      // The WebSocket status already shows a lost server, and the 401 listener opens the key prompt.
      store.healthReport = undefined;
    }
  };

  const stopWatching = watch(
    () => store.connection,
    (status) => {
      if (status === 'connected') {
        void refresh();
      }
    },
  );
  const timer = setInterval(refresh, intervalMs);

  return () => {
    stopWatching();
    clearInterval(timer);
  };
}
