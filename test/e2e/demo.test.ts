/**
 * `npm start` as a newcomer runs it: it prints a URL; opening it shows VS Code with Trace Explorer,
 * and the demo program's traces fill the Traces view without any backend.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT, SHOTS, clickToOpen, waitForWaterfall } from './workbench';

describe('the demo (npm start)', function () {
  let browser: Browser;
  let demo: ChildProcess | undefined;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const { launchChromium } = await import('../../scripts/code-server.mjs');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    // The demo may have ended on its own (a failed build): nothing to stop then.
    if (demo?.pid && demo.exitCode === null) process.kill(demo.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
  });

  it('prints a URL that opens VS Code whose Traces view fills with the demo traces, which open as waterfalls', async () => {
    const { freePort } = await import('../../scripts/code-server.mjs');
    demo = spawn(process.execPath, [join(ROOT, 'scripts/start-demo.mjs')], { cwd: ROOT, env: { ...process.env, PORT: String(await freePort()), TRACE_EXPLORER_USE_CODE_SERVER: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    demo.stdout!.on('data', (d) => (out += d));
    demo.stderr!.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no URL within 90 s:\n${out}`)), 90000);
      const poll = setInterval(() => {
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(out);
        if (m) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(m[1]);
        }
      }, 200);
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    try {
      await page.goto(url);
      await page.getByRole('tab', { name: /^Trace Explorer/ }).click({ timeout: 60000 });
      const rows = page.getByRole('treeitem', { name: /frontend: POST \/checkout/ });
      await rows.first().waitFor({ timeout: 60000 });
      await page.waitForFunction(() => document.querySelectorAll('[role="treeitem"][aria-label*="POST /checkout"]').length >= 4, undefined, { timeout: 30000 });
      // The demo's state (and so its local store on disk) is kept between runs: the rows may be older
      // ones, so wait for this run's program to say it sent its traces.
      for (const end = Date.now() + 60000; !/sent 4 checkout traces/.test(out) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 200));
      assert.match(out, /sent 4 checkout traces/);
      // The view redraws 300 ms after the last spans land; a click during a redraw can be lost (a known
      // issue of the Traces view), so click once it has settled.
      await page.waitForTimeout(1000);
      await clickToOpen(page, page.getByRole('treeitem', { name: /POST \/checkout.*1 errors/ }).first(), 'a demo trace');
      const frame = await waitForWaterfall(page, 'demo');
      assert.equal(await frame.locator('.row:visible').count(), 5);
      await frame.locator('.row.error').first().click();
      await frame.locator('#details .sources a').first().waitFor();
      await frame.locator('#critical').check();
      await page.screenshot({ path: join(SHOTS, 'demo-waterfall.png') });
    } finally {
      await page.close();
    }
  });
});
