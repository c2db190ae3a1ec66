import type { TraceFormat } from './model';

/** Where in the input a problem is: a byte/char offset, and for text a 1-based line and column. */
export interface InputPosition {
  readonly offset: number;
  readonly line?: number;
  readonly column?: number;
}

/**
 * The only error a decoder throws. `reason` is a sentence a user can act on; `path` is the JSON path
 * of the offending value (e.g. `[0].traceId`) when there is one.
 */
export class TraceDecodeError extends Error {
  readonly format: TraceFormat | 'unknown';
  readonly reason: string;
  readonly path?: string;
  position?: InputPosition;

  constructor(format: TraceFormat | 'unknown', reason: string, path?: string, position?: InputPosition) {
    super(TraceDecodeError.describe(reason, path, position));
    this.name = 'TraceDecodeError';
    this.format = format;
    this.reason = reason;
    this.path = path;
    this.position = position;
  }

  /** Attach a position found after the fact (decoders work on parsed values, positions come from the text). */
  withPosition(position: InputPosition): TraceDecodeError {
    const err = new TraceDecodeError(this.format, this.reason, this.path, position);
    // Keep the structured path (set by the decoders) so callers can still find the value it names.
    (err as { jsonPath?: unknown }).jsonPath = (this as { jsonPath?: unknown }).jsonPath;
    return err;
  }

  private static describe(reason: string, path?: string, position?: InputPosition): string {
    let where = '';
    if (position?.line !== undefined) where = `line ${position.line}, column ${position.column ?? 1}: `;
    else if (position) where = `offset ${position.offset}: `;
    return `${where}${reason}${path ? ` (at ${path})` : ''}`;
  }
}

export function isTraceDecodeError(e: unknown): e is TraceDecodeError {
  return e instanceof TraceDecodeError;
}
