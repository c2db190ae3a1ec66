/**
 * The comparison of two traces in a webview panel: the merged tree of service/operation paths with
 * each node's change, and the two traces side by side. A node's spans in A and B are listed on
 * request; each opens in the waterfall, or at its source. A and B may come from any endpoints, files
 * or formats: the panel gets spans, already decoded into the one trace model.
 */
import * as vscode from 'vscode';
import type { CompareReplyMap, CompareRequest, FromCompareWebview, ToCompareWebview } from '../shared/compareProtocol';
import type { Span } from '../shared/model';
import { sourceRefsOfSpan } from '../shared/source/spanSources';
import { compareTraces, type Comparison } from '../shared/trace/compare';
import { compareMessage, nodeSpans, type CompareSideData } from '../shared/trace/compareView';
import { linkTrace } from '../shared/trace/link';
import type { Trace } from '../shared/trace/trace';
import type { SourceOpener } from './sourceOpener';
import { compareHtml } from './webviewHtml';

export const COMPARE_VIEW_TYPE = 'traceExplorer.compare';

/** One side of a comparison: spans of one trace and where they came from. */
export interface CompareInput {
  spans: Span[];
  sourceId: string;
  sourceLabel: string;
}

export interface CompareDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  opener: SourceOpener;
  /** Open one side's trace in the waterfall with a span selected. */
  openInWaterfall(side: CompareInput, spanId: string): Promise<unknown>;
}

interface Side {
  input: CompareInput;
  trace: Trace;
}

export class ComparePanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private a: Side;
  private b: Side;
  private comparison: Comparison;
  private ready = false;

  /** The comparison opened last and still open (the test API and "reveal" ask for it). */
  static latest: ComparePanel | undefined;

  /** Compare two traces in a new panel beside the active editor. */
  static show(deps: CompareDeps, a: CompareInput, b: CompareInput): ComparePanel {
    const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, 'Compare traces', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'dist'), vscode.Uri.joinPath(deps.extensionUri, 'media')],
    });
    ComparePanel.latest = new ComparePanel(deps, panel, a, b);
    return ComparePanel.latest;
  }

  private constructor(
    private readonly deps: CompareDeps,
    readonly panel: vscode.WebviewPanel,
    a: CompareInput,
    b: CompareInput,
  ) {
    this.a = side(a);
    this.b = side(b);
    const t0 = performance.now();
    this.comparison = compareTraces(this.a.trace, this.b.trace);
    deps.log.info(`compare: ${this.a.trace.traceId} (${a.spans.length} spans) with ${this.b.trace.traceId} (${b.spans.length} spans): ${this.comparison.nodes.length} nodes in ${Math.round(performance.now() - t0)} ms`);
    panel.title = titleOf(this.a, this.b);
    panel.webview.html = compareHtml(panel.webview, deps.extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: FromCompareWebview) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** What the comparison found, for tests and for a command's result (never the whole panel). */
  toJSON(): { a: string; b: string; nodes: number } {
    return { a: this.a.trace.traceId, b: this.b.trace.traceId, nodes: this.comparison.nodes.length };
  }

  get result(): Comparison {
    return this.comparison;
  }

  /** Open a span of one side (a row of its linked trace) in the waterfall, selected. */
  async open(which: 'a' | 'b', row: number): Promise<unknown> {
    const s = which === 'a' ? this.a : this.b;
    if (!s.trace.spans[row]) throw new Error('that span is not in the trace');
    return this.deps.openInWaterfall(s.input, s.trace.uid[row]);
  }

  private post(m: ToCompareWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(m);
  }

  private send(): void {
    void this.post(compareMessage(this.comparison, this.sideData(this.a), this.sideData(this.b)));
  }

  private sideData(s: Side): CompareSideData {
    return { trace: s.trace, sourceLabel: s.input.sourceLabel };
  }

  private onMessage(m: FromCompareWebview): void {
    if (m.type === 'ready') {
      this.ready = true;
      this.send();
      return;
    }
    if (m.type !== 'request') return;
    this.answer(m.request).then(
      (value) => this.post({ type: 'reply', requestId: m.requestId, ok: true, value }),
      (e: unknown) => this.post({ type: 'reply', requestId: m.requestId, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  }

  private async answer(r: CompareRequest): Promise<CompareReplyMap[CompareRequest['action']]> {
    switch (r.action) {
      case 'spans':
        return nodeSpans(this.comparison, r.node, this.sideData(this.a), this.sideData(this.b));
      case 'open':
        await this.open(r.side, r.row);
        return { opened: true };
      case 'openSource': {
        const span = (r.side === 'a' ? this.a : this.b).trace.spans[r.row];
        const ref = span ? sourceRefsOfSpan(span)[0] : undefined;
        if (!ref) throw new Error('this span names no source location (no code.* attributes or stack frames)');
        return { opened: await this.deps.opener.open(ref.path, ref.line, ref.column) };
      }
      case 'swap': {
        [this.a, this.b] = [this.b, this.a];
        this.comparison = compareTraces(this.a.trace, this.b.trace);
        this.panel.title = titleOf(this.a, this.b);
        if (this.ready) this.send();
        return {};
      }
    }
  }

  dispose(): void {
    if (ComparePanel.latest === this) ComparePanel.latest = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function side(input: CompareInput): Side {
  return { input, trace: linkTrace(input.spans) };
}

function titleOf(a: Side, b: Side): string {
  return `Compare ${a.trace.traceId.slice(0, 8)} ↔ ${b.trace.traceId.slice(0, 8)}`;
}
