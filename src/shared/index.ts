/** The pure trace core: one model, every format, linking. No `vscode`, no DOM. */
export * from './model';
export * from './errors';
export * from './ids';
export * from './time';
export { decodeTrace, decodeText, decodeJsonValue, detectJsonFormat, FORMAT_NAMES, type DecodeResult, type DecodeOptions } from './formats/detect';
export { encodeSpans, ENCODE_FORMATS, type Encoded } from './formats/encode';
export { linkTrace, linkTraces, type LinkOptions } from './trace/link';
export { criticalPath, criticalRows, type CriticalSegment } from './trace/criticalPath';
export { summarizeTrace, type SummaryDocument, type TraceSummary, type SpanSummary } from './trace/summary';
export { childRows, traceWarnings, type Trace, type SpanWarning, type WarningCode } from './trace/trace';
