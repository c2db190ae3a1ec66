/**
 * Pass 2 of linking: a unique key per span, and every record of each span id. After merging, one id can
 * still name several spans: the client half and the shared server half of a B3 RPC (the server's key is
 * `id:shared`), several deliveries of one shared id on different hosts, and true duplicates. Each gets
 * a key of its own (`key~N` for the Nth repeat, with a warning); none is dropped.
 */
import type { Span } from '../model';
import { DIFFERENT, hostLabel, processAffinity } from './sameProcess';
import type { Warnings } from './warnings';

export interface SpanIndex {
  /** A unique key per span, by position. */
  readonly uid: string[];
  /** Span id → positions of every span with that id, in source order. */
  readonly byId: ReadonlyMap<string, readonly number[]>;
}

export function indexSpans(spans: readonly Span[], warn: Warnings): SpanIndex {
  const n = spans.length;
  const uid: string[] = new Array(n);
  const byId = new Map<string, number[]>();
  const firstWithKey = new Map<string, number>();
  const repeats = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    const key = s.shared ? `${s.spanId}:shared` : s.spanId;
    const first = firstWithKey.get(key);
    if (first === undefined) {
      firstWithKey.set(key, i);
      uid[i] = key;
    } else {
      const k = (repeats.get(key) ?? 0) + 1;
      repeats.set(key, k);
      uid[i] = `${key}~${k}`;
      const otherHost = s.shared && processAffinity(s, spans[first]) === DIFFERENT;
      warn.add(i, {
        code: 'duplicate',
        message: otherHost
          ? `another server piece of shared span id ${s.spanId}, on ${hostLabel(s)} (a delivery of its own): kept, shown as ${uid[i]}`
          : `duplicate span id ${s.spanId}: this copy is kept and shown as ${uid[i]}`,
      });
    }
    const list = byId.get(s.spanId);
    if (list) list.push(i);
    else byId.set(s.spanId, [i]);
  }
  return { uid, byId };
}
