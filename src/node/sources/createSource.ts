/** An endpoint config plus its secret → the source for it. The only place that knows every backend. */
import { HttpClient, type Auth, type HttpClientOptions } from '../http/httpClient';
import { endpointId, type EndpointConfig } from './endpointConfig';
import { JaegerSource } from './jaegerSource';
import { TempoSource } from './tempoSource';
import type { TraceSource } from './traceSource';
import { ZipkinSource } from './zipkinSource';

export interface SourceOptions {
  /** The password (basic) or token (bearer), from SecretStorage or the environment. */
  secret?: string;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  maxResponseBytes?: number;
  proxy?: string;
  log?: (line: string) => void;
}

export function authOf(config: EndpointConfig, secret?: string): Auth {
  if (config.auth === 'basic') return { kind: 'basic', user: config.user ?? '', password: secret ?? '' };
  if (config.auth === 'bearer') return { kind: 'bearer', token: secret ?? '' };
  return { kind: 'none' };
}

export function createSource(config: EndpointConfig, options: SourceOptions = {}): TraceSource {
  if (config.type === 'local') throw new Error('the local source is made by the extension, not from a config');
  const http = new HttpClient(httpOptions(config, options));
  const id = endpointId(config.name);
  switch (config.type) {
    case 'zipkin':
      return new ZipkinSource(id, config.name, http, config.ingestUrl);
    case 'tempo':
      return new TempoSource(id, config.name, http, config.ingestUrl, config.ingestFormat);
    case 'jaeger':
      return new JaegerSource(id, config.name, http, config.apiVersion, config.ingestUrl, config.ingestFormat);
  }
}

export function httpOptions(config: EndpointConfig, options: SourceOptions): HttpClientOptions {
  return {
    endpoint: config.name,
    baseUrl: config.url,
    headers: config.headers,
    auth: authOf(config, options.secret),
    tenant: config.tenant,
    caFile: config.caFile,
    allowInsecureTls: config.allowInsecureTls,
    connectTimeoutMs: options.connectTimeoutMs,
    totalTimeoutMs: options.totalTimeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    proxy: options.proxy,
    log: options.log,
  };
}
