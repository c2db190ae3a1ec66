/**
 * The host side of a waterfall: one webview panel per trace (one preview panel shared by clicks in the
 * Traces view), fed each trace as a load of binary row chunks (`waterfallRows`) and then answering the
 * webview's requests (details, search, copy, open source, skew toggle). Panels come back after a
 * reload through the serializer, which re-reads the trace from its source.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { encodeSpans } from '../shared/formats/encode';
import type { EncodeFormat, Span } from '../shared/model';
import type { FromWebview, ReplyMap, Request, ToWebview } from '../shared/protocol';
import { linkTraceInSteps, traceIdOfSpans } from '../shared/trace/link';
import { Stretches } from './stretches';
import { emptyTrace } from '../shared/trace/trace';
import { searchTrace } from '../shared/trace/search';
import { SearchIndex } from '../shared/trace/searchIndex';
import { selfTimes } from '../shared/trace/selfTime';
import { attributeKeys, groupRows, traceStats } from '../shared/trace/stats';
import type { Trace } from '../shared/trace/trace';
import { spanDetails } from '../shared/trace/waterfall';
import { planRows, sendRows } from '../shared/trace/waterfallRows';
import { withDelayedProgress } from './progress';
import type { SourceOpener } from './sourceOpener';
import { waterfallHtml } from './webviewHtml';

export const WATERFALL_VIEW_TYPE = 'traceExplorer.waterfall';

interface PanelState {
  traceId: string;
  sourceId: string;
}

export interface WaterfallDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  opener: SourceOpener;
  /** Spans of a trace from a source, for revival after a window reload and for "Reload". */
  load(sourceId: string, traceId: string, signal?: AbortSignal): Promise<{ spans: Span[]; sourceLabel: string; incomplete?: string } | undefined>;
  /** Journey 3 from the waterfall: post these spans again (the user picks endpoint and mode). */
  sendAgain(spans: readonly Span[], label: string): Promise<boolean>;
  /** "Compare with…": compare this trace with one the user picks; false when none was picked. */
  compareWith(a: { spans: Span[]; sourceId: string; sourceLabel: string }): Promise<boolean>;
}

/** Below this many spans a plain scan answers a search quickly enough (about 0.15 s at 100,000). */
const SEARCH_INDEX_MIN_ROWS = 50_000;

/** How long a revived panel waits for its page before reading its trace back anyway. */
const REVIVE_WAIT_MS = 3000;

export class WaterfallPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, WaterfallPanel>();
  private trace: Trace;
  private adjustSkew: boolean;
  private ready = false;
  /** The current load's longest synchronous steps, for the log. */
  private stretches = new Stretches();
  /** A revived panel waits for its page before reading its trace back. */
  private onReady: (() => void) | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly createdAt = performance.now();
  /** The newest load sent to the webview; an older one still sending stops. */
  private loadId = 0;
  /** The newest link started, and the one whose trace is on show (0: none yet, nothing to post). */
  private linkSeq = 0;
  private linkedSeq = 0;
  private disposed = false;
  /** Self times of the trace on show, once statistics were asked for. */
  private selfTimes: { trace: Trace; self: Float64Array } | undefined;
  /** The search index of the trace on show, once built (big traces only). */
  private searchIndex: SearchIndex | undefined;
  /** The index being built, and for which trace. */
  private indexing: { trace: Trace; done: Promise<void> } | undefined;
  /** Why the backend's answer is not the whole trace, when it said so. */
  incomplete: string | undefined;

  /** Event-loop delays since the latest show() began, reported and stopped when its trace has been sent. */
  private static blockMonitor: IntervalHistogram | undefined;

  /** The panel the next preview may take over: opened as a preview and not clicked in since. */
  private static preview: WaterfallPanel | undefined;

  /**
   * Show a trace, reusing its panel when it is already open. A preview (a click in the Traces view)
   * takes over the current preview panel instead of opening another, like VS Code's preview editors:
   * browsing trace after trace leaves one tab, and the webview is not created again (in VS Code for
   * the Web that alone costs about a second). A panel stops being the preview once clicked in.
   */
  static async show(deps: WaterfallDeps, spans: Span[], sourceId: string, sourceLabel: string, selectSpanId?: string, incomplete?: string, preview = false): Promise<WaterfallPanel | undefined> {
    const refusal = tooBig(spans.length);
    if (refusal) {
      deps.log.warn(`waterfall: ${refusal}`);
      void vscode.window.showWarningMessage(`Trace Explorer: ${refusal}`, 'Open Settings').then((pick) => pick && vscode.commands.executeCommand('workbench.action.openSettings', 'traceExplorer.waterfall.maxSpans'));
      return undefined;
    }
    // How long the event loop was held at a time while the trace was prepared and sent: the log says.
    const blocks = monitorEventLoopDelay({ resolution: 10 });
    blocks.enable();
    WaterfallPanel.blockMonitor?.disable();
    WaterfallPanel.blockMonitor = blocks;
    const traceId = traceIdOfSpans(spans);
    const existing = WaterfallPanel.panels.get(`${sourceId}/${traceId}`) ?? (preview && previewEnabled() ? WaterfallPanel.preview : undefined);
    if (existing && !existing.disposed) {
      existing.panel.reveal();
      await existing.retarget(spans, sourceId, sourceLabel, selectSpanId, incomplete);
      return existing;
    }
    // The webview starts loading now, while the trace is linked: the two overlap.
    const panel = vscode.window.createWebviewPanel(WATERFALL_VIEW_TYPE, `Trace ${traceId.slice(0, 8)}`, vscode.ViewColumn.Active, options(deps.extensionUri));
    const created = new WaterfallPanel(deps, panel, spans, emptyTrace(traceId), sourceId, sourceLabel);
    if (preview && previewEnabled()) WaterfallPanel.preview = created;
    await created.update(spans, selectSpanId, incomplete);
    return created;
  }

  static register(deps: WaterfallDeps): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(WATERFALL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        panel.webview.options = options(deps.extensionUri); // the extension's path may have changed
        const s = state as Partial<PanelState> | undefined;
        if (!s?.traceId || !s.sourceId) {
          panel.webview.html = waterfallHtml(panel.webview, deps.extensionUri);
          void panel.webview.postMessage({ type: 'failed', message: 'This trace panel was saved without its trace; open the trace again from the Traces view.' } satisfies ToWebview);
          return;
        }
        // VS Code mounts a revived webview only once this method returns: return at once, and read the
        // trace back and link it afterwards. The page meanwhile loads and draws the screen it saved
        // (measured at 100,000 spans: awaiting the read here made the page begin 1.1 s later).
        deps.log.info('waterfall: reviving a panel');
        const revived = new WaterfallPanel(deps, panel, [], emptyTrace(s.traceId), s.sourceId, s.sourceId);
        void revived.revive(s.sourceId, s.traceId);
      },
    });
  }

  /** Read back and show the trace of a panel VS Code revived (after a reload or restart). */
  private async revive(sourceId: string, traceId: string): Promise<void> {
    // Let VS Code mount the page first: reading 100,000 spans back holds this thread for a second, and
    // the page, which draws the screen it saved as soon as it loads, needs this thread to be mounted.
    // Waiting a turn or two of the event loop was not enough in one run of three (+1.3 s), so the read
    // waits for the page to say it is ready (or 3 s, should it never say).
    await new Promise<void>((resolve) => {
      this.onReady = resolve;
      setTimeout(resolve, REVIVE_WAIT_MS);
    });
    this.onReady = undefined;
    const t0 = performance.now();
    const loaded = await this.deps.load(sourceId, traceId).catch(() => undefined);
    this.deps.log.info(`waterfall: revived panel read its trace back in ${Math.round(performance.now() - t0)} ms`);
    if (this.disposed) return;
    const refusal = loaded ? tooBig(loaded.spans.length) : `Trace ${traceId} is no longer available from its source; open it again from the Traces view.`;
    if (!loaded || refusal !== undefined) {
      void this.panel.webview.postMessage({ type: 'failed', message: refusal ?? '' } satisfies ToWebview);
      return;
    }
    this.sourceLabel = loaded.sourceLabel;
    await this.update(loaded.spans, undefined, loaded.incomplete);
  }

  /** The traces open in panels, for "Compare with…" pickers. */
  static openTraces(): Array<{ spans: Span[]; sourceId: string; sourceLabel: string }> {
    return [...WaterfallPanel.panels.values()].filter((p) => !p.disposed && p.spans.length).map((p) => ({ spans: p.spans, sourceId: p.sourceId, sourceLabel: p.sourceLabel }));
  }

  /** Open panels, for tests and for "reveal" after a send. */
  static get(sourceId: string, traceId: string): WaterfallPanel | undefined {
    return WaterfallPanel.panels.get(`${sourceId}/${traceId}`);
  }

  private constructor(
    private readonly deps: WaterfallDeps,
    readonly panel: vscode.WebviewPanel,
    private spans: Span[],
    trace: Trace,
    private sourceId: string,
    private sourceLabel: string,
    private pendingSelect?: string,
  ) {
    this.trace = trace;
    this.adjustSkew = adjustSkewDefault();
    WaterfallPanel.panels.set(this.key, this);
    panel.webview.html = waterfallHtml(panel.webview, deps.extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private get key(): string {
    return `${this.sourceId}/${this.trace.traceId}`;
  }

  get traceId(): string {
    return this.trace.traceId;
  }

  get rowCount(): number {
    return this.trace.spans.length;
  }

  /**
   * What a command that returns a panel sends back when the workbench ran it (a click in the Traces
   * view): VS Code serializes the result to JSON, and the whole panel (trace, spans, endpoint and its
   * store) took seconds per click at 100,000 spans.
   */
  toJSON(): { traceId: string; rowCount: number } {
    return { traceId: this.traceId, rowCount: this.rowCount };
  }

  /**
   * New spans for the trace (a refresh, more spans arrived, skew toggled): linked a pass at a time, so
   * the extension host stays responsive, then sent as a new load. A newer update supersedes this one.
   */
  async update(spans: Span[], selectSpanId?: string, incomplete?: string): Promise<void> {
    const seq = ++this.linkSeq;
    const t0 = performance.now();
    const stretches = (this.stretches = new Stretches());
    const link = stretches.pauser('link pass');
    const trace = await linkTraceInSteps(spans, { adjustSkew: this.adjustSkew }, link.pause);
    link.end();
    if (seq !== this.linkSeq || this.disposed) return;
    this.deps.log.info(`waterfall: trace ${trace.traceId}, ${spans.length} spans linked in ${Math.round(performance.now() - t0)} ms`);
    this.linkedSeq = seq;
    this.spans = spans;
    this.incomplete = incomplete;
    this.trace = trace;
    // What was derived from the previous trace would keep it in memory.
    this.searchIndex = undefined;
    this.selfTimes = undefined;
    this.pendingSelect = selectSpanId;
    this.panel.title = titleOf(trace);
    if (this.ready) this.postTrace();
  }

  /** Show another trace (or the same one again) in this panel, keyed by its endpoint and id from now on. */
  private async retarget(spans: Span[], sourceId: string, sourceLabel: string, selectSpanId?: string, incomplete?: string): Promise<void> {
    const traceId = traceIdOfSpans(spans);
    const same = this.trace.traceId === traceId && this.sourceId === sourceId;
    if (WaterfallPanel.panels.get(this.key) === this) WaterfallPanel.panels.delete(this.key);
    this.sourceId = sourceId;
    this.sourceLabel = sourceLabel;
    // Another trace starts from the default skew setting; the same trace again keeps the panel's own.
    if (!same) {
      this.adjustSkew = adjustSkewDefault();
      this.trace = emptyTrace(traceId);
    }
    WaterfallPanel.panels.set(this.key, this);
    await this.update(spans, selectSpanId, incomplete);
  }

  /**
   * Fetch the trace again from its endpoint, for a trace whose spans are still arriving (backends
   * answer with what they have so far). The selection and view stay; returns the span counts.
   */
  async reload(): Promise<ReplyMap['reload']> {
    if (this.sourceId === 'file') throw new Error('this trace was read from a file; open the file again to read it anew');
    const before = this.spans.length;
    const loaded = await withDelayedProgress(`Reloading trace ${this.trace.traceId} from ${this.sourceLabel}…`, (signal) => this.deps.load(this.sourceId, this.trace.traceId, signal));
    if (!loaded?.spans.length) throw new Error(`${this.sourceLabel} no longer has trace ${this.trace.traceId}; what is shown is what it had before`);
    await this.update(loaded.spans, undefined, loaded.incomplete);
    return { spanCount: loaded.spans.length, added: loaded.spans.length - before };
  }

  /**
   * Send the trace as a new load: header, the first screen's rows, then the rest in chunks with the
   * event loop free between them. A newer load (new spans, skew toggled, a reload) or closing the
   * panel stops this one; the webview drops chunks of a load it no longer shows.
   */
  private postTrace(): void {
    const loadId = ++this.loadId;
    const t0 = performance.now();
    const plan = planRows(this.trace, this.sourceLabel, loadId, { reloadable: this.sourceId !== 'file', sourceId: this.sourceId, incomplete: this.incomplete, selectSpanId: this.pendingSelect });
    this.pendingSelect = undefined;
    this.panel.title = titleOf(this.trace);
    const trace = this.trace;
    let firstPostedMs = 0;
    // Chunks are built by sendRows between posts; how long each build and each post held the thread.
    let resumed = performance.now();
    let chunk = 0;
    void sendRows(trace, plan, (m) => {
      const built = performance.now() - resumed;
      const t = performance.now();
      const posted = this.post(m);
      if (m.type === 'rows') {
        this.stretches.note(`chunk ${chunk} build`, built);
        this.stretches.note(`chunk ${chunk++} post`, performance.now() - t);
      }
      void Promise.resolve(posted).then(() => (resumed = performance.now()));
      if (m.type === 'rows' && !firstPostedMs) {
        firstPostedMs = performance.now() - t0;
        // The first screen is on its way: the index is built beside the other chunks (both take
        // turns), so it is ready about when the rows are.
        void this.indexForSearch(trace);
      }
      return posted;
    }, { current: () => this.loadId === loadId && !this.disposed, pause: () => new Promise((r) => setImmediate(r)).then(() => void (resumed = performance.now())) }).then(
      (whole) => {
        if (!whole) return;
        const blocks = WaterfallPanel.blockMonitor;
        WaterfallPanel.blockMonitor = undefined;
        blocks?.disable();
        const longest = blocks ? `; longest block ${Math.round(blocks.max / 1e6)} ms since the click (longest steps: ${this.stretches})` : '';
        this.deps.log.info(`waterfall: trace ${trace.traceId}, ${trace.spans.length} spans in ${plan.ranges.length} chunks: first screen posted after ${Math.round(firstPostedMs)} ms, all after ${Math.round(performance.now() - t0)} ms; extension host heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB${longest}`);
      },
      (e: unknown) => this.deps.log.error(`waterfall: sending trace ${trace.traceId} failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /**
   * Build the search index of a big trace in the background, a block per turn, from the moment its
   * first screen is sent (the blocks take turns with the chunks of rows): a search over a million spans
   * then answers in a fraction of a second instead of seconds. A search that comes while it is being
   * built waits for it (less than scanning beside it). Given up when the trace is replaced.
   */
  private indexForSearch(trace: Trace): Promise<void> {
    if (trace.spans.length < SEARCH_INDEX_MIN_ROWS || this.searchIndex?.trace === trace) return Promise.resolve();
    if (this.indexing?.trace === trace) return this.indexing.done;
    const t0 = performance.now();
    const block = this.stretches.pauser('index block');
    const done = (async () => {
      const steps = SearchIndex.build(trace);
      for (let step = steps.next(); ; step = steps.next()) {
        if (this.trace !== trace || this.disposed) return;
        if (step.done) {
          this.searchIndex = step.value;
          this.deps.log.info(`waterfall: trace ${trace.traceId}, search index of ${trace.spans.length} spans built in ${Math.round(performance.now() - t0)} ms`);
          return;
        }
        await block.pause();
      }
    })().finally(() => {
      if (this.indexing?.trace === trace) this.indexing = undefined;
    });
    this.indexing = { trace, done };
    return done;
  }

  private post(message: ToWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  private onMessage(m: FromWebview): void {
    switch (m.type) {
      case 'ready':
        this.deps.log.info(`waterfall: webview ready ${Math.round(performance.now() - this.createdAt)} ms after the panel was created`);
        this.ready = true;
        this.onReady?.();
        if (this.linkedSeq) this.postTrace();
        break;
      case 'state':
        break;
      case 'interacted':
        // Clicked in: keep it; the next preview opens a panel of its own.
        if (WaterfallPanel.preview === this) WaterfallPanel.preview = undefined;
        break;
      case 'request':
        this.answer(m.requestId, m.request).then(
          (value) => this.post({ type: 'reply', requestId: m.requestId, ok: true, value }),
          (e: unknown) => this.post({ type: 'reply', requestId: m.requestId, ok: false, error: e instanceof Error ? e.message : String(e) }),
        );
        break;
      default:
        this.deps.log.warn(`waterfall: ignoring an unknown message ${JSON.stringify(m).slice(0, 200)}`);
    }
  }

  private async answer(requestId: number, r: Request): Promise<ReplyMap[Request['action']]> {
    void requestId;
    switch (r.action) {
      case 'details':
        return spanDetails(this.trace, r.row);
      case 'search':
        if (this.indexing?.trace === this.trace) await this.indexing.done;
        return searchTrace(this.trace, r.query, this.searchIndex);
      case 'copy': {
        const span = this.trace.spans[r.row];
        if (!span) throw new Error('that span is no longer in the trace');
        let text: string;
        if (r.format === 'id') text = span.spanId;
        else {
          const encoded = encodeSpans([span], r.format as EncodeFormat);
          text = JSON.stringify(JSON.parse(encoded.body as string), null, 2);
        }
        await vscode.env.clipboard.writeText(text);
        return { copied: r.format };
      }
      case 'openSource':
        return { opened: await this.deps.opener.open(r.path, r.line, r.column) };
      case 'sendAgain': {
        const end = r.subtree ? this.trace.subtreeEnd[r.row] : r.row + 1;
        const spans = this.trace.spans.slice(r.row, end);
        if (!spans.length) throw new Error('that span is no longer in the trace');
        const label = spans.length === 1 ? `span "${spans[0].name}"` : `${spans.length} spans under "${spans[0].name}"`;
        return { sent: await this.deps.sendAgain(spans, label) };
      }
      case 'reload':
        return this.reload();
      case 'stats': {
        const trace = this.trace;
        this.selfTimes = this.selfTimes?.trace === trace ? this.selfTimes : { trace, self: selfTimes(trace) };
        return { ...traceStats(trace, r.groupBy, this.selfTimes.self), traceUs: trace.spans.length ? trace.endUs - trace.startUs : 0, attributeKeys: attributeKeys(trace) };
      }
      case 'groupRows':
        return { rows: groupRows(this.trace, r.groupBy, r.key) };
      case 'compareWith':
        return { compared: await this.deps.compareWith({ spans: this.spans, sourceId: this.sourceId, sourceLabel: this.sourceLabel }) };
      case 'setSkew':
        this.adjustSkew = r.on;
        await this.update(this.spans);
        return {};
    }
  }

  dispose(): void {
    this.disposed = true;
    this.searchIndex = undefined;
    this.selfTimes = undefined;
    if (WaterfallPanel.preview === this) WaterfallPanel.preview = undefined;
    if (WaterfallPanel.panels.get(this.key) === this) WaterfallPanel.panels.delete(this.key);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false, // state is small and re-sent on show; keeping 100k rows alive costs memory
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function titleOf(trace: Trace): string {
  const root = trace.spans[0];
  return root ? `Trace ${root.name || trace.traceId.slice(0, 8)}` : `Trace ${trace.traceId.slice(0, 8)}`;
}

/** Why a trace of this many spans is not drawn (over `traceExplorer.waterfall.maxSpans`), or undefined. */
function tooBig(spanCount: number): string | undefined {
  const max = vscode.workspace.getConfiguration('traceExplorer').get<number>('waterfall.maxSpans', 2_000_000);
  if (spanCount <= max) return undefined;
  return `this trace has ${spanCount.toLocaleString('en')} spans, more than traceExplorer.waterfall.maxSpans (${max.toLocaleString('en')}) allows in a waterfall. Raise the setting to open it; a million spans take about 1 GB in the extension host.`;
}

function previewEnabled(): boolean {
  return vscode.workspace.getConfiguration('traceExplorer').get<boolean>('waterfall.preview', true);
}

function adjustSkewDefault(): boolean {
  return vscode.workspace.getConfiguration('traceExplorer').get<boolean>('adjustClockSkew', false);
}
