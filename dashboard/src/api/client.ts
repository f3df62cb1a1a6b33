// Calls to the management API on the page's own origin, with the API key when one is set.

import { readApiKey } from './apiKey';

/** The server rejected the request for a missing or wrong API key (HTTP 401). */
export class UnauthorizedError extends Error {
  constructor(path: string) {
    super(`${path} requires a valid API key`);
    this.name = 'UnauthorizedError';
  }
}

/** The server answered with an error status; `message` is its `error` text when it sent one. */
export class ApiError extends Error {
  readonly status: number;

  constructor(path: string, status: number, detail: string) {
    super(detail ? `${path} failed with ${status}: ${detail}` : `${path} failed with ${status}`);
    this.name = 'ApiError';
    this.status = status;
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Registers a callback for every 401; returns a function that removes it. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function authHeaders(key: string | undefined = readApiKey()): Record<string, string> {
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/**
 * Sends a request and parses the JSON response. Raises UnauthorizedError on 401 and ApiError on
 * other error statuses, except those in `acceptedErrorStatuses`, whose body is returned.
 */
export async function requestJson<T = unknown>(
  path: string,
  init: RequestInit = {},
  acceptedErrorStatuses: readonly number[] = [],
): Promise<T | undefined> {
  const headers = { Accept: 'application/json', ...authHeaders(), ...(init.headers as Record<string, string>) };
  const response = await fetch(path, { ...init, headers });

  if (response.status === 401) {
    unauthorizedListeners.forEach((listener) => listener());
    throw new UnauthorizedError(path);
  }
  const text = await response.text();
  if (!response.ok && !acceptedErrorStatuses.includes(response.status)) {
    throw new ApiError(path, response.status, errorDetail(text));
  }
  return text ? (JSON.parse(text) as T) : undefined;
}

function errorDetail(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') {
      return parsed.error;
    }
    if (parsed.error && typeof parsed.error === 'object' && 'message' in parsed.error) {
      return String((parsed.error as { message: unknown }).message);
    }
  } catch {
    // Not JSON: show the text itself.
  }
  return body.slice(0, 200);
}

/** Builds the WebSocket URL on the page's origin; the key goes in `?api_key=` because browsers cannot set headers on a WebSocket. */
export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>, key: string | undefined = readApiKey()): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = key ? `?api_key=${encodeURIComponent(key)}` : '';
  return `${scheme}//${location.host}/ws${query}`;
}
