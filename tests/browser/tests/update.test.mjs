// Updates (issue 4): when a new version is deployed, the open app says so and keeps working on
// its own version (the new service worker waits); on request it switches and reloads into the
// new version, whose cache replaces the old one.

import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  expectInPage,
  expectServiceWorkerControl,
  expectSyncState,
  expectVisible,
  launchBrowser,
  newPhoneContext,
  openTab,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { CartableServer } from '../lib/server.mjs';

/** Rewrites a text file of the served copy and drops its pre-compressed siblings. */
async function rewrite(dist, file, change) {
  const full = path.join(dist, file);
  await writeFile(full, change(await readFile(full, 'utf8')));
  await rm(`${full}.br`, { force: true });
  await rm(`${full}.gz`, { force: true });
}

describe('updates', () => {
  const env = { server: null, browser: null, dist: null };
  before(async () => {
    const source = process.env.CARTABLE_DIST;
    assert.ok(source, 'CARTABLE_DIST must name the built dist/');
    env.dist = await mkdtemp(path.join(os.tmpdir(), 'cartable-update-dist-'));
    await cp(source, env.dist, { recursive: true });
    env.server = await CartableServer.start('update', [], { dist: env.dist });
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.dispose();
    if (env.dist) await rm(env.dist, { recursive: true, force: true });
  });

  test('a new build is announced, does not disturb the open page, and loads on request', async () => {
    const context = await newPhoneContext(env.browser, 'update');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await expectServiceWorkerControl(page);
      const sw = await readFile(path.join(env.dist, 'sw.js'), 'utf8');
      const oldId = /const BUILD_ID = '([^']+)'/.exec(sw)?.[1];
      assert.ok(oldId, 'expected the build id stamped in sw.js');
      await expectInPage(page, 'the shell cached under the current build id', (id) =>
        caches.keys().then((k) => k.includes(`cartable-shell-${id}`)), oldId);
      assert.equal(await page.locator('#update-banner').count(), 0, 'no update banner before an update');

      // Deploy "a new version": another build id and a page that says which version it is.
      const newId = oldId === 'ffffffffffffffff' ? '0000000000000000' : 'ffffffffffffffff';
      await rewrite(env.dist, 'sw.js', (text) => text.replace(`'${oldId}'`, `'${newId}'`));
      await rewrite(env.dist, 'index.html', (text) =>
        text.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n  <meta name="cartable-test-version" content="new">'));

      await page.evaluate(() => {
        window.__oldPage = true;
      });
      // The browser's own update check (it runs one on navigations and now and then).
      await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
      await expectVisible(page, '#update-banner #update-now', 'the update banner once the new version is installed');
      await screenshot(page, 'update-ready');

      // The open page still runs the old version, from the old cache, and keeps working.
      const state = await page.evaluate(async () => ({
        caches: await caches.keys(),
        controller: navigator.serviceWorker.controller?.state,
        waiting: (await navigator.serviceWorker.getRegistration())?.waiting?.state,
        old: window.__oldPage === true,
      }));
      assert.ok(state.old, 'expected no reload before the user asks');
      assert.ok(state.caches.includes(`cartable-shell-${oldId}`), `expected the old cache kept while the page uses it: ${state.caches}`);
      assert.equal(state.waiting, 'installed', 'expected the new service worker to wait');
      assert.equal(state.controller, 'activated');
      await openTab(page, 'homework');
      await expectVisible(page, 'article.homework', 'the homework view while the new version waits');
      await openTab(page, 'timetable');

      await Promise.all([page.waitForEvent('load', { timeout: 20_000 }), page.locator('#update-now').click()]);
      await expectVisible(page, 'main#timetable', 'the app after updating', 20_000);
      await expectInPage(page, 'the new version running after the reload', () =>
        window.__oldPage === undefined &&
        document.querySelector('meta[name="cartable-test-version"]')?.content === 'new');
      await expectInPage(page, 'only the new cache left', (id) =>
        caches.keys().then((k) => k.length === 1 && k[0] === `cartable-shell-${id}`), newId);
      assert.equal(await page.locator('#update-banner').count(), 0, 'no update banner once updated');
      await expectSyncState(page, 'online');
    } finally {
      await context.close();
    }
  });
});
