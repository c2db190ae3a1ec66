/**
 * Journey 3: "Send Sample Span". The span (or array of spans) under the cursor is found with the same
 * finder the CLI uses, highlighted, validated (a diagnostic on the offending value; nothing is sent),
 * optionally re-stamped, posted to the chosen endpoint, and revealed in the waterfall once the backend
 * has it. The endpoint and the mode are remembered per workspace.
 */
import * as vscode from 'vscode';
import { BackendError } from '../node/http/backendError';
import type { TraceSource } from '../node/sources/traceSource';
import { kindOf, payloadRegions, toDocumentOffset } from '../shared/editor/payloadRegions';
import { spanAtCursor, spanObjectsIn, type SpanPick } from '../shared/editor/spanAtCursor';
import { scanJson } from '../shared/json/scanner';
import type { Span } from '../shared/model';
import { restampSpans } from '../shared/trace/restamp';
import { signalOf, type EndpointRegistry } from './endpoints';
import { withDelayedProgress } from './progress';

const LAST_ENDPOINT = 'traceExplorer.send.endpoint';
const LAST_MODE = 'traceExplorer.send.mode';
type Mode = 'restamp' | 'asIs';
/** Answers given in advance, so nothing is asked (tests, and "Send again" with a preset). */
export interface SendOptions {
  endpointId?: string;
  mode?: Mode;
  reveal?: boolean;
}

export interface SendResult {
  traceIds: string[];
  spanCount: number;
  endpoint: string;
  picked: string;
}

export class SpanSender implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('traceExplorer.send');
  private readonly highlight = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
    border: '1px solid',
    borderColor: new vscode.ThemeColor('editor.findMatchBorder'),
  });

  constructor(
    private readonly endpoints: EndpointRegistry,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    private readonly reveal: (sourceId: string, traceId: string) => Promise<unknown>,
  ) {}

  /**
   * The command. `at` (from a CodeLens or a test) names a document and offset; otherwise the active
   * editor's cursor. `options` skips the questions (tests, and "Send again").
   */
  async send(at?: { uri: vscode.Uri; offset: number }, options: SendOptions = {}): Promise<SendResult | undefined> {
    const doc = at ? await vscode.workspace.openTextDocument(at.uri) : vscode.window.activeTextEditor?.document;
    if (!doc) {
      void vscode.window.showWarningMessage('Trace Explorer: open a JSON, Markdown or shell file and put the cursor inside a span.');
      return undefined;
    }
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const offset = at?.offset ?? (editor ? doc.offsetAt(editor.selection.active) : 0);
    const text = doc.getText();
    const pick = spanAtCursor(text, offset, kindOf(doc.languageId, doc.fileName), { jsonc: doc.languageId === 'jsonc' });
    this.diagnostics.delete(doc.uri);
    if (!('spans' in pick)) {
      if (pick.start !== undefined && pick.end !== undefined) {
        const range = new vscode.Range(doc.positionAt(pick.start), doc.positionAt(pick.end));
        const d = new vscode.Diagnostic(range, pick.message, vscode.DiagnosticSeverity.Error);
        d.source = 'Trace Explorer';
        this.diagnostics.set(doc.uri, [d]);
        editor?.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
      void vscode.window.showErrorMessage(`Trace Explorer: ${pick.message}`);
      return undefined;
    }
    this.flash(editor, doc, pick);
    this.log.info(`send: ${pick.label} from ${doc.uri.fsPath} (${pick.region})`);
    return this.sendSpans(pick.spans, pick.label, options);
  }

  /** Choose endpoint and mode (unless given), post, then offer or do the reveal. Also "Send again" from the waterfall. */
  async sendSpans(original: readonly Span[], label: string, options: SendOptions = {}): Promise<SendResult | undefined> {
    const source = await this.chooseEndpoint(options.endpointId);
    if (!source) return undefined;
    const mode = options.mode ?? (await this.chooseMode());
    if (!mode) return undefined;
    const spans: Span[] = mode === 'restamp' ? restampSpans(original, Date.now() * 1000) : [...original];
    const traceIds = [...new Set(spans.map((s) => s.traceId))];
    try {
      const result = await withDelayedProgress(`Sending ${label} to ${source.label}…`, (signal) => source.ingest(spans, signal));
      this.log.info(`sent ${spans.length} spans (${traceIds.join(', ')}) to ${source.label}: ${result.url} answered ${result.status}${result.message ? ` ${result.message}` : ''}`);
      const summary: SendResult = { traceIds, spanCount: spans.length, endpoint: source.id, picked: label };
      const message = `Trace Explorer: sent ${label} (trace ${traceIds[0]}${traceIds.length > 1 ? ` and ${traceIds.length - 1} more` : ''}) to ${source.label}.${result.message ? ` The receiver said: ${result.message}` : ''}`;
      if (options.reveal) await this.revealWhenReadable(source, traceIds[0]);
      else {
        void vscode.window.showInformationMessage(message, 'Reveal', 'Copy Trace ID').then(async (action) => {
          if (action === 'Reveal') await this.revealWhenReadable(source, traceIds[0]);
          if (action === 'Copy Trace ID') await vscode.env.clipboard.writeText(traceIds[0]);
        });
      }
      return summary;
    } catch (e) {
      const msg = e instanceof BackendError ? e.message : e instanceof Error ? e.message : String(e);
      this.log.warn(`send failed: ${msg}`);
      void vscode.window.showErrorMessage(`Trace Explorer: not sent: ${msg}`);
      return undefined;
    }
  }

  /** Poll the endpoint until the trace is readable (backends index asynchronously), then open it. */
  async revealWhenReadable(source: TraceSource, traceId: string, timeoutMs = 30_000): Promise<boolean> {
    const location = source.kind === 'local' ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification;
    const found = await vscode.window.withProgress(
      { location, title: `Waiting for ${source.label} to return trace ${traceId}…`, cancellable: source.kind !== 'local' },
      async (_p, token) => {
        const signal = signalOf(token);
        const deadline = Date.now() + timeoutMs;
        let delay = 200;
        while (!token.isCancellationRequested && Date.now() < deadline) {
          try {
            const spans = await source.getTrace(traceId, signal);
            if (spans?.length) return true;
          } catch (e) {
            if (token.isCancellationRequested) return false;
            this.log.info(`reveal: ${e instanceof Error ? e.message : String(e)}; trying again`);
          }
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 2_000);
        }
        return false;
      },
    );
    if (!found) {
      void vscode.window.showWarningMessage(`Trace Explorer: ${source.label} did not return trace ${traceId} within ${timeoutMs / 1000} s. It may still be indexing; try Open Trace by ID later.`);
      return false;
    }
    await this.reveal(source.id, traceId);
    return true;
  }

  private flash(editor: vscode.TextEditor | undefined, doc: vscode.TextDocument, pick: SpanPick): void {
    if (!editor) return;
    const range = new vscode.Range(doc.positionAt(pick.start), doc.positionAt(pick.end));
    editor.setDecorations(this.highlight, [range]);
    setTimeout(() => editor.setDecorations(this.highlight, []), 1500);
  }

  private async chooseEndpoint(preset?: string): Promise<TraceSource | undefined> {
    const all = this.endpoints.all;
    if (preset) {
      const s = this.endpoints.byId(preset);
      if (!s) void vscode.window.showErrorMessage(`Trace Explorer: no endpoint "${preset}".`);
      return s;
    }
    if (all.length === 1) return all[0];
    const last = this.state.get<string>(LAST_ENDPOINT);
    const items = all.map((s) => ({ label: s.label, description: `${s.kind}${s.id === last ? ' · last used' : ''}`, detail: s.describe(), source: s }));
    items.sort((a, b) => Number(b.source.id === last) - Number(a.source.id === last));
    const pick = await vscode.window.showQuickPick(items, { title: 'Send Sample Span', placeHolder: 'Send to which endpoint?' });
    if (pick) await this.state.update(LAST_ENDPOINT, pick.source.id);
    return pick?.source;
  }

  private async chooseMode(): Promise<Mode | undefined> {
    const last = this.state.get<Mode>(LAST_MODE) ?? 'restamp';
    const items: Array<vscode.QuickPickItem & { mode: Mode }> = [
      { label: 'Re-stamp', description: 'fresh ids, same shape, times moved to now', detail: 'The trace shows up among recent traces and never collides with the original.', mode: 'restamp' },
      { label: 'As is', description: 'the ids and times in the file', mode: 'asIs' },
    ];
    items.sort((a, b) => Number(b.mode === last) - Number(a.mode === last));
    const pick = await vscode.window.showQuickPick(items, { title: 'Send Sample Span', placeHolder: 'Send as is, or re-stamped?' });
    if (pick) await this.state.update(LAST_MODE, pick.mode);
    return pick?.mode;
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.highlight.dispose();
  }
}

/** A "Send Sample Span" lens above each span object (or array of spans) found in the document. */
export class SendSpanCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    const text = doc.getText();
    // Big files: no lenses (the command still works); scanning must never slow typing down.
    if (text.length > 2_000_000) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const region of payloadRegions(text, kindOf(doc.languageId, doc.fileName))) {
      if (token.isCancellationRequested) break;
      const { values } = scanJson(region.text, { jsonc: doc.languageId === 'jsonc' });
      for (const v of values) {
        for (const node of spanObjectsIn(v)) {
          if (lenses.length >= 200) return lenses;
          const start = toDocumentOffset(region, node.start);
          const pos = doc.positionAt(start);
          lenses.push(
            new vscode.CodeLens(new vscode.Range(pos, pos), {
              title: '$(send) Send Sample Span',
              tooltip: 'Send this span to an endpoint (Trace Explorer)',
              command: 'traceExplorer.sendSampleSpan',
              arguments: [{ uri: doc.uri, offset: start + 1 }],
            }),
          );
        }
      }
    }
    return lenses;
  }
}
