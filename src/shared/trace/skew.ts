/**
 * Clock-skew correction, Zipkin's rule (zipkin-lens clock-skew.js, also protocols.md §2): only a
 * CLIENT parent and a SERVER child on different hosts are compared. When the server does not fit in
 * the client, assume the network latency is the same both ways and centre the server in the client;
 * when the client is shorter than the server (or a duration is missing), only push the server to
 * start 1 µs after the client. The shift is carried to every descendant on the server's host.
 * Works in row (pre-order) order, so a parent's shift is known before its children are seen.
 */
import { attr, type Span } from '../model';

/** Which host a span ran on: Zipkin endpoint address, else resource host attributes, else the service. */
export function hostKey(s: Span): string {
  const e = s.localEndpoint;
  if (e?.ipv4 || e?.ipv6) return `ip:${e.ipv4 ?? ''}/${e.ipv6 ?? ''}`;
  for (const key of ['host.id', 'host.name', 'host.ip']) {
    const v = attr(s.resource, key);
    if (typeof v === 'string' && v) return `${key}:${v}`;
  }
  return `service:${s.service}`;
}

export function correctClockSkew(spans: readonly Span[], parent: Int32Array, start: Float64Array, duration: Float64Array, adjust: Float64Array): void {
  const n = spans.length;
  const hosts: string[] = new Array(n);
  for (let r = 0; r < n; r++) hosts[r] = hostKey(spans[r]);
  for (let r = 0; r < n; r++) {
    const p = parent[r];
    if (p < 0) continue;
    const sameHost = hosts[r] === hosts[p];
    let shift = sameHost ? adjust[p] : 0;
    if (!sameHost && spans[p].kind === 'client' && spans[r].kind === 'server') {
      shift = serverShift(start[p], duration[p], start[r], duration[r]);
    }
    if (shift !== 0) {
      adjust[r] = shift;
      start[r] += shift;
    }
  }
}

/** How far to move a server span (start sTs, duration sDur) so it sits inside its client span. */
export function serverShift(cTs: number, cDur: number, sTs: number, sDur: number): number {
  const oneWay = !(cDur > 0) || !(sDur > 0);
  if (oneWay) return sTs < cTs ? cTs + 1 - sTs : 0;
  if (sTs >= cTs && sTs + sDur <= cTs + cDur) return 0; // already fits
  if (cDur < sDur) return sTs < cTs ? cTs + 1 - sTs : 0;
  const latency = (cDur - sDur) / 2;
  return Math.round(cTs + latency - sTs);
}
