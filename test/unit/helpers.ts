import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceDecodeError } from '../../src/shared/errors';

export const FIXTURES = join(__dirname, '..', 'fixtures');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

/** Run `fn`, expect a TraceDecodeError, and return it (fails the test for any other outcome). */
export function expectDecodeError(fn: () => unknown): TraceDecodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TraceDecodeError) return e;
    throw new Error(`expected a TraceDecodeError, got ${String(e)}`);
  }
  throw new Error('expected a TraceDecodeError, but decoding succeeded');
}
