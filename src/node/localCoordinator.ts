/**
 * One local trace store for every window. The first window (extension host) to bind the OTLP/HTTP port
 * owns the receiver and its store; every other window finds it through its identify call and becomes a
 * client: its Local endpoint lists, opens and sends to the owner's store. A client watches the owner
 * (twice a second): when the owner is gone, it takes the ports over, reads the store back from disk,
 * and serves on. A port held by something that is not Trace Explorer is named, not retried.
 *
 * vscode-free: the extension and tests drive it; the extension turns its changes into tree refreshes.
 */
import { HttpClient } from './http/httpClient';
import { OWNER_PROTOCOL, type Identity } from './ownerApi';
import { LocalReceiver, type ListenResult, type ReceiverOptions } from './receiver';
import type { LocalSource } from './sources/localSource';
import { PersistentStore } from './store/persistentStore';
import type { TraceStore } from '../shared/store/traceStore';

export type LocalRole =
  | { kind: 'starting' }
  | { kind: 'owner' }
  | { kind: 'client'; ownerUrl: string; owner: Identity }
  | { kind: 'taking-over'; ownerUrl: string }
  | { kind: 'foreign'; port: number; holder: ForeignHolder }
  | { kind: 'off' };

export interface ForeignHolder {
  /** What answered on the port, in words. */
  description: string;
  /** A query API the extension knows, when the holder answers one: it can be added as an endpoint. */
  endpoint?: { type: 'zipkin' | 'jaeger' | 'tempo'; url: string };
}

export interface CoordinatorOptions {
  receiver: ReceiverOptions;
  /** The store on disk, opened by whichever window owns the receiver; undefined = memory only. */
  persistence?: { dir: string; maxBytes?: number; maxAgeMs?: number };
  /** How often a client asks whether the owner is still there (default 500 ms). */
  pollMs?: number;
  log?: (line: string) => void;
}

const PROBE_MS = 1000;
/** A probe reads whatever answers: every status is an answer, not an error. */
const ANY_STATUS = { okStatuses: [400, 401, 403, 404, 405, 415, 500, 501, 503] };

/** Who answers HTTP on a loopback port: another Trace Explorer (its identity), or what else it seems to be. */
export async function identifyPort(port: number): Promise<{ identity: Identity } | { foreign: ForeignHolder }> {
  const base = `http://127.0.0.1:${port}`;
  const http = new HttpClient({ endpoint: `port ${port}`, baseUrl: base, totalTimeoutMs: PROBE_MS, connectTimeoutMs: PROBE_MS, retries: 0 });
  try {
    const id = await http.get('/api/trace-explorer/identify', ANY_STATUS).catch(() => undefined);
    if (id?.status === 200) {
      const v = safeJson(id.text());
      if (isIdentity(v)) return { identity: v };
    }
    // A Trace Explorer from before the owner API says who it is in its 404: protocol 0, read through its Zipkin API.
    if (id?.status === 404 && /this is Trace Explorer's local receiver/.test(id.text())) {
      return { identity: { product: 'trace-explorer', protocol: 0, instance: `older Trace Explorer on port ${port}`, version: 'before 0.2', pid: 0, ports: { otlp: port }, writes: -1 } };
    }
    // Not Trace Explorer: what query API does it answer, if any?
    const zipkin = await http.get('/api/v2/services', ANY_STATUS).catch(() => undefined);
    if (zipkin?.status === 200 && Array.isArray(safeJson(zipkin.text()))) return { foreign: { description: `a Zipkin API (a Zipkin server, or a collector's Zipkin query port) at ${base}`, endpoint: { type: 'zipkin', url: base } } };
    const jaeger = await http.get('/api/services', ANY_STATUS).catch(() => undefined);
    if (jaeger?.status === 200 && /"data"/.test(jaeger.text())) return { foreign: { description: `a Jaeger query API at ${base}`, endpoint: { type: 'jaeger', url: base } } };
    const echo = await http.get('/api/echo', ANY_STATUS).catch(() => undefined);
    if (echo?.status === 200 && echo.text().trim() === 'echo') return { foreign: { description: `Grafana Tempo at ${base}`, endpoint: { type: 'tempo', url: base } } };
    if (id) return { foreign: { description: `another program's HTTP server (an OpenTelemetry Collector, Jaeger or Tempo receiver?) at ${base}` } };
    return { foreign: { description: `a program that does not answer HTTP on 127.0.0.1:${port}` } };
  } finally {
    await http.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isIdentity(v: unknown): v is Identity {
  return !!v && typeof v === 'object' && (v as Identity).product === 'trace-explorer' && typeof (v as Identity).protocol === 'number';
}

export class LocalCoordinator {
  role: LocalRole = { kind: 'starting' };
  readonly receiver: LocalReceiver;
  persistence: PersistentStore | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastWrites = -1;
  private polling = false;
  private stopped = false;
  private readonly listeners = new Set<(what: 'role' | 'writes') => void>();

  constructor(
    private readonly store: TraceStore,
    private readonly local: LocalSource,
    private readonly options: CoordinatorOptions,
  ) {
    this.receiver = new LocalReceiver(store, { ...options.receiver, clearStore: () => this.clearOwnStore() });
    local.udp = this.receiver.udp;
  }

  onDidChange(listener: (what: 'role' | 'writes') => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(what: 'role' | 'writes'): void {
    for (const l of this.listeners) l(what);
  }

  /** Bind the ports, or find who holds them. Returns what each listener did. */
  async start(): Promise<ListenResult[]> {
    const results = await this.receiver.start();
    const otlp = results.find((r) => r.name === 'otlp');
    const port = this.options.receiver.otlpPort;
    if (otlp?.port || !otlp || port === 0) {
      this.becomeOwner();
      return results;
    }
    const who = await identifyPort(port);
    if ('identity' in who) {
      // Another window owns the receiver: this one uses its store and holds no port of its own.
      await this.receiver.stop();
      this.becomeClient(port, who.identity);
      return results.map((r) => (r.error ? { name: r.name, error: `shared: served by the window that owns the local receiver (${who.identity.instance})` } : r));
    }
    // Something else holds the OTLP port: name it; whatever else could be bound is served here.
    this.role = { kind: 'foreign', port, holder: who.foreign };
    this.local.status = `port ${port} is held by ${who.foreign.description}, not by Trace Explorer`;
    this.local.foreign = { text: `OTLP/HTTP port ${port} is held by ${who.foreign.description}. Click to use another port${who.foreign.endpoint ? ' or add it as an endpoint' : ''}.` };
    this.openPersistence();
    this.emit('role');
    return results;
  }

  private openPersistence(): void {
    const p = this.options.persistence;
    if (!p || this.persistence) return;
    const persistence = new PersistentStore(this.store, p.dir, { maxBytes: p.maxBytes, maxAgeMs: p.maxAgeMs, onError: (e) => this.options.log?.(`local store on disk: ${e.message}; traces are still kept in memory`) });
    try {
      const t0 = performance.now();
      const writer = persistence.open();
      this.persistence = persistence;
      const st = persistence.stats();
      this.options.log?.(`local store on disk: ${st.dir}, ${st.loadedTraces} traces read back in ${Math.round(performance.now() - t0)} ms (${st.keptRows} with their list row kept)${writer ? '' : ' (another process writes it; this one only read it)'}${st.tornBytes ? `, ${st.tornBytes} bytes of a torn last write cut off` : ''}`);
    } catch (e) {
      this.options.log?.(`local store on disk: cannot open ${p.dir}: ${(e as Error).message}; keeping traces in memory only`);
    }
  }

  private writerTimer: NodeJS.Timeout | undefined;

  /**
   * The owner writes the store on disk. When the previous owner's process still held its lock at open
   * (it was ending), ask again until it is free, so later writes are kept.
   */
  private ensureWriter(): void {
    const p = this.persistence;
    if (!p || p.writer || this.writerTimer) return;
    this.options.log?.('local store on disk: its lock is still held by the previous owner; this window writes once it is free');
    this.writerTimer = setInterval(() => {
      if (this.persistence?.tryBecomeWriter() || this.role.kind !== 'owner') {
        clearInterval(this.writerTimer);
        this.writerTimer = undefined;
        if (this.persistence?.writer) this.options.log?.('local store on disk: this window now writes it');
      }
    }, 250);
    this.writerTimer.unref?.();
  }

  private becomeOwner(): void {
    this.stopPolling();
    this.local.owner = undefined;
    this.local.status = '';
    this.local.takingOver = false;
    this.local.foreign = undefined;
    this.openPersistence();
    this.ensureWriter();
    this.role = { kind: 'owner' };
    this.local.ports = { ...this.receiver.ports, errors: [] };
    this.emit('role');
  }

  private becomeClient(port: number, owner: Identity): void {
    const url = `http://127.0.0.1:${port}`;
    this.local.owner?.client.close().catch(() => undefined);
    this.local.owner = { url, protocol: owner.protocol, client: new HttpClient({ endpoint: 'Local (the window that owns the receiver)', baseUrl: url, totalTimeoutMs: 10_000, retries: 0 }) };
    this.role = { kind: 'client', ownerUrl: url, owner };
    this.local.takingOver = false;
    this.local.foreign = undefined;
    this.local.ports = { ...(owner.ports as Record<string, number>), errors: [] };
    this.local.status =
      owner.protocol > OWNER_PROTOCOL
        ? `shared with a window running a newer Trace Explorer (owner protocol ${owner.protocol}, this window ${OWNER_PROTOCOL}): this window lists, opens and sends; anything newer is that window's`
        : owner.protocol < OWNER_PROTOCOL
          ? 'shared with a window running an older Trace Explorer: read through its Zipkin API, not replaced; sending goes to its Zipkin receiver; Clear and live updates are that window\u2019s'
          : 'shared with another window, which owns the receiver';
    this.lastWrites = owner.writes;
    this.emit('role');
    this.startPolling(port);
  }

  private startPolling(port: number): void {
    this.stopPolling();
    this.timer = setInterval(() => void this.poll(port), this.options.pollMs ?? 500);
    this.timer.unref?.();
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A client asks whether the owner is still there: new writes refresh the view; no answer takes over. */
  private async poll(port: number): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const who = await identifyPort(port).catch(() => undefined);
      if (who && 'identity' in who) {
        if (this.role.kind !== 'client' || who.identity.instance !== this.role.owner.instance) this.becomeClient(port, who.identity);
        else if (who.identity.writes !== this.lastWrites) {
          this.lastWrites = who.identity.writes;
          this.emit('writes');
        }
        return;
      }
      await this.takeOver(port);
    } finally {
      this.polling = false;
    }
  }

  /** The owner is gone: bind the ports, read the store back from disk, serve on. */
  private async takeOver(port: number): Promise<void> {
    const ownerUrl = this.role.kind === 'client' ? this.role.ownerUrl : `http://127.0.0.1:${port}`;
    this.role = { kind: 'taking-over', ownerUrl };
    this.local.status = 'the window that owned the local receiver is gone; taking over its ports and store…';
    this.local.takingOver = true;
    this.emit('role');
    const results = await this.receiver.start();
    if (results.find((r) => r.name === 'otlp')?.port) {
      this.options.log?.(`local receiver: took over from the window that owned it (${ownerUrl})`);
      this.becomeOwner();
      return;
    }
    await this.receiver.stop();
    // Another window was quicker, or something else took the port: look again at the next poll.
    const who = await identifyPort(port).catch(() => undefined);
    if (who && 'identity' in who) this.becomeClient(port, who.identity);
    this.local.takingOver = false;
  }

  private clearOwnStore(): void {
    if (this.persistence) this.persistence.clear();
    else this.store.clear();
  }

  /** Clear Local Traces, wherever the store is. */
  async clear(): Promise<void> {
    await this.local.clear(() => this.clearOwnStore());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopPolling();
    if (this.writerTimer) clearInterval(this.writerTimer);
    await this.receiver.stop();
    await this.local.owner?.client.close().catch(() => undefined);
    this.persistence?.close();
    this.persistence = undefined;
  }
}
