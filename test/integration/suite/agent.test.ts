/**
 * The agent tools in the real VS Code, invoked as Copilot's agent mode would through vscode.lm (no
 * model needed): on the demo program's traces, sent by the real OpenTelemetry JS SDK to the local
 * receiver; on a trace written to attack agents; and send_spans, which VS Code confirms with the user.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { TraceExplorerApi } from '../../../src/extension/extension';
import { TOOLS } from '../../../src/shared/agent/toolSchemas';
import { encodeSpans } from '../../../src/shared/formats/encode';
import { HOSTILE_TRACE_ID, hostileTrace, injectionProblems } from '../../agent/hostileSpans';
import { EXTENSION_ID, waitFor, workspaceFile } from './util';

const ROOT = join(__dirname, '..', '..', '..');
const run = promisify(execFile);

async function api(): Promise<TraceExplorerApi> {
  const ext = vscode.extensions.getExtension<TraceExplorerApi>(EXTENSION_ID);
  assert.ok(ext);
  return ext.activate();
}

/** Invoke one of our tools as an agent would, and read the text the model gets. */
async function invoke(name: string, input: Record<string, unknown>): Promise<string> {
  const result = await vscode.lm.invokeTool(`traceExplorer_${name}`, { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

describe('agent tools through vscode.lm', function () {
  this.timeout(120_000);
  let failing = '';
  let fine = '';

  before(async () => {
    const a = await api();
    // The demo program in the workspace (its spans then point at a workspace file), with the SDK it imports.
    const program = workspaceFile('checkout-service.mjs').fsPath;
    copyFileSync(join(ROOT, 'demo', 'checkout-service.mjs'), program);
    try {
      symlinkSync(join(ROOT, 'node_modules'), workspaceFile('node_modules').fsPath, 'dir');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const { stdout } = await run(process.execPath, [program, '2'], { env: { ...process.env, OTLP_PORT: String(a.localPorts().otlp) } });
    [fine, failing] = /: ([0-9a-f]{32}) ([0-9a-f]{32})/.exec(stdout)?.slice(1) ?? [];
    assert.ok(failing, stdout);
    await waitFor('both demo traces in the store', () => a.store.get(failing)?.length === 5 && a.store.get(fine)?.length === 5);
  });

  it('are registered with the names, descriptions and input schemas package.json contributes', () => {
    const ours = vscode.lm.tools.filter((t) => t.name.startsWith('traceExplorer_'));
    assert.deepEqual(ours.map((t) => t.name).sort(), TOOLS.map((t) => `traceExplorer_${t.name}`).sort());
    for (const t of ours) {
      const def = TOOLS.find((d) => `traceExplorer_${d.name}` === t.name)!;
      assert.deepEqual(t.inputSchema, def.inputSchema, t.name);
      assert.equal(t.description, def.description);
      assert.ok(t.tags.includes('traces'));
    }
  });

  it('get_trace on the demo\u2019s failing checkout gives its critical path and the failing call at its line in the workspace', async () => {
    const text = await invoke('get_trace', { trace_id: failing });
    assert.match(text, new RegExp(`^Trace ${failing} from "local": root span [0-9a-f]{16} "frontend" "POST /checkout", [\\d.]+ ms, 5 spans, 4 services`), text);
    // Every call of the checkout runs one after the other: all five are on the path, in the order they ran.
    const path = [...text.matchAll(/^ {2}\d+\. span [0-9a-f]{16} "([^"]+)" "([^"]+)" .* on the path$/gm)].map((m) => `${m[1]}: ${m[2]}`);
    assert.deepEqual(path, ['frontend: POST /checkout', 'inventory: reserve items', 'inventory: SELECT stock', 'payments: charge card', 'email: send receipt']);
    assert.match(text, /^Errors:\n {2}- span [0-9a-f]{16} "payments" "charge card": exception "Error", message "card declined for 150 EUR", at "checkout-service\.mjs:55"$/m);
  });

  it('search_traces lists both demo runs, errors_only the failing one; spans_at_code finds the stock query from its line', async () => {
    const all = await invoke('search_traces', { service: 'inventory' });
    assert.ok(all.includes(failing) && all.includes(fine), all);
    const errors = await invoke('search_traces', { errors_only: true, service: 'payments' });
    assert.ok(errors.includes(failing) && !errors.includes(fine), errors);
    const at = await invoke('spans_at_code', { file: 'checkout-service.mjs', line: 52 });
    assert.match(at, /^2 spans point at "checkout-service\.mjs:52"\./);
    assert.equal([...at.matchAll(/"inventory" "SELECT stock"/g)].length, 2, at);
    const byFunction = await invoke('spans_at_code', { file: 'checkout-service.mjs', function: 'charge card' });
    assert.match(byFunction, /^2 spans point at "checkout-service\.mjs \(function charge card\)"\./);
    assert.match(byFunction, /"payments" "charge card" [\d.]+ ms, failed with "Error" "card declined for 150 EUR", at "checkout-service\.mjs:55"/);
    const span = /span ([0-9a-f]{16}) "inventory" "SELECT stock"/.exec(at)![1];
    const full = await invoke('get_span', { trace_id: failing, span_id: span });
    assert.match(full, /"code\.line\.number" = "52"/);
  });

  it('compare_traces finds no changed structure between the two runs, only the failed charge', async () => {
    const text = await invoke('compare_traces', { trace_a: fine, trace_b: failing, min_change_percent: 1000 });
    assert.match(text, /changed by 1000% or more/);
    assert.match(text, /"payments: charge card".*errors 0 → 1/);
  });

  it('gives a hostile trace\u2019s planted instructions to the model as quoted data only', async () => {
    const a = await api();
    const body = encodeSpans(hostileTrace(), 'otlp-json').body as string;
    const res = await fetch(`http://127.0.0.1:${a.localPorts().otlp}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert.equal(res.status, 200);
    await waitFor('the hostile trace', () => a.store.get(HOSTILE_TRACE_ID));
    for (const [name, input] of [['get_trace', { trace_id: HOSTILE_TRACE_ID }], ['get_span', { trace_id: HOSTILE_TRACE_ID, span_id: 'aaaaaaaaaaaaaaa1' }], ['search_traces', {}]] as const) {
      const text = await invoke(name, input);
      assert.deepEqual(injectionProblems(text), [], `${name}: ${text.slice(0, 300)}`);
    }
  });

  it('answers an unknown trace with a message the model can act on', async () => {
    await assert.rejects(invoke('get_trace', { trace_id: 'ab'.repeat(16) }), /has no trace abab.*search_traces lists the traces it has/);
  });

  it('send_spans goes through VS Code\u2019s confirmation and the spans arrive in the local store', async () => {
    // VS Code answers its own confirmation dialogs "yes" while extension tests run (its dialog service
    // skips them), so only the agreeing path can run here; the question asked is checked in the unit tests.
    const a = await api();
    const id = '0000000000000000000000000000c0de';
    const payload = JSON.stringify([{ traceId: id, id: '00000000000000c1', name: 'sent by an agent', timestamp: 1_700_000_000_000_000, duration: 1000, localEndpoint: { serviceName: 'agent' } }]);
    assert.equal(a.store.get(id), undefined);
    assert.match(await invoke('send_spans', { payload, restamp: false }), /^Sent 1 span to "local"/);
    await waitFor('the sent span in the store', () => a.store.get(id));
  });
});
