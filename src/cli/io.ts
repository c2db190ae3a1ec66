/** What the CLI commands share: the I/O seam (tests and the process), user-facing errors, reading a trace file. */
import { readFileSync } from 'node:fs';
import { TraceDecodeError } from '../shared/errors';
import { decodeTrace, type DecodeResult } from '../shared/formats/detect';

/** A failure the user caused (bad arguments, bad input): message to stderr, exit code 2. */
export class CliError extends Error {}

export interface CliIO {
  readFile(path: string): Uint8Array;
  stdout(data: string | Uint8Array): void;
  stderr(text: string): void;
}

export const nodeIO: CliIO = {
  readFile: (path) => (path === '-' ? readFileSync(0) : readFileSync(path)),
  stdout: (data) => process.stdout.write(data),
  stderr: (text) => process.stderr.write(text),
};

export function decodeFile(io: CliIO, file: string): DecodeResult {
  let bytes: Uint8Array;
  try {
    bytes = io.readFile(file);
  } catch (e) {
    throw new CliError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return decodeTrace(bytes);
  } catch (e) {
    if (e instanceof TraceDecodeError) {
      const where = e.position?.line !== undefined ? `:${e.position.line}:${e.position.column}` : e.position ? ` (byte ${e.position.offset})` : '';
      throw new CliError(`${file}${where}: ${e.reason}${e.path ? ` (at ${e.path})` : ''}`);
    }
    throw e;
  }
}

