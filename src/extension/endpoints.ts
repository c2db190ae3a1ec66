/**
 * The endpoints the Traces view shows: the built-in local one first, then `traceExplorer.endpoints`.
 * Secrets (passwords, tokens) live in SecretStorage under the endpoint's id and are read only when a
 * source is made; settings hold none. Sources are rebuilt when the settings or a secret change.
 */
import * as vscode from 'vscode';
import { BackendError } from '../node/http/backendError';
import { createSource } from '../node/sources/createSource';
import { endpointId, parseEndpoints, type EndpointConfig } from '../node/sources/endpointConfig';
import type { LocalSource } from '../node/sources/localSource';
import type { TraceSource } from '../node/sources/traceSource';

const SECRET_PREFIX = 'traceExplorer.secret.';

export class EndpointRegistry implements vscode.Disposable {
  private remote: TraceSource[] = [];
  private configs = new Map<string, EndpointConfig>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  problems: string[] = [];

  constructor(
    private readonly local: LocalSource,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('traceExplorer.endpoints') || e.affectsConfiguration('traceExplorer.requestTimeoutSeconds') || e.affectsConfiguration('http.proxy')) void this.reload();
      }),
      secrets.onDidChange((e) => {
        if (e.key.startsWith(SECRET_PREFIX)) void this.reload();
      }),
    );
  }

  get all(): TraceSource[] {
    return [this.local, ...this.remote];
  }

  byId(id: string): TraceSource | undefined {
    return this.all.find((s) => s.id === id || s.label === id);
  }

  /** Read the settings and (re)make the sources. Bad entries are reported once and skipped. */
  async reload(): Promise<void> {
    const cfg = vscode.workspace.getConfiguration('traceExplorer');
    const { endpoints, problems } = parseEndpoints(cfg.get('endpoints'));
    const old = this.remote;
    const next: TraceSource[] = [];
    const configs = new Map<string, EndpointConfig>();
    this.problems = problems.map((p) => p.message);
    for (const p of this.problems) this.log.warn(`settings: ${p}`);
    if (this.problems.length) void vscode.window.showWarningMessage(`Trace Explorer: ${this.problems.join('; ')}`, 'Open Settings').then((a) => a && vscode.commands.executeCommand('workbench.action.openSettingsJson'));
    const proxy = vscode.workspace.getConfiguration('http').get<string>('proxy') || undefined;
    for (const e of endpoints) {
      const id = endpointId(e.name);
      try {
        const secret = e.auth === 'basic' || e.auth === 'bearer' ? await this.secrets.get(SECRET_PREFIX + id) : undefined;
        if ((e.auth === 'basic' || e.auth === 'bearer') && !secret) this.log.warn(`${e.name}: auth is ${e.auth} but no secret is stored; run "Trace Explorer: Set Endpoint Credentials…"`);
        if (e.allowInsecureTls) this.log.warn(`${e.name}: allowInsecureTls is on: TLS certificates of ${e.url} are not checked`);
        next.push(
          createSource(e, {
            secret,
            proxy,
            totalTimeoutMs: cfg.get<number>('requestTimeoutSeconds', 30) * 1000,
            maxResponseBytes: cfg.get<number>('maxResponseMegabytes', 256) * 1024 * 1024,
            log: (line) => this.log.info(line),
          }),
        );
        configs.set(id, e);
      } catch (err) {
        const msg = err instanceof BackendError ? err.message : String(err);
        this.problems.push(msg);
        this.log.warn(msg);
      }
    }
    this.remote = next;
    this.configs = configs;
    this.changed.fire();
    for (const s of old) void s.dispose?.();
  }

  /** Ask for and store the password or token of an endpoint. Nothing is written to settings or logs. */
  async setCredentials(id?: string): Promise<boolean> {
    const candidates = [...this.configs.entries()];
    if (!candidates.length) {
      void vscode.window.showInformationMessage('Trace Explorer: add an endpoint to traceExplorer.endpoints first; the local endpoint needs no credentials.');
      return false;
    }
    const chosen = id ?? (await vscode.window.showQuickPick(candidates.map(([cid, c]) => ({ label: c.name, description: `${c.type} · ${c.auth ?? 'no auth'}`, id: cid })), { placeHolder: 'Credentials for which endpoint?' }))?.id;
    const config = chosen ? this.configs.get(chosen) : undefined;
    if (!chosen || !config) return false;
    const what = config.auth === 'basic' ? `password or access-policy token for user "${config.user ?? ''}"` : 'bearer token';
    const value = await vscode.window.showInputBox({ title: `Credentials for ${config.name}`, prompt: `The ${what}. Kept in VS Code's secret storage, never in settings.`, password: true, ignoreFocusOut: true });
    if (value === undefined) return false;
    if (value === '') await this.secrets.delete(SECRET_PREFIX + chosen);
    else await this.secrets.store(SECRET_PREFIX + chosen, value);
    if (!config.auth || config.auth === 'none') {
      void vscode.window.showWarningMessage(`Trace Explorer: stored, but ${config.name} has no "auth" set ("basic" or "bearer"), so it is not sent.`);
    }
    return true;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    for (const s of this.remote) void s.dispose?.();
  }
}

/** A CancellationToken as an AbortSignal, for the vscode-free sources. */
export function signalOf(token?: vscode.CancellationToken): AbortSignal | undefined {
  if (!token) return undefined;
  const ac = new AbortController();
  if (token.isCancellationRequested) ac.abort();
  else {
    const sub = token.onCancellationRequested(() => {
      ac.abort();
      sub.dispose();
    });
  }
  return ac.signal;
}
