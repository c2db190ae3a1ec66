/**
 * What the window that owns the local receiver's ports offers the other windows (and `serve`'s other
 * clients), under `/api/trace-explorer/` on the OTLP/HTTP port: who it is, and the store itself —
 * summaries, whole traces as model JSON (exact: nothing a wire format would drop), suggestions, spans
 * sent to Local from another window, and Clear. The protocol version decides what two windows of
 * different versions can do together: a window reads an owner of any version through the calls of
 * version 1, and says what it cannot do when the owner is newer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeTraceId } from '../shared/ids';
import type { TraceQuery, TraceStore } from '../shared/store/traceStore';
import { spansFromJson, spansToJson } from './store/persistentStore';
import { TraceTools } from './agent/traceTools';
import { ToolError } from './agent/toolError';
import { LocalSource } from './sources/localSource';

/** 2: agent tools run on the owner's store (POST tool). */
export const OWNER_PROTOCOL = 2;
export const OWNER_PREFIX = '/api/trace-explorer/';

export interface Identity {
  product: 'trace-explorer';
  protocol: number;
  /** This receiver's instance (one per process start). */
  instance: string;
  version: string;
  pid: number;
  ports: Record<string, number>;
  /** Grows with every write to the store: a client that sees it change lists again. */
  writes: number;
}

export interface OwnerContext {
  store: TraceStore;
  identity(): Identity;
  /** Clear the store, and its copy on disk when there is one. */
  clear(): void;
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(value));
}

/** Answer a request under OWNER_PREFIX; `body` for POSTs. */
export function handleOwnerRequest(ctx: OwnerContext, req: IncomingMessage, url: URL, body: Buffer | undefined, res: ServerResponse): void {
  const path = url.pathname.slice(OWNER_PREFIX.length).replace(/\/+$/, '');
  const q = url.searchParams;
  if (req.method === 'GET' && path === 'identify') return json(res, 200, ctx.identity());
  if (req.method === 'GET' && path === 'traces') {
    let query: TraceQuery = {};
    try {
      query = JSON.parse(q.get('q') ?? '{}') as TraceQuery;
    } catch {
      return json(res, 400, { error: 'q must be a JSON object' });
    }
    return json(res, 200, ctx.store.list(query));
  }
  const m = /^trace\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && m) {
    const id = normalizeTraceId(m[1]);
    const spans = id ? ctx.store.get(id) : undefined;
    if (!spans) return json(res, 404, { error: `no trace ${m[1]}` });
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json');
    return void res.end(Buffer.from(spansToJson(spans)));
  }
  if (req.method === 'GET' && path === 'services') return json(res, 200, ctx.store.services());
  if (req.method === 'GET' && path === 'operations') return json(res, 200, ctx.store.spanNames(q.get('service') ?? ''));
  if (req.method === 'GET' && path === 'tags') return json(res, 200, ctx.store.tagNames());
  if (req.method === 'POST' && path === 'spans') {
    let spans;
    try {
      spans = spansFromJson(body ?? Buffer.alloc(0));
      if (!Array.isArray(spans)) throw new Error('not a list of spans');
    } catch (e) {
      return json(res, 400, { error: `not spans as model JSON: ${(e as Error).message}` });
    }
    ctx.store.add(spans);
    return json(res, 200, { spanCount: spans.length });
  }
  if (req.method === 'POST' && path === 'tool') return runTool(ctx, body, res);
  if (req.method === 'POST' && path === 'clear') {
    ctx.clear();
    return json(res, 200, {});
  }
  json(res, 404, { error: `no owner call ${req.method} ${path} (protocol ${OWNER_PROTOCOL})` });
}

/**
 * A read-only agent tool run on this store, for an MCP server or another window: the answer is a
 * summary of a few kilobytes, where fetching the trace would move every span. A ToolError is an answer
 * too (422), which the caller gives to the model as it is.
 */
/** One set of tools per store, so get_trace then get_span reuse the trace just linked. */
const toolsByStore = new WeakMap<TraceStore, TraceTools>();

function runTool(ctx: OwnerContext, body: Buffer | undefined, res: ServerResponse): void {
  let call: { name?: unknown; input?: unknown };
  try {
    call = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8')) as typeof call;
  } catch {
    return json(res, 400, { error: 'the body must be {"name": …, "input": {…}} as JSON' });
  }
  if (typeof call.name !== 'string') return json(res, 400, { error: 'the body must name the tool' });
  // send_spans is never run for another process: it changes the store, and VS Code asks its user first.
  let tools = toolsByStore.get(ctx.store);
  if (!tools) {
    const local = new Map([['local', new LocalSource(ctx.store)]]);
    tools = new TraceTools({ endpoints: () => local, allowSend: false });
    toolsByStore.set(ctx.store, tools);
  }
  tools.call(call.name, call.input ?? {}).then(
    (answer) => json(res, 200, answer),
    (e: Error) => json(res, e instanceof ToolError ? 422 : 500, { error: e instanceof ToolError ? e.message : `the tool failed here: ${e.message}` }),
  );
}
