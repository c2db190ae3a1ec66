/**
 * Back from code to traces: the lines that recent spans point at (their `code.*` attributes and stack
 * frames) get a CodeLens and a hover listing those spans, each opening its trace in the waterfall.
 * Spans come from the local store and from every trace opened from another endpoint. The index is
 * keyed by file name and rebuilt lazily after changes, reading only spans it has not read before
 * (`SpanLocations`); matching a document is a lookup plus a path-suffix check, so typing never waits.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { traceIdKey } from '../shared/ids';
import type { Span } from '../shared/model';
import type { TraceStore } from '../shared/store/traceStore';
import { formatDuration } from '../shared/time';
import { SpanLocations, type IndexedTrace, type SpanAtLine } from '../shared/source/spanLocations';
import type { PathMapping, SourceOpener } from './sourceOpener';

const MAX_PER_LINE = 20;


/** Traces bigger than this, still encoded, are decoded for the lenses only after a pause. */
const DEFER_SPANS = 20_000;
const DEFER_MS = 3000;
export class SpanLocationIndex implements vscode.Disposable {
  private readonly opened = new Map<string, { sourceId: string; spans: readonly Span[] }>();
  private byName?: Map<string, SpanAtLine[]>;
  private readonly locations = new SpanLocations();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly sub: { dispose(): void };
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: TraceStore,
    private readonly opener: SourceOpener,
  ) {
    this.sub = store.onDidAdd(() => this.invalidate());
  }

  /** Traces of the local store another window owns (this window's own store is then empty). */
  private shared: ReadonlyArray<{ traceId: string; spans: readonly Span[] }> = [];

  setShared(traces: ReadonlyArray<{ traceId: string; spans: readonly Span[] }>): void {
    this.shared = traces;
    this.invalidate();
  }

  /** A trace read from another endpoint (opened in the waterfall) joins the index. */
  addTrace(sourceId: string, spans: readonly Span[]): void {
    if (sourceId === 'local' || !spans.length) return;
    this.opened.set(`${sourceId}/${traceIdKey(spans[0].traceId)}`, { sourceId, spans });
    // Keep the most recent 50 opened traces.
    while (this.opened.size > 50) this.opened.delete(this.opened.keys().next().value!);
    this.invalidate();
  }

  private decoding: NodeJS.Timeout | undefined;

  private decodeLater(traceId: string): void {
    if (this.decoding) return;
    this.decoding = setTimeout(() => {
      this.decoding = undefined;
      this.store.get(traceId);
      this.invalidate();
    }, DEFER_MS);
  }

  private invalidate(): void {
    this.byName = undefined;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire();
    }, 500);
  }

  private build(): Map<string, SpanAtLine[]> {
    return this.locations.byFileName(this.traces());
  }

  /** The traces whose spans count as recent: the newest 500 local ones and the last 50 opened elsewhere. */
  private *traces(): Iterable<IndexedTrace> {
    for (const row of this.store.list({ limit: 500 })) {
      // A big trace still encoded (read back after a reload) is decoded a little later, one at a time:
      // decoding it now, as the window opens, would hold the extension host for a second and hold up
      // the waterfall VS Code is restoring. The lenses gain its spans when it is done.
      if (row.spanCount > DEFER_SPANS && this.store.isEncoded(row.traceId)) {
        this.decodeLater(row.traceId);
        continue;
      }
      const spans = this.store.get(row.traceId);
      if (spans) yield { key: `local/${traceIdKey(row.traceId)}`, sourceId: 'local', spans };
    }
    for (const t of this.shared) yield { key: `local/${traceIdKey(t.traceId)}`, sourceId: 'local', spans: t.spans };
    for (const [key, { sourceId, spans }] of this.opened) yield { key, sourceId, spans };
  }

  /** Spans pointing at `doc`, by 0-based line. */
  spansIn(doc: vscode.TextDocument): Map<number, SpanAtLine[]> {
    this.byName ??= this.build();
    const out = new Map<number, SpanAtLine[]>();
    const file = doc.uri.fsPath;
    const candidates = this.byName.get(path.basename(file)) ?? [];
    // The settings are read once per document, not once per span.
    const mappings = candidates.length ? this.opener.mappings() : [];
    for (const s of candidates) {
      if (!this.pointsAt(s.ref.path, file, mappings)) continue;
      const line = s.ref.line - 1;
      const list = out.get(line) ?? [];
      if (list.length < MAX_PER_LINE && !list.some((x) => x.spanId === s.spanId && x.traceId === s.traceId)) list.push(s);
      out.set(line, list);
    }
    return out;
  }

  /** The span's path names this file: through a path mapping, as an absolute path, or by its trailing segments. */
  private pointsAt(spanPath: string, file: string, mappings: readonly PathMapping[]): boolean {
    if (this.opener.candidates(spanPath, mappings).some((c) => path.normalize(c) === file)) return true;
    const parts = spanPath.split(/[\\/]/).filter(Boolean);
    const fileParts = file.split(path.sep).filter(Boolean);
    // At least the file name and its folder must agree, unless the span gave a bare file name (Java/.NET class files).
    const need = Math.min(parts.length, 2);
    for (let i = 1; i <= need; i++) if (parts[parts.length - i] !== fileParts[fileParts.length - i]) return false;
    return true;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
    if (this.timer) clearTimeout(this.timer);
    if (this.decoding) clearTimeout(this.decoding);
  }
}

function describe(s: SpanAtLine): string {
  return `${s.service || '?'}: ${s.name || '(unnamed)'} · ${formatDuration(s.durationUs)}${s.error ? ' · error' : ''}`;
}

export class SpansCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  constructor(private readonly index: SpanLocationIndex) {
    this.onDidChangeCodeLenses = index.onDidChange;
  }
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.uri.scheme !== 'file') return [];
    return [...this.index.spansIn(doc)].map(([line, spans]) => {
      const range = new vscode.Range(line, 0, line, 0);
      const errors = spans.filter((s) => s.error).length;
      return new vscode.CodeLens(range, {
        title: `$(pulse) ${spans.length} recent span${spans.length === 1 ? '' : 's'}${errors ? `, ${errors} with errors` : ''}`,
        tooltip: spans.slice(0, 5).map(describe).join('\n'),
        command: 'traceExplorer.showSpansAtLine',
        arguments: [spans],
      });
    });
  }
}

export class SpansHoverProvider implements vscode.HoverProvider {
  constructor(private readonly index: SpanLocationIndex) {}
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (doc.uri.scheme !== 'file') return undefined;
    const spans = this.index.spansIn(doc).get(pos.line);
    if (!spans?.length) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    // Only our own command may run from this hover; span names are text, never markup.
    md.isTrusted = { enabledCommands: ['traceExplorer.openTraceAt'] };
    md.appendMarkdown('**Recent spans at this line**\n\n');
    for (const s of spans.slice(0, 10)) {
      const args = encodeURIComponent(JSON.stringify([s.sourceId, s.traceId, s.spanId]));
      md.appendMarkdown(`- [$(list-tree) Open](command:traceExplorer.openTraceAt?${args}) `);
      md.appendText(describe(s));
      md.appendMarkdown('\n');
    }
    return new vscode.Hover(md, new vscode.Range(pos.line, 0, pos.line, doc.lineAt(pos.line).text.length));
  }
}
