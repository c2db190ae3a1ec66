/**
 * Property-based tests: decoders are total (anything but a TraceDecodeError escaping is a bug) and
 * every encoder round-trips what its format can carry.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { TraceDecodeError } from '../../src/shared/errors';
import { decodeTrace } from '../../src/shared/formats/detect';
import { encodeSpans } from '../../src/shared/formats/encode';
import { decodeOtlpProto } from '../../src/shared/formats/otlpProto';
import { splitOtlpProtoByTrace } from '../../src/shared/formats/otlpProtoScan';
import type { Attribute, AttrValue, Span } from '../../src/shared/model';
import { traceIdKey } from '../../src/shared/ids';
import { fixture } from './helpers';

function decodesOrFailsTyped(input: string | Uint8Array): void {
  try {
    decodeTrace(input);
  } catch (e) {
    if (!(e instanceof TraceDecodeError)) throw new Error(`decoder threw ${String(e)} for ${JSON.stringify(typeof input === 'string' ? input.slice(0, 200) : Array.from(input.slice(0, 50)))}`);
    assert.ok(e.reason.length > 0);
  }
}

const FIXTURES = ['examples/zipkin-data-model-trace.json', 'examples/otel-python-console-exporter.txt', 'otlp-test-span.json', 'tempo-v1-trace.json', 'jaeger-trace.json'];

/** Replace one leaf (or subtree) of a JSON value, chosen by `pick`, with `replacement`. */
function mutate(value: unknown, pick: number, replacement: unknown): unknown {
  const slots: Array<{ holder: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        slots.push({ holder: v, key: i });
        walk(x);
      });
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        slots.push({ holder: v as Record<string, unknown>, key: k });
        walk((v as Record<string, unknown>)[k]);
      }
    }
  };
  const copy = JSON.parse(JSON.stringify(value));
  walk(copy);
  if (slots.length) {
    const s = slots[pick % slots.length];
    (s.holder as Record<string | number, unknown>)[s.key] = replacement;
  }
  return copy;
}

describe('decoders are total (property-based)', () => {
  it('arbitrary text gives spans or a TraceDecodeError, nothing else', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), decodesOrFailsTyped), { numRuns: 400 });
  });

  it('arbitrary bytes (protobuf path) give spans or a TraceDecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), decodesOrFailsTyped), { numRuns: 600 });
  });

  it('arbitrary JSON values give spans or a TraceDecodeError', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => decodesOrFailsTyped(JSON.stringify(v))), { numRuns: 400 });
  });

  it('every reference fixture with one value replaced by arbitrary JSON gives spans or a TraceDecodeError', () => {
    const docs = FIXTURES.map((f) => {
      const text = fixture(f);
      return f.endsWith('.txt') ? text : JSON.parse(text);
    });
    fc.assert(
      fc.property(fc.nat(docs.length - 1), fc.nat(), fc.jsonValue({ maxDepth: 2 }), (d, pick, replacement) => {
        const doc = docs[d];
        if (typeof doc === 'string') decodesOrFailsTyped(doc.slice(0, pick % doc.length) + JSON.stringify(replacement) + doc.slice(pick % doc.length));
        else decodesOrFailsTyped(JSON.stringify(mutate(doc, pick, replacement)));
      }),
      { numRuns: 600 },
    );
  });

  it('truncated protobuf of a real trace gives spans or a TraceDecodeError', () => {
    const bytes = encodeSpans(decodeTrace(fixture('tempo-v1-trace.json')).spans, 'otlp-proto').body as Uint8Array;
    fc.assert(fc.property(fc.nat(bytes.length), fc.nat(255), fc.nat(bytes.length), (cut, b, at) => {
      const copy = bytes.slice(0, Math.max(1, cut));
      if (at < copy.length) copy[at] = b;
      decodesOrFailsTyped(copy);
    }), { numRuns: 600 });
  });
});

// ------------------------------------------------------------------------------------------------

const hex = (n: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n }).map((a) => a.join('')).filter((s) => !/^0+$/.test(s));
const text = fc.string({ maxLength: 12 });
const scalar: fc.Arbitrary<AttrValue> = fc.oneof(text, fc.integer({ min: -1e12, max: 1e12 }), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((d) => !Number.isInteger(d)));
const attributes: fc.Arbitrary<Attribute[]> = fc.uniqueArray(fc.record({ key: fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['service.name', 'span.kind', 'error', 'peer.service'].includes(k) && !k.startsWith('otel.') && !k.startsWith('w3c.')), value: fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })) }, { noNullPrototype: true }), { selector: (a) => a.key, maxLength: 4 });
const startUs = fc.integer({ min: 1_500_000_000_000_000, max: 1_900_000_000_000_000 });

const spanArb: fc.Arbitrary<Span> = fc
  .record({
    traceId: hex(32),
    spanId: hex(16),
    parentId: fc.option(hex(16), { nil: undefined }),
    name: text,
    service: fc.string({ minLength: 1, maxLength: 8 }),
    kind: fc.constantFrom('unspecified', 'internal', 'server', 'client', 'producer', 'consumer'),
    startUs,
    durationNs: fc.integer({ min: 1000, max: 10_000_000_000 }),
    attributes,
    events: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 1_000_000 }), name: fc.string({ minLength: 1, maxLength: 8 }), attributes }, { noNullPrototype: true }), { maxLength: 2 }),
    status: fc.oneof(fc.constant({ code: 'unset' as const }), fc.constant({ code: 'ok' as const }), fc.record({ code: fc.constant('error' as const), message: fc.string({ minLength: 1, maxLength: 8 }).filter((m) => m !== 'true') }, { noNullPrototype: true })),
  })
  .map((r) => {
    const s: Span = {
      traceId: r.traceId,
      spanId: r.spanId,
      name: r.name,
      service: r.service,
      kind: r.kind as Span['kind'],
      startUs: r.startUs,
      durationUs: r.durationNs / 1000,
      attributes: r.attributes,
      resource: [{ key: 'service.name', value: r.service }],
      events: r.events.map((e) => ({ timeUs: r.startUs + e.offset, name: e.name, attributes: e.attributes })),
      links: [],
      status: r.status,
    };
    if (r.parentId && r.parentId !== r.spanId) s.parentId = r.parentId;
    return s;
  });

function roundTrip(spans: Span[], format: 'zipkin' | 'otlp-json' | 'otlp-proto' | 'jaeger'): Span[] {
  return decodeTrace(encodeSpans(spans, format).body).spans;
}

describe('encoders round-trip (property-based)', () => {
  it('OTLP/JSON and OTLP protobuf carry every field of the model exactly', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { minLength: 1, maxLength: 4 }), (spans) => {
        for (const format of ['otlp-json', 'otlp-proto'] as const) {
          const back = roundTrip(spans, format);
          const key = (s: Span): string => s.spanId + s.startUs;
          assert.deepEqual([...back].sort((a, b) => key(a).localeCompare(key(b))), [...spans].sort((a, b) => key(a).localeCompare(key(b))), format);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('Zipkin carries ids, names, services, kinds, µs times, tags as strings, annotations and status', () => {
    fc.assert(
      fc.property(spanArb, (span) => {
        const [back] = roundTrip([span], 'zipkin');
        assert.equal(traceIdKey(back.traceId), traceIdKey(span.traceId)); // Zipkin stores 0…0+64 bits as 64 bits
        assert.equal(back.spanId, span.spanId);
        assert.equal(back.parentId, span.parentId);
        assert.equal(back.name, span.name);
        assert.equal(back.service, span.service);
        assert.equal(back.kind, span.kind);
        assert.equal(back.startUs, span.startUs);
        assert.equal(back.durationUs, Math.max(1, Math.round(span.durationUs)));
        assert.equal(back.status.code, span.status.code);
        assert.equal(back.status.message, span.status.message);
        const tags = Object.fromEntries(back.attributes.filter((a) => a.key !== 'error').map((a) => [a.key, a.value]));
        assert.deepEqual(tags, Object.fromEntries(span.attributes.map((a) => [a.key, typeof a.value === 'string' ? a.value : JSON.stringify(a.value)])));
        assert.deepEqual(back.events.map((e) => [e.timeUs, e.name]), span.events.map((e) => [e.timeUs, e.name]));
      }),
      { numRuns: 300 },
    );
  });

  it('Jaeger JSON carries ids, names, services, kinds, times, typed scalar tags and status', () => {
    fc.assert(
      fc.property(spanArb, (span) => {
        const [back] = roundTrip([span], 'jaeger');
        assert.deepEqual(
          [traceIdKey(back.traceId), back.spanId, back.parentId, back.name, back.service, back.kind, back.startUs, back.status.code],
          [traceIdKey(span.traceId), span.spanId, span.parentId, span.name, span.service, span.kind, span.startUs, span.status.code],
        );
        assert.equal(back.durationUs, Math.round(span.durationUs));
        const scalars = span.attributes.filter((a) => !Array.isArray(a.value));
        assert.deepEqual(back.attributes.filter((a) => scalars.some((s) => s.key === a.key)), scalars);
      }),
      { numRuns: 300 },
    );
  });
});

// ------------------------------------------------------------------------------------------------

/** Spans of up to three traces under a few instrumentation scopes, interleaved as an SDK batches them. */
const scopes = [undefined, { name: 'http', version: '1.2' }, { name: 'db' }];
const batchArb = fc
  .tuple(fc.array(fc.tuple(spanArb, fc.nat(2)), { minLength: 1, maxLength: 8 }), fc.array(hex(32), { minLength: 1, maxLength: 3 }))
  .map(([spans, traces]) => spans.map(([s, scope], i) => ({ ...s, traceId: traces[i % traces.length], scope: scopes[scope] })));

/** What the receiver keeps must read back as the decoder reads the whole request: same spans, by trace. */
function assertSplitMatchesDecoder(bytes: Uint8Array): boolean {
  let parts;
  try {
    parts = splitOtlpProtoByTrace(bytes);
  } catch (e) {
    if (!(e instanceof TraceDecodeError)) throw e;
    return false;
  }
  const all = decodeOtlpProto(bytes); // must not throw: the check promised it would not
  assert.equal(parts.reduce((n, p) => n + p.spanCount, 0), all.length);
  for (const part of parts) {
    const mine = decodeOtlpProto(part.bytes);
    assert.equal(mine.length, part.spanCount);
    assert.deepEqual(mine, all.filter((s) => s.traceId === part.traceId));
  }
  return true;
}

describe('the receiver\'s protobuf check agrees with the decoder (property-based)', () => {
  it('accepts every encoded batch and splits it into parts that decode to exactly each trace\'s spans', () => {
    fc.assert(
      fc.property(batchArb, (spans) => {
        assert.ok(assertSplitMatchesDecoder(new Uint8Array(encodeSpans(spans, 'otlp-proto').body as Uint8Array)));
      }),
      { numRuns: 200 },
    );
  });

  it('whatever it accepts of damaged bytes, the decoder reads without error into the same spans', () => {
    let accepted = 0;
    fc.assert(
      fc.property(batchArb, fc.array(fc.tuple(fc.constantFrom('set', 'wire', 'insert', 'delete', 'cut'), fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 3 }), (spans, edits) => {
        let bytes = Array.from(encodeSpans(spans, 'otlp-proto').body as Uint8Array);
        for (const [op, at, value] of edits) {
          const i = at % (bytes.length + 1);
          if (op === 'set' && i < bytes.length) bytes[i] = value;
          // A byte's low three bits: for a tag, its wire type — damage that random bytes rarely hit.
          else if (op === 'wire' && i < bytes.length) bytes[i] = (bytes[i] & ~7) | (value & 7);
          else if (op === 'insert') bytes.splice(i, 0, value);
          else if (op === 'delete') bytes.splice(i, 1);
          else if (op === 'cut') bytes = bytes.slice(0, i);
        }
        if (assertSplitMatchesDecoder(new Uint8Array(bytes))) accepted++;
      }),
      { numRuns: 1500 },
    );
    // Damage inside names and values keeps a request valid: the property must have been tested on some.
    assert.ok(accepted > 50, `only ${accepted} damaged requests were accepted`);
  });
});
