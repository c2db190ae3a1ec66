/**
 * Choosing two traces to compare, from anywhere: two traces selected in the Traces view, a waterfall's
 * "Compare with…", or the command palette. The picker offers the traces open in waterfalls, the
 * recent traces of every endpoint's list, a trace id on any endpoint, and a trace file.
 */
import * as vscode from 'vscode';
import { decodeTrace } from '../shared/formats/detect';
import { normalizeTraceId, traceIdKey } from '../shared/ids';
import type { Span } from '../shared/model';
import { linkTraces } from '../shared/trace/link';
import { formatDuration } from '../shared/time';
import type { TraceSource } from '../node/sources/traceSource';
import type { CompareInput } from './comparePanel';

export interface CompareSources {
  /** The endpoints, local first. */
  all(): TraceSource[];
  /** The spans of a trace on an endpoint (the same path the waterfall loads by). */
  load(sourceId: string, traceId: string, signal?: AbortSignal): Promise<{ spans: Span[]; sourceLabel: string } | undefined>;
  /** Traces open in waterfall panels now. */
  open(): CompareInput[];
}

type Pick = vscode.QuickPickItem & { take?: () => Promise<CompareInput | undefined> };

/** A trace by endpoint and id, or a clear error. */
export async function loadInput(sources: CompareSources, sourceId: string, traceId: string): Promise<CompareInput> {
  const loaded = await sources.load(sourceId, traceId);
  if (!loaded?.spans.length) throw new Error(`${sources.all().find((s) => s.id === sourceId)?.label ?? sourceId} has no trace ${traceId}`);
  return { spans: loaded.spans, sourceId, sourceLabel: loaded.sourceLabel };
}

/**
 * Ask for one trace. `except` (the other side, when chosen) is left out of the open and recent lists,
 * so comparing a trace with itself takes a deliberate id.
 */
export async function pickTrace(sources: CompareSources, title: string, except?: CompareInput): Promise<CompareInput | undefined> {
  const exceptKey = except ? `${except.sourceId}/${traceIdKey(except.spans[0]?.traceId ?? '')}` : '';
  const items: Pick[] = [];
  const open = sources.open().filter((o) => `${o.sourceId}/${traceIdKey(o.spans[0]?.traceId ?? '')}` !== exceptKey);
  if (open.length) items.push({ label: 'Open in a waterfall', kind: vscode.QuickPickItemKind.Separator });
  for (const o of open) items.push({ label: `$(graph) ${rootLabel(o.spans)}`, description: `${o.spans[0]?.traceId ?? ''} · ${o.sourceLabel}`, detail: `${o.spans.length} spans`, take: async () => o });
  const lists = await Promise.all(
    sources.all().map(async (s) => {
      try {
        return { s, rows: await s.listTraces({ limit: 20 }, AbortSignal.timeout(10_000)) };
      } catch {
        return { s, rows: [] };
      }
    }),
  );
  for (const { s, rows } of lists) {
    const recent = rows.filter((r) => `${s.id}/${traceIdKey(r.traceId)}` !== exceptKey);
    if (!recent.length) continue;
    items.push({ label: `Recent on ${s.label}`, kind: vscode.QuickPickItemKind.Separator });
    for (const r of recent) {
      items.push({
        label: `${r.errorCount ? '$(error) ' : ''}${r.rootService || '?'}: ${r.rootName || '(unnamed)'}`,
        description: `${r.traceId} · ${s.label}`,
        detail: `${formatDuration(r.durationUs)}, ${r.spanCount} spans, ${new Date(r.updatedMs).toLocaleTimeString()}`,
        take: () => loadInput(sources, s.id, r.traceId),
      });
    }
  }
  items.push({ label: 'Other', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: '$(search) Enter a trace id…', take: () => pickById(sources) });
  items.push({ label: '$(file) From a trace file…', take: () => pickFromFile() });
  const chosen = await vscode.window.showQuickPick(items, { title, placeHolder: 'A trace to compare', matchOnDescription: true, matchOnDetail: true });
  return chosen?.take?.();
}

async function pickById(sources: CompareSources): Promise<CompareInput | undefined> {
  const raw = await vscode.window.showInputBox({ title: 'Trace id', prompt: 'A trace id: 16 or 32 hex digits', validateInput: (v) => (normalizeTraceId(v.trim()) ? undefined : 'a trace id is 1–32 hex digits') });
  const id = raw ? normalizeTraceId(raw.trim()) : undefined;
  if (!id) return undefined;
  const all = sources.all();
  const source = all.length === 1 ? all[0] : (await vscode.window.showQuickPick(all.map((s) => ({ label: s.label, description: s.kind, s })), { placeHolder: 'From which endpoint?' }))?.s;
  return source ? loadInput(sources, source.id, id) : undefined;
}

async function pickFromFile(): Promise<CompareInput | undefined> {
  const [uri] = (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'A trace file to compare', filters: { 'Trace files': ['json', 'txt', 'pb', 'bin'], 'All files': ['*'] } })) ?? [];
  return uri ? inputFromFile(uri) : undefined;
}

/** A trace from a file: the only one in it, or the one the user picks. */
export async function inputFromFile(uri: vscode.Uri): Promise<CompareInput | undefined> {
  const decoded = decodeTrace(await vscode.workspace.fs.readFile(uri));
  const traces = linkTraces(decoded.spans);
  const name = uri.path.split('/').pop() ?? uri.path;
  if (!traces.length) throw new Error(`${name} holds no spans`);
  const trace = traces.length === 1 ? traces[0] : (await vscode.window.showQuickPick(traces.map((t) => ({ label: rootLabel(t.spans), description: t.traceId, t })), { placeHolder: `${name} holds ${traces.length} traces: which one?` }))?.t;
  return trace ? { spans: [...trace.spans], sourceId: 'file', sourceLabel: name } : undefined;
}

function rootLabel(spans: readonly Span[]): string {
  const root = spans.find((s) => !s.parentId) ?? spans[0];
  return root ? `${root.service || '?'}: ${root.name || '(unnamed)'}` : '(empty trace)';
}
