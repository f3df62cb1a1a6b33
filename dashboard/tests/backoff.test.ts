import { describe, expect, it } from 'vitest';
import { DEFAULT_RECONNECT_POLICY, backoffDelay, decideReconnect } from '../src/connection/backoff';

const policy = DEFAULT_RECONNECT_POLICY;
const lowest = () => 0;
const highest = () => 0.999999;

describe('backoffDelay', () => {
  it('doubles per failure between half and all of the exponential delay', () => {
    const expected = [500, 1000, 2000, 4000, 8000, 16000];
    expected.forEach((exponential, index) => {
      const failures = index + 1;
      expect(backoffDelay(failures, policy, lowest)).toBe(exponential / 2);
      expect(backoffDelay(failures, policy, highest)).toBe(exponential);
    });
  });

  it('never exceeds 30 s, jitter included', () => {
    for (let failures = 1; failures <= 60; failures += 1) {
      expect(backoffDelay(failures, policy, highest)).toBeLessThanOrEqual(30_000);
    }
    expect(backoffDelay(60, policy, highest)).toBe(30_000);
    expect(backoffDelay(60, policy, lowest)).toBe(15_000);
  });

  it('spreads delays with the random source', () => {
    const delays = new Set([0.1, 0.4, 0.7].map((value) => backoffDelay(5, policy, () => value)));
    expect(delays.size).toBe(3);
  });
});

describe('decideReconnect', () => {
  it('retries quickly below the breaker threshold', () => {
    for (let failures = 1; failures < policy.breakerThreshold; failures += 1) {
      expect(decideReconnect(failures, policy, lowest).kind).toBe('retry');
    }
  });

  it('probes slowly once the breaker opens', () => {
    const atThreshold = decideReconnect(policy.breakerThreshold, policy, highest);
    expect(atThreshold.kind).toBe('probe');
    expect(atThreshold.delayMs).toBe(policy.probeIntervalMs);

    const later = decideReconnect(policy.breakerThreshold + 20, policy, lowest);
    expect(later.kind).toBe('probe');
    expect(later.delayMs).toBe(policy.probeIntervalMs * 0.8);
  });
});
