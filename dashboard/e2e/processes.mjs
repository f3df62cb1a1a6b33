// Process-list checks and free loopback ports for the end-to-end script.

import { readFile } from 'node:fs/promises';
import net from 'node:net';

/** Reads the command line of a running process; returns undefined when no such process exists. */
export async function commandLine(pid) {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    const text = raw.split('\0').join(' ').trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}

/** Asks the kernel for a free port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
