/**
 * Filters for an endpoint's recent traces, set through quick picks that suggest real values from the
 * backend (services, operations, tag names and values). One menu, one filter at a time, until Apply.
 */
import * as vscode from 'vscode';
import type { SearchQuery, TraceSource } from '../node/sources/traceSource';
import { formatDuration, parseDurationInput } from '../shared/time';
import { signalOf } from './endpoints';

const LOOKBACKS: Array<[string, number]> = [
  ['last 15 minutes', 15 * 60_000],
  ['last hour', 3_600_000],
  ['last 6 hours', 6 * 3_600_000],
  ['last 24 hours', 24 * 3_600_000],
  ['last 7 days', 7 * 24 * 3_600_000],
];

/** One line for the endpoint row: what the filter restricts, or '' when it restricts nothing. */
export function describeFilter(q: SearchQuery): string {
  const parts: string[] = [];
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

async function suggest(title: string, load: (signal?: AbortSignal) => Promise<string[]>, current?: string): Promise<string | undefined | null> {
  const qp = vscode.window.createQuickPick();
  qp.title = title;
  qp.placeholder = 'Type a value or choose one the backend knows (Escape: back)';
  qp.busy = true;
  const cts = new vscode.CancellationTokenSource();
  const values = load(signalOf(cts.token)).catch((e: unknown) => {
    qp.placeholder = `No suggestions (${e instanceof Error ? e.message : String(e)}); type a value`;
    return [] as string[];
  });
  const clear = current ? [{ label: '$(close) Any', description: `clear "${current}"`, value: '' }] : [];
  const itemsFor = (typed: string): Array<vscode.QuickPickItem & { value: string }> => {
    const typedItem = typed && !known.includes(typed) ? [{ label: typed, description: 'as typed', value: typed }] : [];
    return [...typedItem, ...clear, ...known.map((v) => ({ label: v, value: v }))];
  };
  let known: string[] = [];
  qp.items = itemsFor('');
  void values.then((v) => {
    known = v;
    qp.items = itemsFor(qp.value);
    qp.busy = false;
  });
  qp.onDidChangeValue((v) => (qp.items = itemsFor(v)));
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] as (vscode.QuickPickItem & { value: string }) | undefined;
      resolve(item ? item.value : qp.value);
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
      { label: '$(check) Apply', description: describeFilter(q) || 'no filter', action: 'apply' },
      { label: '$(server-process) Service', description: q.service ?? 'any', action: 'service' },
      { label: '$(symbol-method) Operation', description: q.operation ?? 'any', action: 'operation' },
      { label: '$(watch) Min duration', description: q.minDurationUs !== undefined ? formatDuration(q.minDurationUs) : 'none', action: 'min' },
      { label: '$(watch) Max duration', description: q.maxDurationUs !== undefined ? formatDuration(q.maxDurationUs) : 'none', action: 'max' },
      { label: '$(tag) Tag', description: Object.entries(q.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || 'none', action: 'tag' },
      ...(source.kind === 'tempo' ? [{ label: '$(filter) TraceQL', description: q.traceql ?? 'none (built from the filters above)', action: 'traceql' as const }] : []),
      { label: '$(history) Time range', description: q.lookbackMs !== undefined ? describeFilter({ lookbackMs: q.lookbackMs }) : source.kind === 'local' ? 'everything kept' : 'last hour', action: 'range' },
      { label: '$(list-ordered) Limit', description: String(q.limit ?? 'default'), action: 'limit' },
      { label: '$(clear-all) Clear all filters', action: 'clear' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Filter ${source.label}`, placeHolder: 'Choose what to filter by, then Apply' });
    if (!pick) return undefined;
    switch (pick.action) {
      case 'apply':
        if (q.tags && !Object.keys(q.tags).length) delete q.tags;
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
        const name = await suggest('Tag name', async (s) => (source.tagNames ? source.tagNames(s) : []));
        if (!name) break;
        const value = await suggest(`Value of ${name}`, async (s) => (source.tagValues ? source.tagValues(name, s) : []));
        if (value === null || value === undefined) break;
        q.tags = { ...(q.tags ?? {}) };
        if (value === '' && name in q.tags) delete q.tags[name];
        else q.tags[name] = value;
        break;
      }
      case 'traceql': {
        const text = await vscode.window.showInputBox({ title: 'TraceQL', value: q.traceql ?? '{ }', prompt: 'e.g. { resource.service.name = "api" && status = error } (empty: none)' });
        if (text !== undefined) q.traceql = text.trim() || undefined;
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
