/**
 * HTTP for the backends, over undici: one pooled dispatcher per endpoint, a connect timeout and a
 * total timeout, cancellation through an AbortSignal, a cap on response size that is enforced while
 * the body streams (a 300 MB answer is cut off, never buffered), proxy and TLS options, auth headers,
 * bounded retries with backoff for idempotent reads only, and errors that say what to do.
 */
import { readFileSync } from 'node:fs';
import { Agent, ProxyAgent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { BackendError, bodyExcerpt, hintForStatus, redactUrl } from './backendError';

export type Auth = { kind: 'none' } | { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };

export interface HttpClientOptions {
  /** The endpoint's name, first word of every error. */
  endpoint: string;
  baseUrl: string;
  headers?: Record<string, string>;
  auth?: Auth;
  /** Sent as X-Scope-OrgID (Tempo and Mimir tenants). */
  tenant?: string;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  maxResponseBytes?: number;
  /** Extra retries for idempotent reads on 429/502/503/504 (default 2). */
  retries?: number;
  /** A proxy URL; undefined = from HTTPS_PROXY/HTTP_PROXY (NO_PROXY honoured); '' = none. */
  proxy?: string;
  /** PEM file of extra certificate authorities. */
  caFile?: string;
  /** Accept any TLS certificate. The caller warns the user; this layer only obeys. */
  allowInsecureTls?: boolean;
  log?: (line: string) => void;
  /** For tests: how long to wait before retry n (0-based). */
  backoffMs?: (attempt: number, retryAfterMs?: number) => number;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: string | Uint8Array;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Statuses the caller handles itself (e.g. 404 = not found); they are returned, not thrown. */
  okStatuses?: readonly number[];
  /** Overrides the client's total timeout for this request. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  body: Uint8Array;
  url: string;
  text(): string;
  /** Parsed JSON; HTML or broken JSON becomes a BackendError that says what came back. */
  json(): unknown;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const DEFAULTS = { connectTimeoutMs: 5_000, totalTimeoutMs: 30_000, maxResponseBytes: 256 * 1024 * 1024, retries: 2 };

export class HttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly base: URL;
  private readonly o: HttpClientOptions & typeof DEFAULTS;

  constructor(options: HttpClientOptions) {
    // An option given as undefined means "the default", not "none".
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as HttpClientOptions;
    this.o = { ...DEFAULTS, ...given };
    try {
      this.base = new URL(options.baseUrl);
    } catch {
      throw new BackendError('config', options.endpoint, redactUrl(options.baseUrl), 'the URL is not valid', 'Use a full URL such as http://localhost:3200');
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new BackendError('config', options.endpoint, redactUrl(options.baseUrl), `only http and https URLs are supported, not ${this.base.protocol}`);
    }
    // Credentials written into the URL move to a header, so the URL itself can be logged.
    if (this.base.username && (!options.auth || options.auth.kind === 'none')) {
      this.o.auth = { kind: 'basic', user: decodeURIComponent(this.base.username), password: decodeURIComponent(this.base.password) };
    }
    this.base.username = '';
    this.base.password = '';
    let ca: string | undefined;
    if (options.caFile) {
      try {
        ca = readFileSync(options.caFile, 'utf8');
      } catch (e) {
        throw new BackendError('config', options.endpoint, redactUrl(this.base), `cannot read the CA file ${options.caFile}: ${(e as Error).message}`);
      }
    }
    const connect = { timeout: this.o.connectTimeoutMs, ...(ca ? { ca } : {}), ...(options.allowInsecureTls ? { rejectUnauthorized: false } : {}) };
    const proxy = options.proxy ?? proxyFromEnv(this.base);
    this.dispatcher = proxy
      ? new ProxyAgent({ uri: proxy, connect, requestTls: connect, keepAliveTimeout: 10_000 })
      : new Agent({ connect, keepAliveTimeout: 10_000, connections: 8 });
  }

  get baseUrl(): string {
    return this.base.toString();
  }

  /** Resolve `path` against the base URL, keeping the base's own path prefix (e.g. Grafana Cloud's /tempo). */
  url(path: string, query?: RequestOptions['query']): URL {
    const u = new URL(this.base.toString());
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u;
  }

  get(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.send('GET', this.url(path, options.query), options);
  }

  post(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.send('POST', this.url(path, options.query), options);
  }

  /** POST to a full URL (an ingest URL configured apart from the query URL) with this client's auth. */
  postTo(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new BackendError('config', this.o.endpoint, redactUrl(url), 'the ingest URL is not valid');
    }
    return this.send('POST', u, options);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private headers(options: RequestOptions): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': 'trace-explorer', accept: options.accept ?? 'application/json', ...(this.o.headers ?? {}) };
    const auth = this.o.auth;
    if (auth?.kind === 'basic') h.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    if (auth?.kind === 'bearer') h.authorization = `Bearer ${auth.token}`;
    if (this.o.tenant) h['x-scope-orgid'] = this.o.tenant;
    if (options.contentType) h['content-type'] = options.contentType;
    return { ...h, ...(options.headers ?? {}) };
  }

  private async send(method: 'GET' | 'POST', url: URL, options: RequestOptions): Promise<HttpResponse> {
    const shown = redactUrl(url);
    const idempotent = method === 'GET';
    for (let attempt = 0; ; attempt++) {
      const res = await this.once(method, url, shown, options);
      if (idempotent && RETRYABLE.has(res.status) && attempt < this.o.retries && !options.signal?.aborted) {
        const retryAfter = retryAfterMs(res.headers['retry-after']);
        const wait = this.o.backoffMs ? this.o.backoffMs(attempt, retryAfter) : Math.min(retryAfter ?? 300 * 2 ** attempt, 5_000);
        this.o.log?.(`${this.o.endpoint}: ${method} ${shown} answered ${res.status}; retry ${attempt + 1} of ${this.o.retries} in ${wait} ms`);
        await sleep(wait, options.signal);
        continue;
      }
      return this.finish(res, shown, options);
    }
  }

  private finish(res: RawResponse, shown: string, options: RequestOptions): HttpResponse {
    const { status, body } = res;
    const contentType = String(res.headers['content-type'] ?? '');
    const endpoint = this.o.endpoint;
    const text = (): string => new TextDecoder().decode(body);
    if (status >= 400 && !options.okStatuses?.includes(status)) {
      const t = text();
      const detail = `HTTP ${status}${t.trim() ? `: ${bodyExcerpt(t)}` : ''}`;
      throw new BackendError('http', endpoint, shown, detail, looksLikeHtml(contentType, t) && status === 404 ? 'Got an HTML page: is this the API port?' : hintForStatus(status, t), status);
    }
    return {
      status,
      contentType,
      body,
      url: shown,
      text,
      json: () => {
        const t = text();
        if (looksLikeHtml(contentType, t)) throw htmlError(endpoint, shown, status);
        try {
          return JSON.parse(t) as unknown;
        } catch (e) {
          throw new BackendError('bad-body', endpoint, shown, `the response is not valid JSON (${(e as Error).message}; ${body.length} bytes${t.length ? `, starts "${bodyExcerpt(t, 60)}"` : ''})`, 'The answer may have been cut off; try again', status);
        }
      },
    };
  }

  private async once(method: 'GET' | 'POST', url: URL, shown: string, options: RequestOptions): Promise<RawResponse> {
    const endpoint = this.o.endpoint;
    const totalMs = options.timeoutMs ?? this.o.totalTimeoutMs;
    const timeout = AbortSignal.timeout(totalMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const max = this.o.maxResponseBytes;
    try {
      const res = await request(url, {
        method,
        headers: this.headers(options),
        body: options.body,
        signal,
        dispatcher: this.dispatcher,
        headersTimeout: totalMs,
        bodyTimeout: totalMs,
      });
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > max) {
        res.body.destroy();
        throw tooLarge(endpoint, shown, max, declared);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > max) {
          res.body.destroy();
          throw tooLarge(endpoint, shown, max);
        }
        chunks.push(chunk as Buffer);
      }
      const buf = Buffer.concat(chunks, size);
      return { status: res.statusCode, headers: res.headers, body: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
    } catch (e) {
      if (e instanceof BackendError) throw e;
      if (options.signal?.aborted) throw new BackendError('cancelled', endpoint, shown, 'cancelled');
      if (timeout.aborted || e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError) {
        throw new BackendError('timeout', endpoint, shown, `no complete answer within ${formatMs(totalMs)}`, 'Is the backend overloaded or the network slow? The timeout is traceExplorer.requestTimeoutSeconds');
      }
      throw networkError(e, endpoint, url, shown, this.o.connectTimeoutMs);
    }
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

function tooLarge(endpoint: string, shown: string, max: number, declared?: number): BackendError {
  return new BackendError('too-large', endpoint, shown, `the response is larger than ${formatBytes(max)}${declared ? ` (${formatBytes(declared)} announced)` : ''} and was cut off`, 'Narrow the query (a smaller limit or time range) or raise traceExplorer.maxResponseMegabytes');
}

function networkError(e: unknown, endpoint: string, url: URL, shown: string, connectMs: number): BackendError {
  const err = e as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  const code = err.code ?? err.cause?.code ?? '';
  const where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  if (code === 'ECONNREFUSED') return new BackendError('refused', endpoint, shown, `nothing is listening on ${where}`, 'Is the backend running, and is this its port?');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new BackendError('dns', endpoint, shown, `the host ${url.hostname} is unknown`, 'Check the host name in the endpoint URL');
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new BackendError('timeout', endpoint, shown, `could not connect to ${where} within ${formatMs(connectMs)}`, 'Is the host reachable (VPN, firewall)?');
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code) || /certificate/i.test(err.message ?? '')) {
    return new BackendError('tls', endpoint, shown, `TLS failed: ${err.cause?.message ?? err.message ?? code}`, 'Add the CA with "caFile" on the endpoint, or (not recommended) set "allowInsecureTls"');
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return new BackendError('network', endpoint, shown, 'the connection was closed before the answer was complete', 'The backend or a proxy dropped it; try again');
  return new BackendError('network', endpoint, shown, err.cause?.message ?? err.message ?? String(e));
}

function htmlError(endpoint: string, shown: string, status: number): BackendError {
  return new BackendError('bad-body', endpoint, shown, 'got an HTML page where JSON was expected', 'Is this the API port (Tempo 3200, Zipkin 9411, Jaeger 16686) and not a UI or proxy login page?', status);
}

/** For answers decoded from their bytes: an HTML page (a UI, a login proxy) fails as `json()` would. */
export function assertNotHtml(endpoint: string, res: HttpResponse): void {
  if (looksLikeHtml(res.contentType, new TextDecoder().decode(res.body.subarray(0, 200)))) throw htmlError(endpoint, res.url, res.status);
}

function looksLikeHtml(contentType: string, text: string): boolean {
  return contentType.includes('text/html') || /^\s*<(!doctype|html|head|body)/i.test(text.slice(0, 200));
}

function retryAfterMs(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  const secs = Number(s);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** HTTPS_PROXY / HTTP_PROXY for the URL's scheme, unless NO_PROXY names the host; never for loopback. */
export function proxyFromEnv(url: URL, env: Record<string, string | undefined> = process.env): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.startsWith('127.') || host === '::1') return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (noProxy.some((p) => p === '*' || host === p.replace(/^\./, '') || host.endsWith(p.startsWith('.') ? p : `.${p}`))) return undefined;
  const proxy = url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  return proxy || undefined;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s` : `${ms} ms`;
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(0)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} kB` : `${n} bytes`;
}
