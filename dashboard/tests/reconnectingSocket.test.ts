import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RECONNECT_POLICY } from '../src/connection/backoff';
import { ReconnectingSocket, type ConnectionStatus } from '../src/connection/reconnectingSocket';
import { socketFactory } from './fakeSocket';

const policy = DEFAULT_RECONNECT_POLICY;
const SNAPSHOT = { type: 'snapshot', models: [], history: { system: [], models: {} }, alerts: { active: [], history: [], rules: [] }, requests: [], config: {} };

function setup(options: { idleTimeoutMs?: number; url?: () => string } = {}) {
  const factory = socketFactory();
  const statuses: ConnectionStatus[] = [];
  const messages: unknown[] = [];
  const failures: number[] = [];
  let opens = 0;
  const socket = new ReconnectingSocket({
    url: options.url ?? (() => 'ws://127.0.0.1/ws'),
    createSocket: factory.create,
    // The highest jitter makes every delay its exponential value: 500, 1000, 2000 … ms.
    random: () => 0.999999,
    idleTimeoutMs: options.idleTimeoutMs,
    onStatus: (status) => statuses.push(status),
    onMessage: (message) => messages.push(message),
    onOpen: () => {
      opens += 1;
    },
    onFailure: (count) => failures.push(count),
  });
  return { socket, factory, statuses, messages, failures, opens: () => opens };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ReconnectingSocket', () => {
  it('reports connected and passes messages on', () => {
    const { socket, factory, statuses, messages, opens } = setup();
    socket.start();
    expect(factory.sockets).toHaveLength(1);
    expect(socket.status).toBe('connecting');

    factory.latest().serverOpens();
    factory.latest().serverSends(SNAPSHOT);

    expect(statuses).toEqual(['connected']);
    expect(opens()).toBe(1);
    expect(messages).toEqual([SNAPSHOT]);
  });

  it('ignores invalid and unknown messages', () => {
    const { socket, factory, messages } = setup();
    socket.start();
    factory.latest().serverOpens();
    factory.latest().onmessage?.({ data: 'not json' });
    factory.latest().serverSends({ type: 'from_the_future' });
    expect(messages).toEqual([]);
  });

  it('retries with doubling delays after failures', () => {
    const { socket, factory, statuses, failures } = setup();
    socket.start();

    const delays = [500, 1000, 2000, 4000];
    delays.forEach((delay, index) => {
      factory.latest().serverCloses();
      expect(socket.status).toBe('reconnecting');
      expect(failures[index]).toBe(index + 1);

      vi.advanceTimersByTime(delay - 1);
      expect(factory.sockets).toHaveLength(index + 1);
      vi.advanceTimersByTime(1);
      expect(factory.sockets).toHaveLength(index + 2);
    });
    expect(statuses.every((status) => status === 'reconnecting')).toBe(true);
  });

  it('caps every delay at 30 seconds', () => {
    const { socket, factory } = setup();
    socket.start();

    for (let failure = 1; failure < policy.breakerThreshold; failure += 1) {
      const before = factory.sockets.length;
      factory.latest().serverCloses();
      vi.advanceTimersByTime(30_000);
      expect(factory.sockets.length).toBe(before + 1);
    }
  });

  it('goes offline and probes slowly after repeated failures', () => {
    const { socket, factory, statuses } = setup();
    socket.start();

    for (let failure = 1; failure < policy.breakerThreshold; failure += 1) {
      factory.latest().serverCloses();
      vi.advanceTimersByTime(30_000);
    }
    const attemptsBeforeBreaker = factory.sockets.length;
    factory.latest().serverCloses();
    expect(socket.status).toBe('offline');
    expect(statuses.at(-1)).toBe('offline');

    // No attempt within the probe interval, then exactly one.
    vi.advanceTimersByTime(policy.probeIntervalMs - 1);
    expect(factory.sockets.length).toBe(attemptsBeforeBreaker);
    vi.advanceTimersByTime(1);
    expect(factory.sockets.length).toBe(attemptsBeforeBreaker + 1);

    // A failed probe keeps the page offline and waits a whole interval again.
    factory.latest().serverCloses();
    expect(socket.status).toBe('offline');
    vi.advanceTimersByTime(30_000);
    expect(factory.sockets.length).toBe(attemptsBeforeBreaker + 1);
    vi.advanceTimersByTime(policy.probeIntervalMs - 30_000);
    expect(factory.sockets.length).toBe(attemptsBeforeBreaker + 2);
  });

  it('closes the breaker when a probe succeeds', () => {
    const { socket, factory } = setup();
    socket.start();
    for (let failure = 1; failure <= policy.breakerThreshold; failure += 1) {
      factory.latest().serverCloses();
      vi.advanceTimersByTime(policy.probeIntervalMs);
    }
    factory.latest().serverOpens();
    factory.latest().serverSends(SNAPSHOT);
    expect(socket.status).toBe('connected');

    // After a working connection, the next drop retries quickly again.
    const before = factory.sockets.length;
    factory.latest().serverCloses();
    expect(socket.status).toBe('reconnecting');
    vi.advanceTimersByTime(500);
    expect(factory.sockets.length).toBe(before + 1);
  });

  it('counts a connection that closes before any message as a failure', () => {
    const { socket, factory, failures } = setup();
    socket.start();
    factory.latest().serverOpens();
    factory.latest().serverCloses();
    vi.advanceTimersByTime(500);
    factory.latest().serverOpens();
    factory.latest().serverCloses();
    expect(failures).toEqual([1, 2]);
  });

  it('retries at once on retryNow', () => {
    const { socket, factory } = setup();
    socket.start();
    factory.latest().serverCloses();
    socket.retryNow();
    expect(factory.sockets).toHaveLength(2);

    // The cancelled timer does not start a third attempt.
    vi.advanceTimersByTime(60_000);
    expect(factory.sockets).toHaveLength(2);
  });

  it('leaves a working connection alone on retryNow', () => {
    const { socket, factory } = setup();
    socket.start();
    factory.latest().serverOpens();
    socket.retryNow();
    expect(factory.sockets).toHaveLength(1);
  });

  it('reconnects with a fresh URL on reconnect', () => {
    let key = '';
    const { socket, factory } = setup({ url: () => `ws://127.0.0.1/ws${key}` });
    socket.start();
    factory.latest().serverOpens();
    key = '?api_key=secret';
    socket.reconnect();

    expect(factory.sockets[0]!.closedByClient).toBe(true);
    expect(factory.latest().url).toBe('ws://127.0.0.1/ws?api_key=secret');
  });

  it('closes a silent connection and retries', () => {
    const { socket, factory } = setup({ idleTimeoutMs: 10_000 });
    socket.start();
    factory.latest().serverOpens();
    factory.latest().serverSends(SNAPSHOT);

    vi.advanceTimersByTime(9_000);
    factory.latest().serverSends(SNAPSHOT);
    vi.advanceTimersByTime(9_000);
    expect(socket.status).toBe('connected');

    vi.advanceTimersByTime(1_000);
    expect(factory.sockets[0]!.closedByClient).toBe(true);
    expect(socket.status).toBe('reconnecting');
    vi.advanceTimersByTime(500);
    expect(factory.sockets).toHaveLength(2);
  });

  it('sends only while connected', () => {
    const { socket, factory } = setup();
    socket.start();
    expect(socket.send({ type: 'subscribe_logs', model: 'a' })).toBe(false);
    factory.latest().serverOpens();
    expect(socket.send({ type: 'subscribe_logs', model: 'a' })).toBe(true);
    expect(factory.latest().sent).toEqual(['{"type":"subscribe_logs","model":"a"}']);
  });

  it('stops retrying after stop', () => {
    const { socket, factory } = setup();
    socket.start();
    factory.latest().serverCloses();
    socket.stop();
    vi.advanceTimersByTime(120_000);
    expect(factory.sockets).toHaveLength(1);
  });
});
