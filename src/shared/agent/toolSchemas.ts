/**
 * The agent tools' names, descriptions and input schemas: one definition for both front doors (VS Code's
 * language-model tools, whose package.json copy a test holds equal to this, and the MCP server), and the
 * check of an input against its schema, so both answer a bad input with the same clear message.
 */

export type JsonSchema =
  | { type: 'string'; description: string; enum?: readonly string[]; minLength?: number; maxLength?: number; pattern?: string }
  | { type: 'integer' | 'number'; description: string; minimum?: number; maximum?: number }
  | { type: 'boolean'; description: string }
  | { type: 'object'; description: string; additionalProperties: { type: 'string' } }
  | { type: 'array'; description: string; items: { type: 'string' }; maxItems?: number };

export interface ObjectSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties: false;
}

export type ToolName = 'search_traces' | 'get_trace' | 'get_span' | 'spans_at_code' | 'compare_traces' | 'send_spans';

export interface ToolDefinition {
  name: ToolName;
  /** Shown to people (VS Code's tool picker, MCP's title). */
  title: string;
  /** What a model reads to decide when and how to call the tool. */
  description: string;
  inputSchema: ObjectSchema;
  /** Changes nothing anywhere. Only `send_spans` does, and only after the user agrees. */
  readOnly: boolean;
}

const endpoint: JsonSchema = { type: 'string', description: 'Which configured endpoint to read: "local" (the default: the built-in receiver that VS Code windows share) or the name of a configured Tempo, Zipkin or Jaeger endpoint.', maxLength: 200 };
const HEX = '^[0-9a-fA-F]+$';
const traceId: JsonSchema = { type: 'string', description: 'The trace id: 32 hex digits (16 for a 64-bit Zipkin id).', minLength: 1, maxLength: 64, pattern: HEX };

export const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'search_traces',
    title: 'Search traces',
    description: 'Find recent distributed traces (OpenTelemetry, Zipkin, Jaeger, Tempo). Use it first when the user asks about slow or failing requests: filter by service, operation, attributes, minimum duration, errors only, or time range. Returns one line per trace: trace id, root service and operation, duration, span count, error count, age. Then call get_trace with a trace id.',
    inputSchema: {
      type: 'object',
      properties: {
        endpoint,
        service: { type: 'string', description: 'Only traces with a span of this service.', maxLength: 200 },
        operation: { type: 'string', description: 'Only traces with a span of this name (operation).', maxLength: 300 },
        attributes: { type: 'object', description: 'Span or resource attributes some span must have, e.g. {"http.status_code": "500"}; an empty value matches any value.', additionalProperties: { type: 'string' } },
        min_duration_ms: { type: 'number', description: 'Only traces at least this long, in milliseconds.', minimum: 0 },
        errors_only: { type: 'boolean', description: 'Only traces with at least one failed span.' },
        since: { type: 'string', description: 'How far back to look: a duration such as "15m", "2h" or "7d" (default: all the local store holds; one hour for remote endpoints).', maxLength: 20 },
        limit: { type: 'integer', description: 'At most this many traces (default 20, at most 200).', minimum: 1, maximum: 200 },
      },
      additionalProperties: false,
    },
    readOnly: true,
  },
  {
    name: 'get_trace',
    title: 'Get a trace summary',
    description: 'Summarize one trace so you can explain where its time went and what failed: root, duration, services, the critical path (the chain of spans the end of the request waited on) with each span\'s self time, the slowest spans, every error with its message, exception type and source location (file:line in the workspace), and repairs the linker made. The summary stays within max_tokens and says what it left out. With detail "spans", pages through all spans instead (use page).',
    inputSchema: {
      type: 'object',
      properties: {
        trace_id: traceId,
        endpoint,
        detail: { type: 'string', description: '"summary" (default) or "spans" for a page of spans in tree order.', enum: ['summary', 'spans'] },
        page: { type: 'integer', description: 'With detail "spans": which page, from 1.', minimum: 1 },
        max_tokens: { type: 'integer', description: 'Budget for the answer, estimated at 4 characters a token (default 2000).', minimum: 200, maximum: 50000 },
      },
      required: ['trace_id'],
      additionalProperties: false,
    },
    readOnly: true,
  },
  {
    name: 'get_span',
    title: 'Get a span',
    description: 'One span in full: timing, self time, status, all attributes, events (with exception messages and stack traces), links, resource, and the source locations it points at.',
    inputSchema: {
      type: 'object',
      properties: {
        trace_id: traceId,
        span_id: { type: 'string', description: 'The span id: 16 hex digits.', minLength: 1, maxLength: 64 },
        endpoint,
      },
      required: ['trace_id', 'span_id'],
      additionalProperties: false,
    },
    readOnly: true,
  },
  {
    name: 'spans_at_code',
    title: 'Spans at a code location',
    description: 'Recent spans that point at a place in the code: by file (a path or just its name) and optionally a line, or by function name. Uses code.* attributes and exception stack traces. Returns each span with its trace id, duration and whether it failed: use it to connect the code the user is looking at to real requests.',
    inputSchema: {
      type: 'object',
      properties: {
        file: { type: 'string', description: 'A file path or file name, e.g. "src/checkout.py" or "checkout.py".', minLength: 1, maxLength: 500 },
        line: { type: 'integer', description: 'A line in that file (1-based). Spans pointing at that line; when none does, spans within 3 lines of it.', minimum: 1 },
        function: { type: 'string', description: 'A function name (code.function attribute or a stack frame).', maxLength: 300 },
        endpoint,
        limit: { type: 'integer', description: 'At most this many spans (default 20).', minimum: 1, maximum: 200 },
      },
      required: ['file'],
      additionalProperties: false,
    },
    readOnly: true,
  },
  {
    name: 'compare_traces',
    title: 'Compare two traces',
    description: 'Compare two traces of the same request (before and after a change, fast and slow) by structure: operations matched by their path from the root; reports operations added, removed, slower and faster with durations, counts, self times and errors, biggest change first.',
    inputSchema: {
      type: 'object',
      properties: {
        trace_a: { ...traceId, description: 'The first trace (A, e.g. before).' },
        trace_b: { ...traceId, description: 'The second trace (B, e.g. after).' },
        endpoint,
        endpoint_b: { ...endpoint, description: 'Where trace B is, when not at the same endpoint as A.' },
        min_change_percent: { type: 'number', description: 'Leave out operations whose duration changed less than this (default 10).', minimum: 0 },
        limit: { type: 'integer', description: 'At most this many changed operations (default 30).', minimum: 1, maximum: 500 },
      },
      required: ['trace_a', 'trace_b'],
      additionalProperties: false,
    },
    readOnly: true,
  },
  {
    name: 'send_spans',
    title: 'Send spans',
    description: 'Send spans to an endpoint (the local receiver by default), to reproduce a trace or feed a test. The user is asked to confirm first. Give spans as OTLP/JSON, Zipkin v2 JSON or Jaeger JSON text.',
    inputSchema: {
      type: 'object',
      properties: {
        payload: { type: 'string', description: 'The spans: OTLP/JSON, Zipkin v2 JSON or Jaeger JSON.', minLength: 2, maxLength: 5_000_000 },
        endpoint,
        restamp: { type: 'boolean', description: 'Move the spans to now, keeping their relative timing (default true).' },
      },
      required: ['payload'],
      additionalProperties: false,
    },
    readOnly: false,
  },
];

export function toolDefinition(name: string): ToolDefinition | undefined {
  return TOOLS.find((t) => t.name === name);
}

/** An input that does not fit its tool's schema: the message names the field and what was wrong. */
export class ToolInputError extends Error {}

/** Check `input` against the tool's schema; returns it typed, or throws ToolInputError. */
export function validateInput(tool: ToolDefinition, input: unknown): Record<string, unknown> {
  const schema = tool.inputSchema;
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new ToolInputError(`${tool.name}: the input must be an object`);
  const obj = input as Record<string, unknown>;
  for (const key of schema.required ?? []) {
    if (obj[key] === undefined) throw new ToolInputError(`${tool.name}: "${key}" is required`);
  }
  for (const [key, value] of Object.entries(obj)) {
    const p = schema.properties[key];
    if (!p) throw new ToolInputError(`${tool.name}: unknown field ${JSON.stringify(key.slice(0, 50))} (fields: ${Object.keys(schema.properties).join(', ')})`);
    if (value === undefined) continue;
    const bad = (want: string): never => {
      throw new ToolInputError(`${tool.name}: "${key}" must be ${want}`);
    };
    switch (p.type) {
      case 'string':
        if (typeof value !== 'string') bad('a string');
        if (p.enum && !p.enum.includes(value as string)) bad(`one of ${p.enum.map((e) => `"${e}"`).join(', ')}`);
        if (p.minLength !== undefined && (value as string).length < p.minLength) bad(`at least ${p.minLength} characters`);
        if (p.maxLength !== undefined && (value as string).length > p.maxLength) bad(`at most ${p.maxLength} characters`);
        if (p.pattern && !new RegExp(p.pattern).test(value as string)) bad(p.pattern === HEX ? 'hex digits' : `matching ${p.pattern}`);
        break;
      case 'integer':
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value) || (p.type === 'integer' && !Number.isInteger(value))) bad(p.type === 'integer' ? 'a whole number' : 'a number');
        if (p.minimum !== undefined && (value as number) < p.minimum) bad(`at least ${p.minimum}`);
        if (p.maximum !== undefined && (value as number) > p.maximum) bad(`at most ${p.maximum}`);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') bad('true or false');
        break;
      case 'object':
        if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) bad('an object of strings');
        break;
      case 'array':
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) bad('a list of strings');
        break;
    }
  }
  return obj;
}
