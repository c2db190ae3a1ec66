/**
 * Trace ids in free text (log lines, terminal output): a 32-digit hex id is always a candidate; a
 * 16-digit one only next to a word like trace_id, since 16 hex digits alone are too often something else.
 */
const ID32 = /(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])/g;
const ID16 = /(?:trace[_.\- ]?id|traceID|trace)["'\s:=]{1,4}(?:0x)?([0-9a-f]{16})(?![0-9a-fA-F])/gi;

export interface FoundId {
  id: string;
  start: number;
  length: number;
}

/** Trace ids in a line or a document, with their offsets. Pure, for both providers and tests. */
export function findTraceIds(text: string, max = 500): FoundId[] {
  const out: FoundId[] = [];
  for (const m of text.matchAll(ID32)) {
    // All zeros is no trace; a hash of 32 digits that is all decimal is usually a number.
    if (/^0+$/.test(m[0]) || /^\d+$/.test(m[0])) continue;
    out.push({ id: m[0], start: m.index!, length: 32 });
    if (out.length >= max) return out;
  }
  for (const m of text.matchAll(ID16)) {
    const id = m[1];
    if (/^0+$/.test(id)) continue;
    out.push({ id: id.toLowerCase(), start: m.index! + m[0].length - id.length, length: 16 });
    if (out.length >= max) break;
  }
  return out.sort((a, b) => a.start - b.start);
}
