/**
 * The waterfall bundle in a plain page in headless Chromium: rendering of the reference traces,
 * collapse, search, keyboard, the XSS corpus, and a 100,000-span trace. Screenshots go to
 * test-results/webview/.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generateTrace } from '../../bench/generate';
import { encodeSpans } from '../../src/shared/formats/encode';
import { ROOT, PageServer, buildPageHost, dragBy, openTracePage } from './page';

const SHOTS = join(ROOT, 'test-results', 'webview');
const example = (name: string): string => readFileSync(join(ROOT, 'test/fixtures', name), 'utf8');
const rowNames = (page: Page): Promise<string[]> =>
  page.$$eval('.row', (rows) => rows.filter((r) => (r as HTMLElement).style.display !== 'none').sort((a, b) => Number((a as HTMLElement).dataset.row) - Number((b as HTMLElement).dataset.row)).map((r) => r.querySelector('.name')!.textContent ?? ''));

/** WCAG contrast of two CSS colours; a translucent foreground is laid over the background first. */
function contrast(fg: string, bg: string): number {
  const parse = (c: string): number[] => (/rgba?\(([^)]+)\)/.exec(c)?.[1] ?? '0,0,0').split(',').map(Number);
  const [br, bgG, bb] = parse(bg);
  const [r, g, b, a = 1] = parse(fg);
  const over = [r * a + br * (1 - a), g * a + bgG * (1 - a), b * a + bb * (1 - a)];
  const lum = ([x, y, z]: number[]): number => {
    const lin = (v: number): number => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(x) + 0.7152 * lin(y) + 0.0722 * lin(z);
  };
  const [l1, l2] = [lum(over), lum([br, bgG, bb])].sort((p, q) => q - p);
  return (l1 + 0.05) / (l2 + 0.05);
}

describe('waterfall webview (plain page, headless Chromium)', function () {
  let browser: Browser;
  const server = new PageServer();

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await buildPageHost();
    await server.start();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await server.stop();
  });

  it('draws the Zipkin data-model trace: 5 rows in tree order with services and durations', async () => {
    const page = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'));
    assert.deepEqual(await rowNames(page), ['get', 'get-traces', 'query', 'query', 'query']);
    assert.match((await page.textContent('#meta')) ?? '', /5982fe77008310cc80f1da5e10147517 · 5 spans · 386 ms · 1 service/);
    const levels = await page.$$eval('.row[aria-level]', (rows) => rows.map((r) => r.getAttribute('aria-level')));
    assert.deepEqual(levels, ['1', '2', '3', '3', '3']);
    // Screen readers get each row's place among its siblings, whatever the DOM order of recycled rows.
    const places = await page.$$eval('.row[aria-level]', (rows) => rows.map((r) => `${r.getAttribute('aria-posinset')}/${r.getAttribute('aria-setsize')}`));
    assert.deepEqual(places.sort(), ['1/1', '1/1', '1/3', '2/3', '3/3']);
    // The cs/cr annotations are drawn as marks on the bars.
    assert.ok((await page.$$('.bar .mark')).length >= 6);
    await page.click('.row[data-row="2"]');
    await page.waitForSelector('#details h2');
    assert.equal(await page.textContent('#details h2'), 'query');
    assert.match((await page.textContent('#details')) ?? '', /jdbc\.query/);
    await page.screenshot({ path: join(SHOTS, 'data-model-trace.png') });
    await page.close();
  });

  it('a slow details answer shows the new span as loading, never the previous span\'s details', async () => {
    const page = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'));
    await page.click('.row[data-row="2"]');
    await page.waitForSelector('#details .actions');
    await page.evaluate(() => (window.__detailsDelayMs = 1500));
    await page.click('.row[data-row="1"]');
    await page.waitForSelector('#details[aria-busy="true"]', { timeout: 1000 });
    assert.equal(await page.textContent('#details h2'), 'get-traces');
    assert.match((await page.textContent('#details')) ?? '', /Loading details/);
    assert.doesNotMatch((await page.textContent('#details')) ?? '', /jdbc\.query/);
    await page.waitForSelector('#details:not([aria-busy]) .actions', { timeout: 5000 });
    assert.equal(await page.textContent('#details h2'), 'get-traces');
    await page.close();
  });

  it('resizes the name column by dragging its edge or with the keyboard, keeps the width, and restores it', async () => {
    const page = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'));
    const labelWidth = (): Promise<number> => page.$eval('.row[data-row="0"] .label', (e) => e.getBoundingClientRect().width);
    const before = await labelWidth();
    const edge = (await page.locator('#splitter').boundingBox())!;
    await dragBy(page, edge, 150, 100);
    const dragged = await labelWidth();
    assert.ok(Math.abs(dragged - before - 150) < 10, `the column grew by ${dragged - before}px for a 150px drag`);
    // The minimap and the ruler follow the column edge.
    const mini = (await page.locator('#minimap').boundingBox())!;
    assert.ok(Math.abs(mini.x - (edge.x + 150)) < 12, `minimap starts at ${mini.x}, the edge is at ${edge.x + 150}`);
    const saved = (await page.evaluate(() => (window.__host.state as { nameWidth?: number }).nameWidth))!;
    assert.equal(await page.getAttribute('#splitter', 'aria-valuenow'), String(Math.round(saved)));
    await page.screenshot({ path: join(SHOTS, 'name-column-resized.png') });
    await page.focus('#splitter');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.ok((await labelWidth()) < dragged, 'the arrow keys narrow the column');
    await page.keyboard.press('Home');
    assert.equal(await page.getAttribute('#splitter', 'aria-valuenow'), '15');
    await page.dblclick('#splitter');
    assert.ok(Math.abs((await labelWidth()) - before) < 2, 'double-click resets the width');
    await page.close();
    // A restored panel comes back at the width it was left at.
    const restored = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'), 'dark', { nameWidth: saved });
    assert.ok(Math.abs((await restored.$eval('.row[data-row="0"] .label', (e) => e.getBoundingClientRect().width)) - dragged) < 2);
    await restored.close();
  });

  it('shows the trace\'s shape through the minimap\'s window even when the theme\'s selection color is opaque', async () => {
    const page = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'), 'light');
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-editor-selectionBackground', '#add6ff'));
    const bg = await page.$eval('#miniwindow', (e) => getComputedStyle(e).backgroundColor);
    const alpha = Number(/[\d.]+(?=\)$)/.exec(bg.replace(/\s+/g, ''))?.[0] ?? '1');
    assert.ok(/\//.test(bg) || /rgba/.test(bg), `the window is see-through: ${bg}`);
    assert.ok(alpha > 0 && alpha < 0.6, `window alpha ${alpha} in ${bg}`);
    await page.close();
  });

  it('keeps every time-ruler label inside the ruler and clear of its neighbours, the last one too', async () => {
    // 31 ms: a tick at 30 ms sits at 97% of the axis, where a label drawn to the right would be cut off.
    // 250 ms: the end tick's label, drawn left of its line, would run into "200 ms".
    // Both at full width and in a narrow panel (a resize draws the ruler again).
    for (const [durationUs, width, lastLabel] of [[31_000, 1280, '30 ms'], [250_000, 1280, '250 ms'], [250_000, 760, '200 ms']] as const) {
      const spans = [{ traceId: 'a1', id: 'b1', name: 'root', timestamp: 1_700_000_000_000_000, duration: durationUs, localEndpoint: { serviceName: 'svc' } }];
      const page = await openTracePage(browser, server, JSON.stringify(spans));
      await page.setViewportSize({ width, height: 600 });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
      const { ruler, labels } = await page.evaluate(() => {
        const box = document.getElementById('ticks')!.getBoundingClientRect();
        return { ruler: { left: box.left, right: box.right }, labels: [...document.querySelectorAll('.tick')].map((t) => ({ text: t.textContent, ...(t.getBoundingClientRect().toJSON() as { left: number; right: number }) })) };
      });
      const where = `${durationUs} µs at ${width}px: ${labels.map((l) => l.text).join(', ')}`;
      assert.equal(labels.at(-1)?.text, lastLabel, where);
      for (const l of labels) assert.ok(l.left >= ruler.left - 1 && l.right <= ruler.right + 1, `${where}: "${l.text}" spans ${l.left}-${l.right}, the ruler ${ruler.left}-${ruler.right}`);
      for (let i = 1; i < labels.length; i++) assert.ok(labels[i - 1].right <= labels[i].left + 1, `${where}: "${labels[i - 1].text}" runs into "${labels[i].text}"`);
      await page.close();
    }
  });

  it('reloads a trace whose spans are still arriving, keeping the selected span, and offers no Reload for a file', async () => {
    const all = JSON.parse(example('examples/zipkin-data-model-trace.json')) as unknown[];
    const page = await openTracePage(browser, server, JSON.stringify(all.slice(0, 3)), 'dark', undefined, JSON.stringify(all));
    assert.equal(await page.locator('.row:visible').count(), 3);
    // What VS Code hands the serializer after a restart names the trace and where it came from.
    assert.deepEqual(await page.evaluate(() => window.__host.state), { traceId: '5982fe77008310cc80f1da5e10147517', sourceId: 'page' });
    await page.click('.row[data-row="1"]');
    await page.waitForSelector('#details h2:text("get-traces")');
    await page.click('#reload');
    await page.waitForFunction(() => /Reloaded: 2 new spans, 5 in all/.test(document.getElementById('status')?.textContent ?? ''));
    assert.deepEqual(await rowNames(page), ['get', 'get-traces', 'query', 'query', 'query']);
    assert.equal(await page.getAttribute('.row[aria-selected="true"]', 'data-row'), '1', 'the selection stays on get-traces');
    await page.focus('#rows');
    await page.keyboard.press('r');
    await page.waitForFunction(() => /Reloaded: no new spans \(5\)/.test(document.getElementById('status')?.textContent ?? ''));
    await page.close();
    const fromFile = await openTracePage(browser, server, JSON.stringify(all));
    assert.equal(await fromFile.isVisible('#reload'), false);
    await fromFile.close();
  });

  it('keeps text readable (WCAG AA, 4.5:1) in VS Code\'s Light+ and High Contrast themes', async () => {
    // The variables VS Code sets on a webview for each theme (the ones the waterfall reads).
    const themes: Record<string, { body?: string; vars: Record<string, string> }> = {
      'light-plus': {
        body: 'vscode-light',
        vars: {
          'editor-background': '#ffffff', foreground: '#616161', descriptionForeground: '#717171', errorForeground: '#e51400',
          'list-activeSelectionBackground': '#0060c0', 'list-activeSelectionForeground': '#ffffff', 'panel-border': 'rgba(128, 128, 128, 0.35)',
          'button-secondaryBackground': '#5f6a79', 'button-secondaryForeground': '#ffffff', 'input-background': '#ffffff', 'input-foreground': '#616161', 'input-border': '#cecece',
        },
      },
      'high-contrast': {
        body: 'vscode-high-contrast',
        vars: {
          'editor-background': '#000000', foreground: '#ffffff', descriptionForeground: 'rgba(255, 255, 255, 0.7)', errorForeground: '#f48771',
          'list-activeSelectionForeground': '#ffffff', contrastActiveBorder: '#f38518', 'panel-border': '#6fc3df',
          'button-secondaryForeground': '#ffffff', 'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df',
        },
      },
    };
    const spans = [
      { traceId: 'a1', id: 'b1', name: 'checkout', timestamp: 1_700_000_000_000_000, duration: 31_000, localEndpoint: { serviceName: 'frontend' } },
      { traceId: 'a1', id: 'b2', parentId: 'b1', name: 'charge', timestamp: 1_700_000_000_001_000, duration: 9_000, localEndpoint: { serviceName: 'payments' }, tags: { error: 'declined' } },
      { traceId: 'a1', id: 'b3', parentId: 'b1', name: 'reserve', timestamp: 1_700_000_000_011_000, duration: 5_000, localEndpoint: { serviceName: 'inventory' } },
      { traceId: 'a1', id: 'b4', parentId: 'b1', name: 'refund', timestamp: 1_700_000_000_020_000, duration: 2_000, localEndpoint: { serviceName: 'payments' }, tags: { error: 'timeout' } },
    ];
    for (const [name, theme] of Object.entries(themes)) {
      const page = await openTracePage(browser, server, JSON.stringify(spans), name === 'light-plus' ? 'light' : 'dark');
      await page.evaluate((t) => {
        for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(`--vscode-${k}`, v);
        if (t.body) document.body.classList.add(t.body);
      }, theme);
      await page.click('.row[data-row="1"]'); // the failed span, selected: red on the selection colour is the trap
      await page.waitForSelector('#details .actions');
      await page.fill('#search', 'nothing-here');
      await page.waitForFunction(() => document.getElementById('count')?.textContent === 'no matches');
      // [what, text element, element whose background it sits on] (inline: no named helpers inside the page)
      const checks: Array<[string, string, string]> = [
        ['span name', '.row[data-row="0"] .name', 'body'],
        ['service name', '.row[data-row="0"] .svc', 'body'],
        ['failed span name', '.row[data-row="3"] .name', 'body'],
        ['selected failed span name', '.row.selected .name', '.row.selected'],
        ['details text', '#details .sub', 'body'],
        ['match count', '#count', 'body'],
        ['button label', '#expand', '#expand'],
        ['search text', '#search', '#search'],
      ];
      const pairs = await page.evaluate((list) => list.map(([what, text, back]) => [what, getComputedStyle(document.querySelector(text)!).color, getComputedStyle(document.querySelector(back)!).backgroundColor]), checks);
      await page.screenshot({ path: join(SHOTS, `theme-${name}.png`) });
      for (const [what, fg, back] of pairs) {
        const ratio = contrast(fg, back);
        assert.ok(ratio >= 4.5, `${name}: ${what} ${fg} on ${back} has contrast ${ratio.toFixed(2)}:1`);
      }
      await page.close();
    }
  });

  it('shows statistics by operation, sorts them, and a group clicked shows only its spans; the details give self time', async () => {
    const page = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'));
    await page.click('#statsbutton');
    await page.waitForSelector('#statstable tr.group');
    assert.equal(await page.isHidden('#details'), true, 'statistics take the details pane\u2019s place');
    const table = (): Promise<string[][]> => page.$$eval('#statstable tr.group', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')));
    // Largest self time first: get-traces waits 16 ms on its queries and spends 338.37 ms itself.
    assert.deepEqual((await table()).map((r) => [r[0], r[1], r[3]]), [['zipkin-query: get-traces', '1', '338.37 ms'], ['zipkin-query: get', '1', '31.63 ms'], ['zipkin-query: query', '3', '16 ms']]);
    await page.click('#statstable th:nth-child(2) button'); // Count, largest first
    assert.equal((await table())[0][0], 'zipkin-query: query');
    await page.click('#statstable tr.group:has-text("zipkin-query: query")');
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '3 spans of zipkin-query: query');
    // The group's spans and the path to them; nothing else.
    assert.deepEqual(await rowNames(page), ['get', 'get-traces', 'query', 'query', 'query']);
    assert.equal(await page.isChecked('#only'), true);
    await page.selectOption('#groupby', 'service');
    await page.waitForFunction(() => document.querySelectorAll('#statstable tr.group').length === 1);
    assert.equal(await page.isChecked('#only'), false, 'a new grouping shows every span again');
    await page.click('#statsbutton');
    assert.equal(await page.isHidden('#stats'), true);
    await page.click('.row[data-row="0"]');
    await page.waitForSelector('#details .timing');
    assert.equal(await page.textContent('#details .timing'), 'self time 31.63 ms (8%) · on the critical path: 31.63 ms');
    await page.click('#statsbutton');
    await page.screenshot({ path: join(SHOTS, 'statistics.png') });
  });

  it('shows the trace as a flame graph: one level per depth, a click selects, search dims the rest, the wheel zooms', async () => {
    const page = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'));
    await page.focus('#rows');
    await page.keyboard.press('f');
    await page.waitForSelector('#flame:not([hidden])');
    assert.equal(await page.isHidden('#rows'), true);
    await page.waitForFunction(() => document.getElementById('flame')?.dataset.rects === '5');
    const box = (await page.locator('#flamecanvas').boundingBox())!;
    assert.equal(Math.round(box.height), 3 * 18, 'three levels: get, get-traces, the queries');
    // get-traces starts 11 ms into the 386 ms trace and lasts 354 ms: its middle, on the second level.
    await page.mouse.click(box.x + box.width * ((11 + 354 / 2) / 386), box.y + 18 + 9);
    await page.waitForSelector('#details h2:has-text("get-traces")');
    await page.fill('#search', 'name=query'); // ("query" alone is in every span's service name)
    await page.waitForFunction(() => document.getElementById('count')?.textContent?.includes('of 3'));
    await page.mouse.move(box.x + box.width / 2, box.y + 9);
    const before = await page.$eval('#miniwindow', (e) => (e as HTMLElement).style.width);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction((w) => (document.getElementById('miniwindow') as HTMLElement).style.width !== w, before);
    assert.ok(parseFloat(await page.$eval('#miniwindow', (e) => (e as HTMLElement).style.width)) < 100, 'zoomed in: the minimap window narrowed');
    await page.mouse.dblclick(box.x + 5, box.y + 9); // double-click a span: zoom to it (the root: everything)
    await page.screenshot({ path: join(SHOTS, 'flame-graph.png') });
    await page.focus('#flamecanvas');
    await page.keyboard.press('Escape'); // back to the rows from the flame graph's keyboard
    assert.equal(await page.isHidden('#flame'), true);
    assert.equal(await page.isVisible('#rows'), true);
  });

  it('collapses and expands with the keyboard and the toolbar', async () => {
    const page = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'));
    await page.click('.row[data-row="1"]');
    await page.keyboard.press('ArrowLeft'); // collapse get-traces
    assert.deepEqual(await rowNames(page), ['get', 'get-traces']);
    assert.match((await page.textContent('.row[data-row="1"] .flags')) ?? '', /\+3/);
    await page.keyboard.press('ArrowRight'); // expand again
    assert.equal((await rowNames(page)).length, 5);
    await page.click('#collapse');
    assert.deepEqual(await rowNames(page), ['get']);
    await page.click('#expand');
    assert.equal((await rowNames(page)).length, 5);
    await page.focus('#rows');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getAttribute('.row[aria-selected="true"]', 'data-row'), '2');
    await page.close();
  });

  it('searches attribute values with a quoted phrase, steps through matches and shows matches only', async () => {
    const page = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'));
    await page.fill('#search', '"from `zipkin_spans`"');
    await page.waitForFunction(() => /of 2/.test(document.getElementById('count')?.textContent ?? ''));
    // Rows 2 and 3 are the two JDBC queries that read zipkin_spans; row 4 queries another table.
    assert.deepEqual(await page.$$eval('.row.match', (rows) => rows.map((r) => (r as HTMLElement).dataset.row).sort()), ['2', '3']);
    await page.press('#search', 'Enter');
    assert.equal(await page.textContent('#count'), '2 of 2');
    await page.fill('#search', 'lc=JDBCSpanStore');
    await page.waitForFunction(() => /1 of 1/.test(document.getElementById('count')?.textContent ?? ''));
    await page.check('#only');
    assert.deepEqual(await rowNames(page), ['get', 'get-traces']);
    await page.fill('#search', 'nothing-like-this');
    await page.waitForFunction(() => document.getElementById('count')?.textContent === 'no matches');
    // Slow spans only: with "matches only" on, the quick queries leave the screen.
    await page.fill('#search', 'duration>100ms');
    await page.waitForFunction(() => /of 2$/.test(document.getElementById('count')?.textContent ?? ''));
    assert.deepEqual(await rowNames(page), ['get', 'get-traces']);
    await page.fill('#search', 'duration>soon');
    await page.waitForFunction(() => /duration>soon/.test(document.getElementById('status')?.textContent ?? ''));
    await page.fill('#search', 'duration>1s');
    // (The count said "no matches" before too: wait for the complaint to go, which only a fixed query does.)
    await page.waitForFunction(() => document.getElementById('status')?.textContent === '', undefined, { timeout: 5000 });
    assert.equal(await page.textContent('#count'), 'no matches');
    await page.close();
  });

  it('marks spans moved by clock-skew correction when it is switched on', async () => {
    const page = await openTracePage(browser, server, example('zipkin-shared-skew.json'));
    assert.equal(await page.$$eval('.flags', (f) => f.filter((x) => x.textContent?.includes('⇄')).length), 0);
    await page.check('#skew');
    await page.waitForFunction(() => [...document.querySelectorAll('.flags')].filter((x) => x.textContent?.includes('⇄')).length === 2);
    await page.click('.row[data-row="2"]');
    await page.waitForSelector('#details .warnings');
    assert.match((await page.textContent('#details .warnings')) ?? '', /clock skew: moved \+12 ms/);
    await page.screenshot({ path: join(SHOTS, 'skew-adjusted.png') });
    await page.close();
  });

  it('says a trace is incomplete, and why, when its backend returned only part of it; a whole trace shows no such line', async () => {
    const whole = await openTracePage(browser, server, example('examples/zipkin-data-model-trace.json'));
    assert.equal(await whole.isVisible('#incomplete'), false);
    await whole.close();
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.addInitScript(() => ((window as unknown as { __INCOMPLETE__: string }).__INCOMPLETE__ = 'Trace exceeds maximum size of 200 bytes, a partial trace is returned'));
    await page.addInitScript((text) => ((window as unknown as { __TRACE_TEXT__: string }).__TRACE_TEXT__ = text), example('examples/zipkin-data-model-trace.json'));
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.getAttribute('#incomplete', 'role'), 'alert');
    assert.equal(await page.textContent('#incomplete'), '⚠ Incomplete trace: test page returned only part of it: Trace exceeds maximum size of 200 bytes, a partial trace is returned');
    await page.screenshot({ path: join(SHOTS, 'incomplete-trace.png') });
    await page.close();
  });

  it('shows a span reported in pieces as one row whose details list the pieces, the server half under its client half', async () => {
    const page = await openTracePage(browser, server, example('zipkin-b3-pieces.json'));
    // root, client half, shared server half (+ its database call), and the follow-up request beside it
    assert.deepEqual(await rowNames(page), ['get /checkout', 'post /charge', 'post /charge', 'insert charge', 'get /receipt']);
    const levels = await page.$$eval('.row[aria-level]', (rows) => rows.sort((a, b) => Number((a as HTMLElement).dataset.row) - Number((b as HTMLElement).dataset.row)).map((r) => r.getAttribute('aria-level')));
    assert.deepEqual(levels, ['1', '2', '3', '4', '3']);
    await page.click('.row[data-row="2"]');
    await page.waitForSelector('#details .warnings');
    const repairs = (await page.textContent('#details .warnings')) ?? '';
    assert.match(repairs, /reported in 2 pieces, shown as one: shared SERVER record from 10\.0\.0\.2:9000 \(start, duration\); record without kind or time from 10\.0\.0\.2:9000 \(1 tag, 1 annotation\)/);
    assert.match((await page.textContent('#details')) ?? '', /db\.rows/);
    await page.screenshot({ path: join(SHOTS, 'zipkin-pieces-merged.png') });
    await page.close();
  });

  it('offers source links from code.* attributes and stack traces', async () => {
    const page = await openTracePage(browser, server, example('otlp-test-span.json'));
    await page.click('.row[data-row="0"]');
    await page.waitForSelector('#details .sources a');
    await page.click('#details .sources a');
    await page.waitForFunction(() => (window as unknown as { __host: { opened: unknown[] } }).__host.opened.length === 1);
    const opened = await page.evaluate(() => (window as unknown as { __host: { opened: unknown[] } }).__host.opened);
    assert.deepEqual(opened, [{ path: '/src/app.ts', line: 42 }]);
    await page.close();
  });

  it('renders hostile span data as text: nothing runs, no markup, no links followed', async () => {
    const hostile = [
      '<script>window.__pwned = 1</script>',
      '<img src=x onerror="window.__pwned = 2">',
      '"><svg onload="window.__pwned = 3">',
      'javascript:window.__pwned=4',
      '\u202Egnp.exe',
      'x'.repeat(10000),
    ];
    const spans = hostile.map((name, i) => ({
      traceId: 'a'.repeat(32),
      id: (i + 1).toString(16).padStart(16, '0'),
      parentId: i ? '0000000000000001' : undefined,
      name,
      timestamp: 1700000000000000 + i,
      duration: 10,
      localEndpoint: { serviceName: name.slice(0, 50) },
      tags: { [name.slice(0, 60)]: name, 'http.url': 'javascript:window.__pwned=5' },
    }));
    const page = await openTracePage(browser, server, JSON.stringify(spans));
    for (let r = 0; r < hostile.length; r++) {
      await page.click(`.row[data-row="${r}"]`);
      await page.waitForFunction((row) => document.querySelector('#details h2') && (window as unknown as { __host: { requests: string[] } }).__host.requests.filter((x) => x === 'details').length > row, r);
    }
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.$$eval('#rows script, #details script, #rows img, #details img, #rows svg, #details svg', (x) => x.length), 0);
    assert.equal(await page.textContent('.row[data-row="0"] .name'), hostile[0]);
    assert.equal(await page.$$eval('#details a[href^="javascript"]', (x) => x.length), 0);
    await page.screenshot({ path: join(SHOTS, 'xss-corpus.png') });
    await page.close();
  });

  it('after a window reload draws the saved first screen at once, the selected span in it, while the host still reads the trace; the live rows then replace it', async () => {
    const text = example('examples/zipkin-data-model-trace.json');
    const first = await openTracePage(browser, server, text);
    await first.click('.row[data-row="3"]');
    await first.waitForFunction(() => !!(window.__host.state as { screen?: unknown }).screen, undefined, { timeout: 5000 });
    const state = await first.evaluate(() => window.__host.state);
    await first.close();
    // The reloaded page: the host answers only after 2 s.
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.addInitScript((saved) => {
      const w = window as unknown as { __TRACE_TEXT__: string; __SAVED_STATE__: unknown; __HOST_DELAY_MS__: number };
      w.__TRACE_TEXT__ = saved.text;
      w.__SAVED_STATE__ = saved.state;
      w.__HOST_DELAY_MS__ = 2000;
    }, { text, state });
    await page.goto(server.url);
    await page.waitForSelector('body[data-restored-at]', { timeout: 1500 });
    assert.equal(await page.getAttribute('body', 'data-ready'), null, 'the host has not answered yet');
    assert.equal(await page.locator('.row:not(.pending)').count(), 5);
    assert.match((await page.textContent('#title')) ?? '', /get/);
    assert.match((await page.getAttribute('.row[data-row="3"]', 'class')) ?? '', /selected/);
    assert.match((await page.textContent('#details')) ?? '', /Restoring the trace…/);
    assert.equal(await page.isDisabled('#statsbutton'), true, 'what needs the host waits for it');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
    assert.match((await page.getAttribute('.row[data-row="3"]', 'class')) ?? '', /selected/);
    await page.locator('#details button', { hasText: 'Copy span id' }).waitFor({ timeout: 5000 });
    const first5 = await page.evaluate(() => Number(document.body.dataset.firstRowsAt) - Number(document.body.dataset.restoredAt));
    assert.ok(first5 <= 0, 'the first rows are the restored ones, drawn before the host answered');
    await page.close();
  });

  it('draws the first screen of a big trace before the rest arrives, shows rows still coming as placeholders, and is whole at the end', async () => {
    const text = encodeSpans(generateTrace(20_000, 11), 'otlp-json').body as string;
    const page = await openTracePage(browser, server, text, 'dark', undefined, undefined, { rows: 2000, delayMs: 250 });
    // First screen drawn, the trace not complete yet: named rows at the top, the rest on the way.
    assert.equal(await page.getAttribute('body', 'data-ready'), null);
    assert.notEqual(await page.textContent('.row[data-row="0"] .name'), 'loading…');
    assert.match((await page.textContent('#status')) ?? '', /Loading spans… [\d,]+ of 20,000/);
    assert.equal(await page.isDisabled('#collapse'), true, 'collapse all waits for the whole tree');
    await page.$eval('#rows', (el) => (el.scrollTop = el.scrollHeight));
    await page.waitForSelector('.row[data-row="19999"]');
    assert.equal(await page.textContent('.row[data-row="19999"] .name'), 'loading…');
    assert.match((await page.getAttribute('.row[data-row="19999"]', 'class')) ?? '', /pending/);
    // A placeholder draws no bar and no duration: "0 µs" at the trace's start would be a lie.
    assert.equal(await page.textContent('.row[data-row="19999"] .dur'), '');
    assert.equal(await page.isVisible('.row[data-row="19999"] .bar'), false);
    await page.screenshot({ path: join(SHOTS, 'big-trace-loading.png') });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    // The placeholder became its span without a scroll, and the status no longer says loading.
    await page.waitForFunction(() => document.querySelector('.row[data-row="19999"] .name')?.textContent !== 'loading…');
    assert.doesNotMatch((await page.textContent('#status')) ?? '', /Loading/);
    assert.equal(await page.isDisabled('#collapse'), false);
    assert.equal(await page.getAttribute('.row[data-row="19999"]', 'aria-setsize') !== null, true, 'sibling counts once whole');
    await page.close();
  });

  it('a trace replaced while it loads (Reload, skew toggled) shows only the newest load, whole', async () => {
    const spans = generateTrace(20_000, 12);
    const first = encodeSpans(spans.slice(0, 12_000), 'otlp-json').body as string;
    const page = await openTracePage(browser, server, first, 'dark', undefined, encodeSpans(spans, 'otlp-json').body as string, { rows: 1500, delayMs: 150 });
    // Mid-load: switch skew correction on (a new load) and then reload (another one, with more spans).
    await page.check('#skew');
    await page.waitForTimeout(200);
    await page.click('#reload');
    await page.waitForFunction(() => /Reloaded: 8000 new spans, 20000 in all/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 30000 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    assert.match((await page.textContent('#meta')) ?? '', /20000 spans/);
    // Reload's answer came while the rows still did: the end of the load does not wipe it out.
    assert.match((await page.textContent('#status')) ?? '', /Reloaded: 8000 new spans/);
    const sent = await page.evaluate(() => window.__host.sent);
    const loads = sent.filter((m) => m.startsWith('traceStart')).length;
    assert.ok(loads >= 3, `three loads were started: ${loads}`);
    const chunksOfFirst = sent.filter((m) => m.startsWith('rows 1:')).length;
    assert.ok(chunksOfFirst < Math.ceil(12_000 / 1500), `the first load stopped early (${chunksOfFirst} chunks posted)`);
    // Every row on screen, at the top and the end, is the newest load's span at that position.
    for (const top of [0, 1e9]) {
      await page.$eval('#rows', (el, t) => (el.scrollTop = t), top);
      await page.waitForTimeout(100);
      const wrong = await page.$$eval('.row[data-row]', (rows) => rows.filter((r) => r.style.display !== 'none' && (r.querySelector('.name')?.textContent === 'loading…' || !(r.getAttribute('aria-label') ?? '').includes(r.querySelector('.name')?.textContent ?? '?'))).map((r) => r.dataset.row));
      assert.deepEqual(wrong, []);
    }
    assert.ok(await page.isVisible('.row[data-row="19999"]'));
    await page.close();
  });

  it('opens a 100,000-span trace with a bounded number of rows in the DOM and scrolls to the end', async () => {
    const text = encodeSpans(generateTrace(100_000), 'otlp-json').body as string;
    const page = await openTracePage(browser, server, text);
    assert.match((await page.textContent('#meta')) ?? '', /100000 spans/);
    const rows = await page.$$eval('.row', (r) => r.length);
    assert.ok(rows < 120, `${rows} row elements for 100,000 spans: not virtualized`);
    // Scroll down step by step and back: every row on screen must show the span at its position
    // (rows are recycled between frames; a stale one would show the wrong name or place).
    const consistent = await page.evaluate(async () => {
      const rowsEl = document.getElementById('rows')!;
      const wrong: string[] = [];
      for (const step of [20, 20, 380, 20, -400, -40, 6000, -20]) {
        rowsEl.scrollTop += step;
        // Two frames: the scroll event's render, then paint (inline: no named helpers inside the page).
        for (let f = 0; f < 2; f++) await new Promise((r) => requestAnimationFrame(r));
        for (const row of document.querySelectorAll<HTMLElement>('.row[data-row]')) {
          if (row.style.display === 'none') continue;
          const y = Number(/translateY\((\d+)px\)/.exec(row.style.transform)?.[1]);
          const label = row.getAttribute('aria-label') ?? '';
          const name = row.querySelector('.name')?.textContent ?? '';
          if (!label.includes(name.replace(/^\[\d+\] /, ''))) wrong.push(`row ${row.dataset.row} at ${y}: "${name}" vs "${label}"`);
        }
        const ys = [...document.querySelectorAll<HTMLElement>('.row[data-row]')].filter((r) => r.style.display !== 'none').map((r) => r.style.transform);
        if (new Set(ys).size !== ys.length) wrong.push(`two rows at one position after scrolling by ${step}`);
      }
      return wrong;
    });
    assert.deepEqual(consistent, []);
    await page.$eval('#rows', (el) => (el.scrollTop = el.scrollHeight));
    await page.waitForFunction(() => !!document.querySelector('.row[data-row="99999"]'));
    await page.screenshot({ path: join(SHOTS, 'large-trace-end.png') });
    await page.fill('#search', '"WHERE id = 77777"');
    await page.waitForFunction(() => /of 1$/.test(document.getElementById('count')?.textContent ?? ''));
    assert.ok(await page.$('.row.selected.match'));
    // Collapsing everything while scrolled deep shows the root at once, not an empty pane until the
    // next scroll event happens to redraw.
    await page.click('#collapse');
    assert.equal(await page.locator('.row:visible').count(), 1);
    assert.equal(await page.locator('.row:visible').getAttribute('data-row'), '0');
    await page.close();
  });
});
