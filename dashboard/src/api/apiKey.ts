// The API key the user entered, kept in sessionStorage so it lasts for this tab only.

const STORAGE_KEY = 'llama-runner.api-key';

/** The storage calls used here; sessionStorage in the page, a Map-backed fake in tests. */
export interface KeyStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function defaultStorage(): KeyStorage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    // Storage access throws when the browser blocks it; the key then lives only in memory.
    return undefined;
  }
}

let memoryKey: string | undefined;

export function readApiKey(storage: KeyStorage | undefined = defaultStorage()): string | undefined {
  const stored = storage?.getItem(STORAGE_KEY) ?? memoryKey;
  return stored ? stored : undefined;
}

export function saveApiKey(key: string, storage: KeyStorage | undefined = defaultStorage()): void {
  memoryKey = key;
  storage?.setItem(STORAGE_KEY, key);
}

export function clearApiKey(storage: KeyStorage | undefined = defaultStorage()): void {
  memoryKey = undefined;
  storage?.removeItem(STORAGE_KEY);
}
