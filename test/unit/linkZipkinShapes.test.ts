/**
 * Linking on messy real-world Zipkin shapes (B3 shared span ids, spans reported in pieces, messaging
 * fan-out), each pass on its own and the whole linker on small hand-written traces.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeTrace } from '../../src/shared/formats/detect';
import type { Span } from '../../src/shared/model';
import { acyclicChildLists } from '../../src/shared/trace/cycles';
import { indexSpans } from '../../src/shared/trace/indexSpans';
import { linkTrace } from '../../src/shared/trace/link';
import { mergePieces } from '../../src/shared/trace/merge';
import { orderRows } from '../../src/shared/trace/order';
import { placeChildren } from '../../src/shared/trace/placeChildren';
import { DIFFERENT, processAffinity, SAME_HOST, SAME_PROCESS, UNKNOWN } from '../../src/shared/trace/sameProcess';
import { summarizeTrace } from '../../src/shared/trace/summary';
import type { Trace } from '../../src/shared/trace/trace';
import { Warnings } from '../../src/shared/trace/warnings';

const TRACE = '5af7183fb1d4cf5f';
const T0 = 1_700_000_000_000_000;

interface Z {
  id: string;
  parentId?: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  shared?: boolean;
  name?: string;
  at?: number;
  duration?: number;
  svc?: string;
  ip?: string;
  port?: number;
  tags?: Record<string, string>;
  annotations?: string[];
}

/** Zipkin v2 JSON for the records, decoded the way the extension decodes it. */
function zipkin(records: Z[]): Span[] {
  const json = records.map((r) => ({
    traceId: TRACE,
    id: r.id.padStart(16, '0'),
    ...(r.parentId ? { parentId: r.parentId.padStart(16, '0') } : {}),
    ...(r.kind ? { kind: r.kind } : {}),
    ...(r.shared ? { shared: true } : {}),
    ...(r.name ? { name: r.name } : {}),
    ...(r.at !== undefined ? { timestamp: T0 + r.at } : {}),
    ...(r.duration !== undefined ? { duration: r.duration } : {}),
    ...(r.svc || r.ip ? { localEndpoint: { ...(r.svc ? { serviceName: r.svc } : {}), ...(r.ip ? { ipv4: r.ip } : {}), ...(r.port ? { port: r.port } : {}) } } : {}),
    ...(r.tags ? { tags: r.tags } : {}),
    ...(r.annotations ? { annotations: r.annotations.map((value, i) => ({ timestamp: T0 + (r.at ?? 0) + i + 1, value })) } : {}),
  }));
  return decodeTrace(JSON.stringify(json)).spans;
}

const id = (short: string): string => short.padStart(16, '0');
/** The row of the span with this key (`5`, `5:shared`, `5:shared~1`). */
function row(t: Trace, key: string): number {
  const [short, ...rest] = key.split(':');
  const r = t.uid.indexOf([id(short), ...rest].join(':'));
  assert.ok(r >= 0, `no row ${key} in ${t.uid.join(', ')}`);
  return r;
}
const parentKey = (t: Trace, key: string): string => {
  const p = t.parent[row(t, key)];
  return p < 0 ? '(root)' : t.uid[p].replace(/^0+/, '');
};
const codes = (t: Trace, key: string): string[] => (t.warnings.get(row(t, key)) ?? []).map((w) => w.code);

const ROOT: Z = { id: '1', kind: 'SERVER', name: 'get /checkout', at: 0, duration: 50_000, svc: 'frontend', ip: '10.0.0.1', port: 8080 };
const CLIENT: Z = { id: '5', parentId: '1', kind: 'CLIENT', name: 'post /charge', at: 1_000, duration: 20_000, svc: 'frontend', ip: '10.0.0.1' };
const SERVER: Z = { id: '5', parentId: '1', kind: 'SERVER', shared: true, name: 'post /charge', at: 2_000, duration: 15_000, svc: 'payments', ip: '10.0.0.2', port: 9000 };

describe('linking Zipkin pieces: a record without kind or time is a piece of the half in its process', () => {
  it('merges the late record into the shared SERVER half, which sits directly under its CLIENT half', () => {
    // The late record comes first, as a collector can store it: before the fix it took the id, the
    // server half hung under it, and the real client half became a childless `~1` sibling.
    const late: Z = { id: '5', parentId: '1', svc: 'payments', ip: '10.0.0.2', port: 9000, tags: { 'db.rows': '3' }, annotations: ['flush'] };
    const t = linkTrace(zipkin([ROOT, late, CLIENT, SERVER]));
    assert.deepEqual(t.uid.map((u) => u.replace(/^0+/, '')), ['1', '5', '5:shared']);
    assert.equal(parentKey(t, '5:shared'), '5');
    assert.equal(t.depth[row(t, '5:shared')], t.depth[row(t, '5')] + 1);
    const server = t.spans[row(t, '5:shared')];
    assert.deepEqual(server.attributes.map((a) => a.key), ['db.rows']);
    assert.deepEqual(server.events.map((e) => e.name), ['flush']);
    assert.equal(server.startUs, T0 + 2_000, 'the earliest timestamp of the pieces');
    const merged = t.warnings.get(row(t, '5:shared'))!.find((w) => w.code === 'merged')!;
    assert.match(merged.message, /reported in 2 pieces.*shared SERVER record from 10\.0\.0\.2:9000 \(start, duration\).*record without kind or time from 10\.0\.0\.2:9000 \(1 tag, 1 annotation\)/);
    assert.deepEqual(codes(t, '5'), [], 'the client half is untouched');
  });

  it('merges a late record into the CLIENT half when its address is the client\u2019s, though its service is spelled differently', () => {
    const late: Z = { id: '5', parentId: '1', svc: 'frontend-http', ip: '10.0.0.1', tags: { retry: 'false' } };
    const t = linkTrace(zipkin([ROOT, CLIENT, SERVER, late]));
    assert.equal(t.spans.length, 3);
    assert.deepEqual(t.spans[row(t, '5')].attributes.map((a) => a.key), ['retry']);
  });

  it('takes the earliest timestamp and the longest duration of the pieces', () => {
    const merged = mergePieces(zipkin([{ ...CLIENT, duration: undefined }, { id: '5', parentId: '1', kind: 'CLIENT', svc: 'frontend', ip: '10.0.0.1', duration: 30_000 }]));
    assert.equal(merged.spans.length, 1);
    assert.equal(merged.spans[0].startUs, T0 + 1_000);
    assert.equal(merged.spans[0].durationUs, 30_000);
    assert.deepEqual([...merged.warnings.byNode.keys()], [0]);
  });

  it('does not merge records on different hosts, even under one service name', () => {
    const a: Z = { id: '7', kind: 'SERVER', shared: true, svc: 'worker', ip: '10.0.0.5' };
    const merged = mergePieces(zipkin([{ ...a, at: 10 }, { ...a, ip: '10.0.0.6', duration: 4 }]));
    assert.equal(merged.spans.length, 2);
  });

  it('leaves a late record the data cannot place (both halves on one host under one service) as before, and says so', () => {
    const same = { svc: 'app', ip: '127.0.0.1' };
    const t = linkTrace(zipkin([ROOT, { ...CLIENT, ...same }, { ...SERVER, ...same, port: undefined }, { id: '5', parentId: '1', ...same, tags: { x: '1' } }]));
    assert.equal(t.spans.length, 3, 'merged into the half of its own service and flag, the client');
    assert.ok(codes(t, '5').includes('ambiguous'));
    assert.match(t.warnings.get(row(t, '5'))!.find((w) => w.code === 'ambiguous')!.message, /could belong to either half/);
  });
});

describe('linking Zipkin shared span ids: children placed by kind and host', () => {
  it('hangs work done while serving under the server half, whatever it calls its service', () => {
    const child: Z = { id: '8', parentId: '5', kind: 'CLIENT', name: 'select', at: 3_000, duration: 100, svc: 'payments-db-client', ip: '10.0.0.2' };
    const t = linkTrace(zipkin([ROOT, CLIENT, SERVER, child]));
    assert.equal(parentKey(t, '8'), '5:shared');
  });

  it('hangs a child on the client half\u2019s host under the client half, though neither service name matches', () => {
    // Before the fix a child whose service matched neither half went under the server half.
    const child: Z = { id: '8', parentId: '5', name: 'serialize', at: 1_100, duration: 100, svc: 'frontend-app', ip: '10.0.0.1' };
    const t = linkTrace(zipkin([ROOT, CLIENT, SERVER, child]));
    assert.equal(parentKey(t, '8'), '5');
    assert.deepEqual(codes(t, '8'), []);
  });

  it('hangs an incoming request that propagated the shared id (a redirect\u2019s follow-up) under the client half, as a peer of the server half', () => {
    // Before the fix its service (payments) put it under the server half, as work inside it.
    const followUp: Z = { id: '9', parentId: '5', kind: 'SERVER', name: 'get /receipt', at: 18_000, duration: 1_000, svc: 'payments', ip: '10.0.0.2', port: 9000 };
    const t = linkTrace(zipkin([ROOT, CLIENT, SERVER, followUp]));
    assert.equal(parentKey(t, '9'), '5');
    assert.equal(t.depth[row(t, '9')], t.depth[row(t, '5:shared')]);
  });

  it('hangs a CONSUMER naming the shared id under the client half too', () => {
    const consumer: Z = { id: 'a', parentId: '5', kind: 'CONSUMER', name: 'on charge', at: 19_000, svc: 'payments', ip: '10.0.0.2' };
    assert.equal(parentKey(linkTrace(zipkin([ROOT, CLIENT, SERVER, consumer])), 'a'), '5');
  });

  it('keeps a child with nothing to compare under the server half, and says the data did not decide', () => {
    const bare: Z = { id: 'b', parentId: '5', name: 'mystery', at: 3_000, duration: 10 };
    const t = linkTrace(zipkin([ROOT, CLIENT, SERVER, bare]));
    assert.equal(parentKey(t, 'b'), '5:shared');
    assert.deepEqual(codes(t, 'b'), ['ambiguous']);
  });
});

describe('linking Zipkin shared span ids: several server pieces on different hosts', () => {
  const PRODUCE: Z = { id: 'd0', parentId: '1', kind: 'CLIENT', name: 'send order', at: 1_000, duration: 500, svc: 'frontend', ip: '10.0.0.1' };
  const onB: Z = { id: 'd0', parentId: '1', kind: 'SERVER', shared: true, name: 'receive', at: 5_000, duration: 100, svc: 'worker', ip: '10.0.0.2' };
  const onC: Z = { id: 'd0', parentId: '1', kind: 'SERVER', shared: true, name: 'receive', at: 9_000, duration: 100, svc: 'worker', ip: '10.0.0.3' };

  it('keeps each delivery, and hangs each child under the piece on its own host', () => {
    const workB: Z = { id: 'b1', parentId: 'd0', name: 'process', at: 9_500, duration: 50, svc: 'worker', ip: '10.0.0.2' };
    const workC: Z = { id: 'c1', parentId: 'd0', name: 'process', at: 9_600, duration: 50, svc: 'worker', ip: '10.0.0.3' };
    const t = linkTrace(zipkin([ROOT, PRODUCE, onB, onC, workB, workC]));
    assert.equal(t.spans.length, 6);
    assert.equal(parentKey(t, 'd0:shared'), 'd0');
    assert.equal(parentKey(t, 'd0:shared~1'), 'd0');
    assert.equal(parentKey(t, 'b1'), 'd0:shared');
    // Before the fix every child went under the first piece, on another host.
    assert.equal(parentKey(t, 'c1'), 'd0:shared~1');
    assert.match(t.warnings.get(row(t, 'd0:shared~1'))![0].message, /another server piece of shared span id 0+d0, on 10\.0\.0\.3/);
  });

  it('on one host (a redelivery), hangs a child under the piece that started latest at or before it', () => {
    const again: Z = { ...onB, at: 20_000 };
    const early: Z = { id: 'e', parentId: 'd0', name: 'process', at: 6_000, svc: 'worker', ip: '10.0.0.2' };
    const late: Z = { id: 'f', parentId: 'd0', name: 'process', at: 21_000, svc: 'worker', ip: '10.0.0.2' };
    const t = linkTrace(zipkin([ROOT, PRODUCE, onB, again, late, early]));
    assert.equal(parentKey(t, 'e'), 'd0:shared');
    assert.equal(parentKey(t, 'f'), 'd0:shared~1');
  });

  it('never hangs a child under a piece on its host that began after it did', () => {
    const before: Z = { id: 'a7', parentId: 'd0', name: 'process', at: 4_000, duration: 10, svc: 'worker', ip: '10.0.0.2' };
    const t = linkTrace(zipkin([ROOT, PRODUCE, onB, { ...onB, at: 20_000 }, before]));
    assert.equal(parentKey(t, 'a7'), 'd0');
    assert.deepEqual(codes(t, 'a7'), ['ambiguous']);
  });

  it('keeps the first piece for a child on no piece\u2019s host, and says so', () => {
    const elsewhere: Z = { id: 'a8', parentId: 'd0', name: 'process', at: 9_500, svc: 'auditor', ip: '10.0.0.9' };
    const t = linkTrace(zipkin([ROOT, PRODUCE, onB, onC, elsewhere]));
    assert.equal(parentKey(t, 'a8'), 'd0:shared');
    assert.match(t.warnings.get(row(t, 'a8'))![0].message, /none of the 2 server pieces/);
  });
});

describe('linking passes on their own', () => {
  const spans = (): Span[] => zipkin([ROOT, CLIENT, SERVER, { id: '8', parentId: '5', kind: 'CLIENT', at: 3_000, svc: 'payments', ip: '10.0.0.2' }]);

  it('same process: address and port decide against a match, then the service name', () => {
    const [root, client, server, child] = spans();
    assert.equal(processAffinity(child, server), SAME_PROCESS);
    assert.equal(processAffinity(child, client), DIFFERENT);
    assert.equal(processAffinity({ ...child, service: 'db-client' }, server), SAME_HOST);
    assert.equal(processAffinity({ ...child, localEndpoint: { ipv4: '10.0.0.2', port: 1 } }, server), DIFFERENT, 'another port on that host');
    assert.equal(processAffinity({ ...child, localEndpoint: undefined, service: '' }, root), UNKNOWN);
  });

  it('index: the shared half keyed apart from its client half, every record of an id listed', () => {
    const warn = new Warnings();
    const index = indexSpans(spans(), warn);
    assert.deepEqual(index.uid.map((u) => u.replace(/^0+/, '')), ['1', '5', '5:shared', '8']);
    assert.deepEqual(index.byId.get(id('5')), [1, 2]);
    assert.equal(warn.byNode.size, 0);
  });

  it('place: the shared half under its client, its work under it', () => {
    const s = spans();
    const { parentOf, orphanCount } = placeChildren(s, indexSpans(s, new Warnings()), new Warnings());
    assert.deepEqual(Array.from(parentOf), [-1, 0, 1, 2]);
    assert.equal(orphanCount, 0);
  });

  it('cycles: a loop is cut once and every node stays reachable', () => {
    const parentOf = Int32Array.from([2, 0, 1, -1]);
    const warn = new Warnings();
    const tree = acyclicChildLists(spans(), parentOf, warn);
    assert.equal(tree.roots.length, 2);
    assert.equal(warn.byNode.size, 1);
  });

  it('order: siblings by start, pre-order, missing starts drawn at the parent\u2019s', () => {
    const parentOf = Int32Array.from([-1, 0, 0, 1]);
    const warn = new Warnings();
    const tree = acyclicChildLists(spans(), parentOf, warn);
    const o = orderRows(tree, parentOf, Float64Array.from([0, 30, 10, NaN]), Float64Array.from([100, 5, 5, 1]), 0, warn);
    assert.deepEqual(Array.from(o.order), [0, 2, 1, 3]);
    assert.deepEqual(Array.from(o.depthOf), [0, 1, 1, 2]);
    assert.equal(o.start[3], 30);
    assert.deepEqual(warn.byNode.get(3)?.map((w) => w.code), ['missing-start']);
  });
});

describe('summary --json shows the placements', () => {
  it('a shared SERVER half follows its CLIENT half at depth + 1; merged pieces appear once with a warning', () => {
    const late: Z = { id: '5', parentId: '1', svc: 'payments', ip: '10.0.0.2', port: 9000, tags: { 'db.rows': '3' } };
    const doc = summarizeTrace(linkTrace(zipkin([ROOT, late, CLIENT, SERVER])));
    const keys = doc.spans.map((s) => `${s.spanId.replace(/^0+/, '')}${s.shared ? ':shared' : ''}@${s.depth}`);
    assert.deepEqual(keys, ['1@0', '5@1', '5:shared@2']);
    assert.match(doc.spans[2].warnings?.[0] ?? '', /^reported in 2 pieces, shown as one/);
    assert.equal(doc.warnings.length, 1);
  });
});

/**
 * Random Zipkin-shaped traces: RPCs whose server half is delivered to one to three hosts, records split
 * into late pieces, work under each delivery, follow-up requests under the client half. The generator
 * knows where each span belongs; the linker must put it there, lose nothing and show every span once.
 */
describe('linking Zipkin shapes (property)', () => {
  const HOSTS = ['10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.4'];
  interface Built {
    records: Z[];
    /** span key (`id`, or `id@ip` for a server piece) → expected parent key */
    expect: Map<string, string>;
  }
  const keyOf = (z: Z): string => (z.shared ? `${z.id}@${z.ip}` : z.id);

  const shape = fc.array(
    fc.record({
      caller: fc.nat(),
      deliveries: fc.integer({ min: 1, max: 3 }),
      work: fc.array(fc.tuple(fc.nat(), fc.constantFrom<Z['kind'] | undefined>('CLIENT', 'PRODUCER', undefined), fc.integer({ min: 0, max: 50 })), { maxLength: 3 }),
      followUp: fc.boolean(),
      latePiece: fc.boolean(),
      spelling: fc.boolean(),
      gap: fc.integer({ min: 1, max: 40 }),
    }),
    { maxLength: 8 },
  );

  type Rpc = typeof shape extends fc.Arbitrary<Array<infer R>> ? R : never;

  function build(rpcs: Rpc[]): Built {
    const records: Z[] = [{ id: 'f0', kind: 'SERVER', name: 'root', at: 0, duration: 1e6, svc: 'svc0', ip: HOSTS[0] }];
    const expect = new Map<string, string>();
    /** Spans that do work (not client halves): a new call can start from any of them. */
    const workers: Z[] = [records[0]];
    let next = 0;
    const newId = (): string => `c${(next++).toString(16)}`;
    for (const rpc of rpcs) {
      const caller = workers[rpc.caller % workers.length];
      const callerHost = HOSTS.indexOf(caller.ip!);
      const client: Z = { id: newId(), parentId: caller.id, kind: 'CLIENT', name: 'call', at: caller.at! + rpc.gap, duration: 100, svc: caller.svc, ip: caller.ip };
      records.push(client);
      expect.set(keyOf(client), keyOf(caller));
      for (let d = 0; d < rpc.deliveries; d++) {
        const host = (callerHost + 1 + d) % HOSTS.length;
        const piece: Z = { id: client.id, parentId: caller.id, kind: 'SERVER', shared: true, name: 'serve', at: client.at! + 1 + d * rpc.gap, duration: 50, svc: `svc${host}`, ip: HOSTS[host] };
        records.push(piece);
        expect.set(keyOf(piece), keyOf(client));
        workers.push(piece);
        if (rpc.latePiece) records.push({ id: client.id, parentId: caller.id, svc: piece.svc, ip: piece.ip, tags: { [`late.${d}`]: 'y' } });
        for (const [w, kind, after] of rpc.work.filter(([w]) => w % rpc.deliveries === d)) {
          const work: Z = { id: newId(), parentId: client.id, kind, name: `work${w}`, at: piece.at! + after, duration: 5, svc: rpc.spelling ? `${piece.svc}-lib` : piece.svc, ip: piece.ip };
          records.push(work);
          expect.set(keyOf(work), keyOf(piece));
          workers.push(work);
        }
      }
      if (rpc.followUp) {
        const host = (callerHost + 1) % HOSTS.length;
        const follow: Z = { id: newId(), parentId: client.id, kind: 'SERVER', name: 'follow-up', at: client.at! + 90, duration: 5, svc: `svc${host}`, ip: HOSTS[host] };
        records.push(follow);
        expect.set(keyOf(follow), keyOf(client));
      }
    }
    return { records, expect };
  }

  it('puts every span under the parent the data says, loses no record\u2019s tags, and shows every span once', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 0, max: 1000 }), (rpcs, seed) => {
        const { records, expect } = build(rpcs);
        // Collectors store records in any order.
        const shuffled = records.map((r, i) => [((i + 1) * (seed + 7919)) % 104729, r] as const).sort((a, b) => a[0] - b[0]).map(([, r]) => r);
        const t = linkTrace(zipkin(shuffled));
        assert.equal(new Set(t.uid).size, t.uid.length, 'every span once');
        assert.equal(t.spans.length, expect.size + 1, 'late pieces merged, nothing else lost');
        const keyOfRow = (r: number): string => {
          const s = t.spans[r];
          const short = s.spanId.replace(/^0+/, '');
          return s.shared ? `${short}@${s.localEndpoint?.ipv4}` : short;
        };
        for (let r = 0; r < t.spans.length; r++) {
          const k = keyOfRow(r);
          if (k === 'f0') continue;
          assert.equal(t.parent[r] >= 0 ? keyOfRow(t.parent[r]) : '(root)', expect.get(k), `parent of ${k}`);
          // A child never starts before a parent on its own host unless a warning says why.
          const p = t.parent[r];
          if (t.spans[p].localEndpoint?.ipv4 === t.spans[r].localEndpoint?.ipv4 && t.start[r] < t.start[p]) assert.ok(t.warnings.has(r), `${k} starts before its parent`);
        }
        const tags = new Set(t.spans.flatMap((s) => s.attributes.map((a) => `${s.spanId}/${s.localEndpoint?.ipv4}/${a.key}`)));
        for (const rec of records) for (const k of Object.keys(rec.tags ?? {})) assert.ok(tags.has(`${id(rec.id)}/${rec.ip}/${k}`), `tag ${k} of ${rec.id} kept`);
      }),
      { numRuns: 300 },
    );
  });
});
