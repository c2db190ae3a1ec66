/**
 * Journey 3 in the real extension host: "Send Sample Span" from the reference files to the built-in
 * local endpoint and to the real Zipkin server (configured through settings, like a user does), revealed
 * in the waterfall; bad input becomes a diagnostic on the offending value and nothing is sent. And a
 * waterfall opened from Zipkin reloads the trace when more of its spans have arrived.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TraceExplorerApi } from '../../../src/extension/extension';
import type { Node } from '../../../src/extension/tracesTree';
import { startZipkin, type Peer } from '../../peers/realPeers';
import { EXTENSION_ID, waitFor, workspaceFile } from './util';

const ROOT = join(__dirname, '..', '..', '..');

async function api(): Promise<TraceExplorerApi> {
  const ext = vscode.extensions.getExtension<TraceExplorerApi>(EXTENSION_ID);
  assert.ok(ext);
  return ext.activate();
}

type SendArgs = [{ uri: vscode.Uri; offset: number }, { endpointId: string; mode: 'restamp' | 'asIs'; reveal?: boolean }];
function send(...args: SendArgs): Thenable<{ traceIds: string[]; spanCount: number; picked: string } | undefined> {
  return vscode.commands.executeCommand('traceExplorer.sendSampleSpan', ...args);
}

function offsetIn(uri: vscode.Uri, needle: string): number {
  const text = readFileSync(uri.fsPath, 'utf8');
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} not in ${uri.fsPath}`);
  return i + 1;
}

describe('Send Sample Span', function () {
  this.timeout(120_000);

  it('offers a "Send Sample Span" lens above each of the three payloads of send-spans.sh', async () => {
    const uri = workspaceFile('send-spans.sh');
    await vscode.window.showTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const ours = lenses.filter((l) => l.command?.command === 'traceExplorer.sendSampleSpan');
    assert.equal(ours.length, 3);
    assert.deepEqual(ours.map((l) => l.range.start.line), [2, 16, 27]);
  });

  it('re-stamps the first payload of send-spans.sh, sends it to the local endpoint and reveals it in the waterfall', async () => {
    const a = await api();
    const uri = workspaceFile('send-spans.sh');
    const result = await send({ uri, offset: offsetIn(uri, '"span from bash!"') }, { endpointId: 'local', mode: 'restamp', reveal: true });
    assert.ok(result);
    assert.equal(result.picked, 'span "span from bash!"');
    const [traceId] = result.traceIds;
    assert.notEqual(traceId, '0123456789abcde0', 're-stamped ids are fresh');
    const spans = a.store.get(traceId);
    assert.equal(spans?.length, 1);
    assert.ok(Math.abs(spans[0].startUs + spans[0].durationUs - Date.now() * 1000) < 60e6, 'moved to now');
    const panel = a.panel('local', traceId);
    assert.ok(panel, 'the waterfall opened on the new trace');
    assert.equal(panel.rowCount, 1);
    panel.dispose();
  });

  it('sends the span of a Markdown code block, keeping its OTLP resource and scope', async () => {
    const a = await api();
    const doc = await vscode.workspace.openTextDocument({
      language: 'markdown',
      content: '# A test span\n\n```json\n' + readFileSync(join(ROOT, 'test/fixtures/otlp-test-span.json'), 'utf8') + '\n```\n',
    });
    const offset = doc.getText().indexOf('"test-span"');
    const result = await send({ uri: doc.uri, offset }, { endpointId: 'local', mode: 'asIs' });
    assert.ok(result);
    const [span] = a.store.get(result.traceIds[0]) ?? [];
    assert.equal(span.service, 'vscode-test');
    assert.equal(span.scope?.name, 'trace-viewer');
  });

  it('puts a diagnostic on a bad trace id and sends nothing', async () => {
    const a = await api();
    const before = a.store.stats().spans;
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: '[{\n  "traceId": "xyz",\n  "id": "1234",\n  "name": "broken"\n}]\n' });
    await vscode.window.showTextDocument(doc);
    const result = await send({ uri: doc.uri, offset: doc.getText().indexOf('"name"') }, { endpointId: 'local', mode: 'asIs' });
    assert.equal(result, undefined);
    const [d] = a.sender.diagnostics.get(doc.uri) ?? [];
    assert.ok(d, 'a diagnostic');
    assert.match(d.message, /traceId must be 1–32 hex digits and not all zeros, got "xyz"/);
    assert.equal(doc.getText(d.range), '"xyz"');
    assert.equal(a.store.stats().spans, before);
  });

  describe('to the real Zipkin server, configured in settings', () => {
    let zipkin: Peer;
    before(async () => {
      zipkin = await startZipkin();
      const a = await api();
      const reloaded = new Promise<void>((r) => a.endpoints.onDidChange(() => r()));
      await vscode.workspace.getConfiguration('traceExplorer').update('endpoints', [{ name: 'Zipkin IT', type: 'zipkin', url: zipkin.url }], vscode.ConfigurationTarget.Workspace);
      await reloaded;
    });
    after(async () => {
      await vscode.workspace.getConfiguration('traceExplorer').update('endpoints', undefined, vscode.ConfigurationTarget.Workspace);
      await zipkin?.stop();
    });

    it('shows the endpoint in the Traces view next to Local', async () => {
      const a = await api();
      const labels = (await a.tree.getChildren()).map((n) => a.tree.getTreeItem(n).label);
      assert.deepEqual(labels, ['Local', 'Zipkin IT']);
    });

    it('sends all three payloads as is, then browses trace 0123456789abcde0 with 3 spans under "shell script"', async () => {
      const a = await api();
      const uri = workspaceFile('send-spans.sh');
      for (const id of ['"1234"', '"5678"', '"6789"']) {
        const r = await send({ uri, offset: offsetIn(uri, id) }, { endpointId: 'zipkin-it', mode: 'asIs' });
        assert.deepEqual(r?.traceIds, ['0123456789abcde0']);
      }
      const endpoint = (await a.tree.getChildren()).find((n) => n.kind === 'endpoint' && n.source.id === 'zipkin-it')!;
      a.tree.refresh(endpoint.kind === 'endpoint' ? endpoint.source : undefined);
      const deadline = Date.now() + 15_000;
      let row: Node | undefined;
      while (!row && Date.now() < deadline) {
        a.tree.refresh(endpoint.kind === 'endpoint' ? endpoint.source : undefined);
        row = (await a.tree.getChildren(endpoint)).find((n) => n.kind === 'trace' && n.row.traceId === '0123456789abcde0');
        if (!row) await new Promise((r) => setTimeout(r, 300));
      }
      assert.ok(row, 'the trace is listed');
      const item = a.tree.getTreeItem(row);
      assert.equal(item.label, 'shell script: span from bash!');
      assert.match(String(item.description), /3 spans/);
      const panel = await a.openWaterfall('zipkin-it', '0123456789abcde0');
      assert.equal(panel?.rowCount, 3);
      panel?.dispose();
    });

    it('reloads an open waterfall from Zipkin once more spans of its trace have arrived', async () => {
      const a = await api();
      const traceId = 'feedfacecafe0001';
      const start = Date.now() * 1000;
      const span = (id: string, name: string, parentId?: string) => ({ traceId, id, parentId, name, timestamp: start, duration: 1000, localEndpoint: { serviceName: 'reload-it' } });
      const post = async (spans: unknown[]): Promise<void> => {
        const res = await fetch(zipkin.ingestUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spans) });
        assert.equal(res.status, 202);
      };
      await post([span('00000000000000a1', 'first')]);
      const source = a.endpoints.byId('zipkin-it');
      assert.ok(source);
      await waitFor('the first span in Zipkin', async () => (await source.getTrace(traceId))?.length === 1);
      const panel = await a.openWaterfall('zipkin-it', traceId);
      assert.equal(panel?.rowCount, 1);
      await post([span('00000000000000a2', 'second', '00000000000000a1')]);
      // Zipkin stores asynchronously: reload until it answers with both, as a user pressing Reload would.
      const result = await waitFor('both spans after a reload', async () => {
        const r = await panel.reload();
        return r.spanCount === 2 ? r : undefined;
      });
      assert.deepEqual(result, { spanCount: 2, added: 1 });
      assert.equal(panel.rowCount, 2);
      panel.dispose();
    });

    it('re-stamps a span and reveals it once Zipkin returns it', async () => {
      const uri = workspaceFile('zipkin-data-model-trace.json');
      const r = await send({ uri, offset: offsetIn(uri, '"get-traces"') }, { endpointId: 'zipkin-it', mode: 'restamp', reveal: true });
      assert.ok(r);
      const panel = (await api()).panel('zipkin-it', r.traceIds[0]);
      assert.ok(panel, 'revealed');
      panel.dispose();
    });
  });
});
