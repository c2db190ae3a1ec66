/** Serves the webview bundle in a plain page for Playwright, with the page host standing in for VS Code. */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..');

export async function buildPageHost(): Promise<void> {
  await build({ entryPoints: [join(ROOT, 'test/webview/pageHost.ts')], outfile: join(ROOT, 'out/test/webview/host.js'), bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'warning' });
  await build({ entryPoints: [join(ROOT, 'test/webview/compareHost.ts')], outfile: join(ROOT, 'out/test/webview/compareHost.js'), bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'warning' });
}

const FILES: Record<string, [string, string]> = {
  '/host.js': ['out/test/webview/host.js', 'text/javascript'],
  '/webview.js': ['dist/webview.js', 'text/javascript'],
  '/base.css': ['media/base.css', 'text/css'],
  '/waterfall.css': ['media/waterfall.css', 'text/css'],
  '/compareHost.js': ['out/test/webview/compareHost.js', 'text/javascript'],
  '/compare.js': ['dist/compare.js', 'text/javascript'],
  '/compare.css': ['media/compare.css', 'text/css'],
};

/** The same CSP as in VS Code (minus the nonce plumbing): no inline script, no inline style. */
const page = (style: string, scripts: string[]): string =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'"><link rel="stylesheet" href="/base.css"><link rel="stylesheet" href="${style}"></head><body>${scripts.map((src) => `<script src="${src}"></script>`).join('')}</body></html>`;

export class PageServer {
  private server?: Server;
  url = '';
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/' || path === '/compare') {
        res.setHeader('content-type', 'text/html');
        res.end(path === '/' ? page('/waterfall.css', ['/host.js', '/webview.js']) : page('/compare.css', ['/compareHost.js', '/compare.js']));
        return;
      }
      const f = FILES[path];
      if (!f) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', f[1]);
      res.end(readFileSync(join(ROOT, f[0])));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
  }
  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * A page showing `traceText`, ready when the webview has rendered its rows. `state` is what VS Code
 * would give back to `getState()`, as when a panel is restored; `reloadText` is what "Reload" fetches
 * (without it the trace is like one read from a file).
 */
export async function openTracePage(browser: Browser, server: PageServer, traceText: string, theme: 'dark' | 'light' = 'dark', state?: unknown, reloadText?: string, chunks?: { rows: number; delayMs: number }): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: theme });
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.addInitScript(({ text, saved, reload, chunked }) => {
    const w = window as unknown as { __TRACE_TEXT__: string; __SAVED_STATE__: unknown; __RELOAD_TEXT__?: string; __chunkRows?: number; __chunkDelayMs?: number };
    w.__TRACE_TEXT__ = text;
    w.__SAVED_STATE__ = saved;
    if (reload !== undefined) w.__RELOAD_TEXT__ = reload;
    if (chunked) {
      w.__chunkRows = chunked.rows;
      w.__chunkDelayMs = chunked.delayMs;
    }
  }, { text: traceText, saved: state, reload: reloadText, chunked: chunks });
  await page.goto(server.url);
  // Slowed chunks: the caller watches the trace arrive; otherwise wait until all of it has.
  if (chunks) await page.waitForSelector('body[data-first-rows-at]', { timeout: 20000 });
  else await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  return page;
}

/** A page comparing trace `before` (A) with `after` (B), ready when the comparison is drawn. */
export async function openComparePage(browser: Browser, server: PageServer, before: string, after: string, theme: 'dark' | 'light' = 'dark'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: theme });
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.addInitScript(({ a, b }) => {
    const w = window as unknown as { __A_TEXT__: string; __B_TEXT__: string };
    w.__A_TEXT__ = a;
    w.__B_TEXT__ = b;
  }, { a: before, b: after });
  await page.goto(`${server.url}compare`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  return page;
}

/** Press the mouse on the middle of `box`, `dy` below its top, move it `dx` to the right, release: a drag as a hand makes it. */
export async function dragBy(page: Page, box: { x: number; y: number; width: number }, dx: number, dy: number): Promise<void> {
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + dy);
  await page.mouse.down();
  await page.mouse.move(x + dx, box.y + dy, { steps: 5 });
  await page.mouse.up();
}
