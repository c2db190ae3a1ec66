/**
 * The Traces view's smaller commands in the real extension host: open a trace by an id typed any
 * way people copy one, copy trace and span ids, refuse a bad id, and clear the local store.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TraceExplorerApi } from '../../../src/extension/extension';
import type { Node } from '../../../src/extension/tracesTree';
import { EXTENSION_ID, waitFor } from './util';

async function api(): Promise<TraceExplorerApi> {
  const ext = vscode.extensions.getExtension<TraceExplorerApi>(EXTENSION_ID);
  assert.ok(ext);
  return ext.activate();
}

const TRACE = '00c0ffee00000001';
const SPANS = [
  { traceId: TRACE, id: '00000000000000c1', name: 'checkout', timestamp: 1_700_000_000_000_000, duration: 5000, localEndpoint: { serviceName: 'commands-it' } },
  { traceId: TRACE, id: '00000000000000c2', parentId: '00000000000000c1', name: 'charge', timestamp: 1_700_000_000_001_000, duration: 1000, localEndpoint: { serviceName: 'commands-it' } },
];

describe('Traces view commands', () => {
  before(async () => {
    const a = await api();
    const res = await fetch(`http://127.0.0.1:${a.localPorts().zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SPANS) });
    assert.equal(res.status, 202);
    await waitFor('the trace in the local store', () => a.store.get(TRACE));
  });

  it('opens a trace by id given in upper case and without leading zeros, as logs print them', async () => {
    const a = await api();
    const panel = await vscode.commands.executeCommand<{ rowCount: number; traceId: string; dispose(): void }>('traceExplorer.openTraceById', 'C0FFEE00000001');
    assert.equal(panel?.rowCount, 2);
    panel?.dispose();
    assert.equal(a.panel('local', TRACE), undefined, 'disposed');
  });

  it('refuses a string that is no trace id, saying what one looks like', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('traceExplorer.openTraceById', 'order-42')), /"order-42" is not a trace id \(1–32 hex digits\)/);
  });

  it('copies the trace id of a trace row and the span id of a span row to the clipboard', async () => {
    const a = await api();
    const [local] = await a.tree.getChildren();
    a.tree.refresh(local.kind === 'endpoint' ? local.source : undefined);
    const row = await waitFor('the trace row', async () => (await a.tree.getChildren(local)).find((n): n is Extract<Node, { kind: 'trace' }> => n.kind === 'trace' && n.row.traceId === TRACE));
    assert.equal(await vscode.commands.executeCommand('traceExplorer.copyTraceId', row), TRACE);
    assert.equal(await vscode.env.clipboard.readText(), TRACE);
    const [root] = await a.tree.getChildren(row);
    const [child] = await a.tree.getChildren(root);
    assert.equal(await vscode.commands.executeCommand('traceExplorer.copySpanId', child), '00000000000000c2');
    assert.equal(await vscode.env.clipboard.readText(), '00000000000000c2');
  });

  it('clears the local store, and the view says it holds no traces', async () => {
    const a = await api();
    await vscode.commands.executeCommand('traceExplorer.clearLocalTraces');
    assert.equal(a.store.stats().spans, 0);
    assert.equal(a.store.get(TRACE), undefined);
    const [local] = await a.tree.getChildren();
    const children = await a.tree.getChildren(local);
    assert.deepEqual(children.map((n) => n.kind), ['message']);
    assert.match(String(a.tree.getTreeItem(children[0]).label), /No traces yet/);
  });
});
