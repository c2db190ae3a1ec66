/**
 * The extension host entry. Activation only wires things together and starts the local receiver
 * (binding two loopback ports is cheap); traces are decoded and linked when a view or command asks.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_CORS_ORIGINS } from '../node/localGuard';
import { LocalCoordinator } from '../node/localCoordinator';
import type { ListenerName } from '../node/receiver';
import { TraceDecodeError } from '../shared/errors';
import { FORMAT_NAMES, decodeTrace } from '../shared/formats/detect';
import { normalizeTraceId } from '../shared/ids';
import type { Span } from '../shared/model';
import { TraceStore } from '../shared/store/traceStore';
import { linkTraces } from '../shared/trace/link';
import { formatDuration } from '../shared/time';
import { LocalSource } from '../node/sources/localSource';
import type { FetchedTrace, TraceSource } from '../node/sources/traceSource';
import { EndpointRegistry } from './endpoints';
import { withDelayedProgress } from './progress';
import { pickFilter } from './filterPicker';
import { SendSpanCodeLensProvider, SpanSender, type SendOptions } from './sendSpan';
import { SpanLocationIndex, SpansCodeLensProvider, SpansHoverProvider } from './codeToTraces';
import type { SpanAtLine } from '../shared/source/spanLocations';
import { TraceIdLinkProvider, TraceIdTerminalLinkProvider, findTrace } from './traceLinks';
import { sourceRefsOfSpan } from '../shared/source/spanSources';
import { SourceOpener } from './sourceOpener';
import { registerLmTools } from './lmTools';
import { TracesTreeProvider, type Node } from './tracesTree';
import { WaterfallPanel, type WaterfallDeps } from './waterfallPanel';
import { ComparePanel, type CompareDeps, type CompareInput } from './comparePanel';
import { inputFromFile, loadInput, pickTrace, type CompareSources } from './compareCommands';

/** What the integration tests (and other extensions) can ask of an activated Trace Explorer. */
export interface TraceExplorerApi {
  localPorts(): { otlp?: number; zipkin?: number; errors: string[] };
  store: TraceStore;
  tree: TracesTreeProvider;
  openWaterfall(sourceId: string, traceId: string): Promise<WaterfallPanel | undefined>;
  endpoints: EndpointRegistry;
  sender: SpanSender;
  /** The open waterfall of a trace (the test bundle has its own copy of the module, so it asks here). */
  panel(sourceId: string, traceId: string): WaterfallPanel | undefined;
  spanIndex: SpanLocationIndex;
  /** The comparison panel opened last, while it is open (commands return only a summary of it). */
  latestComparison(): ComparePanel | undefined;
  /** Compare two traces, each given by endpoint and id, in a new comparison panel. */
  compare(a: { sourceId: string; traceId: string }, b: { sourceId: string; traceId: string }): Promise<ComparePanel>;
}

const LISTENER_NAMES: Record<ListenerName, string> = {
  otlp: 'OTLP/HTTP',
  grpc: 'OTLP/gRPC',
  zipkin: 'Zipkin',
  'jaeger-compact': 'Jaeger UDP (compact)',
  'jaeger-binary': 'Jaeger UDP (binary)',
  'jaeger-http': 'Jaeger HTTP',
};

/** A trace and what its backend said about completeness (Tempo's PARTIAL), from any source. */
async function fetchTrace(source: TraceSource, traceId: string, signal?: AbortSignal): Promise<FetchedTrace | undefined> {
  if (source.fetchTrace) return source.fetchTrace(traceId, signal);
  const spans = await source.getTrace(traceId, signal);
  return spans ? { spans } : undefined;
}

/** Traces opened from files, kept so their panels survive a reload of the window. */
const fileTraces = new Map<string, { spans: Span[]; label: string }>();

export async function activate(context: vscode.ExtensionContext): Promise<TraceExplorerApi> {
  const log = vscode.window.createOutputChannel('Trace Explorer', { log: true });
  context.subscriptions.push(log);
  const activationStarted = performance.now();
  log.info('activating');
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('traceExplorer');

  const store = new TraceStore(config().get<number>('local.maxSpans', 200_000));
  const local = new LocalSource(store);
  const endpoints = new EndpointRegistry(local, context.secrets, log);
  context.subscriptions.push(endpoints);
  await endpoints.reload();
  const sourceById = (id: string): ReturnType<EndpointRegistry['byId']> => endpoints.byId(id);

  // The local receiver, one for every window: the first window owns its ports and its store on disk
  // (global storage, which every window shares); the others use that store, and one takes over when the
  // owner goes. A port in use is reported in the Local row, never fatal, and never a popup per start.
  const jaegerPort = (key: string, d: number): number | null => config().get<number>(key, d) || null; // 0 = off (gRPC and Jaeger ports)
  const coordinator = new LocalCoordinator(store, local, {
    receiver: {
      otlpPort: config().get<number>('local.otlpPort', 4318),
      zipkinPort: config().get<number>('local.zipkinPort', 9411),
      grpcPort: jaegerPort('local.grpcPort', 4317),
      jaegerCompactPort: jaegerPort('local.jaegerCompactPort', 6831),
      jaegerBinaryPort: jaegerPort('local.jaegerBinaryPort', 6832),
      jaegerHttpPort: jaegerPort('local.jaegerHttpPort', 14268),
      allowedHosts: config().get<string[]>('local.allowedHosts', []),
      corsOrigins: config().get<string[]>('local.corsOrigins', [...DEFAULT_CORS_ORIGINS]),
      identity: { instance: `${vscode.env.sessionId.slice(0, 8)}-${process.pid}`, version: String(context.extension.packageJSON.version ?? '0') },
      log: (line) => log.warn(line),
    },
    ...(config().get<boolean>('local.persist', true)
      ? { persistence: { dir: join(context.globalStorageUri.fsPath, 'local-store'), maxBytes: config().get<number>('local.storeMaxMegabytes', 500) * 1024 * 1024, maxAgeMs: config().get<number>('local.storeMaxAgeDays', 7) * 86_400_000 } }
      : {}),
    log: (line) => log.info(line),
  });
  local.persistence = () => coordinator.persistence?.stats();
  if (config().get<boolean>('local.enabled', true)) {
    for (const r of await coordinator.start()) {
      if (r.error) {
        local.ports.errors.push(`${LISTENER_NAMES[r.name]}: ${r.error}`);
        log.warn(`local receiver: ${LISTENER_NAMES[r.name]}: ${r.error}`);
      } else log.info(`local receiver: ${r.name} on 127.0.0.1:${r.port}`);
    }
    log.info(`local receiver: ${coordinator.role.kind === 'client' ? `shared: another window owns it (${coordinator.role.ownerUrl})` : coordinator.role.kind}`);
  }
  context.subscriptions.push({ dispose: () => void coordinator.stop() });

  const opener = new SourceOpener(log);
  registerLmTools(context, { sources: () => endpoints.all, opener, log });
  const spanIndex = new SpanLocationIndex(store, opener);
  context.subscriptions.push(
    spanIndex,
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, new SpansCodeLensProvider(spanIndex)),
    vscode.languages.registerHoverProvider({ scheme: 'file' }, new SpansHoverProvider(spanIndex)),
    vscode.languages.registerDocumentLinkProvider([{ scheme: 'file' }, { scheme: 'untitled' }], new TraceIdLinkProvider()),
    vscode.window.registerTerminalLinkProvider(new TraceIdTerminalLinkProvider()),
  );
  const deps: WaterfallDeps = {
    extensionUri: context.extensionUri,
    log,
    opener,
    sendAgain: async (spans, label) => !!(await sender.sendSpans(spans, label)),
    load: async (sourceId, traceId, signal) => {
      if (sourceId === 'file') {
        const f = fileTraces.get(traceId);
        return f ? { spans: f.spans, sourceLabel: f.label } : undefined;
      }
      const source = sourceById(sourceId);
      const fetched = source ? await fetchTrace(source, traceId, signal) : undefined;
      return fetched && source ? { ...fetched, sourceLabel: source.label } : undefined;
    },
    // "Compare with…" in a waterfall: asks for B (the comparison's code is further down).
    compareWith: async (a) => !!(await compare(a)),
  };
  context.subscriptions.push(WaterfallPanel.register(deps));

  // In a window that shares another window's receiver, the code lenses read that window's newest traces
  // (only the traces that are new or grew are fetched again).
  const sharedTraces = new Map<string, { spanCount: number; spans: Span[] }>();
  let syncing = false;
  const syncShared = async (): Promise<void> => {
    if (syncing) return;
    syncing = true;
    try {
      if (!local.owner) {
        if (sharedTraces.size) {
          sharedTraces.clear();
          spanIndex.setShared([]);
        }
        return;
      }
      const rows = await local.listTraces({ limit: 200 });
      const keep = new Set(rows.map((r) => r.traceId));
      for (const id of [...sharedTraces.keys()]) if (!keep.has(id)) sharedTraces.delete(id);
      for (const r of rows) {
        if (sharedTraces.get(r.traceId)?.spanCount === r.spanCount) continue;
        const spans = await local.getTrace(r.traceId);
        if (spans) sharedTraces.set(r.traceId, { spanCount: r.spanCount, spans });
      }
      spanIndex.setShared([...sharedTraces].map(([traceId, t]) => ({ traceId, spans: t.spans })));
    } catch (e) {
      log.warn(`code lenses: cannot read the shared local store: ${(e as Error).message}`);
    } finally {
      syncing = false;
    }
  };
  context.subscriptions.push(coordinator.onDidChange(() => void syncShared()));
  void syncShared();
  const tree = new TracesTreeProvider(endpoints.all);
  // Another window's store changed, or this window took the receiver over: list Local again.
  context.subscriptions.push(coordinator.onDidChange(() => tree.refresh(local)));
  context.subscriptions.push(endpoints.onDidChange(() => tree.setSources(endpoints.all)));
  tree.onTraceLoaded = (sourceId, spans) => spanIndex.addTrace(sourceId, spans);
  // Several rows can be selected: two traces → Compare Traces.
  const view = vscode.window.createTreeView('traceExplorer.traces', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(tree, view);

  // New spans in the local store: refresh its node (debounced: an SDK sends in bursts) and any open panel.
  let pending: NodeJS.Timeout | undefined;
  const touched = new Set<string>();
  const sub = store.onDidAdd((ids) => {
    ids.forEach((id) => touched.add(id));
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      tree.refresh(local);
      for (const id of touched) {
        const panel = WaterfallPanel.get('local', id);
        const spans = store.get(id);
        if (panel && spans) void panel.update([...spans]);
      }
      touched.clear();
    }, 300);
  });
  context.subscriptions.push(sub, { dispose: () => pending && clearTimeout(pending) });

  // Auto-refresh of the remote endpoints (the local one refreshes itself when spans arrive).
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (timer) clearInterval(timer);
    const secs = config().get<number>('autoRefreshSeconds', 0);
    timer = secs > 0 ? setInterval(() => endpoints.all.filter((s) => s.kind !== 'local').forEach((s) => tree.refresh(s)), Math.max(5, secs) * 1000) : undefined;
  };
  schedule();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('traceExplorer.autoRefreshSeconds') && schedule()),
    { dispose: () => timer && clearInterval(timer) },
  );

  const openWaterfall = async (sourceId: string, traceId: string, selectSpanId?: string, preview = false): Promise<WaterfallPanel | undefined> => {
    const source = sourceById(sourceId);
    if (!source) throw new Error(`no endpoint "${sourceId}"`);
    // Usually quick: the status bar shows it, and a slow load becomes a cancellable notification.
    const t0 = performance.now();
    const fetched = await withDelayedProgress(`Loading trace ${traceId} from ${source.label}…`, (signal) => fetchTrace(source, traceId, signal));
    if (!fetched?.spans.length) {
      void vscode.window.showWarningMessage(`Trace Explorer: ${source.label} has no trace ${traceId}.`);
      return undefined;
    }
    const t1 = performance.now();
    spanIndex.addTrace(source.id, fetched.spans);
    log.info(`waterfall: trace ${traceId} fetched from ${source.label} in ${Math.round(t1 - t0)} ms, indexed in ${Math.round(performance.now() - t1)} ms`);
    return WaterfallPanel.show(deps, fetched.spans, source.id, source.label, selectSpanId, fetched.incomplete, preview);
  };

  const command = (id: string, fn: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };

  // Comparing two traces (A and B from any endpoint, file or open waterfall).
  const compareSources: CompareSources = {
    all: () => endpoints.all,
    load: (sourceId, traceId, signal) => deps.load(sourceId, traceId, signal),
    open: () => WaterfallPanel.openTraces(),
  };
  const compareDeps: CompareDeps = {
    extensionUri: context.extensionUri,
    log,
    opener,
    openInWaterfall: (side, spanId) => WaterfallPanel.show(deps, side.spans, side.sourceId, side.sourceLabel, spanId),
  };
  const compare = async (a: CompareInput, b?: CompareInput): Promise<ComparePanel | undefined> => {
    const other = b ?? (await pickTrace(compareSources, `Compare ${a.spans[0]?.traceId.slice(0, 16) ?? ''} with…`, a));
    return other ? ComparePanel.show(compareDeps, a, other) : undefined;
  };
  const inputOfNode = (n: Node): Promise<CompareInput> | undefined =>
    n.kind === 'trace' ? loadInput(compareSources, n.source.id, n.row.traceId) : n.kind === 'span' ? loadInput(compareSources, n.source.id, n.traceId) : undefined;
  command('traceExplorer.compareTraces', async (node?: Node, nodes?: Node[]) => {
    // From the Traces view: the selected traces (two: compared; one: the other is asked for).
    const chosen = (nodes?.length ? nodes : node ? [node] : []).map(inputOfNode).filter((p): p is Promise<CompareInput> => !!p);
    if (chosen.length > 2) throw new Error('select two traces to compare, not more');
    const [a, b] = await withDelayedProgress('Loading the traces to compare…', () => Promise.all(chosen));
    const first = a ?? (await pickTrace(compareSources, 'Compare traces: A, the baseline'));
    return first ? compare(first, b) : undefined;
  });
  command('traceExplorer.compareFiles', async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
    const files = uris?.length ? uris : uri ? [uri] : [];
    if (files.length > 2) throw new Error('select two trace files to compare, not more');
    const [a, b] = await Promise.all(files.map((f) => inputFromFile(f)));
    if (files.length && !a) return undefined;
    return a ? compare(a, b) : vscode.commands.executeCommand('traceExplorer.compareTraces');
  });

  const sender = new SpanSender(endpoints, context.workspaceState, log, async (sourceId, traceId) => {
    tree.refresh(endpoints.byId(sourceId));
    return openWaterfall(sourceId, traceId);
  });
  context.subscriptions.push(
    sender,
    vscode.languages.registerCodeLensProvider(
      [{ language: 'json' }, { language: 'jsonc' }, { language: 'markdown' }, { language: 'shellscript' }, { pattern: '**/*.{txt,log,ndjson}' }],
      new SendSpanCodeLensProvider(),
    ),
  );
  command('traceExplorer.sendSampleSpan', (at?: { uri: vscode.Uri; offset: number }, options?: SendOptions) =>
    sender.send(at && at.uri instanceof vscode.Uri ? at : undefined, options));
  command('traceExplorer.openTraceAt', (sourceId: string, traceId: string, spanId?: string) => openWaterfall(sourceId, traceId, spanId));
  // A click in the Traces view: shown in the preview panel (see WaterfallPanel.show).
  command('traceExplorer.previewTrace', (sourceId: string, traceId: string, spanId?: string) => openWaterfall(sourceId, traceId, spanId, true));
  command('traceExplorer.showSpansAtLine', async (spans: SpanAtLine[]) => {
    const pick = await vscode.window.showQuickPick(
      spans.map((s) => ({ label: `${s.error ? '$(error) ' : ''}${s.service || '?'}: ${s.name || '(unnamed)'}`, description: formatDuration(s.durationUs), detail: `trace ${s.traceId} · ${endpoints.byId(s.sourceId)?.label ?? s.sourceId} · ${s.ref.label}`, s })),
      { placeHolder: 'Recent spans that ran this line: open one in the waterfall' },
    );
    return pick ? openWaterfall(pick.s.sourceId, pick.s.traceId, pick.s.spanId) : undefined;
  });
  command('traceExplorer.openTraceLink', async (traceId?: string) => {
    if (!traceId) return undefined;
    const found = await findTrace(endpoints.all, traceId);
    if (!found.source) {
      void vscode.window.showWarningMessage(`Trace Explorer: no endpoint has trace ${traceId} (asked ${found.asked.join(', ')})${found.errors.length ? `; ${found.errors.join('; ')}` : ''}.`);
      return undefined;
    }
    return openWaterfall(found.source.id, traceId);
  });
  // `which` picks a location without asking (tests, keybindings); otherwise several locations are offered.
  command('traceExplorer.openSpanSource', async (node?: Node, which?: number) => {
    if (node?.kind !== 'span') return false;
    const refs = sourceRefsOfSpan(node.trace.spans[node.row]);
    if (which !== undefined && refs[which]) return opener.open(refs[which].path, refs[which].line, refs[which].column);
    if (!refs.length) {
      void vscode.window.showInformationMessage('Trace Explorer: this span names no source location (no code.* attributes or stack frames).');
      return false;
    }
    const ref = refs.length === 1 ? refs[0] : (await vscode.window.showQuickPick(refs.map((r) => ({ label: r.label, description: r.path, r })), { placeHolder: 'Open which location?' }))?.r;
    return ref ? opener.open(ref.path, ref.line, ref.column) : false;
  });
  command('traceExplorer.refresh', () => tree.refresh());
  command('traceExplorer.openTrace', async (node?: Node) => {
    if (!node) return vscode.commands.executeCommand('traceExplorer.openTraceById');
    if (node.kind === 'trace') return openWaterfall(node.source.id, node.row.traceId);
    if (node.kind === 'span') return openWaterfall(node.source.id, node.traceId, node.trace.uid[node.row]);
    return undefined;
  });
  command('traceExplorer.openTraceById', async (arg?: string) => {
    const raw = arg ?? (await vscode.window.showInputBox({
      title: 'Open Trace by ID',
      prompt: 'A trace id: 16 or 32 hex digits',
      placeHolder: '0123456789abcde0',
      validateInput: (v) => (normalizeTraceId(v.trim()) ? undefined : 'a trace id is 1–32 hex digits'),
    }));
    if (!raw) return undefined;
    const id = normalizeTraceId(raw.trim());
    if (!id) throw new Error(`"${raw}" is not a trace id (1–32 hex digits)`);
    const all = endpoints.all;
    const source = all.length === 1 ? all[0] : (await vscode.window.showQuickPick(all.map((s) => ({ label: s.label, description: s.kind, source: s })), { placeHolder: 'From which endpoint?' }))?.source;
    return source ? openWaterfall(source.id, id) : undefined;
  });
  command('traceExplorer.copyTraceId', async (node?: Node) => {
    const id = node?.kind === 'trace' ? node.row.traceId : node?.kind === 'span' ? node.traceId : undefined;
    if (id) await vscode.env.clipboard.writeText(id);
    return id;
  });
  command('traceExplorer.copySpanId', async (node?: Node) => {
    const id = node?.kind === 'span' ? node.trace.spans[node.row].spanId : undefined;
    if (id) await vscode.env.clipboard.writeText(id);
    return id;
  });
  command('traceExplorer.openActiveEditorInWaterfall', (uri?: vscode.Uri) => openEditorTrace(deps, log, uri instanceof vscode.Uri ? uri : undefined));
  command('traceExplorer.summarizeActiveEditor', () => summarizeActiveEditor(log));
  command('traceExplorer.showLocalReceiver', () => {
    const text = local.describe() + (local.ports.errors.length ? ` Problems: ${local.ports.errors.join('; ')}` : '');
    void vscode.window.showInformationMessage(text);
    return text;
  });
  command('traceExplorer.filter', async (node?: Node) => {
    const source = node?.kind === 'endpoint' ? node.source : endpoints.all.length === 1 ? endpoints.all[0] : (await vscode.window.showQuickPick(endpoints.all.map((s) => ({ label: s.label, source: s })), { placeHolder: 'Filter which endpoint?' }))?.source;
    if (!source) return undefined;
    const q = await pickFilter(source, tree.filter(source.id));
    if (q) tree.setFilter(source, q);
    return q;
  });
  command('traceExplorer.clearFilter', (node?: Node) => {
    if (node?.kind === 'endpoint') tree.setFilter(node.source, {});
  });
  command('traceExplorer.setCredentials', (node?: Node | string) => endpoints.setCredentials(typeof node === 'string' ? node : node?.kind === 'endpoint' ? node.source.id : undefined));
  command('traceExplorer.resolveLocalPort', async () => {
    const role = coordinator.role;
    if (role.kind !== 'foreign') return undefined;
    const items: Array<vscode.QuickPickItem & { action: 'port' | 'endpoint' }> = [
      { label: '$(plug) Use another port', description: 'a free one, for this and later windows (the SDKs then need it)', action: 'port' },
      ...(role.holder.endpoint ? [{ label: `$(add) Add it as an endpoint`, description: `${role.holder.endpoint.type} at ${role.holder.endpoint.url}`, action: 'endpoint' as const }] : []),
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Port ${role.port} is held by ${role.holder.description}` });
    if (pick?.action === 'endpoint' && role.holder.endpoint) {
      const current = config().get<unknown[]>('endpoints', []);
      const name = `${role.holder.endpoint.type === 'zipkin' ? 'Zipkin' : role.holder.endpoint.type === 'jaeger' ? 'Jaeger' : 'Tempo'} on port ${role.port}`;
      await config().update('endpoints', [...current, { name, type: role.holder.endpoint.type, url: role.holder.endpoint.url }], vscode.ConfigurationTarget.Global);
    } else if (pick?.action === 'port') {
      await config().update('local.otlpPort', 0, vscode.ConfigurationTarget.Global);
      const reload = await vscode.window.showInformationMessage('Trace Explorer: the local receiver takes a free port after the window reloads.', 'Reload Window');
      if (reload) await vscode.commands.executeCommand('workbench.action.reloadWindow');
    }
    return pick?.action;
  });
  command('traceExplorer.clearLocalTraces', async () => {
    // From disk too ("clear" must really delete), and in the owning window when another one owns it.
    await coordinator.clear();
    tree.refresh(local);
  });

  // vscode://trace-explorer.trace-explorer/trace?endpoint=local&id=<traceId>
  context.subscriptions.push(
    vscode.window.registerUriHandler({
      handleUri: async (uri) => {
        const q = new URLSearchParams(uri.query);
        const id = normalizeTraceId(q.get('id') ?? '');
        if (uri.path !== '/trace' || !id) {
          void vscode.window.showErrorMessage(`Trace Explorer: cannot open ${uri.toString()}: expected /trace?endpoint=<name>&id=<trace id>`);
          return;
        }
        await openWaterfall(q.get('endpoint') ?? 'local', id);
      },
    }),
  );

  log.info(`activated in ${Math.round(performance.now() - activationStarted)} ms`);
  return {
    localPorts: () => local.ports,
    store,
    tree,
    openWaterfall,
    endpoints,
    sender,
    panel: (s, t) => WaterfallPanel.get(s, t),
    spanIndex,
    latestComparison: () => ComparePanel.latest,
    compare: async (a, b) => {
      const [x, y] = await Promise.all([loadInput(compareSources, a.sourceId, a.traceId), loadInput(compareSources, b.sourceId, b.traceId)]);
      return ComparePanel.show(compareDeps, x, y);
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/**
 * The trace file to open: the given resource (the editor title button passes it), else the active
 * editor's text, else the active tab's file read from disk — VS Code does not hand very large
 * documents to extensions, and a binary protobuf file has no text editor at all.
 */
async function traceInput(uri?: vscode.Uri): Promise<{ input: string | Uint8Array; uri: vscode.Uri; editor?: vscode.TextEditor } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!uri && editor) return { input: editor.document.getText(), uri: editor.document.uri, editor };
  const tabInput = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const target = uri ?? (tabInput instanceof vscode.TabInputText || tabInput instanceof vscode.TabInputCustom ? tabInput.uri : undefined);
  if (!target) return undefined;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (open) return { input: open.getText(), uri: target, editor: vscode.window.visibleTextEditors.find((e) => e.document === open) };
  return { input: await vscode.workspace.fs.readFile(target), uri: target };
}

/** Decode a trace file and show its trace (asking which one when it holds several) as a waterfall. */
async function openEditorTrace(deps: WaterfallDeps, log: vscode.LogOutputChannel, uri?: vscode.Uri): Promise<WaterfallPanel | undefined> {
  const source = await traceInput(uri);
  if (!source) {
    void vscode.window.showWarningMessage('Trace Explorer: open a trace file (Zipkin, OTLP, Jaeger, Tempo JSON, OTLP protobuf) first.');
    return undefined;
  }
  const editor = source.editor;
  try {
    const { spans } = decodeTrace(source.input);
    const traces = linkTraces(spans);
    if (!traces.length) {
      void vscode.window.showWarningMessage('Trace Explorer: this file holds no spans.');
      return undefined;
    }
    let traceId = traces[0].traceId;
    if (traces.length > 1) {
      const pick = await vscode.window.showQuickPick(
        traces.map((t) => ({ label: `${t.spans[0]?.service}: ${t.spans[0]?.name}`, description: `${t.spans.length} spans · ${formatDuration(t.endUs - t.startUs)}`, detail: t.traceId, id: t.traceId })),
        { placeHolder: `This file holds ${traces.length} traces: which one?` },
      );
      if (!pick) return undefined;
      traceId = pick.id;
    }
    const chosen = traces.find((t) => t.traceId === traceId)!;
    const label = vscode.workspace.asRelativePath(source.uri);
    fileTraces.set(traceId, { spans: [...chosen.spans], label });
    return WaterfallPanel.show(deps, [...chosen.spans], 'file', label);
  } catch (e) {
    if (e instanceof TraceDecodeError) return void reportDecodeError(editor, e, log);
    throw e;
  }
}

function reportDecodeError(editor: vscode.TextEditor | undefined, e: TraceDecodeError, log: vscode.LogOutputChannel): string {
  const message = `Not a readable trace: ${e.message}`;
  log.warn(message);
  if (editor && e.position?.line !== undefined) {
    const pos = new vscode.Position(e.position.line - 1, (e.position.column ?? 1) - 1);
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(new vscode.Range(pos, pos));
  }
  void vscode.window.showErrorMessage(message);
  return message;
}

/** Decode the active editor's text and report what it holds; a decode error points at its line. */
async function summarizeActiveEditor(log: vscode.LogOutputChannel): Promise<string | undefined> {
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
    log.info(message);
    void vscode.window.showInformationMessage(message);
    return message;
  } catch (e) {
    if (e instanceof TraceDecodeError) return reportDecodeError(editor, e, log);
    throw e;
  }
}
