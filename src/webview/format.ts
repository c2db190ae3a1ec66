/** Display helpers for the webview (kept here so the bundle does not pull in the trace core). */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '?';
  const a = Math.abs(us);
  const r = (n: number): string => (Math.round(n * 100) / 100).toString();
  if (a >= 60_000_000) return `${r(us / 60_000_000)} min`;
  if (a >= 1_000_000) return `${r(us / 1_000_000)} s`;
  if (a >= 1_000) return `${r(us / 1_000)} ms`;
  return `${r(us)} µs`;
}

/** A tick step (1, 2 or 5 × 10^k µs) that gives about `count` ticks over `span` µs. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/** Element helper: DOM APIs and textContent only — span data is never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}
