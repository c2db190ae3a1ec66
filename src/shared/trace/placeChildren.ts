/**
 * Pass 3 of linking: each span's parent. A missing parent makes the span a root, counted as an orphan,
 * never dropped. Where a parent id names several spans (a B3 client half and its shared server half, or
 * several server pieces), the child goes where Zipkin data says it ran:
 *
 * - a shared server half hangs under the client half with its own id;
 * - an incoming request (SERVER or CONSUMER) that names the shared id is a peer of the server half (a
 *   browser's follow-up after a redirect, a retry): it hangs under the client half;
 * - work done while serving (CLIENT, PRODUCER, INTERNAL, no kind) hangs under the server half, unless
 *   its process matches the client half's better (address and port first, then service: the two sides
 *   of one process often spell their service differently);
 * - among several server pieces (one message delivered to several consumers), under the piece on its
 *   own host that started latest at or before it, and never under one that began after it did there.
 *
 * Where the data does not decide, the earlier behaviour stands and the span says so (`ambiguous`).
 */
import type { Span } from '../model';
import type { SpanIndex } from './indexSpans';
import { processAffinity, UNKNOWN } from './sameProcess';
import type { SpanIdIndex } from './spanIdIndex';
import type { Warnings } from './warnings';

export interface Placement {
  /** Position of each span's parent, -1 for a root. */
  parentOf: Int32Array;
  orphanCount: number;
}

function selfParent(warn: Warnings, i: number): void {
  warn.add(i, { code: 'self-parent', message: 'span names itself as its parent; shown as a root' });
}

function orphan(warn: Warnings, i: number, parentId: string): void {
  warn.add(i, { code: 'orphan', message: `parent ${parentId} is not in the trace; shown as a root` });
}

/** Unique 16-hex-digit ids and nothing shared (the common case): the parent's position says it all. */
export function placeByUniqueIds(spans: readonly Span[], index: SpanIdIndex, warn: Warnings): Placement {
  const n = spans.length;
  const parentOf = new Int32Array(n).fill(-1);
  let orphanCount = 0;
  for (let i = 0; i < n; i++) {
    const parentId = spans[i].parentId;
    if (!parentId) continue;
    const p = index.get(parentId);
    if (p === i) selfParent(warn, i);
    else if (p < 0) {
      orphanCount++;
      orphan(warn, i, parentId);
    } else parentOf[i] = p;
  }
  return { parentOf, orphanCount };
}

/** Any ids, repeated ones included. */
export function placeChildren(spans: readonly Span[], index: SpanIndex, warn: Warnings): Placement {
  const n = spans.length;
  const parentOf = new Int32Array(n).fill(-1);
  let orphanCount = 0;
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    if (s.shared) {
      const client = (index.byId.get(s.spanId) ?? []).find((c) => c !== i && !spans[c].shared);
      if (client !== undefined) {
        parentOf[i] = client;
        continue;
      }
    }
    if (!s.parentId) continue;
    if (s.parentId === s.spanId && !s.shared) {
      selfParent(warn, i);
      continue;
    }
    const candidates = (index.byId.get(s.parentId) ?? []).filter((c) => c !== i);
    if (candidates.length === 0) {
      orphanCount++;
      orphan(warn, i, s.parentId);
      continue;
    }
    parentOf[i] = candidates.length === 1 ? candidates[0] : chooseParent(spans, i, candidates, warn);
  }
  return { parentOf, orphanCount };
}

/** The parent among several spans with the child's parent id (see the rules above). */
function chooseParent(spans: readonly Span[], child: number, candidates: readonly number[], warn: Warnings): number {
  const s = spans[child];
  const clients = candidates.filter((c) => !spans[c].shared);
  const servers = candidates.filter((c) => spans[c].shared);
  if (servers.length === 0) return clients[0]; // duplicates only: the first copy, as before
  const ambiguous = (message: string): void => warn.add(child, { code: 'ambiguous', message });
  const sharedId = s.parentId;

  // A shared server half whose client half is missing stands in for that client: work, not a request.
  const incoming = (s.kind === 'server' || s.kind === 'consumer') && !s.shared;
  if (incoming && clients.length) return clients[0];

  const scores = servers.map((v) => processAffinity(s, spans[v]));
  const best = Math.max(...scores);
  const clientScore = clients.length ? processAffinity(s, spans[clients[0]]) : UNKNOWN;
  if (clientScore > 0 && clientScore > best) return clients[0];
  if (servers.length === 1) {
    if (best === UNKNOWN && clientScore === UNKNOWN) ambiguous(`nothing tells which half of shared span ${sharedId} it ran in (no address or service to compare); placed under the server half`);
    return servers[0];
  }
  if (best <= 0) {
    ambiguous(`none of the ${servers.length} server pieces of shared span ${sharedId} ran on its host; placed under the first`);
    return servers[0];
  }

  // Several pieces on its host: the one that started latest at or before the child did.
  const pool = servers.filter((_, j) => scores[j] === best);
  if (pool.length === 1) return pool[0];
  const t = s.startUs;
  if (Number.isNaN(t)) {
    ambiguous(`no start time to choose among ${pool.length} server pieces of shared span ${sharedId} on its host; placed under the first`);
    return pool[0];
  }
  let latest = -1;
  let tie = false;
  for (const v of pool) {
    const st = spans[v].startUs;
    if (!(st <= t)) continue;
    if (latest < 0 || st > spans[latest].startUs) {
      latest = v;
      tie = false;
    } else if (st === spans[latest].startUs) tie = true;
  }
  if (latest >= 0) {
    if (tie) ambiguous(`server pieces of shared span ${sharedId} on its host started at the same time; placed under the first`);
    return latest;
  }
  // It started before every piece on its host: never under a piece that began after it.
  if (clients.length) {
    ambiguous(`started before every server piece of shared span ${sharedId} on its host (clock skew?); placed under the client half`);
    return clients[0];
  }
  const earliest = pool.reduce((a, b) => (spans[b].startUs < spans[a].startUs ? b : a));
  ambiguous(`started before every server piece of shared span ${sharedId} on its host (clock skew?); placed under the earliest`);
  return earliest;
}
