/**
 * Filters for an endpoint's recent traces, set through quick picks that suggest real values from the
 * backend (services, operations, tag names and values). One menu, one filter at a time, until Apply.
 */
import * as vscode from 'vscode';
import { TempoSource } from '../node/sources/tempoSource';
import type { SearchQuery, TraceSource } from '../node/sources/traceSource';
import { guessValueType, INTRINSICS, intrinsicType, isTempoValueType, KEYWORDS, traceqlField, traceqlLiteral } from '../shared/query/traceql';
import { formatDuration, parseDurationInput } from '../shared/time';
import { signalOf } from './endpoints';

const LOOKBACKS: Array<[string, number]> = [
  ['last 15 minutes', 15 * 60_000],
  ['last hour', 3_600_000],
  ['last 6 hours', 6 * 3_600_000],
  ['last 24 hours', 24 * 3_600_000],
  ['last 7 days', 7 * 24 * 3_600_000],
];

/** What a search of this source sends when nothing is chosen, for the Time range item. */
function defaultRange(source: TraceSource): string {
  switch (source.kind) {
    case 'local':
      return 'everything kept';
    case 'tempo':
      return 'recent data not yet flushed (Tempo\u2019s default; no range sent)';
    case 'zipkin':
      return 'Zipkin\u2019s default lookback';
    case 'jaeger':
      return 'Jaeger\u2019s default';
  }
}

/**
 * One line for the endpoint row: what the filter restricts, or '' when it restricts nothing. For Tempo
 * it is the TraceQL the search sends, since that is what decides what matches.
 */
export function describeFilter(q: SearchQuery, source?: Pick<TraceSource, 'queryText'>): string {
  const parts: string[] = [];
  const restricts = !!(q.traceql || q.service || q.operation || q.minDurationUs !== undefined || q.maxDurationUs !== undefined || Object.keys(q.tags ?? {}).length);
  if (source?.queryText && restricts) {
    parts.push(source.queryText(q));
    if (q.lookbackMs !== undefined) parts.push(LOOKBACKS.find(([, ms]) => ms === q.lookbackMs)?.[0] ?? `last ${formatDuration(q.lookbackMs * 1000)}`);
    if (q.limit !== undefined) parts.push(`limit ${q.limit}`);
    return parts.join(', ');
  }
  if (q.traceql) parts.push(q.traceql);
  if (q.service) parts.push(`service=${q.service}`);
  if (q.operation) parts.push(`op=${q.operation}`);
  if (q.minDurationUs !== undefined) parts.push(`≥${formatDuration(q.minDurationUs)}`);
  if (q.maxDurationUs !== undefined) parts.push(`≤${formatDuration(q.maxDurationUs)}`);
  for (const [k, v] of Object.entries(q.tags ?? {})) parts.push(v ? `${k}=${v}` : k);
  if (q.lookbackMs !== undefined) parts.push(LOOKBACKS.find(([, ms]) => ms === q.lookbackMs)?.[0] ?? `last ${formatDuration(q.lookbackMs * 1000)}`);
  if (q.limit !== undefined) parts.push(`limit ${q.limit}`);
  return parts.join(', ');
}

interface Suggestion {
  value: string;
  /** Tempo's type of the value (int, bool, keyword, …), shown beside it. */
  type?: string;
}

async function suggest(title: string, load: (signal?: AbortSignal) => Promise<Array<string | Suggestion>>, current?: string): Promise<string | undefined | null> {
  return (await suggestTyped(title, load, current))?.value ?? null;
}

/** A quick pick of values the backend knows (typed where it says), or one typed in; null when dismissed. */
async function suggestTyped(title: string, load: (signal?: AbortSignal) => Promise<Array<string | Suggestion>>, current?: string): Promise<Suggestion | null> {
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: string; type?: string }>();
  qp.title = title;
  qp.placeholder = 'Type a value or choose one the backend knows (Escape: back)';
  qp.busy = true;
  const cts = new vscode.CancellationTokenSource();
  const values = load(signalOf(cts.token)).catch((e: unknown) => {
    qp.placeholder = `No suggestions (${e instanceof Error ? e.message : String(e)}); type a value`;
    return [] as Suggestion[];
  });
  const clear = current ? [{ label: '$(close) Any', description: `clear "${current}"`, value: '' }] : [];
  let known: Suggestion[] = [];
  const itemsFor = (typed: string): Array<vscode.QuickPickItem & { value: string; type?: string }> => {
    const typedItem = typed && !known.some((k) => k.value === typed) ? [{ label: typed, description: 'as typed', value: typed }] : [];
    return [...typedItem, ...clear, ...known.map((v) => ({ label: v.value, value: v.value, type: v.type, ...(v.type ? { description: v.type } : {}) }))];
  };
  qp.items = itemsFor('');
  void values.then((v) => {
    known = v.map((x) => (typeof x === 'string' ? { value: x } : x));
    qp.items = itemsFor(qp.value);
    qp.busy = false;
  });
  qp.onDidChangeValue((v) => (qp.items = itemsFor(v)));
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0];
      resolve(item ? { value: item.value, ...(item.type ? { type: item.type } : {}) } : { value: qp.value });
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(null);
      cts.cancel();
      cts.dispose();
      qp.dispose();
    });
    qp.show();
  });
}

/** Show the filter menu; resolves with the new filter, or undefined when cancelled. */
export async function pickFilter(source: TraceSource, current: SearchQuery): Promise<SearchQuery | undefined> {
  let q: SearchQuery = { ...current, tags: { ...(current.tags ?? {}) } };
  for (;;) {
    type Action = 'apply' | 'service' | 'operation' | 'min' | 'max' | 'tag' | 'traceql' | 'range' | 'limit' | 'clear';
    const items: Array<vscode.QuickPickItem & { action: Action }> = [
      { label: '$(check) Apply', description: describeFilter(q, source) || 'no filter', action: 'apply' },
      { label: '$(server-process) Service', description: q.service ?? 'any', action: 'service' },
      { label: '$(symbol-method) Operation', description: q.operation ?? 'any', action: 'operation' },
      { label: '$(watch) Min duration', description: q.minDurationUs !== undefined ? formatDuration(q.minDurationUs) : 'none', action: 'min' },
      { label: '$(watch) Max duration', description: q.maxDurationUs !== undefined ? formatDuration(q.maxDurationUs) : 'none', action: 'max' },
      { label: '$(tag) Tag', description: Object.entries(q.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || 'none', action: 'tag' },
      ...(source.queryText ? [{ label: '$(filter) TraceQL (edit what is sent)', description: q.traceql ?? source.queryText(q), detail: q.traceql ? 'your own query: it replaces the filters above' : 'built from the filters above', action: 'traceql' as const }] : []),
      { label: '$(history) Time range', description: q.lookbackMs !== undefined ? describeFilter({ lookbackMs: q.lookbackMs }) : defaultRange(source), action: 'range' },
      { label: '$(list-ordered) Limit', description: String(q.limit ?? 'default'), action: 'limit' },
      { label: '$(clear-all) Clear all filters', action: 'clear' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Filter ${source.label}`, placeHolder: 'Choose what to filter by, then Apply' });
    if (!pick) return undefined;
    switch (pick.action) {
      case 'apply':
        if (q.tags && !Object.keys(q.tags).length) delete q.tags;
        if (q.tagTypes && !Object.keys(q.tagTypes).length) delete q.tagTypes;
        return q;
      case 'clear':
        q = {};
        break;
      case 'service': {
        const v = await suggest('Service', (s) => source.services(s), q.service);
        if (v !== null) q.service = v || undefined;
        break;
      }
      case 'operation': {
        const v = await suggest(`Operation${q.service ? ` of ${q.service}` : ''}`, async (s) => (q.service ? source.operations(q.service, s) : []), q.operation);
        if (v !== null) q.operation = v || undefined;
        break;
      }
      case 'min':
      case 'max': {
        const key = pick.action === 'min' ? 'minDurationUs' : 'maxDurationUs';
        const v = await vscode.window.showInputBox({ title: pick.action === 'min' ? 'Min duration' : 'Max duration', prompt: 'e.g. 100ms, 1.5s, 250us (empty: none)', validateInput: (t) => (t.trim() === '' || parseDurationInput(t) !== undefined ? undefined : 'a duration like 100ms, 2s or 250us') });
        if (v !== undefined) q[key] = v.trim() ? parseDurationInput(v) : undefined;
        break;
      }
      case 'tag': {
        const name = await suggest('Tag name', (s) => tagNameSuggestions(source, s));
        if (!name) break;
        const picked = await suggestTyped(`Value of ${name}`, (s) => tagValueSuggestions(source, name, s));
        if (!picked) break;
        q.tags = { ...(q.tags ?? {}) };
        q.tagTypes = { ...(q.tagTypes ?? {}) };
        if (picked.value === '') {
          delete q.tags[name];
          delete q.tagTypes[name];
          break;
        }
        if (source.kind === 'tempo') {
          // TraceQL compares typed values: a value Tempo typed keeps its type; one typed in takes its look.
          const field = traceqlField(name);
          const type = intrinsicType(field) ?? (picked.type && isTempoValueType(picked.type) ? picked.type : guessValueType(picked.value));
          try {
            traceqlLiteral(picked.value, type, field);
          } catch (e) {
            void vscode.window.showWarningMessage(`Trace Explorer: ${(e as Error).message}`);
            break;
          }
          q.tagTypes[name] = type;
        }
        q.tags[name] = picked.value;
        break;
      }
      case 'traceql': {
        // Start from what would be sent, so the user edits the real query.
        const text = await vscode.window.showInputBox({
          title: 'TraceQL sent to Tempo',
          value: q.traceql ?? source.queryText?.(q) ?? '{}',
          prompt: 'e.g. { resource.service.name = "api" && status = error } with (most_recent=true). Empty: build it from the filters again',
        });
        if (text === undefined) break;
        const built = source.queryText?.({ ...q, traceql: undefined });
        q.traceql = text.trim() && text.trim() !== built ? text.trim() : undefined;
        break;
      }
      case 'range': {
        const r = await vscode.window.showQuickPick([...LOOKBACKS.map(([label, ms]) => ({ label, ms })), { label: 'default', ms: undefined }], { title: 'Time range' });
        if (r) q.lookbackMs = r.ms;
        break;
      }
      case 'limit': {
        const v = await vscode.window.showInputBox({ title: 'Limit', prompt: 'How many traces to list (1–1000; empty: default)', validateInput: (t) => (t.trim() === '' || (/^\d+$/.test(t.trim()) && +t >= 1 && +t <= 1000) ? undefined : 'a number from 1 to 1000') });
        if (v !== undefined) q.limit = v.trim() ? Number(v) : undefined;
        break;
      }
    }
  }
}

/** Tag names the backend lists; for Tempo, also every intrinsic (bare) even before data has them. */
async function tagNameSuggestions(source: TraceSource, signal?: AbortSignal): Promise<Suggestion[]> {
  const names = source.tagNames ? await source.tagNames(signal) : [];
  const all = source.kind === 'tempo' ? [...new Set([...names, ...Object.keys(INTRINSICS)])].sort() : names;
  return all.map((value) => (source.kind === 'tempo' && value in INTRINSICS ? { value, type: 'intrinsic' } : { value }));
}

/** Values with Tempo's type for each; the keywords of status and kind even when the backend lists none. */
async function tagValueSuggestions(source: TraceSource, name: string, signal?: AbortSignal): Promise<Suggestion[]> {
  if (source instanceof TempoSource) {
    const keywords = KEYWORDS[name];
    if (keywords) return keywords.map((value) => ({ value, type: 'keyword' }));
    return source.typedTagValues(name, signal);
  }
  return source.tagValues ? (await source.tagValues(name, signal)).map((value) => ({ value })) : [];
}
