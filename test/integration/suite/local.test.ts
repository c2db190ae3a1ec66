import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/** The three `-d '[...]'` payloads of send-spans.sh, exactly as written in the script. */
function curlPayloads(): string[] {
  const script = readFileSync(workspaceFile('send-spans.sh').fsPath, 'utf8');
  return [...script.matchAll(/-d '(\[[\s\S]*?\])'/g)].map((m) => m[1]);
}


describe('the built-in local endpoint', () => {
  it('listens on the configured (here: free) loopback ports', async () => {
    const ports = (await api()).localPorts();
    assert.deepEqual(ports.errors, []);
    assert.ok(ports.otlp && ports.zipkin && ports.otlp !== ports.zipkin);
  });

  it('accepts the curl payloads of send-spans.sh posted to the Zipkin port with no path, like Tempo', async () => {
    const a = await api();
    const base = `http://127.0.0.1:${a.localPorts().zipkin}`;
    for (const body of curlPayloads()) {
      const res = await fetch(base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      assert.equal(res.status, 202, await res.text());
    }
    const spans = await waitFor('the trace in the store', () => a.store.get('0123456789abcde0'));
    assert.equal(spans.length, 3);
  });

  it('shows the trace in the Traces tree as "shell script: span from bash!" with 3 spans, and its span tree', async () => {
    const a = await api();
    const [endpoint] = await a.tree.getChildren();
    assert.equal(a.tree.getTreeItem(endpoint).label, 'Local');
    const traceNode = await waitFor('the trace row', async () => (await a.tree.getChildren(endpoint)).find((n: Node) => n.kind === 'trace' && n.row.traceId === '0123456789abcde0'));
    const item = a.tree.getTreeItem(traceNode);
    assert.equal(item.label, 'shell script: span from bash!');
    assert.match(String(item.description), /^10\.45 s · 3 spans · /);
    const [root] = await a.tree.getChildren(traceNode);
    assert.equal(a.tree.getTreeItem(root).label, 'span from bash!');
    const [child] = await a.tree.getChildren(root);
    assert.equal(a.tree.getTreeItem(child).label, 'child span from bash!');
    assert.deepEqual(a.tree.getParent(child), root);
  });

  it('opens the trace in a waterfall panel with 3 rows', async () => {
    const panel = await (await api()).openWaterfall('local', '0123456789abcde0');
    assert.ok(panel);
    assert.equal(panel.rowCount, 3);
    assert.equal(panel.panel.title, 'Trace span from bash!');
    panel.dispose();
  });

  it('shows trace after trace clicked in the Traces view in one preview panel; Open Trace at Span opens its own', async () => {
    const a = await api();
    // A second trace in the local store: the payloads again under another trace id.
    const other = curlPayloads().map((p) => p.replace(/0123456789abcde0/g, '0123456789abcde1'));
    for (const body of other) await fetch(`http://127.0.0.1:${a.localPorts().zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await waitFor('the second trace', () => a.store.get('0123456789abcde1')?.length === 3);
    const first = await vscode.commands.executeCommand<{ traceId: string; rowCount: number }>('traceExplorer.previewTrace', 'local', '0123456789abcde0');
    const panel = a.panel('local', '0123456789abcde0');
    assert.ok(panel && first);
    await vscode.commands.executeCommand('traceExplorer.previewTrace', 'local', '0123456789abcde1');
    assert.equal(a.panel('local', '0123456789abcde0'), undefined, 'the preview moved on');
    assert.equal(a.panel('local', '0123456789abcde1'), panel, 'in the same panel');
    assert.equal(panel.rowCount, 3);
    const own = await a.openWaterfall('local', '0123456789abcde0');
    assert.ok(own && own !== panel, 'a programmatic open gets a panel of its own');
    own.dispose();
    panel.dispose();
  });

  it('compares two traces selected in the Traces view: the slower call comes first and opens in the waterfall', async () => {
    const a = await api();
    // A third run of the curl trace whose child call took 2 s longer.
    const slower = curlPayloads().map((p) => p.replace(/0123456789abcde0/g, '0123456789abcde2').replace(/"duration":\s*(\d+)/, (_, d: string) => `"duration": ${Number(d) + 2_000_000}`));
    for (const body of slower) await fetch(`http://127.0.0.1:${a.localPorts().zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await waitFor('the slower trace', () => a.store.get('0123456789abcde2')?.length === 3);
    a.tree.refresh();
    const [endpoint] = await a.tree.getChildren();
    const rows = await waitFor('both trace rows', async () => {
      const kids = await a.tree.getChildren(endpoint);
      const find = (id: string): Node | undefined => kids.find((n: Node) => n.kind === 'trace' && n.row.traceId === id);
      const x = find('0123456789abcde0');
      const y = find('0123456789abcde2');
      return x && y ? [x, y] : undefined;
    });
    // What VS Code passes for a context-menu command on a multi-selection: the clicked row, then all selected.
    const result = await vscode.commands.executeCommand('traceExplorer.compareTraces', rows[0], rows);
    // What a command hands back is its JSON when the workbench ran it: a summary, never the traces.
    assert.deepEqual(JSON.parse(JSON.stringify(result)), { a: '0123456789abcde0', b: '0123456789abcde2', nodes: 3 });
    const panel = a.latestComparison();
    assert.ok(panel, 'a comparison panel opened');
    const { nodes, a: sideA, b: sideB } = panel.result;
    assert.deepEqual([sideA.traceId, sideB.traceId, sideA.spanCount, sideB.spanCount], ['0123456789abcde0', '0123456789abcde2', 3, 3]);
    const top = nodes[0];
    assert.equal(top.durationB - top.durationA, 2_000_000, JSON.stringify(top.path));
    assert.equal(nodes.filter((n) => n.countA !== n.countB).length, 0);
    const opened = (await panel.open('b', top.rowsB[0])) as { traceId: string } | undefined;
    assert.equal(opened?.traceId, '0123456789abcde2');
    a.panel('local', '0123456789abcde2')?.dispose();
    panel.dispose();
  });

  it('refuses a trace over traceExplorer.waterfall.maxSpans with a message instead of opening it', async () => {
    const config = vscode.workspace.getConfiguration('traceExplorer');
    await config.update('waterfall.maxSpans', 2, vscode.ConfigurationTarget.Workspace);
    try {
      const panel = await (await api()).openWaterfall('local', '0123456789abcde0');
      assert.equal(panel, undefined);
      assert.equal((await api()).panel('local', '0123456789abcde0'), undefined);
    } finally {
      await config.update('waterfall.maxSpans', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('receives what the real OpenTelemetry Python SDK exports over OTLP protobuf, complete', async function () {
    const python = join(ROOT, '.cache', 'python', 'bin', 'python');
    if (!existsSync(python)) throw new Error(`the Python SDK is missing at ${python}: run node scripts/setup-python.mjs`);
    const a = await api();
    // emit.py sends OTLP to BASE/v1/traces and Zipkin to BASE/api/v2/spans: both served on the OTLP port.
    const { stdout } = await promisify(execFile)(python, [join(ROOT, 'test/sdk/python/emit.py'), `http://127.0.0.1:${a.localPorts().otlp}`], { timeout: 45000 });
    const traceId = /"trace_id": "0x([0-9a-f]{32})"/.exec(stdout)?.[1];
    assert.ok(traceId, 'the console exporter printed the trace id');
    // Each span arrives twice (OTLP and Zipkin exporters): pieces of the same span merge when linked.
    const spans = await waitFor('6 spans', () => (a.store.get(traceId)?.length === 6 ? a.store.get(traceId) : undefined));
    assert.deepEqual([...new Set(spans.map((s) => s.name))].sort(), ['bar', 'baz', 'foo']);
    const panel = await a.openWaterfall('local', traceId);
    assert.ok(panel);
    panel.dispose();
  });
});
