/**
 * Trace ids as links, in editors (log files, JSON, code) and in the integrated terminal. A 32-digit hex
 * id is always a candidate; a 16-digit one only next to a word like trace_id (16 hex digits alone are
 * too often something else). Following a link checks which endpoint has the trace before opening it.
 */
import * as vscode from 'vscode';
import type { TraceSource } from '../node/sources/traceSource';
import { findTraceIds } from '../shared/editor/traceIds';
import { normalizeTraceId } from '../shared/ids';
import { signalOf } from './endpoints';

export class TraceIdLinkProvider implements vscode.DocumentLinkProvider {
  provideDocumentLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
    if (doc.lineCount > 200_000) return [];
    return findTraceIds(doc.getText()).map((f) => {
      const link = new vscode.DocumentLink(new vscode.Range(doc.positionAt(f.start), doc.positionAt(f.start + f.length)), vscode.Uri.parse(`command:traceExplorer.openTraceLink?${encodeURIComponent(JSON.stringify([f.id]))}`));
      link.tooltip = 'Open this trace (Trace Explorer)';
      return link;
    });
  }
}

interface TraceTerminalLink extends vscode.TerminalLink {
  traceId: string;
}

export class TraceIdTerminalLinkProvider implements vscode.TerminalLinkProvider<TraceTerminalLink> {
  provideTerminalLinks(context: vscode.TerminalLinkContext): TraceTerminalLink[] {
    return findTraceIds(context.line, 20).map((f) => ({ startIndex: f.start, length: f.length, tooltip: 'Open this trace (Trace Explorer)', traceId: f.id }));
  }
  async handleTerminalLink(link: TraceTerminalLink): Promise<void> {
    await vscode.commands.executeCommand('traceExplorer.openTraceLink', link.traceId);
  }
}

/**
 * Which endpoint has the trace: local first (no network), then the others in order. Returns the
 * first that answers with spans, and the endpoints it asked.
 */
export async function findTrace(sources: readonly TraceSource[], traceId: string): Promise<{ source?: TraceSource; asked: string[]; errors: string[] }> {
  const id = normalizeTraceId(traceId);
  const asked: string[] = [];
  const errors: string[] = [];
  if (!id) return { asked, errors: [`"${traceId}" is not a trace id`] };
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Looking for trace ${id}…`, cancellable: true }, async (progress, token) => {
    for (const s of sources) {
      if (token.isCancellationRequested) break;
      progress.report({ message: s.label });
      asked.push(s.label);
      try {
        if ((await s.getTrace(id, signalOf(token)))?.length) return { source: s, asked, errors };
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      }
    }
    return { asked, errors };
  });
}
