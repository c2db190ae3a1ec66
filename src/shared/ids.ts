/**
 * Trace and span ids. The model keeps lowercase hex; sources differ (Zipkin left-pads short ids,
 * OTel Python prints `0x…`, Tempo and proto3 JSON use base64 of the bytes).
 */

const HEX = /^[0-9a-f]+$/i;
const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const ZEROS16 = '0000000000000000';

export function isHex(s: string): boolean {
  return HEX.test(s);
}

/** Left-pad a hex trace id to 16 or 32 digits; null if it is not 1–32 hex digits or is all zeros. */
export function normalizeTraceId(raw: string): string | null {
  let s = raw.startsWith('0x') || raw.startsWith('0X') ? raw.slice(2) : raw;
  if (s.length === 0 || s.length > 32 || !HEX.test(s)) return null;
  s = s.toLowerCase();
  if (/^0+$/.test(s)) return null;
  return s.length <= 16 ? s.padStart(16, '0') : s.padStart(32, '0');
}

/** Left-pad a hex span id to 16 digits; null if it is not 1–16 hex digits or is all zeros. */
export function normalizeSpanId(raw: string): string | null {
  const s = raw.startsWith('0x') || raw.startsWith('0X') ? raw.slice(2) : raw;
  if (s.length === 0 || s.length > 16 || !HEX.test(s)) return null;
  if (/^0+$/.test(s)) return null;
  return s.toLowerCase().padStart(16, '0');
}

/**
 * The key under which two trace ids are the same trace: a 64-bit id and the same id zero-padded to
 * 128 bits match (Zipkin normalises one to the other; Tempo search trims leading zeros).
 */
export function traceIdKey(id: string): string {
  if (id.length === 32 && id.startsWith(ZEROS16)) return id.slice(16);
  return id;
}

/** Two trace ids name the same trace (case, padding and the 64/128-bit forms ignored). */
export function sameTraceId(a: string, b: string): boolean {
  const na = normalizeTraceId(a);
  const nb = normalizeTraceId(b);
  return na !== null && nb !== null && traceIdKey(na) === traceIdKey(nb);
}

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_LOOKUP = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64_ALPHABET.length; i++) t[B64_ALPHABET.charCodeAt(i)] = i;
  t['-'.charCodeAt(0)] = 62; // base64url
  t['_'.charCodeAt(0)] = 63;
  return t;
})();

/** Decode standard or URL-safe base64 (padding optional); null when it is not base64. */
export function base64ToBytes(s: string): Uint8Array | null {
  if (!B64.test(s)) return null;
  const clean = s.replace(/=+$/, '');
  if (clean.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | B64_LOOKUP[clean.charCodeAt(i)];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64_ALPHABET[n >> 18] + B64_ALPHABET[(n >> 12) & 63] + B64_ALPHABET[(n >> 6) & 63] + B64_ALPHABET[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8);
    out += B64_ALPHABET[n >> 18] + B64_ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64_ALPHABET[(n >> 6) & 63] + '=' : '==';
  }
  return out;
}

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX_BYTE[bytes[i]];
  return s;
}

/** Hex (even length assumed after padding) to bytes. */
export function hexToBytes(hex: string): Uint8Array {
  const h = hex.length % 2 ? '0' + hex : hex;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

/**
 * An id from OTLP-shaped JSON: hex (OTLP/JSON as specified) or base64 of the bytes (Tempo's and
 * proto3's JSON). Hex wins when the text is 16/32 hex digits; base64 of 8 or 16 bytes is 12/24 chars,
 * so the two never collide. Returns null for anything else.
 */
export function idFromOtlpJson(raw: string, bytes: 8 | 16): string | null {
  if (raw.length === bytes * 2) {
    // Hand-rolled check: this runs 2–3 times per span on the decode hot path.
    let lower = true;
    let hex = true;
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) continue;
      if (c >= 65 && c <= 70) lower = false;
      else {
        hex = false;
        break;
      }
    }
    if (hex) return lower ? raw : raw.toLowerCase();
  }
  const b = base64ToBytes(raw);
  if (b && b.length === bytes) return bytesToHex(b);
  return null;
}

/** A 64-bit trace id widened to the 128 bits OTLP requires (left zero padded). */
export function traceIdTo128(id: string): string {
  return id.padStart(32, '0');
}

/** Random lowercase hex of `digits` length, never all zeros. `random` is injectable for tests. */
export function randomHexId(digits: 16 | 32, random: () => number = Math.random): string {
  let s = '';
  while (s.length < digits) s += Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
  s = s.slice(0, digits);
  return /^0+$/.test(s) ? s.slice(0, -1) + '1' : s;
}
