/**
 * An endpoint as the user configures it (`traceExplorer.endpoints`, or the CLI's flags), validated
 * into one shape. Secrets are never part of it: they come from SecretStorage (or, for the CLI, the
 * environment) at the moment a source is made.
 */
import { isObject } from '../../shared/formats/common';
import { SOURCE_KINDS, type SourceKind } from './traceSource';

export interface EndpointConfig {
  name: string;
  type: SourceKind;
  /** Query API base URL. */
  url: string;
  /** Where spans are posted, when it differs from `url` (Tempo's receivers; Jaeger's OTLP port). */
  ingestUrl?: string;
  /** How to post to the ingest URL: OTLP protobuf (default for /v1/traces), OTLP/JSON, or Zipkin JSON. */
  ingestFormat?: 'otlp-proto' | 'otlp-json' | 'zipkin';
  /** Tempo tenant, sent as X-Scope-OrgID. */
  tenant?: string;
  headers?: Record<string, string>;
  /** basic: user here, password in SecretStorage; bearer: token in SecretStorage. */
  auth?: 'none' | 'basic' | 'bearer';
  user?: string;
  /** Jaeger: v1 (/api/traces, the UI's API) or v3 (/api/v3, OTLP JSON). */
  apiVersion?: 'v1' | 'v3';
  caFile?: string;
  allowInsecureTls?: boolean;
}

export interface ConfigProblem {
  index: number;
  message: string;
}

/** Header names that carry secrets: they belong in SecretStorage, and the user is told so. */
const SECRET_HEADERS = /^(authorization|proxy-authorization|x-api-key|api-key|cookie)$/i;

/** Validate the raw setting. Bad entries are reported and skipped; good ones are used. */
export function parseEndpoints(raw: unknown): { endpoints: EndpointConfig[]; problems: ConfigProblem[] } {
  const endpoints: EndpointConfig[] = [];
  const problems: ConfigProblem[] = [];
  if (raw === undefined || raw === null) return { endpoints, problems };
  if (!Array.isArray(raw)) return { endpoints, problems: [{ index: -1, message: 'traceExplorer.endpoints must be a list of endpoints' }] };
  const names = new Set<string>(['local']);
  raw.forEach((e: unknown, index) => {
    const bad = (message: string): void => void problems.push({ index, message: `endpoint ${index + 1}${isObject(e) && typeof e.name === 'string' ? ` ("${e.name}")` : ''}: ${message}` });
    if (!isObject(e)) return bad('must be an object with name, type and url');
    const type = e.type;
    if (typeof type !== 'string' || !SOURCE_KINDS.includes(type as SourceKind)) return bad(`type must be one of ${SOURCE_KINDS.join(', ')}`);
    if (type === 'local') return bad('the local endpoint is built in; configure it with traceExplorer.local.*');
    const name = typeof e.name === 'string' && e.name.trim() ? e.name.trim() : undefined;
    if (!name) return bad('needs a name');
    if (names.has(name.toLowerCase())) return bad(`the name "${name}" is used twice`);
    if (typeof e.url !== 'string' || !/^https?:\/\/[^/]/.test(e.url)) return bad('url must start with http:// or https://');
    if (e.ingestUrl !== undefined && (typeof e.ingestUrl !== 'string' || !/^https?:\/\/[^/]/.test(e.ingestUrl))) return bad('ingestUrl must start with http:// or https://');
    const headers: Record<string, string> = {};
    if (e.headers !== undefined) {
      if (!isObject(e.headers)) return bad('headers must be an object of name: value');
      for (const [k, v] of Object.entries(e.headers)) {
        if (typeof v !== 'string') return bad(`header ${k} must be a string`);
        if (SECRET_HEADERS.test(k)) return bad(`header ${k} carries a secret: remove it and run "Trace Explorer: Set Endpoint Credentials…" instead`);
        headers[k] = v;
      }
    }
    const auth = e.auth === undefined ? undefined : e.auth;
    if (auth !== undefined && auth !== 'none' && auth !== 'basic' && auth !== 'bearer') return bad('auth must be none, basic or bearer');
    const ingestFormat = e.ingestFormat;
    if (ingestFormat !== undefined && ingestFormat !== 'otlp-proto' && ingestFormat !== 'otlp-json' && ingestFormat !== 'zipkin') return bad('ingestFormat must be otlp-proto, otlp-json or zipkin');
    const apiVersion = e.apiVersion;
    if (apiVersion !== undefined && apiVersion !== 'v1' && apiVersion !== 'v3') return bad('apiVersion must be v1 or v3');
    names.add(name.toLowerCase());
    endpoints.push({
      name,
      type: type as SourceKind,
      url: e.url,
      ingestUrl: typeof e.ingestUrl === 'string' ? e.ingestUrl : undefined,
      ingestFormat,
      tenant: typeof e.tenant === 'string' && e.tenant ? e.tenant : undefined,
      headers,
      auth,
      user: typeof e.user === 'string' ? e.user : undefined,
      apiVersion,
      caFile: typeof e.caFile === 'string' ? e.caFile : undefined,
      allowInsecureTls: e.allowInsecureTls === true,
    });
  });
  return { endpoints, problems };
}

/** The id a source gets from its endpoint name: stable across reloads, safe in tree ids and URIs. */
export function endpointId(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
}
