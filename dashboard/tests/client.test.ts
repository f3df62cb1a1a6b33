import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearApiKey, readApiKey, saveApiKey, type KeyStorage } from '../src/api/apiKey';
import { ApiError, UnauthorizedError, onUnauthorized, requestJson, webSocketUrl } from '../src/api/client';

function memoryStorage(): KeyStorage {
  const values = new Map<string, string>();
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  clearApiKey();
});

describe('API key storage', () => {
  it('saves, reads and clears the key', () => {
    const storage = memoryStorage();
    expect(readApiKey(storage)).toBeUndefined();
    saveApiKey('secret', storage);
    expect(readApiKey(storage)).toBe('secret');
    clearApiKey(storage);
    expect(readApiKey(storage)).toBeUndefined();
  });
});

describe('webSocketUrl', () => {
  it('uses the page origin and path /ws', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:8585' }, undefined)).toBe('ws://127.0.0.1:8585/ws');
    expect(webSocketUrl({ protocol: 'https:', host: 'example.test' }, undefined)).toBe('wss://example.test/ws');
  });

  it('puts an encoded key in api_key', () => {
    expect(webSocketUrl({ protocol: 'http:', host: 'h' }, 'a b&c')).toBe('ws://h/ws?api_key=a%20b%26c');
  });
});

describe('requestJson', () => {
  it('sends the key as a bearer token', async () => {
    const fetchMock = vi.fn(async (_path: string, _init: RequestInit) => new Response('{"ok":true}', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    saveApiKey('secret', undefined);

    const body = await requestJson('/api/models/a/load', { method: 'POST' });
    expect(body).toEqual({ ok: true });
    const init = fetchMock.mock.calls[0]![1];
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer secret');
    expect(init.method).toBe('POST');
  });

  it('raises UnauthorizedError and notifies listeners on 401', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 401 })));
    const listener = vi.fn();
    const remove = onUnauthorized(listener);

    await expect(requestJson('/api/models')).rejects.toBeInstanceOf(UnauthorizedError);
    expect(listener).toHaveBeenCalledTimes(1);
    remove();
  });

  it('raises ApiError with the server message', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{"error":"model \'x\' not found"}', { status: 404 })));
    const failure = requestJson('/api/models/x/load');
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toThrow("/api/models/x/load failed with 404: model 'x' not found");
  });
});
