/**
 * A stand-in for the extension host inside a plain browser page: it provides `acquireVsCodeApi` and
 * answers the waterfall's requests with the same shared core the real host uses, so the webview
 * bundle can be tested in headless Chromium without starting VS Code. The trace comes from
 * `window.__TRACE_TEXT__`; what the webview asks for is recorded on `window.__host`.
 */
import { decodeTrace } from '../../src/shared/formats/detect';
import { encodeSpans } from '../../src/shared/formats/encode';
import type { EncodeFormat } from '../../src/shared/model';
import type { FromWebview, ToWebview } from '../../src/shared/protocol';
import { linkTrace } from '../../src/shared/trace/link';
import { searchTrace } from '../../src/shared/trace/search';
import { selfTimes } from '../../src/shared/trace/selfTime';
import { attributeKeys, groupRows, traceStats } from '../../src/shared/trace/stats';
import { spanDetails } from '../../src/shared/trace/waterfall';
import { chunkBuffers, chunkRanges, FIRST_CHUNK_ROWS, planRows, sendRows } from '../../src/shared/trace/waterfallRows';

interface HostRecord {
  copied: string[];
  opened: Array<{ path: string; line?: number }>;
  requests: string[];
  state: unknown;
  postedAt?: number;
  /** What the host posted, in order: `traceStart <load>` and `rows <load>:<from>-<to>`. */
  sent: string[];
}

declare global {
  interface Window {
    __TRACE_TEXT__: string;
    __SAVED_STATE__?: unknown;
    /** What "Reload" fetches; without it the trace is like one read from a file (no Reload). */
    __RELOAD_TEXT__?: string;
    __host: HostRecord;
    /** Milliseconds the host waits before answering a details request, to stand in for a busy host. */
    __detailsDelayMs?: number;
    /** What the backend said about an incomplete trace (Tempo's PARTIAL), if anything. */
    __INCOMPLETE__?: string;
    __HOST_DELAY_MS__?: number;
    /** Milliseconds between chunks of rows (0: as fast as the page allows). */
    __chunkDelayMs?: number;
    /** Rows per chunk after the first (default: the real host's). */
    __chunkRows?: number;
    acquireVsCodeApi: () => unknown;
  }
}

const record: HostRecord = { copied: [], opened: [], requests: [], state: window.__SAVED_STATE__, sent: [] };
window.__host = record;
let spans = decodeTrace(window.__TRACE_TEXT__).spans;
let trace = linkTrace(spans);

let loadId = 0;

/**
 * The real host's data path: a header, then chunks of rows as typed arrays, transferred (not copied)
 * like VS Code does, with the page free between chunks. `__chunkDelayMs` slows the chunks down so a
 * test can act while a trace is still arriving.
 */
function sendTrace(): void {
  const id = ++loadId;
  const plan = planRows(trace, 'test page', id, { reloadable: window.__RELOAD_TEXT__ !== undefined, sourceId: 'page', incomplete: window.__INCOMPLETE__ });
  if (window.__chunkRows) {
    plan.ranges = chunkRanges(trace.spans.length, 0, FIRST_CHUNK_ROWS, window.__chunkRows);
    plan.header.chunkCount = plan.ranges.length;
  }
  record.postedAt ??= performance.now();
  void sendRows(trace, plan, (m) => {
    record.sent.push(m.type === 'rows' ? `rows ${m.chunk.loadId}:${m.chunk.from}-${m.chunk.to}` : `traceStart ${m.header.loadId}`);
    window.postMessage(m, '*', m.type === 'rows' ? chunkBuffers(m.chunk) : []);
  }, { current: () => id === loadId, pause: () => new Promise((r) => setTimeout(r, window.__chunkDelayMs ?? 0)) });
}

function toPage(message: ToWebview): void {
  // Asynchronous like the real host.
  setTimeout(() => window.postMessage(message, '*'), 0);
}

window.acquireVsCodeApi = () => ({
  getState: () => record.state,
  setState: (s: unknown) => (record.state = s),
  postMessage: (m: FromWebview) => {
    if (m.type === 'ready') {
      // `__HOST_DELAY_MS__`: a host still reading the trace (a window reload with a big trace open).
      setTimeout(sendTrace, window.__HOST_DELAY_MS__ ?? 0);
      return;
    }
    if (m.type !== 'request') return;
    const r = m.request;
    record.requests.push(r.action);
    try {
      let value: unknown;
      if (r.action === 'details') value = spanDetails(trace, r.row);
      else if (r.action === 'search') value = searchTrace(trace, r.query);
      else if (r.action === 'stats') value = { ...traceStats(trace, r.groupBy, selfTimes(trace)), traceUs: trace.endUs - trace.startUs, attributeKeys: attributeKeys(trace) };
      else if (r.action === 'groupRows') value = { rows: groupRows(trace, r.groupBy, r.key) };
      else if (r.action === 'compareWith') value = { compared: false };
      else if (r.action === 'copy') {
        const span = trace.spans[r.row];
        const text = r.format === 'id' ? span.spanId : (encodeSpans([span], r.format as EncodeFormat).body as string);
        record.copied.push(text);
        value = { copied: r.format };
      } else if (r.action === 'openSource') {
        record.opened.push({ path: r.path, line: r.line });
        value = { opened: true };
      } else if (r.action === 'setSkew') {
        trace = linkTrace(spans, { adjustSkew: r.on });
        sendTrace();
        value = {};
      } else if (r.action === 'reload') {
        const before = spans.length;
        spans = decodeTrace(window.__RELOAD_TEXT__ ?? '').spans;
        trace = linkTrace(spans);
        sendTrace();
        value = { spanCount: spans.length, added: spans.length - before };
      }
      const reply: ToWebview = { type: 'reply', requestId: m.requestId, ok: true, value };
      if (r.action === 'details' && window.__detailsDelayMs) setTimeout(() => toPage(reply), window.__detailsDelayMs);
      else toPage(reply);
    } catch (e) {
      toPage({ type: 'reply', requestId: m.requestId, ok: false, error: (e as Error).message });
    }
  },
});
