/**
 * Tempo in the real extension host, against the Tempo simulator (as strict as Tempo): a typed tag filter
 * matches and the endpoint row shows the TraceQL it sends; a trace Tempo returns only part of opens with
 * the waterfall saying so.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TraceExplorerApi } from '../../../src/extension/extension';
import type { Node } from '../../../src/extension/tracesTree';
import { newSpan, type Span } from '../../../src/shared/model';
import { TempoSimulator } from '../../peers/tempoSimulator';
import { EXTENSION_ID, waitFor } from './util';

async function api(): Promise<TraceExplorerApi> {
  const ext = vscode.extensions.getExtension<TraceExplorerApi>(EXTENSION_ID);
  assert.ok(ext);
  return ext.activate();
}

const TRACE = '000000000000000000000000007e3900';
const now = Date.now() * 1000;
const span = (id: string, over: Partial<Span>): Span => ({ ...newSpan(TRACE, id.padStart(16, '0')), name: 'op', service: 'checkout', startUs: now - 2e6, durationUs: 5000, ...over });

describe('Tempo endpoint (the simulator) in the real extension host', () => {
  let sim: TempoSimulator;
  before(async () => {
    sim = await new TempoSimulator({ maxSpansPerTrace: 2 }).start();
    sim.add([
      span('1', { name: 'GET /checkout', attributes: [{ key: 'http.status_code', value: 500 }] }),
      span('2', { parentId: '0000000000000001', name: 'charge', startUs: now - 1.9e6, durationUs: 1000 }),
      span('3', { parentId: '0000000000000001', name: 'ship', startUs: now - 1.8e6, durationUs: 1000 }),
    ]);
    const a = await api();
    const reloaded = new Promise<void>((r) => a.endpoints.onDidChange(() => r()));
    await vscode.workspace.getConfiguration('traceExplorer').update('endpoints', [{ name: 'Tempo IT', type: 'tempo', url: sim.queryUrl }], vscode.ConfigurationTarget.Workspace);
    await reloaded;
  });
  after(async () => {
    await vscode.workspace.getConfiguration('traceExplorer').update('endpoints', undefined, vscode.ConfigurationTarget.Workspace);
    await sim?.stop();
  });

  it('a tag filter with the type Tempo gave its value matches, and the endpoint row shows the TraceQL sent', async () => {
    const a = await api();
    const source = a.endpoints.byId('tempo-it');
    assert.ok(source);
    a.tree.setFilter(source, { tags: { 'span.http.status_code': '500' }, tagTypes: { 'span.http.status_code': 'int' } });
    const endpoint = (await a.tree.getChildren()).find((n) => n.kind === 'endpoint' && n.source.id === 'tempo-it')!;
    const rows = await waitFor('the filtered trace', async () => {
      const kids = await a.tree.getChildren(endpoint);
      return kids.some((n: Node) => n.kind === 'trace' && n.row.traceId === TRACE) ? kids : undefined;
    });
    assert.equal(rows.filter((n) => n.kind === 'trace').length, 1);
    assert.match(String(a.tree.getTreeItem(endpoint).description), /filter: \{ span\.http\.status_code = 500 \} with \(most_recent=true\)/);
    a.tree.setFilter(source, {});
  });

  it('opens a trace Tempo returned only part of (PARTIAL) and says so in the waterfall', async () => {
    const a = await api();
    const panel = await a.openWaterfall('tempo-it', TRACE);
    assert.equal(panel?.rowCount, 2);
    assert.equal(panel?.incomplete, 'Trace exceeds maximum size of 200 bytes, a partial trace is returned');
    panel?.dispose();
  });
});
