/**
 * Trace statistics (Jaeger's "trace statistics"): spans grouped by service, by service and operation,
 * or by the value of any attribute, with count, total and self time, average, minimum, maximum and
 * errors per group. The CLI's `stats --json`, the statistics view and the agent tools share it.
 */
import { attrText } from '../model';
import { selfTimes } from './selfTime';
import type { Trace } from './trace';

/** `service`, `operation` (service and span name) or an attribute key (span attributes, then the resource's). */
export type GroupBy = 'service' | 'operation' | (string & {});

export interface StatsRow {
  key: string;
  count: number;
  totalUs: number;
  selfUs: number;
  avgUs: number;
  minUs: number;
  maxUs: number;
  errors: number;
}

export interface StatsDocument {
  groupBy: GroupBy;
  rows: StatsRow[];
}

/** The group a span with no value for the attribute falls in. */
export const NO_VALUE = '(no value)';

export function operationKey(service: string, name: string): string {
  return `${service || '?'}: ${name || '(unnamed)'}`;
}

/** The group of each row, for `stats` and for filtering the waterfall to a group's spans. */
export function groupKeyOf(trace: Trace, row: number, groupBy: GroupBy): string {
  const s = trace.spans[row];
  if (groupBy === 'service') return s.service || '?';
  if (groupBy === 'operation') return operationKey(s.service, s.name);
  for (const a of s.attributes) if (a.key === groupBy) return attrText(a.value);
  for (const a of s.resource) if (a.key === groupBy) return attrText(a.value);
  return NO_VALUE;
}

/** Rows sorted by self time, largest first (what a "where did the time go" question wants), then key. */
export function traceStats(trace: Trace, groupBy: GroupBy = 'service', self: Float64Array = selfTimes(trace)): StatsDocument {
  const groups = new Map<string, StatsRow>();
  for (let r = 0; r < trace.spans.length; r++) {
    const key = groupKeyOf(trace, r, groupBy);
    const d = trace.duration[r];
    let g = groups.get(key);
    if (!g) {
      g = { key, count: 0, totalUs: 0, selfUs: 0, avgUs: 0, minUs: d, maxUs: d, errors: 0 };
      groups.set(key, g);
    }
    g.count++;
    g.totalUs += d;
    g.selfUs += self[r];
    if (d < g.minUs) g.minUs = d;
    if (d > g.maxUs) g.maxUs = d;
    if (trace.spans[r].status.code === 'error') g.errors++;
  }
  const rows = [...groups.values()];
  for (const g of rows) g.avgUs = g.totalUs / g.count;
  rows.sort((a, b) => b.selfUs - a.selfUs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { groupBy, rows };
}

/** Rows of one group, in row order (to show only them in the waterfall). */
export function groupRows(trace: Trace, groupBy: GroupBy, key: string): number[] {
  const rows: number[] = [];
  for (let r = 0; r < trace.spans.length; r++) if (groupKeyOf(trace, r, groupBy) === key) rows.push(r);
  return rows;
}

/** Attribute keys worth grouping by: the most common ones of spans and resources, most common first. */
export function attributeKeys(trace: Trace, max = 40): string[] {
  const counts = new Map<string, number>();
  // A sample is enough to name the common keys of a big trace.
  const step = Math.max(1, Math.floor(trace.spans.length / 20_000));
  for (let r = 0; r < trace.spans.length; r += step) {
    const s = trace.spans[r];
    for (const a of s.attributes) counts.set(a.key, (counts.get(a.key) ?? 0) + 1);
    for (const a of s.resource) counts.set(a.key, (counts.get(a.key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, max).map(([k]) => k);
}
