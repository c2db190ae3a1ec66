/** Small helpers the backend tests share: bounded polling, and expecting a BackendError. */
import assert from 'node:assert/strict';
import { BackendError } from '../../../src/node/http/backendError';

/** Poll `probe` every 50 ms until it gives a value (bounded), or fail saying what was awaited. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The BackendError `p` rejects with; any other outcome fails the test. */
export async function rejectsWithBackendError(p: Promise<unknown>): Promise<BackendError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BackendError) return e;
    throw e;
  }
  assert.fail('expected a BackendError');
}
