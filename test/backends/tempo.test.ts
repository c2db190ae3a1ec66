/** Tempo's traps (`protocols.md` §1), met through the Tempo source against the simulator. */
import assert from 'node:assert/strict';
import { createSource } from '../../src/node/sources/createSource';
import { traceqlOf } from '../../src/shared/query/traceql';
import { decodeTrace } from '../../src/shared/formats/detect';
import { newSpan, type Span } from '../../src/shared/model';
import { TempoSimulator } from '../peers/tempoSimulator';
import { rejectsWithBackendError } from './helpers/wait';
import { fixture } from '../unit/helpers';

function span(traceId: string, spanId: string, over: Partial<Span> = {}): Span {
  return { ...newSpan(traceId, spanId), name: 'op', service: 'api', startUs: Date.now() * 1000 - 5_000_000, durationUs: 1000, ...over };
}

describe('Tempo source against the Tempo simulator', () => {
  let sim: TempoSimulator;
  afterEach(() => sim?.stop());

  it('pads the leading-zero-trimmed trace ids of search results back to 32 digits, so the trace opens', async () => {
    sim = await new TempoSimulator().start();
    sim.add([span('00000000000000000000000000abcdef', '0000000000000001')]);
    const source = createSource({ name: 't', type: 'tempo', url: sim.queryUrl });
    const [row] = await source.listTraces({});
    assert.equal(row.traceId, '00000000000000000000000000abcdef');
    assert.equal((await source.getTrace(row.traceId))?.length, 1);
  });

  it('reads base64 ids and enum names of trace-by-id JSON into hex ids, kinds and statuses', async () => {
    sim = await new TempoSimulator().start();
    sim.add([span('5b8efff798038103d269b633813fc700', 'eee19b7ec3c1b100', { kind: 'server', status: { code: 'error', message: 'boom' } })]);
    const [s] = (await createSource({ name: 't', type: 'tempo', url: sim.queryUrl }).getTrace('5b8efff798038103d269b633813fc700'))!;
    assert.deepEqual([s.traceId, s.spanId, s.kind, s.status.code, s.status.message], ['5b8efff798038103d269b633813fc700', 'eee19b7ec3c1b100', 'server', 'error', 'boom']);
  });

  it("treats v2's 200-with-an-empty-trace as not found", async () => {
    sim = await new TempoSimulator().start();
    assert.equal(await createSource({ name: 't', type: 'tempo', url: sim.queryUrl }).getTrace('abcdef'), undefined);
    assert.ok(sim.requests.some((r) => r.url.startsWith('/api/v2/traces/')));
  });

  it('falls back to /api/traces/{id} on a Tempo older than 2.6 and remembers it', async () => {
    sim = await new TempoSimulator({ legacy: true }).start();
    sim.add([span('0123456789abcdef0123456789abcdef', '0000000000000001')]);
    const source = createSource({ name: 't', type: 'tempo', url: sim.queryUrl });
    assert.equal((await source.getTrace('0123456789abcdef0123456789abcdef'))?.length, 1);
    assert.equal((await source.getTrace('0123456789abcdef0123456789abcdef'))?.length, 1);
    const v2 = sim.requests.filter((r) => r.url.startsWith('/api/v2/traces/'));
    assert.equal(v2.length, 1, 'asked v2 only once');
  });

  it('sends the tenant as X-Scope-OrgID, and without it explains the 401 "no org id"', async () => {
    sim = await new TempoSimulator({ tenant: 'team-a' }).start();
    sim.add([span('0123456789abcdef', '0000000000000001')], 'team-a');
    const withTenant = createSource({ name: 'cloud', type: 'tempo', url: sim.queryUrl, tenant: 'team-a' });
    assert.equal((await withTenant.listTraces({})).length, 1);
    const e = await rejectsWithBackendError(createSource({ name: 'cloud', type: 'tempo', url: sim.queryUrl }).listTraces({}));
    assert.equal(e.status, 401);
    assert.match(e.message, /^cloud: HTTP 401: no org id \(http:\/\/127\.0\.0\.1:\d+\/api\/search\?.*\)\. This Tempo is multi-tenant: set "tenant"/);
  });

  it("shows Tempo's own words for a bad TraceQL query", async () => {
    sim = await new TempoSimulator().start();
    const e = await rejectsWithBackendError(createSource({ name: 't', type: 'tempo', url: sim.queryUrl }).listTraces({ traceql: '{ resource.service.name = }' }));
    assert.equal(e.status, 400);
    assert.match(e.message, /invalid TraceQL query: parse error at line 1, col \d+/);
  });

  it('searches with the TraceQL built from service, operation, duration and tag filters', async () => {
    sim = await new TempoSimulator().start();
    const t = '0123456789abcdef0123456789abcdef';
    sim.add([
      span(t, '0000000000000001', { name: 'GET /cart', durationUs: 300_000, attributes: [{ key: 'http.method', value: 'GET' }] }),
      span('1123456789abcdef0123456789abcdef', '0000000000000002', { name: 'GET /cart', durationUs: 50_000, attributes: [{ key: 'http.method', value: 'GET' }] }),
      span('2123456789abcdef0123456789abcdef', '0000000000000003', { service: 'db', name: 'GET /cart', durationUs: 300_000 }),
    ]);
    const q = { service: 'api', operation: 'GET /cart', minDurationUs: 100_000, tags: { 'http.method': 'GET' } };
    assert.equal(traceqlOf(q), '{ resource.service.name = "api" && name = "GET /cart" && duration >= 100ms && .http.method = "GET" }');
    const rows = await createSource({ name: 't', type: 'tempo', url: sim.queryUrl }).listTraces(q);
    assert.deepEqual(rows.map((r) => r.traceId), [t]);
  });

  it('keeps Grafana Cloud\'s /tempo path prefix and sends basic auth', async () => {
    sim = await new TempoSimulator({ prefix: '/tempo' }).start();
    sim.add([span('0123456789abcdef', '0000000000000001')]);
    const source = createSource({ name: 'grafana', type: 'tempo', url: sim.queryUrl, auth: 'basic', user: '12345' }, { secret: 'glc_token' });
    assert.equal((await source.listTraces({})).length, 1);
    assert.ok(sim.requests.every((r) => r.url.startsWith('/tempo/')));
    assert.ok(sim.requests.every((r) => r.authorization === `Basic ${Buffer.from('12345:glc_token').toString('base64')}`), 'basic auth on every request');
  });

  it('suggests services, operations, tag names and values from the tag APIs', async () => {
    sim = await new TempoSimulator().start();
    sim.add([span('0123456789abcdef', '0000000000000001', { name: 'GET /x', attributes: [{ key: 'http.method', value: 'GET' }], resource: [{ key: 'service.name', value: 'api' }] })]);
    const source = createSource({ name: 't', type: 'tempo', url: sim.queryUrl });
    assert.deepEqual(await source.services(), ['api']);
    assert.deepEqual(await source.operations('api'), ['GET /x']);
    const names = await source.tagNames!();
    assert.ok(names.includes('span.http.method') && names.includes('resource.service.name') && names.includes('duration'), names.join());
    assert.deepEqual(await source.tagValues!('span.http.method'), ['GET']);
  });

  it('reads a shared Zipkin span, re-identified by Tempo, as a server child of its client half', async () => {
    sim = await new TempoSimulator().start();
    const shared = decodeTrace(fixture('zipkin-shared-skew.json')).spans;
    sim.add(shared);
    const got = (await createSource({ name: 't', type: 'tempo', url: sim.queryUrl }).getTrace(shared[0].traceId))!;
    const server = got.find((s) => s.kind === 'server' && s.name === 'post /charge')!;
    const client = got.find((s) => s.kind === 'client' && s.name === 'post /charge')!;
    assert.equal(server.parentId, client.spanId);
    assert.notEqual(server.spanId, client.spanId);
  });

  it('says where spans can go when no ingest URL is set', async () => {
    sim = await new TempoSimulator().start();
    const e = await rejectsWithBackendError(createSource({ name: 't', type: 'tempo', url: sim.queryUrl }).ingest([span('0123456789abcdef', '0000000000000001')]));
    assert.match(e.message, /Set "ingestUrl" on the endpoint, e\.g\. http:\/\/localhost:9411/);
  });
});
