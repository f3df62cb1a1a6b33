// The two figures the end-to-end script reports: the built page's gzipped size and its first
// paint.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Sums the gzip (level 9) sizes of every file under `distDir`, in bytes. */
export async function gzippedSize(distDir) {
  let raw = 0;
  let gzipped = 0;
  const files = [];
  for (const entry of await readdir(distDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) {
      continue;
    }
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const body = await readFile(file);
    const size = gzipSync(body, { level: 9 }).length;
    raw += body.length;
    gzipped += size;
    files.push({ file: path.relative(distDir, file), raw: body.length, gzipped: size });
  }
  return { raw, gzipped, files };
}

/** Reads the browser's paint timings for the current page, in milliseconds after navigation start. */
export async function paintTimings(page) {
  return page.evaluate(() => {
    const entries = Object.fromEntries(performance.getEntriesByType('paint').map((entry) => [entry.name, entry.startTime]));
    const navigation = performance.getEntriesByType('navigation')[0];
    return {
      firstPaint: entries['first-paint'],
      firstContentfulPaint: entries['first-contentful-paint'],
      domContentLoaded: navigation?.domContentLoadedEventEnd,
    };
  });
}
