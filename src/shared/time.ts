/**
 * Time conversions. The model counts microseconds since the epoch as a `number` (exact: epoch µs are
 * ~1.7e15 < 2^53). Epoch nanoseconds (~1.7e18) are NOT exact as numbers, so nanosecond inputs are
 * taken apart as decimal strings and never pass through a float of the whole nanosecond value.
 */

/** Decimal nanoseconds (string or number) to microseconds, truncated; NaN when not a number. */
export function nanosToMicros(ns: string | number | undefined | null): number {
  if (typeof ns === 'number') {
    // A JSON number this big was already rounded by the parser (to a multiple of 256 ns near 2026), so
    // round to the nearest µs: the parser's error is below half a microsecond.
    return Number.isFinite(ns) && ns >= 0 ? Math.round(ns / 1000) : NaN;
  }
  if (typeof ns !== 'string') return NaN;
  const us = digitStringToMicros(ns);
  return us < 0 ? NaN : us;
}

/**
 * Whole µs of a string of nanosecond digits (all but the last three), or -1 when it is empty or holds
 * anything but digits: checked and converted in one pass, without a substring, as decoders run it twice
 * per span. Accumulating is exact while the value stays below 2^53 (any epoch time: 16 digits of µs);
 * beyond that `Number` rounds it as a parser would.
 */
export function digitStringToMicros(ns: string): number {
  const n = ns.length;
  if (n === 0) return -1;
  const cut = n - 3;
  let us = 0;
  for (let i = 0; i < n; i++) {
    const d = ns.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    if (i < cut) us = us * 10 + d;
  }
  return cut > 16 || us > Number.MAX_SAFE_INTEGER ? Number(ns.slice(0, cut)) : us;
}

/** The last three digits of a digit string, as a number. */
export function digitsRemainder(ns: string): number {
  let rem = 0;
  for (let i = Math.max(0, ns.length - 3); i < ns.length; i++) rem = rem * 10 + (ns.charCodeAt(i) - 48);
  return rem;
}

/**
 * A duration from whole µs plus leftover ns at each end. The difference is formed in integer
 * nanoseconds and divided once, so every decoder (OTLP/JSON, protobuf, Tempo, Jaeger v3) gets the same float.
 */
export function durationMicros(startUs: number, startNs: number, endUs: number, endNs: number): number {
  return ((endUs - startUs) * 1000 + (endNs - startNs)) / 1000;
}

/** A decimal integer (optional minus sign, digits only). */
export function isIntegerText(s: string): boolean {
  const from = s.charCodeAt(0) === 45 ? 1 : 0;
  if (s.length === from) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Microseconds (may be fractional) to a decimal nanosecond string, as OTLP/JSON wants. */
export function microsToNanosString(us: number): string {
  if (!Number.isFinite(us) || us <= 0) return '0';
  const whole = Math.floor(us);
  const frac = Math.round((us - whole) * 1000);
  if (frac >= 1000) return String(whole + 1) + '000';
  return String(whole) + String(frac).padStart(3, '0');
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * The end of a span as decimal nanoseconds. Adding a duration to an epoch-µs float would round to
 * 0.25 µs, so the whole microseconds and the fractional parts are summed as integers.
 */
export function endNanosString(startUs: number, durationUs: number): string {
  const start = Number.isFinite(startUs) && startUs > 0 ? startUs : 0;
  const whole = Math.floor(start);
  const extraNs = Math.round((start - whole) * 1000) + Math.round((Number.isFinite(durationUs) && durationUs > 0 ? durationUs : 0) * 1000);
  return (BigInt(whole) * 1000n + BigInt(extraNs)).toString();
}

/** ISO-8601 (as OTel Python prints: `2021-07-07T23:57:22.572984Z`) to epoch microseconds; NaN if not. */
export function isoToMicros(text: string): number {
  const m = ISO.exec(text);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (Number.isNaN(ms)) return NaN;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const z = zone.slice(1).replace(':', '');
    ms -= sign * (Number(z.slice(0, 2)) * 60 + Number(z.slice(2))) * 60000;
  }
  const micros = frac ? Number(frac.padEnd(6, '0').slice(0, 6)) : 0;
  return ms * 1000 + micros;
}

/** Epoch microseconds to ISO-8601 with microsecond precision and `Z`. */
export function microsToIso(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // 2021-07-07T23:57:22.572Z
  const micros = String(Math.floor(us) % 1000000).padStart(6, '0');
  return iso.slice(0, 19) + '.' + micros + 'Z';
}

/** A human duration: 1.5 s, 200 ms, 350 µs. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '?';
  const a = Math.abs(us);
  // Spans that mix clocks or years (a replayed span beside live ones) make long axes: keep them readable.
  if (a >= 86_400_000_000) return `${trim(us / 86_400_000_000)} d`;
  if (a >= 3_600_000_000) return `${trim(us / 3_600_000_000)} h`;
  if (a >= 60_000_000) return `${trim(us / 60_000_000)} min`;
  if (a >= 1_000_000) return `${trim(us / 1_000_000)} s`;
  if (a >= 1_000) return `${trim(us / 1_000)} ms`;
  return `${trim(us)} µs`;
}

function trim(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}

/** "100ms", "1.5s", "250us", "2m" → µs; a bare number is milliseconds; undefined when not a duration. */
export function parseDurationInput(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  const mult: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1e6, m: 6e7, h: 3.6e9, d: 8.64e10 };
  return Math.round(Number(m[1]) * mult[m[2] ?? 'ms']);
}

/** µs as a Go duration (Tempo's TraceQL, Jaeger's query parameters) in the largest whole unit. */
export function goDuration(us: number): string {
  const n = Math.max(0, Math.round(us));
  if (n % 1_000_000 === 0 && n > 0) return `${n / 1_000_000}s`;
  if (n % 1_000 === 0 && n > 0) return `${n / 1_000}ms`;
  return `${n}us`;
}
