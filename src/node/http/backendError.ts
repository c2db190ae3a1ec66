/**
 * The one error a backend request fails with. Its message is written for the person looking at the
 * Traces view: which endpoint, which URL (credentials removed), what happened, and what to do.
 */
export type BackendErrorKind = 'refused' | 'dns' | 'tls' | 'timeout' | 'cancelled' | 'http' | 'too-large' | 'bad-body' | 'network' | 'config';

export class BackendError extends Error {
  constructor(
    readonly kind: BackendErrorKind,
    readonly endpoint: string,
    readonly url: string,
    readonly detail: string,
    readonly hint?: string,
    readonly status?: number,
  ) {
    super(`${endpoint}: ${detail} (${url})${hint ? `. ${hint}` : ''}`);
    this.name = 'BackendError';
  }
}

/** The URL as it may be shown: no user:password, and no values of query parameters that carry secrets. */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return String(url).replace(/\/\/[^/@]*@/, '//');
  }
  u.username = '';
  u.password = '';
  for (const key of [...u.searchParams.keys()]) {
    if (/token|key|secret|password|auth/i.test(key)) u.searchParams.set(key, '***');
  }
  return u.toString();
}

/** What to do about an HTTP status, in the terms of this extension's settings and commands. */
export function hintForStatus(status: number, body: string): string | undefined {
  if (status === 401) {
    if (/no org id/i.test(body)) return 'This Tempo is multi-tenant: set "tenant" on the endpoint (sent as X-Scope-OrgID)';
    return 'Check the token or password: run "Trace Explorer: Set Endpoint Credentials…"';
  }
  if (status === 403) return 'The credentials were accepted but may not read traces (Grafana Cloud tokens need traces:read)';
  if (status === 404) return 'Check the endpoint URL and any path prefix (Grafana Cloud Tempo uses /tempo)';
  if (status === 413) return 'The backend refused a body this large';
  if (status === 429) return 'The backend is rate limiting; try again in a moment';
  if (status >= 500) return 'The backend failed; its log may say why';
  return undefined;
}

/** First part of a response body, fit for an error message: one line, no HTML markup. */
export function bodyExcerpt(body: string, max = 200): string {
  const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
