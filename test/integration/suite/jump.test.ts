/**
 * Journey 4 and trace-id links in the real extension host: a span made by the real OpenTelemetry JS SDK
 * with code.* attributes pointing into the workspace opens the file at its line (directly, and through
 * a path mapping of a container path); a frame outside the workspace is not opened without asking; the
 * line the span points at shows a lens and a hover back to the trace; trace ids in a log file are links.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { TraceExplorerApi } from '../../../src/extension/extension';
import type { Node } from '../../../src/extension/tracesTree';
import { EXTENSION_ID, waitFor, workspaceFile } from './util';

const ROOT = join(__dirname, '..', '..', '..');

async function api(): Promise<TraceExplorerApi> {
  const ext = vscode.extensions.getExtension<TraceExplorerApi>(EXTENSION_ID);
  assert.ok(ext);
  return ext.activate();
}


/** Run the real JS SDK: one span whose code.file.path is `file`, line `line`. Returns its trace id. */
async function emit(a: TraceExplorerApi, file: string, line: number): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'test/sdk/js/emit-code.mjs'), `http://127.0.0.1:${a.localPorts().otlp}/v1/traces`, file, String(line)], { timeout: 30_000 });
  const traceId = stdout.trim();
  await waitFor('the span in the local store', () => a.store.get(traceId));
  return traceId;
}

async function spanNode(a: TraceExplorerApi, traceId: string): Promise<Node> {
  const [local] = await a.tree.getChildren();
  a.tree.refresh(local.kind === 'endpoint' ? local.source : undefined);
  const traceNode = await waitFor('the trace row', async () => (await a.tree.getChildren(local)).find((n) => n.kind === 'trace' && n.row.traceId === traceId));
  const [span] = await a.tree.getChildren(traceNode);
  return span;
}

describe('Jump to source, and back', function () {
  this.timeout(60_000);
  const target = (): vscode.Uri => workspaceFile('otel-python-zipkin.py');

  it('opens the file and line named by code.file.path/code.line.number of a real SDK span', async () => {
    const a = await api();
    const traceId = await emit(a, target().fsPath, 12);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const opened = await vscode.commands.executeCommand('traceExplorer.openSpanSource', await spanNode(a, traceId), 0);
    assert.equal(opened, true);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, target().fsPath);
    assert.equal(editor?.selection.active.line, 11);
    assert.equal(editor?.selection.active.character, 2);
  });

  it('rewrites a container path with traceExplorer.pathMappings (/app → ${workspaceFolder})', async () => {
    const a = await api();
    await vscode.workspace.getConfiguration('traceExplorer').update('pathMappings', { '/app': '${workspaceFolder}' }, vscode.ConfigurationTarget.Workspace);
    try {
      const traceId = await emit(a, '/app/otel-python-jaeger.py', 5);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal(await vscode.commands.executeCommand('traceExplorer.openSpanSource', await spanNode(a, traceId), 0), true);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, workspaceFile('otel-python-jaeger.py').fsPath);
      assert.equal(vscode.window.activeTextEditor?.selection.active.line, 4);
    } finally {
      await vscode.workspace.getConfiguration('traceExplorer').update('pathMappings', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('shows a lens and a hover on the line a recent span points at, leading back to its trace', async () => {
    const a = await api();
    const traceId = await emit(a, target().fsPath, 7);
    const lenses = await waitFor('the span lens', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', target()).then(undefined, (e: Error) => {
        throw new Error(`executeCodeLensProvider: ${e.message}`);
      });
      const ours = all.filter((l) => l.command?.command === 'traceExplorer.showSpansAtLine' && l.range.start.line === 6);
      return ours.length ? ours : undefined;
    });
    assert.match(lenses[0].command!.title, /recent span.*with errors/);
    const spans = lenses[0].command!.arguments![0] as Array<{ traceId: string; name: string }>;
    assert.ok(spans.some((s) => s.traceId === traceId && s.name === 'handle order'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', target(), new vscode.Position(6, 0)).then(undefined, (e: Error) => {
      throw new Error(`executeHoverProvider: ${e.message}`);
    });
    // Span names are appended as text (escaped markdown), never as markup: unescape to read them.
    const text = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
      .join('\n')
      .replace(/&nbsp;/g, ' ')
      .replace(/\\(.)/g, '$1');
    assert.match(text, /Recent spans at this line/);
    assert.match(text, /jump-demo: handle order/);
    assert.match(text, /command:traceExplorer\.openTraceAt\?/);
  });

  it('makes trace ids in a log file links that open the trace from the endpoint that has it', async () => {
    const a = await api();
    const traceId = await emit(a, target().fsPath, 3);
    const doc = await vscode.workspace.openTextDocument({ language: 'log', content: `12:00:01 INFO order placed trace_id=${traceId} user=42\n12:00:02 INFO unrelated 0000000000000000 sha 1234\n` });
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri);
    assert.equal(links.length, 1);
    assert.equal(doc.getText(links[0].range), traceId);
    await vscode.commands.executeCommand('traceExplorer.openTraceLink', traceId);
    assert.ok(a.panel('local', traceId), 'the waterfall opened');
    a.panel('local', traceId)?.dispose();
  });
});
