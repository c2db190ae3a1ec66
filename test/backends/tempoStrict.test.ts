/**
 * Tempo as real Tempo behaves, one case per way the client used to get wrong or empty answers while the
 * old, forgiving simulator kept every test green: typed TraceQL values and bare intrinsics, the newest
 * traces (most_recent), partial traces, a wrong URL told apart from a missing trace, search rows as
 * Tempo writes them, and Tempo's own refusals of bad parameters.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSource } from '../../src/node/sources/createSource';
import type { TempoSource } from '../../src/node/sources/tempoSource';
import { newSpan, type Span } from '../../src/shared/model';
import { traceqlOf } from '../../src/shared/query/traceql';
import { TempoSimulator } from '../peers/tempoSimulator';
import { rejectsWithBackendError } from './helpers/wait';

const NOW_US = Date.now() * 1000;

function span(traceId: string, spanId: string, over: Partial<Span> = {}): Span {
  return { ...newSpan(traceId.padStart(32, '0'), spanId.padStart(16, '0')), name: 'op', service: 'api', startUs: NOW_US - 5_000_000, durationUs: 1000, ...over };
}

/** A checkout trace whose attributes have the types real SDKs give them. */
function typedTrace(): Span[] {
  return [
    span('c1', '1', {
      name: 'GET /checkout',
      kind: 'server',
      status: { code: 'error', message: 'card declined' },
      attributes: [
        { key: 'http.status_code', value: 500 },
        { key: 'cache.hit', value: true },
        { key: 'sample.ratio', value: 0.25 },
        { key: 'http.route', value: '/checkout' },
      ],
      events: [{ timeUs: NOW_US - 4_000_000, name: 'exception', attributes: [{ key: 'exception.type', value: 'CardDeclined' }] }],
    }),
  ];
}

async function rawSearch(sim: TempoSimulator, q: string, extra = ''): Promise<{ status: number; text: string }> {
  const res = await fetch(`${sim.queryUrl}/api/search?q=${encodeURIComponent(q)}${extra}`);
  return { status: res.status, text: await res.text() };
}

describe('Tempo as real Tempo behaves', () => {
  let sim: TempoSimulator;
  afterEach(() => sim?.stop());
  const tempo = (url = sim.queryUrl): TempoSource => createSource({ name: 'Tempo', type: 'tempo', url }) as TempoSource;

  describe('1. typed values and bare intrinsics', () => {
    it('the simulator compares typed values: "500" never equals the integer 500; a keyword status needs no quotes', async () => {
      sim = await new TempoSimulator().start();
      sim.add(typedTrace());
      const count = async (q: string): Promise<number> => ((JSON.parse((await rawSearch(sim, q)).text) as { traces?: unknown[] }).traces ?? []).length;
      assert.equal(await count('{ span.http.status_code = "500" }'), 0, 'a string never equals an integer');
      assert.equal(await count('{ span.http.status_code = 500 }'), 1);
      assert.equal(await count('{ .cache.hit = "true" }'), 0);
      assert.equal(await count('{ .cache.hit = true }'), 1);
      assert.equal(await count('{ span.sample.ratio = 0.25 }'), 1);
      assert.equal(await count('{ .status = error }'), 0, 'a dotted intrinsic is an attribute look-up');
      assert.equal(await count('{ status = error && kind = server && duration >= 1ms }'), 1);
      assert.equal(await count('{ event:name = "exception" && event.exception.type = "CardDeclined" }'), 1);
      assert.equal(await count('{ trace:rootService = "api" && rootName = "GET /checkout" }'), 1);
      const mismatch = await rawSearch(sim, '{ status = "error" }');
      assert.equal(mismatch.status, 400);
      assert.match(mismatch.text, /^invalid TraceQL query: binary operations must operate on the same type/);
    });

    it('a tag filter is written in the type Tempo gave its values, so it matches (it used to be quoted and never matched)', async () => {
      sim = await new TempoSimulator().start();
      sim.add(typedTrace());
      const source = tempo();
      const values = await source.typedTagValues('span.http.status_code');
      assert.deepEqual(values, [{ type: 'int', value: '500' }]);
      assert.deepEqual(await source.typedTagValues('status'), [{ type: 'keyword', value: 'error' }]);
      const q = { tags: { 'span.http.status_code': '500', 'span.cache.hit': 'true' }, tagTypes: { 'span.http.status_code': 'int' as const, 'span.cache.hit': 'bool' as const } };
      assert.equal(source.queryText(q), '{ span.http.status_code = 500 && span.cache.hit = true } with (most_recent=true)');
      assert.equal((await source.listTraces(q)).length, 1);
    });

    it('intrinsics chosen as tags stay bare (status = error, kind = server, event:name) and still match', async () => {
      sim = await new TempoSimulator().start();
      sim.add(typedTrace());
      const q = { tags: { status: 'error', kind: 'server', 'event:name': 'exception' } };
      assert.equal(traceqlOf(q), '{ status = error && kind = server && event:name = "exception" }');
      assert.equal((await tempo().listTraces(q)).length, 1);
    });

    it('suggests tags of every scope Tempo lists: intrinsics bare, event, link and instrumentation attributes scoped', async () => {
      sim = await new TempoSimulator().start();
      sim.add(typedTrace());
      const names = await tempo().tagNames();
      for (const n of ['event.exception.type', 'event:name', 'trace:rootService', 'status', 'span.http.status_code', 'resource.service.name'.replace('resource.service.name', 'span.http.route')]) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
      assert.ok(!names.includes('intrinsic.status'));
    });
  });

  describe('2. which traces come back', () => {
    it('asks for the most recent traces: with more matches than the limit, the newest come back, newest first', async () => {
      sim = await new TempoSimulator().start();
      for (let i = 0; i < 30; i++) sim.add([span(`a${i.toString(16).padStart(2, '0')}`, '1', { startUs: NOW_US - (30 - i) * 1_000_000 })]);
      // Without the hint Tempo answers the first it finds: here the oldest.
      const firstFound = JSON.parse((await rawSearch(sim, '{}', '&limit=5')).text) as { traces: Array<{ traceID: string }> };
      assert.deepEqual(firstFound.traces.map((t) => t.traceID), ['a04', 'a03', 'a02', 'a01', 'a00']);
      const rows = await tempo().listTraces({ limit: 5 });
      assert.deepEqual(rows.map((r) => r.traceId.slice(-3)), ['a1d', 'a1c', 'a1b', 'a1a', 'a19']);
      assert.match(sim.requests.filter((r) => r.url.startsWith('/api/search')).pop()!.url, /most_recent%3Dtrue/);
    });

    it('on a Tempo older than query hints, asks again without the hint and remembers', async () => {
      sim = await new TempoSimulator({ noHints: true }).start();
      sim.add([span('b1', '1')]);
      const source = tempo();
      assert.equal((await source.listTraces({})).length, 1);
      assert.equal((await source.listTraces({})).length, 1);
      const searches = sim.requests.filter((r) => r.url.startsWith('/api/search'));
      assert.equal(searches.length, 3, 'one refused search with the hint, then two without');
    });

    it('sends an explicit range for a chosen time range, and none by default (Tempo then searches recent, unflushed data)', async () => {
      sim = await new TempoSimulator().start();
      const source = tempo();
      await source.listTraces({});
      await source.listTraces({ lookbackMs: 6 * 3_600_000 });
      const [plain, ranged] = sim.requests.filter((r) => r.url.startsWith('/api/search')).map((r) => new URL(r.url, 'http://x').searchParams);
      assert.equal(plain.get('start'), null);
      assert.equal(Number(ranged.get('end')) - Number(ranged.get('start')), 6 * 3600);
    });
  });

  describe('3. partial traces', () => {
    it('says a trace is incomplete, and why, when v2 answers PARTIAL', async () => {
      sim = await new TempoSimulator({ maxSpansPerTrace: 2 }).start();
      sim.add([span('d1', '1'), span('d1', '2', { parentId: '0000000000000001' }), span('d1', '3', { parentId: '0000000000000001' })]);
      const fetched = await tempo().fetchTrace('d1');
      assert.equal(fetched?.spans.length, 2);
      assert.equal(fetched?.incomplete, 'Trace exceeds maximum size of 200 bytes, a partial trace is returned');
    });

    it('on v1 (Tempo before 2.6), a trace over the size limit is a 422 with what to do', async () => {
      sim = await new TempoSimulator({ legacy: true, maxSpansPerTrace: 1 }).start();
      sim.add([span('d2', '1'), span('d2', '2')]);
      const e = await rejectsWithBackendError(tempo().fetchTrace('d2'));
      assert.match(e.message, /HTTP 422: trace exceeds max size.*max_bytes_per_trace/);
    });
  });

  describe('4. a wrong URL is not a missing trace', () => {
    it('a 404 with a body on both routes says the URL has no Tempo API, names the URL, and keeps asking v2', async () => {
      sim = await new TempoSimulator({ prefix: '/tempo' }).start();
      sim.add([span('e1', '1')]);
      const wrong = tempo(sim.queryUrl.replace(/\/tempo$/, ''));
      const e = await rejectsWithBackendError(wrong.fetchTrace('e1'));
      assert.match(e.message, /^Tempo: HTTP 404 "404 page not found": no Tempo trace API answers at this URL \(http:\/\/127\.0\.0\.1:\d+\/api\/v2\/traces\/0+e1\)\. Check the endpoint URL and its path prefix/);
      await rejectsWithBackendError(wrong.fetchTrace('e1'));
      assert.equal(sim.requests.filter((r) => r.url.includes('/api/v2/traces/')).length, 2, 'v2 is still asked first');
      // The right URL finds it, and a missing trace is just missing.
      assert.equal((await tempo().fetchTrace('e1'))?.spans.length, 1);
      assert.equal(await tempo().fetchTrace('e2'), undefined);
    });
  });

  describe('5. search rows as Tempo writes them', () => {
    it('reads a trace under 1 ms (no durationMs) as unknown duration, floors the rest, and an empty answer without "traces" as none', async () => {
      sim = await new TempoSimulator().start();
      sim.add([span('f1', '1', { durationUs: 400 })]);
      sim.add([span('f2', '1', { durationUs: 2_999 })]);
      const rows = await tempo().listTraces({});
      const byId = new Map(rows.map((r) => [r.traceId.slice(-2), r]));
      assert.deepEqual(byId.get('f1')?.missing, ['durationUs']);
      assert.equal(byId.get('f2')?.durationUs, 2000, 'floored to whole ms');
      assert.equal(byId.get('f2')?.missing, undefined);
      assert.deepEqual(await tempo().listTraces({ service: 'nobody' }), []);
      const raw = JSON.parse((await rawSearch(sim, '{ resource.service.name = "nobody" }')).text) as Record<string, unknown>;
      assert.ok(!('traces' in raw), 'Tempo leaves out an empty list');
    });

    it('reads the deprecated spanSet alone, a missing root, and startTimeUnixNano as a string', async () => {
      const server: Server = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ traces: [{ traceID: 'abc', rootServiceName: '<root span not yet received>', startTimeUnixNano: '1700000000123456789', durationMs: 12, spanSet: { spans: [{ spanID: '0000000000000001' }], matched: 4 } }] }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const [row] = await tempo(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).listTraces({});
        assert.equal(row.traceId, '00000000000000000000000000000abc');
        assert.equal(row.startUs, 1700000000123456);
        assert.equal(row.spanCount, 4, 'matched spans when there are no serviceStats');
        assert.deepEqual(row.missing, ['spanCount', 'errorCount', 'rootService', 'rootName']);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  });

  describe('6. the simulator refuses what Tempo refuses', () => {
    it('bad limit, spss and start answer 400 with Tempo\u2019s texts; TraceQL beyond the simulator answers 501', async () => {
      sim = await new TempoSimulator().start();
      assert.deepEqual(await rawSearch(sim, '{}', '&limit=x'), { status: 400, text: 'invalid limit: strconv.Atoi: parsing "x": invalid syntax' });
      assert.deepEqual(await rawSearch(sim, '{}', '&limit=0'), { status: 400, text: 'invalid limit: must be a positive number' });
      assert.deepEqual(await rawSearch(sim, '{}', '&spss=200'), { status: 400, text: 'spans per span set exceeds 100. received 200' });
      assert.equal((await rawSearch(sim, '{}', '&start=yesterday&end=1')).text, 'invalid start: strconv.ParseInt: parsing "yesterday": invalid syntax');
      assert.equal((await rawSearch(sim, '{ nosuchthing = 1 }')).status, 400);
      assert.equal((await rawSearch(sim, '{} | count() > 2')).status, 501);
    });
  });
});
