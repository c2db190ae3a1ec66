/**
 * The span under the cursor. In the region around the cursor, the scanner's position-keeping tree
 * gives the chain of values that contain the cursor; the innermost one shaped like a span wins — or,
 * when the cursor sits on an array of spans between its items, the whole array. An OTLP span keeps its
 * resource and scope, a Jaeger span its process, so what is sent decodes to the same span as the file.
 * Decode errors come back with a document range, for a diagnostic on the offending value.
 */
import { TraceDecodeError } from '../errors';
import { decodeTrace, FORMAT_NAMES } from '../formats/detect';
import { jsonPathOf } from '../formats/common';
import { nodeAtPath, nodeValue, scanJson, type JsonNode, type JsonObject, type JsonPath } from '../json/scanner';
import type { Span, TraceFormat } from '../model';
import { payloadRegions, toDocumentOffset, toRegionOffset, type DocumentKind, type PayloadRegion } from './payloadRegions';

export interface SpanPick {
  /** What was chosen, for the message: `span "get /api"`, `2 spans (the array)`, `the whole document`. */
  label: string;
  /** Document range of the chosen value, to highlight. */
  start: number;
  end: number;
  region: string;
  format: TraceFormat;
  spans: Span[];
}

export interface PickFailure {
  message: string;
  /** Document range of the offending value, when there is one. */
  start?: number;
  end?: number;
}

type SpanShape = 'zipkin' | 'otlp' | 'jaeger' | 'console';

function keys(o: JsonObject): Set<string> {
  return new Set(o.properties.map((p) => p.key));
}

function shapeOf(n: JsonNode): SpanShape | undefined {
  if (n.kind !== 'object') return undefined;
  const k = keys(n);
  if (k.has('traceId') && k.has('spanId')) return 'otlp';
  if (k.has('traceId') && k.has('id')) return 'zipkin';
  if (k.has('traceID') && k.has('spanID')) return 'jaeger';
  if (k.has('context') && k.has('name') && (k.has('start_time') || k.has('kind'))) return 'console';
  return undefined;
}

/** Span-shaped objects in a value (for a lens above each), in document order, not descending into a span. Iterative. */
export function spanObjectsIn(root: JsonNode): JsonNode[] {
  const out: JsonNode[] = [];
  const stack: JsonNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (shapeOf(n)) out.push(n);
    else if (n.kind === 'object') for (let i = n.properties.length - 1; i >= 0; i--) stack.push(n.properties[i].value);
    else if (n.kind === 'array') for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
  }
  return out;
}

/** Nodes from the top value down to the innermost one whose range holds the offset, with their paths. */
function chainAt(root: JsonNode, offset: number): Array<{ node: JsonNode; path: JsonPath }> {
  const chain = [{ node: root, path: [] as JsonPath }];
  for (;;) {
    const { node, path } = chain[chain.length - 1];
    let next: { node: JsonNode; path: JsonPath } | undefined;
    if (node.kind === 'object') {
      for (const p of node.properties) {
        if (offset >= p.value.start && offset < p.value.end) next = { node: p.value, path: [...path, p.key] };
      }
    } else if (node.kind === 'array') {
      node.items.forEach((it, i) => {
        if (offset >= it.start && offset < it.end) next = { node: it, path: [...path, i] };
      });
    }
    if (!next) return chain;
    chain.push(next);
  }
}

function prop(o: JsonNode, key: string): JsonNode | undefined {
  return o.kind === 'object' ? o.properties.find((p) => p.key === key)?.value : undefined;
}

/**
 * The value to decode for a chosen span, and the path prefix that maps decode-error paths back into
 * the chosen node: an OTLP span is wrapped in its resourceSpans/scopeSpans with resource and scope, a
 * Jaeger span in its trace with the processes.
 */
function wrap(shape: SpanShape, spanNodes: JsonNode[], chain: Array<{ node: JsonNode; path: JsonPath }>, asArray: boolean): { value: unknown; prefix: JsonPath } {
  const spans = spanNodes.map(nodeValue);
  if (shape === 'otlp') {
    // chain: … resourceSpans[i] (object) → scopeSpans[j] (object) → spans (array) → span
    const find = (key: string): JsonNode | undefined => [...chain].reverse().find((c) => c.node.kind === 'object' && prop(c.node, key))?.node;
    const rs = find('scopeSpans') ?? find('instrumentationLibrarySpans');
    const ss = [...chain].reverse().find((c) => c.node.kind === 'object' && prop(c.node, 'spans') && c.node !== rs)?.node;
    const resourceNode = rs && prop(rs, 'resource');
    const scopeNode = ss && (prop(ss, 'scope') ?? prop(ss, 'instrumentationLibrary'));
    const resource = resourceNode ? nodeValue(resourceNode) : undefined;
    const scope = scopeNode ? nodeValue(scopeNode) : undefined;
    const root = chain[0].node;
    const rootKey = root.kind === 'object' && prop(root, 'batches') ? 'batches' : 'resourceSpans';
    return { value: { [rootKey]: [{ ...(resource ? { resource } : {}), scopeSpans: [{ ...(scope ? { scope } : {}), spans }] }] }, prefix: [rootKey, 0, 'scopeSpans', 0, 'spans', ...(asArray ? [] : [0])] };
  }
  if (shape === 'jaeger') {
    const trace = [...chain].reverse().find((c) => c.node.kind === 'object' && prop(c.node, 'processes'))?.node;
    const processes = trace ? nodeValue(prop(trace, 'processes')!) : {};
    return { value: { data: [{ traceID: (spans[0] as { traceID?: unknown }).traceID, spans, processes }] }, prefix: ['data', 0, 'spans', ...(asArray ? [] : [0])] };
  }
  if (shape === 'console') return asArray ? { value: spans, prefix: [] } : { value: spans[0], prefix: [] };
  return { value: spans, prefix: asArray ? [] : [0] };
}

function nameOf(n: JsonNode): string {
  const v = prop(n, 'name') ?? prop(n, 'operationName');
  return v?.kind === 'string' ? v.value : '';
}

/** Find and decode the span (or spans) at `offset` in `text`. */
export function spanAtCursor(text: string, offset: number, kind: DocumentKind, options: { jsonc?: boolean } = {}): SpanPick | PickFailure {
  // Comments and trailing commas only where the document allows them: a curl payload or a .json file
  // with a trailing comma is what a backend rejects, so it is reported, not repaired.
  const jsonc = options.jsonc === true;
  const regions = payloadRegions(text, kind);
  const region = regions.find((r) => offset >= r.start && offset <= r.end);
  if (!region) {
    const where = kind === 'markdown' ? 'inside a fenced code block' : kind === 'shell' ? "inside a curl -d '…' payload" : 'inside a JSON span';
    return { message: `No span here: put the cursor ${where}${regions.length ? ` (this file has ${regions.length})` : ''}.` };
  }
  const local = toRegionOffset(region, offset);
  const scan = scanJson(region.text, { jsonc });
  const top = scan.values.find((v) => local >= v.start && local <= v.end) ?? scan.values.find((v) => local <= v.end);
  if (!top) return { message: `No JSON value at the cursor in ${region.what}.`, start: region.start, end: region.end };
  const chain = chainAt(top, Math.min(local, top.end - 1));
  const docRange = (n: JsonNode): { start: number; end: number } => ({ start: toDocumentOffset(region, n.start), end: toDocumentOffset(region, n.end) });

  // On an array of spans, between or around its items (not inside one): the whole array.
  const innermost = chain[chain.length - 1].node;
  let choice: { nodes: JsonNode[]; shape: SpanShape; asArray: boolean; upTo: number; label: string; range: JsonNode } | undefined;
  if (innermost.kind === 'array' && innermost.items.length && innermost.items.every((it) => shapeOf(it))) {
    const shape = shapeOf(innermost.items[0])!;
    choice = { nodes: innermost.items, shape, asArray: true, upTo: chain.length - 1, label: `${innermost.items.length} span${innermost.items.length === 1 ? '' : 's'} (the array)`, range: innermost };
  } else {
    for (let i = chain.length - 1; i >= 0; i--) {
      const shape = shapeOf(chain[i].node);
      if (shape) {
        choice = { nodes: [chain[i].node], shape, asArray: false, upTo: i, label: `span "${nameOf(chain[i].node) || '(unnamed)'}"`, range: chain[i].node };
        break;
      }
    }
  }
  // No span object around the cursor: the whole value, if it decodes (e.g. the cursor on "resourceSpans").
  if (!choice) return decodePick(region, top, nodeValue(top), [], 'the whole document', docRange(top), top, jsonc);

  const { value, prefix } = wrap(choice.shape, choice.nodes, chain.slice(0, choice.upTo + 1), choice.asArray);
  return decodePick(region, choice.range, value, prefix, choice.label, docRange(choice.range), choice.range, jsonc);
}

function decodePick(region: PayloadRegion, node: JsonNode, value: unknown, prefix: JsonPath, label: string, range: { start: number; end: number }, errRoot: JsonNode, jsonc: boolean): SpanPick | PickFailure {
  const broken = scanError(region, node, jsonc);
  if (broken) return { message: `Not sent: the JSON of ${label} is broken: ${broken.message}`, start: broken.offset, end: broken.offset + 1 };
  try {
    const { format, spans } = decodeTrace(JSON.stringify(value));
    if (!spans.length) return { message: `${label} holds no spans.`, ...range };
    return { label, ...range, region: region.what, format, spans };
  } catch (e) {
    if (!(e instanceof TraceDecodeError)) throw e;
    const path = jsonPathOf(e);
    let bad = errRoot;
    if (path && prefix.every((step, i) => path[i] === step)) bad = nodeAtPath(errRoot, path.slice(prefix.length));
    return { message: `Not sent: ${e.reason}${e.format !== 'unknown' ? ` (read as ${FORMAT_NAMES[e.format]})` : ''}`, start: toDocumentOffset(region, bad.start), end: toDocumentOffset(region, bad.end) };
  }
}

/** The first syntax error inside the node, at its document offset. */
function scanError(region: PayloadRegion, node: JsonNode, jsonc: boolean): { message: string; offset: number } | undefined {
  const scan = scanJson(region.text.slice(node.start, node.end), { jsonc });
  const e = scan.errors[0];
  return e ? { message: e.message, offset: toDocumentOffset(region, node.start + e.offset) } : undefined;
}
