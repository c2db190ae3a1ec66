/**
 * What a local server holding trace data (tokens, SQL, personal data) answers, and to whom. Two
 * attacks reach a server on localhost from a web page in the user's own browser:
 *
 * - DNS rebinding: a page on `evil.example` makes its name resolve to 127.0.0.1 and reads the query
 *   API as same-origin. Its requests still carry `Host: evil.example`, so only requests whose Host
 *   names the loopback (`localhost`, `127.0.0.1`, `[::1]`, with this port) or a name the user allowed
 *   are answered; anything else gets 403, as other local dev servers do since such attacks.
 * - Cross-origin requests: a browser SDK (OpenTelemetry's web SDK exporting to `http://localhost:4318`)
 *   needs CORS, but only for origins the user trusts (patterns with `*` for any port). A request from
 *   another origin gets no CORS headers and is refused before its body is read, so nothing of it is
 *   stored. Requests without an Origin (SDKs, curl, collectors) are not browsers and pass.
 */

export interface GuardOptions {
  /** Host names answered besides the loopback ones (for remote set-ups). */
  allowedHosts?: readonly string[];
  /** Origins allowed to call from a browser: exact, or with `*` standing for any port or subdomain part. */
  corsOrigins?: readonly string[];
}

export const DEFAULT_CORS_ORIGINS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export type GuardVerdict = { ok: true; corsHeaders: Record<string, string> } | { ok: false; status: 403; message: string };

/** Split `Host` into a lowercase name and a port (IPv6 keeps its brackets). */
function parseHost(host: string): { name: string; port?: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (!m) return { name: host.toLowerCase() };
  return m[2] ? { name: m[1], port: Number(m[2]) } : { name: m[1] };
}

function originMatches(origin: string, pattern: string): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return re.test(origin.toLowerCase());
}

export function originAllowed(origin: string, options: GuardOptions): boolean {
  return (options.corsOrigins ?? DEFAULT_CORS_ORIGINS).some((p) => originMatches(origin, p));
}

/**
 * The verdict on a request to a server listening on `port`: refused (with why), or allowed with the
 * CORS headers its answer carries.
 */
export function checkRequest(headers: { host?: string; origin?: string }, port: number, options: GuardOptions): GuardVerdict {
  const host = headers.host;
  if (!host) return { ok: false, status: 403, message: 'a request without a Host header is not answered' };
  const { name, port: hostPort } = parseHost(host);
  const allowed = LOOPBACK.has(name) || (options.allowedHosts ?? []).some((h) => h.toLowerCase() === name);
  if (!allowed || (hostPort !== undefined && hostPort !== port)) {
    return {
      ok: false,
      status: 403,
      message: `Host "${host}" is not answered: this local trace receiver answers requests to localhost, 127.0.0.1 or [::1] on port ${port} only (protection against DNS rebinding). For a remote set-up, add the name to traceExplorer.local.allowedHosts`,
    };
  }
  const origin = headers.origin;
  if (origin === undefined) return { ok: true, corsHeaders: {} };
  if (!originAllowed(origin, options)) {
    return { ok: false, status: 403, message: `Origin "${origin}" may not send or read traces here; allow it in traceExplorer.local.corsOrigins (now ${(options.corsOrigins ?? DEFAULT_CORS_ORIGINS).join(', ')})` };
  }
  return { ok: true, corsHeaders: { 'access-control-allow-origin': origin, vary: 'Origin' } };
}

/** The answer to a CORS preflight from an allowed origin. */
export function preflightHeaders(origin: string, requestedHeaders: string | undefined): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'POST, GET, OPTIONS',
    // What OTLP/HTTP and Zipkin exporters send: a content type and a compression.
    'access-control-allow-headers': requestedHeaders && /^[\w\-, ]+$/.test(requestedHeaders) ? requestedHeaders : 'content-type, content-encoding',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}
