/**
 * The extension host entry. Activation only registers things; decoding work happens when a command
 * runs, so start-up stays cheap.
 */
import * as vscode from 'vscode';
import { decodeTrace } from '../shared/formats/detect';
import { FORMAT_NAMES } from '../shared/formats/detect';
import { TraceDecodeError } from '../shared/errors';
import { linkTraces } from '../shared/trace/link';
import { formatDuration } from '../shared/time';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Trace Explorer', { log: true });
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand('traceExplorer.summarizeActiveEditor', () => summarizeActiveEditor(output)),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/** Decode the active editor's text and report what it holds; a decode error points at its line. */
async function summarizeActiveEditor(output: vscode.LogOutputChannel): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('Trace Explorer: open a trace file (Zipkin, OTLP, Jaeger, Tempo JSON) first.');
    return undefined;
  }
  try {
    const { format, spans } = decodeTrace(editor.document.getText());
    const traces = linkTraces(spans);
    const lines = traces.map(
      (t) => `${t.traceId}: ${t.spans.length} spans, ${t.levels} levels, ${formatDuration(t.endUs - t.startUs)}, services ${t.services.join(', ') || '(none)'}`,
    );
    const message = `${FORMAT_NAMES[format]}: ${traces.length} trace${traces.length === 1 ? '' : 's'}. ${lines.join('; ')}`;
    output.info(message);
    void vscode.window.showInformationMessage(message);
    return message;
  } catch (e) {
    if (e instanceof TraceDecodeError) {
      const message = `Not a readable trace: ${e.message}`;
      output.warn(message);
      if (e.position?.line !== undefined) {
        const pos = new vscode.Position(e.position.line - 1, (e.position.column ?? 1) - 1);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos));
      }
      void vscode.window.showErrorMessage(message);
      return message;
    }
    throw e;
  }
}
