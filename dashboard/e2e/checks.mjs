// A small step runner for the end-to-end script: each step passes or fails on its own, and the
// summary ends with the line `N passed, N failed`.

export class Checks {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }

  /** Runs `body`; a thrown error fails this step only. Returns whether it passed. */
  async step(name, body) {
    const started = Date.now();
    try {
      await body();
      this.passed += 1;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
      return true;
    } catch (error) {
      this.failed += 1;
      console.log(`FAIL ${name}: ${error instanceof Error ? error.message : error}`);
      return false;
    }
  }

  summary() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0;
  }
}

export function assert(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** Polls `probe` until it returns a truthy value, or raises `message` after `timeoutMs`. */
export async function waitFor(probe, { timeoutMs = 10_000, intervalMs = 200, message = 'condition not met' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) {
        return last;
      }
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${message} within ${timeoutMs} ms (last value: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}
