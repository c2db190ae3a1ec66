/**
 * A stand-in for the extension host in a plain page, for the comparison webview: it compares the
 * traces in `window.__A_TEXT__` and `window.__B_TEXT__` with the same shared code the extension uses
 * and answers the webview's requests; what the webview asked to open is recorded on `window.__host`.
 */
import type { CompareRequest, FromCompareWebview, ToCompareWebview } from '../../src/shared/compareProtocol';
import { decodeTrace } from '../../src/shared/formats/detect';
import { compareTraces } from '../../src/shared/trace/compare';
import { compareMessage, nodeSpans, type CompareSideData } from '../../src/shared/trace/compareView';
import { linkTrace } from '../../src/shared/trace/link';

interface CompareHostRecord {
  opened: Array<{ side: string; row: number; spanId: string }>;
  sources: Array<{ side: string; row: number }>;
  requests: string[];
  state: unknown;
}

declare global {
  interface Window {
    __A_TEXT__: string;
    __B_TEXT__: string;
    __compareHost: CompareHostRecord;
    acquireVsCodeApi: () => unknown;
  }
}

const record: CompareHostRecord = { opened: [], sources: [], requests: [], state: undefined };
window.__compareHost = record;
const side = (text: string, label: string): CompareSideData => ({ trace: linkTrace(decodeTrace(text).spans), sourceLabel: label });
let a = side(window.__A_TEXT__, 'before.json');
let b = side(window.__B_TEXT__, 'after.json');
let comparison = compareTraces(a.trace, b.trace);

const toPage = (m: ToCompareWebview): void => void setTimeout(() => window.postMessage(m, '*'), 0);
const send = (): void => toPage(compareMessage(comparison, a, b));

function answer(r: CompareRequest): unknown {
  switch (r.action) {
    case 'spans':
      return nodeSpans(comparison, r.node, a, b);
    case 'open': {
      const s = r.side === 'a' ? a : b;
      record.opened.push({ side: r.side, row: r.row, spanId: s.trace.spans[r.row].spanId });
      return { opened: true };
    }
    case 'openSource':
      record.sources.push({ side: r.side, row: r.row });
      return { opened: true };
    case 'swap':
      [a, b] = [b, a];
      comparison = compareTraces(a.trace, b.trace);
      send();
      return {};
  }
}

window.acquireVsCodeApi = () => ({
  getState: () => record.state,
  setState: (s: unknown) => (record.state = s),
  postMessage: (m: FromCompareWebview) => {
    if (m.type === 'ready') return send();
    record.requests.push(m.request.action);
    try {
      toPage({ type: 'reply', requestId: m.requestId, ok: true, value: answer(m.request) });
    } catch (e) {
      toPage({ type: 'reply', requestId: m.requestId, ok: false, error: (e as Error).message });
    }
  },
});
