// The management API's model actions.

import { requestJson } from './client';

function modelPath(id: string): string {
  return `/api/models/${encodeURIComponent(id)}`;
}

export function loadModel(id: string): Promise<unknown> {
  return requestJson(`${modelPath(id)}/load`, { method: 'POST' });
}

export function unloadModel(id: string): Promise<unknown> {
  return requestJson(`${modelPath(id)}/unload`, { method: 'POST' });
}

export function unloadAllModels(): Promise<unknown> {
  return requestJson('/api/models/unload', { method: 'POST' });
}

/** Checks whether the API answers without asking for a key; raises UnauthorizedError when it asks. */
export async function probeAccess(): Promise<void> {
  await requestJson('/api/models');
}
