/**
 * The same contract for every backend: it takes the reference payloads (`test/fixtures/examples`)
 * through its ingest path, gives the trace back complete through its source, lists it among recent
 * traces, and suggests its services and operations. Real Zipkin and real Jaeger, the Tempo simulator
 * (Tempo cannot run here: licence), and the built-in local receiver read over its Zipkin API.
 */
import assert from 'node:assert/strict';
import { TraceStore } from '../../src/shared/store/traceStore';
import { decodeTrace } from '../../src/shared/formats/detect';
import type { Span } from '../../src/shared/model';
import { LocalReceiver } from '../../src/node/receiver';
import { createSource } from '../../src/node/sources/createSource';
import type { EndpointConfig } from '../../src/node/sources/endpointConfig';
import type { TraceSource } from '../../src/node/sources/traceSource';
import { TempoSimulator } from '../peers/tempoSimulator';
import { readBack } from './readBack';
import { startJaeger, startZipkin, type Peer } from '../peers/realPeers';
import { fixture } from '../unit/helpers';

const CURL_FILES = ['examples/zipkin-curl-span-1.json', 'examples/zipkin-curl-span-2.json', 'examples/zipkin-curl-span-3.json'];
const EVER = 12 * 365 * 86_400_000; // the reference spans are from 2016 and 2021

function spansOf(file: string): Span[] {
  return decodeTrace(fixture(file)).spans;
}


/** What must survive any backend: ids, parents, times, and names/services up to Zipkin's lowercasing. */
function shape(spans: readonly Span[]): string[] {
  return spans
    .map((s) => `${s.spanId} <- ${s.parentId ?? 'root'} ${s.name.toLowerCase()} [${s.service.toLowerCase()}] @${s.startUs} +${s.durationUs}`)
    .sort();
}

interface Backend {
  name: string;
  start(): Promise<{ source: TraceSource; stop(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'the built-in local receiver, read through its Zipkin API',
    async start() {
      const receiver = new LocalReceiver(new TraceStore(), { otlpPort: 0, zipkinPort: 0 });
      const [otlp] = await receiver.start();
      const source = createSource({ name: 'local-as-zipkin', type: 'zipkin', url: `http://127.0.0.1:${otlp.port}` });
      return { source, stop: async () => (await source.dispose?.(), await receiver.stop()) };
    },
  },
  {
    name: 'the real Zipkin server',
    async start() {
      const peer = await startZipkin();
      const source = createSource({ name: 'zipkin', type: 'zipkin', url: peer.url });
      return { source, stop: async () => (await source.dispose?.(), await peer.stop()) };
    },
  },
  {
    name: 'the Tempo simulator, ingesting through its Zipkin receiver',
    async start() {
      const sim = await new TempoSimulator().start();
      const source = createSource({ name: 'tempo', type: 'tempo', url: sim.queryUrl, ingestUrl: `${sim.zipkinUrl}/api/v2/spans` });
      return { source, stop: async () => (await source.dispose?.(), await sim.stop()) };
    },
  },
  {
    name: 'the Tempo simulator, ingesting OTLP protobuf on /v1/traces',
    async start() {
      const sim = await new TempoSimulator().start();
      const source = createSource({ name: 'tempo', type: 'tempo', url: sim.queryUrl, ingestUrl: `${sim.otlpUrl}/v1/traces` });
      return { source, stop: async () => (await source.dispose?.(), await sim.stop()) };
    },
  },
  {
    name: 'the real Jaeger all-in-one (v1 API, OTLP ingest)',
    async start() {
      const peer: Peer = await startJaeger();
      const source = createSource({ name: 'jaeger', type: 'jaeger', url: peer.url, ingestUrl: peer.ingestUrl });
      return { source, stop: async () => (await source.dispose?.(), await peer.stop()) };
    },
  },
  {
    name: 'the real Jaeger all-in-one (v3 API)',
    async start() {
      const peer: Peer = await startJaeger();
      const config: EndpointConfig = { name: 'jaeger3', type: 'jaeger', url: peer.url, ingestUrl: peer.ingestUrl, apiVersion: 'v3' };
      const source = createSource(config);
      return { source, stop: async () => (await source.dispose?.(), await peer.stop()) };
    },
  },
];

for (const backend of backends) {
  describe(`contract: ${backend.name}`, function () {
    this.timeout(120_000);
    let source: TraceSource;
    let stop: () => Promise<void> = async () => {};

    before(async () => {
      ({ source, stop } = await backend.start());
    });
    after(() => stop());

    it('takes the three curl payloads one by one and gives back trace 0123456789abcde0 with its 3 spans as sent', async () => {
      const sent = CURL_FILES.flatMap(spansOf);
      for (const file of CURL_FILES) {
        const result = await source.ingest(spansOf(file));
        assert.ok(result.status >= 200 && result.status < 300, `ingest answered ${result.status}`);
      }
      const got = await readBack(source, '0123456789abcde0', 3);
      assert.deepEqual(shape(got), shape(sent));
    });

    it('gives back the Zipkin data-model trace (5 spans, 3 levels) with its ids, parents and times', async () => {
      const sent = spansOf('examples/zipkin-data-model-trace.json');
      await source.ingest(sent);
      const got = await readBack(source, sent[0].traceId, sent.length);
      assert.deepEqual(shape(got), shape(sent));
    });

    it('lists the reference trace among recent traces with its root service, root name and span count', async () => {
      // Tempo searches at most 168h back; without a range it searches its recent (ingester) data, as here.
      const rows = await source.listTraces({ lookbackMs: source.kind === 'tempo' ? undefined : EVER, limit: 50 });
      const row = rows.find((r) => r.traceId.endsWith('0123456789abcde0'));
      assert.ok(row, `not listed; got ${rows.map((r) => r.traceId).join(', ')}`);
      assert.equal(row.rootService.toLowerCase(), 'shell script');
      assert.equal(row.rootName.toLowerCase(), 'span from bash!');
      assert.equal(row.spanCount, 3);
    });

    it('filters recent traces by service and suggests services and operations from what it holds', async () => {
      // Zipkin lower-cases names on ingest: compare case-blind, ask with the name the backend gave.
      const services = await source.services();
      const shell = services.find((s) => s.toLowerCase() === 'shell script');
      assert.ok(shell, `services: ${services.join(', ')}`);
      const ops = (await source.operations(shell)).map((s) => s.toLowerCase());
      assert.ok(ops.includes('child span from bash!'), `operations: ${ops.join(', ')}`);
      const rows = await source.listTraces({ service: 'zipkin-query', lookbackMs: source.kind === 'tempo' ? undefined : EVER, limit: 50 });
      assert.ok(rows.length >= 1 && rows.every((r) => r.services.map((s) => s.toLowerCase()).includes('zipkin-query')), `by service: ${rows.map((r) => r.traceId).join(', ')}`);
    });

    it('says a trace it does not have is not there (undefined), not an error', async () => {
      assert.equal(await source.getTrace('00000000000000000000000000abcdef'), undefined);
    });
  });
}
