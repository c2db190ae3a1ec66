import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openFile, workspaceFile } from './util';

describe('Summarize Trace in Active Editor', () => {
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('summarizes the Zipkin data-model example as one trace of 5 spans and 3 levels', async () => {
    await openFile('zipkin-data-model-trace.json');
    const message = await vscode.commands.executeCommand<string>('traceExplorer.summarizeActiveEditor');
    assert.match(message, /^Zipkin v2 JSON: 1 trace\. 5982fe77008310cc80f1da5e10147517: 5 spans, 3 levels, 386 ms, services zipkin-query$/);
  });

  it('summarizes the OpenTelemetry Python console output', async () => {
    await openFile('otel-python-console-exporter.txt');
    const message = await vscode.commands.executeCommand<string>('traceExplorer.summarizeActiveEditor');
    assert.match(message, /^OpenTelemetry Python console output: 1 trace\. 8342e0dad3853eb922985cbcd95e3362: 3 spans/);
  });

  it('puts the cursor on the bad value of a broken trace and says what is wrong', async () => {
    const uri = workspaceFile('broken-trace.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('[\n  {"traceId": "xyz", "id": "1"}\n]\n'));
    const editor = await openFile('broken-trace.json');
    const message = await vscode.commands.executeCommand<string>('traceExplorer.summarizeActiveEditor');
    assert.match(message, /^Not a readable trace: line 2, column 15: traceId must be 1–32 hex digits/);
    assert.deepEqual([editor.selection.active.line, editor.selection.active.character], [1, 14]);
  });
});
