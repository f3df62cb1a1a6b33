// The dashboard's one WebSocket: connects, reports its status, reconnects with backoff and a
// client-side breaker, and closes a connection that has gone silent.

import { parseServerMessage, type ClientMessage, type ServerMessage } from '../protocol';
import { DEFAULT_RECONNECT_POLICY, decideReconnect, type ReconnectPolicy } from './backoff';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ConnectionDetail {
  /** Consecutive failed attempts; 0 once a connection delivered a message. */
  failures: number;
  /** When the next attempt starts (ms since the epoch), while one is scheduled. */
  nextAttemptAt?: number;
}

/** The part of the browser's WebSocket that this class uses, so tests can pass a fake. */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface ReconnectingSocketOptions {
  /** Builds the URL for each attempt, so a newly entered API key is used on the next one. */
  url: () => string;
  createSocket?: (url: string) => SocketLike;
  policy?: ReconnectPolicy;
  random?: () => number;
  /** A connection that receives nothing for this long (ms) is closed and retried. */
  idleTimeoutMs?: number;
  onStatus?: (status: ConnectionStatus, detail: ConnectionDetail) => void;
  onMessage?: (message: ServerMessage) => void;
  /** Called after every opened connection, before its first message. */
  onOpen?: () => void;
  /** Called after every failed attempt, for example to check whether the server wants a key. */
  onFailure?: (failures: number) => void;
}

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export class ReconnectingSocket {
  private readonly options: ReconnectingSocketOptions;
  private readonly policy: ReconnectPolicy;
  private readonly random: () => number;
  private socket: SocketLike | undefined;
  private opened = false;
  private running = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimeoutMs: number;
  status: ConnectionStatus = 'connecting';

  constructor(options: ReconnectingSocketOptions) {
    this.options = options;
    this.policy = options.policy ?? DEFAULT_RECONNECT_POLICY;
    this.random = options.random ?? Math.random;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    this.clearTimers();
    this.dropSocket();
  }

  /** Starts an attempt now, for example when the user asks or the browser comes back online. */
  retryNow(): void {
    if (!this.running) {
      return;
    }
    if (this.socket && this.opened) {
      return;
    }
    this.clearTimers();
    this.dropSocket();
    this.connect();
  }

  /** Closes the current connection and connects again at once, for example with a new API key. */
  reconnect(): void {
    if (!this.running) {
      return;
    }
    this.clearTimers();
    this.dropSocket();
    this.failures = 0;
    this.connect();
  }

  /** Sends a message when connected; returns false when it was not sent. */
  send(message: ClientMessage): boolean {
    if (!this.socket || !this.opened) {
      return false;
    }
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Sets the silence limit, for example from the server's sample interval. */
  setIdleTimeout(milliseconds: number): void {
    this.idleTimeoutMs = milliseconds;
  }

  private connect(): void {
    const socket = (this.options.createSocket ?? defaultCreateSocket)(this.options.url());
    this.socket = socket;
    this.opened = false;

    socket.onopen = () => {
      this.opened = true;
      this.armIdleTimer();
      this.setStatus('connected');
      this.options.onOpen?.();
    };
    socket.onmessage = (event) => {
      this.failures = 0;
      this.armIdleTimer();
      if (typeof event.data !== 'string') {
        return;
      }
      const message = parseServerMessage(event.data);
      if (message) {
        this.options.onMessage?.(message);
      }
    };
    // Browsers fire `error` before `close`; the close alone drives the retry.
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket === socket) {
        this.handleFailure();
      }
    };
  }

  private handleFailure(): void {
    this.clearTimers();
    this.dropSocket();
    if (!this.running) {
      return;
    }

    this.failures += 1;
    const decision = decideReconnect(this.failures, this.policy, this.random);
    const nextAttemptAt = Date.now() + decision.delayMs;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, decision.delayMs);

    this.setStatus(decision.kind === 'probe' ? 'offline' : 'reconnecting', nextAttemptAt);
    this.options.onFailure?.(this.failures);
  }

  private armIdleTimer(): void {
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.handleFailure();
    }, this.idleTimeoutMs);
  }

  private dropSocket(): void {
    const socket = this.socket;
    if (!socket) {
      return;
    }
    this.socket = undefined;
    this.opened = false;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close();
    } catch {
      // Closing a socket that never connected may throw in some browsers; it is gone either way.
    }
  }

  private clearTimers(): void {
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }

  private setStatus(status: ConnectionStatus, nextAttemptAt?: number): void {
    this.status = status;
    this.options.onStatus?.(status, { failures: this.failures, nextAttemptAt });
  }
}

function defaultCreateSocket(url: string): SocketLike {
  return new WebSocket(url) as unknown as SocketLike;
}
