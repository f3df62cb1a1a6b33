// Pure reconnect decisions for the dashboard's WebSocket, kept apart from timers and sockets
// so tests can check every delay without waiting.

export interface ReconnectPolicy {
  /** Delay after the first failure, in milliseconds; it doubles after each further failure. */
  baseDelayMs: number;
  /** Cap of every delay, jitter included, in milliseconds. */
  maxDelayMs: number;
  /** Consecutive failed attempts after which the client-side breaker opens. */
  breakerThreshold: number;
  /** Time between single probe attempts while the breaker is open, in milliseconds. */
  probeIntervalMs: number;
}

// With these values the page retries 0.5, 1, 2, 4, 8, 16, 30 and 30 seconds (before jitter)
// after the failures, about 90 s in all, then probes once a minute.
export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  breakerThreshold: 8,
  probeIntervalMs: 60_000,
};

export type ReconnectDecision =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'probe'; delayMs: number };

/**
 * Computes the delay before the next attempt after `failures` consecutive failures (1 or more).
 * Equal jitter: half of the exponential delay is fixed and half is random, so pages that lost
 * the same server spread their retries out, and none retries immediately.
 */
export function backoffDelay(failures: number, policy: ReconnectPolicy, random: () => number): number {
  const exponent = Math.max(0, failures - 1);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/**
 * Decides what follows a failed attempt: a quick retry with backoff, or, once `failures` reaches
 * the breaker threshold, a slow probe whose interval is jittered down by up to a fifth.
 */
export function decideReconnect(
  failures: number,
  policy: ReconnectPolicy,
  random: () => number,
): ReconnectDecision {
  if (failures >= policy.breakerThreshold) {
    const delayMs = Math.round(policy.probeIntervalMs * (0.8 + 0.2 * random()));
    return { kind: 'probe', delayMs };
  }
  return { kind: 'retry', delayMs: backoffDelay(failures, policy, random) };
}
