/**
 * The Traces view: endpoints → recent traces → the trace's spans. Items have stable ids and parents so
 * `reveal` works; a failed refresh leaves the traces already shown in place with an error row on top.
 */
import * as vscode from 'vscode';
import type { Span } from '../shared/model';
import type { TraceSummaryRow } from '../shared/store/traceStore';
import { linkTrace } from '../shared/trace/link';
import type { Trace } from '../shared/trace/trace';
import { formatDuration } from '../shared/time';
import type { SearchQuery, TraceSource } from '../node/sources/traceSource';
import { describeFilter } from './filterPicker';

export type Node =
  | { kind: 'endpoint'; source: TraceSource }
  | { kind: 'trace'; source: TraceSource; row: TraceSummaryRow }
  | { kind: 'span'; source: TraceSource; traceId: string; row: number; trace: Trace }
  | { kind: 'message'; source: TraceSource; text: string; error: boolean; command?: string };

interface EndpointState {
  rows: TraceSummaryRow[];
  error?: string;
  loadedAt?: number;
}

export class TracesTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly state = new Map<string, EndpointState>();
  private readonly linked = new Map<string, Trace>();
  private readonly endpointNodes = new Map<string, Node>();
  /** The filter of each endpoint, by source id; kept across reloads of the settings. */
  private readonly filters = new Map<string, SearchQuery>();

  /** Told about every trace the tree loads (the code→traces index listens). */
  onTraceLoaded?: (sourceId: string, spans: readonly Span[]) => void;

  constructor(private sources: TraceSource[]) {}

  setSources(sources: TraceSource[]): void {
    this.sources = sources;
    this.endpointNodes.clear();
    this.state.clear();
    this.linked.clear();
    this.changed.fire(undefined);
  }

  refresh(source?: TraceSource): void {
    if (source) this.state.delete(source.id);
    else this.state.clear();
    this.linked.clear();
    this.changed.fire(source ? this.endpointNode(source) : undefined);
  }

  filter(sourceId: string): SearchQuery {
    return this.filters.get(sourceId) ?? {};
  }

  setFilter(source: TraceSource, query: SearchQuery): void {
    this.filters.set(source.id, query);
    this.refresh(source);
  }

  endpointNode(source: TraceSource): Node {
    let n = this.endpointNodes.get(source.id);
    if (!n) {
      n = { kind: 'endpoint', source };
      this.endpointNodes.set(source.id, n);
    }
    return n;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'endpoint': {
        const item = new vscode.TreeItem(node.source.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `endpoint:${node.source.id}`;
        item.iconPath = new vscode.ThemeIcon(node.source.kind === 'local' ? 'radio-tower' : 'server');
        const st = this.state.get(node.source.id);
        const filter = describeFilter(this.filter(node.source.id), node.source);
        const count = st?.error ? 'error' : st ? `${st.rows.length} trace${st.rows.length === 1 ? '' : 's'}` : '';
        const status = node.source.statusLine?.() ?? '';
        item.description = [count, status, filter && `filter: ${filter}`].filter(Boolean).join(' · ');
        item.tooltip = `${node.source.describe()}${filter ? `\nFilter: ${filter}` : ''}`;
        item.contextValue = `endpoint.${node.source.kind}${filter ? '.filtered' : ''}`;
        // A stable accessible name: a string tooltip would otherwise become the row's label.
        item.accessibilityInformation = { label: [node.source.label, item.description].filter(Boolean).join(', ') };
        return item;
      }
      case 'trace': {
        const r = node.row;
        const label = `${r.rootService || '?'}: ${r.rootName || '(root not received)'}`;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `trace:${node.source.id}:${r.traceId}`;
        item.description = `${formatDuration(r.durationUs)} · ${r.spanCount} span${r.spanCount === 1 ? '' : 's'} · ${age(r.startUs)}`;
        item.iconPath = new vscode.ThemeIcon(r.errorCount ? 'error' : 'pulse', r.errorCount ? new vscode.ThemeColor('errorForeground') : undefined);
        item.contextValue = 'trace';
        // A stable accessible name (the tooltip would otherwise become the row's label for screen readers).
        item.accessibilityInformation = { label: `${label}, ${item.description}${r.errorCount ? `, ${r.errorCount} errors` : ''}` };
        const md = new vscode.MarkdownString(undefined, true);
        md.appendText(`Trace ${r.traceId}\n${r.spanCount} spans in ${formatDuration(r.durationUs)}, services: ${r.services.join(', ')}${r.errorCount ? `\n${r.errorCount} errors` : ''}`);
        item.tooltip = md;
        // Arguments are primitives: VS Code serializes a command's arguments into every tree reply, and a
        // node holds its endpoint (with the local store's spans), which took seconds per click at 100k spans.
        item.command = { command: 'traceExplorer.previewTrace', title: 'Open Trace', arguments: [node.source.id, r.traceId] };
        return item;
      }
      case 'span': {
        const s = node.trace.spans[node.row];
        const hasKids = node.trace.childCount[node.row] > 0;
        const item = new vscode.TreeItem(s.name || '(unnamed)', hasKids ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `span:${node.source.id}:${node.traceId}:${node.trace.uid[node.row]}`;
        item.description = `${s.service || '?'} · ${formatDuration(node.trace.duration[node.row])}`;
        item.iconPath = new vscode.ThemeIcon(s.status.code === 'error' ? 'error' : 'symbol-event', s.status.code === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
        item.contextValue = 'span';
        item.accessibilityInformation = { label: `${s.name}, ${item.description}` };
        item.command = { command: 'traceExplorer.previewTrace', title: 'Show in Waterfall', arguments: [node.source.id, node.traceId, node.trace.uid[node.row]] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = `message:${node.source.id}:${node.text}`;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info');
        item.tooltip = node.text;
        item.contextValue = node.error ? 'error' : 'message';
        if (node.command) item.command = { command: node.command, title: node.text };
        return item;
      }
    }
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return this.sources.map((s) => this.endpointNode(s));
    if (node.kind === 'endpoint') return this.traceNodes(node.source);
    if (node.kind === 'trace') {
      const trace = await this.linkedTrace(node.source, node.row.traceId);
      if (!trace) return [{ kind: 'message', source: node.source, text: 'This trace is no longer available.', error: true }];
      const roots: Node[] = [];
      for (let r = 0; r < trace.spans.length; r = trace.subtreeEnd[r]) roots.push({ kind: 'span', source: node.source, traceId: node.row.traceId, row: r, trace });
      return roots;
    }
    if (node.kind === 'span') {
      const kids: Node[] = [];
      for (let r = node.row + 1; r < node.trace.subtreeEnd[node.row]; r = node.trace.subtreeEnd[r]) kids.push({ ...node, row: r });
      return kids;
    }
    return [];
  }

  getParent(node: Node): Node | undefined {
    if (node.kind === 'endpoint') return undefined;
    if (node.kind === 'trace' || node.kind === 'message') return this.endpointNode(node.source);
    const p = node.trace.parent[node.row];
    if (p >= 0) return { ...node, row: p };
    const row = this.state.get(node.source.id)?.rows.find((r) => r.traceId === node.traceId);
    return row ? { kind: 'trace', source: node.source, row } : this.endpointNode(node.source);
  }

  private async traceNodes(source: TraceSource): Promise<Node[]> {
    let st = this.state.get(source.id);
    if (!st) {
      const previous = this.lastRows.get(source.id) ?? [];
      try {
        const query = this.filter(source.id);
        const rows = await vscode.window.withProgress({ location: { viewId: 'traceExplorer.traces' } }, () => source.listTraces(query));
        st = { rows, loadedAt: Date.now() };
      } catch (e) {
        // Keep what was shown before, with the error on top.
        st = { rows: previous, error: e instanceof Error ? e.message : String(e) };
      }
      this.state.set(source.id, st);
      this.lastRows.set(source.id, st.rows);
    }
    const nodes: Node[] = [];
    // A state worth saying instead (a take-over of the shared receiver, a foreign program on its port).
    const notice = source.notice?.();
    if (notice) nodes.push({ kind: 'message', source, text: notice.text, error: notice.warning, ...(notice.command ? { command: notice.command } : {}) });
    if (st.error && !notice) nodes.push({ kind: 'message', source, text: st.error, error: true });
    if (!st.rows.length && !st.error && !notice) {
      nodes.push({ kind: 'message', source, text: source.kind === 'local' ? 'No traces yet: point an SDK at the local receiver or send a sample span.' : 'No recent traces.', error: false });
    }
    for (const row of st.rows) nodes.push({ kind: 'trace', source, row });
    return nodes;
  }
  private readonly lastRows = new Map<string, TraceSummaryRow[]>();

  private async linkedTrace(source: TraceSource, traceId: string): Promise<Trace | undefined> {
    const key = `${source.id}/${traceId}`;
    let t = this.linked.get(key);
    if (!t) {
      const spans: Span[] | undefined = await source.getTrace(traceId);
      if (!spans?.length) return undefined;
      this.onTraceLoaded?.(source.id, spans);
      t = linkTrace(spans);
      this.linked.set(key, t);
    }
    return t;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function age(startUs: number): string {
  const s = Math.max(0, (Date.now() - startUs / 1000) / 1000);
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 86400 * 60) return `${Math.floor(s / 86400)} d ago`;
  return new Date(startUs / 1000).toISOString().slice(0, 10);
}
