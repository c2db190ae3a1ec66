/**
 * Whether two spans ran in the same process, as far as Zipkin-shaped data can tell. Used to decide
 * which half of a B3 shared span id a piece or a child belongs to. Service names are often spelled
 * differently on the two sides of one process (the client library and the server framework each name
 * it), so the host — local endpoint address and port — is compared as well, and decides against a
 * match when it differs.
 */
import type { Endpoint, Span } from '../model';

/** Nothing to compare: neither address nor service name on both sides. */
export const UNKNOWN = -1;
/** Known to be different processes: another address or port, or (without addresses) another service. */
export const DIFFERENT = 0;
/** Same address (and port where both say), different or missing service names. */
export const SAME_HOST = 1;
/** Same service name, and no address or port that says otherwise. */
export const SAME_PROCESS = 2;

export type Affinity = typeof UNKNOWN | typeof DIFFERENT | typeof SAME_HOST | typeof SAME_PROCESS;

/** How sure we are that `a` and `b` ran in one process: a higher number is a closer match. */
export function processAffinity(a: Span, b: Span): Affinity {
  const host = hostAffinity(a.localEndpoint, b.localEndpoint);
  if (host === DIFFERENT) return DIFFERENT;
  const sameService = a.service !== '' && a.service === b.service;
  if (sameService) return SAME_PROCESS;
  if (host === SAME_HOST) return SAME_HOST;
  // No address to go by: the service names decide, when both have one.
  return a.service !== '' && b.service !== '' ? DIFFERENT : UNKNOWN;
}

function hostAffinity(a: Endpoint | undefined, b: Endpoint | undefined): Affinity {
  if (!a || !b) return UNKNOWN;
  let compared = false;
  if (a.ipv4 && b.ipv4) {
    if (a.ipv4 !== b.ipv4) return DIFFERENT;
    compared = true;
  }
  if (a.ipv6 && b.ipv6) {
    if (a.ipv6 !== b.ipv6) return DIFFERENT;
    compared = true;
  }
  if (!compared) return UNKNOWN;
  // A server's endpoint names its listening port, a client's usually none: only two ports can differ.
  if (a.port !== undefined && b.port !== undefined && a.port !== b.port) return DIFFERENT;
  return SAME_HOST;
}

/** A short name for a span's host, for warnings: `10.0.0.2:8080`, else its service. */
export function hostLabel(s: Span): string {
  const e = s.localEndpoint;
  const ip = e?.ipv4 ?? (e?.ipv6 ? `[${e.ipv6}]` : undefined);
  if (ip) return e?.port !== undefined ? `${ip}:${e.port}` : ip;
  return s.service || 'an unnamed service';
}
