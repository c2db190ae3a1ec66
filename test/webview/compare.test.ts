/**
 * The comparison webview in a plain page in headless Chromium: two runs of the demo's checkout (A as
 * Zipkin JSON, B as OTLP/JSON), where B's stock query got slower and B added a fraud check. Screenshots
 * go to test-results/webview/.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { encodeSpans } from '../../src/shared/formats/encode';
import type { Span } from '../../src/shared/model';
import { ROOT, PageServer, buildPageHost, openComparePage } from './page';

const SHOTS = join(ROOT, 'test-results', 'webview');
const T0 = 1_795_000_000_000_000;

function span(id: number, parent: number | undefined, service: string, name: string, start: number, duration: number, extra: Partial<Span> = {}): Span {
  return {
    traceId: extra.traceId ?? 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1',
    spanId: id.toString(16).padStart(16, '0'),
    ...(parent ? { parentId: parent.toString(16).padStart(16, '0') } : {}),
    name,
    service,
    kind: 'internal',
    startUs: T0 + start,
    durationUs: duration,
    attributes: [{ key: 'code.file.path', value: '/work/demo/checkout-service.mjs' }, { key: 'code.line.number', value: 50 + id }],
    resource: [],
    events: [],
    links: [],
    status: { code: 'unset' },
    ...extra,
  };
}

/** The demo's checkout; `after` has a slower stock query and an added fraud check. */
function checkout(after: boolean): Span[] {
  const traceId = after ? 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2' : 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
  const slow = after ? 52_000 : 0;
  const spans = [
    span(1, undefined, 'frontend', 'POST /checkout', 0, 40_000 + slow + (after ? 6_000 : 0), { traceId }),
    span(2, 1, 'inventory', 'reserve items', 100, 13_000 + slow, { traceId }),
    span(3, 2, 'inventory', 'SELECT stock', 200, 8_000 + slow, { traceId }),
    span(4, 1, 'payments', 'charge card', 13_200 + slow, 12_000, { traceId, status: { code: 'error', message: 'card declined' } }),
    span(5, 1, 'email', 'send receipt', 25_300 + slow, 3_000, { traceId }),
    span(6, 1, 'email', '<img src=x onerror="document.body.dataset.pwned=1">', 28_400 + slow, 500, { traceId }),
  ];
  if (after) spans.push(span(7, 1, 'payments', 'fraud check', 28_900 + slow, 6_000, { traceId }));
  return spans;
}

const labels = (page: Page): Promise<string[]> =>
  // What is on screen, not what the DOM marks hidden: a recycled row must really disappear.
  page.$$eval('.node', (all) => all.filter((r) => getComputedStyle(r).display !== 'none').sort((x, y) => new DOMMatrix(getComputedStyle(x).transform).m42 - new DOMMatrix(getComputedStyle(y).transform).m42).map((r) => `${'  '.repeat(Number(r.getAttribute('aria-level')) - 1)}${r.querySelector('.text')!.textContent} ${r.querySelector('.delta')!.textContent}`));

describe('comparison webview (plain page, headless Chromium)', function () {
  let browser: Browser;
  const server = new PageServer();
  const runA = encodeSpans(checkout(false), 'zipkin').body as string;
  const runB = encodeSpans(checkout(true), 'otlp-json').body as string;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await buildPageHost();
    await server.start();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  });
  after(async () => {
    await browser?.close();
    await server.stop();
  });

  it('shows the slower query and the added call, hides what did not change, and selects the biggest change', async () => {
    const page = await openComparePage(browser, server, runA, runB);
    assert.deepEqual(await labels(page), [
      'frontend: POST /checkout +58 ms (+145%)',
      '  inventory: reserve items +52 ms (+400%)',
      '    inventory: SELECT stock +52 ms (+650%)',
      '  payments: fraud check added',
    ]);
    assert.match((await page.textContent('#status')) ?? '', /^4 of 7 operations shown: those changed by 10% or more/);
    assert.equal(await page.textContent('.node.selected .text'), 'frontend: POST /checkout');
    assert.match((await page.textContent('#meta')) ?? '', /40 ms → 98 ms \(\+58 ms\), 6 → 7 spans/);
    await page.screenshot({ path: join(SHOTS, 'compare-dark.png') });
  });

  it('lists a selected operation\u2019s spans in A and B; Open and the source link go to the host', async () => {
    const page = await openComparePage(browser, server, runA, runB);
    await page.click('.node:has-text("SELECT stock")');
    await page.waitForSelector('#spans h2:has-text("inventory: SELECT stock")');
    assert.deepEqual(await page.$$eval('#spans h3', (h) => h.map((x) => x.textContent)), ['In A: 1', 'In B: 1']);
    assert.match((await page.textContent('#spans .side-b li')) ?? '', /inventory: SELECT stock 60 ms \(self 60 ms\) …\/demo\/checkout-service\.mjs:53/);
    await page.click('#spans .side-b button.open');
    await page.click('#spans .side-a a.source');
    await page.waitForFunction(() => window.__compareHost.opened.length === 1 && window.__compareHost.sources.length === 1);
    assert.deepEqual(await page.evaluate(() => window.__compareHost.opened), [{ side: 'b', row: 2, spanId: '0000000000000003' }]);
    assert.deepEqual(await page.evaluate(() => window.__compareHost.sources), [{ side: 'a', row: 2 }]);
  });

  it('is driven by the keyboard: arrows move, ← goes to the parent, Enter opens the operation\u2019s first span in B', async () => {
    const page = await openComparePage(browser, server, runA, runB);
    await page.focus('#tree');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.textContent('.node.selected .text'), 'inventory: SELECT stock');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.textContent('.node.selected .text'), 'inventory: reserve items');
    await page.keyboard.press('ArrowLeft'); // collapses it
    assert.deepEqual((await labels(page)).map((l) => l.trim().split(' +')[0].replace(/ added$/, '')), ['frontend: POST /checkout', 'inventory: reserve items', 'payments: fraud check']);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__compareHost.opened.length === 1);
    assert.deepEqual(await page.evaluate(() => window.__compareHost.opened), [{ side: 'b', row: 6, spanId: '0000000000000007' }]);
  });

  it('shows every operation once "Hide unchanged" is off, with span data as text only; Swap turns added into removed', async () => {
    const page = await openComparePage(browser, server, runA, runB);
    await page.uncheck('#hide');
    const all = await labels(page);
    assert.equal(all.length, 7);
    assert.ok(all.includes('  email: <img src=x onerror="document.body.dataset.pwned=1"> ±0'), all.join('\n'));
    assert.ok(all.includes('  payments: charge card ±0'));
    assert.equal(await page.evaluate(() => document.body.dataset.pwned), undefined);
    assert.equal(await page.$$eval('#tree img', (x) => x.length), 0);
    await page.click('#swap');
    await page.waitForFunction(() => document.querySelector('#title')?.textContent?.startsWith('A: b2b2'));
    assert.ok((await labels(page)).includes('  payments: fraud check removed'));
    assert.ok((await labels(page)).includes('frontend: POST /checkout −58 ms (−59%)'));
  });

  it('takes its colours from the VS Code theme (Light+ here), not from its dark fallbacks', async () => {
    const page = await openComparePage(browser, server, runA, runB, 'light');
    await page.evaluate(() => {
      const vars: Record<string, string> = {
        'editor-background': '#ffffff', foreground: '#616161', descriptionForeground: '#717171', errorForeground: '#e51400', 'panel-border': 'rgba(128, 128, 128, 0.35)',
        'charts-red': '#e51400', 'charts-green': '#388a34', 'charts-blue': '#1a85ff', 'charts-yellow': '#bf8803', disabledForeground: 'rgba(97, 97, 97, 0.5)',
        'list-activeSelectionBackground': '#0060c0', 'list-activeSelectionForeground': '#ffffff', 'list-inactiveSelectionBackground': '#e4e6f1', 'textLink-foreground': '#006ab1',
        'button-secondaryBackground': '#5f6a79', 'button-secondaryForeground': '#ffffff', 'input-background': '#ffffff', 'input-foreground': '#616161', 'input-border': '#cecece',
      };
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v);
      document.body.classList.add('vscode-light');
      window.dispatchEvent(new Event('resize')); // the canvases read the colours when drawn
    });
    await page.click('.node:has-text("SELECT stock")');
    await page.waitForSelector('#spans h2:has-text("SELECT stock")');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
    assert.equal(await page.$eval('.node.slower .delta', (e) => getComputedStyle(e).color), 'rgb(229, 20, 0)');
    await page.screenshot({ path: join(SHOTS, 'compare-light.png') });
  });
});
