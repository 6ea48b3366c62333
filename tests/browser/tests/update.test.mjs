// Updates (issue 4): when a new version is deployed, the open app says so and keeps working on
// its own version (the new service worker waits); on request it switches and reloads into the
// new version, whose cache replaces the old one. An update downloads only the files that
// changed, and a teacher's publishing module moves into the new version's cache.

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
  recordRequests,
  screenshot,
  signIn,
  TEACHER,
} from '../lib/browser.mjs';
import { CartableServer } from '../lib/server.mjs';

/** Rewrites a text file of the served copy and drops its pre-compressed siblings. */
async function rewrite(dist, file, change) {
  const full = path.join(dist, file);
  await writeFile(full, change(await readFile(full, 'utf8')));
  await rm(`${full}.br`, { force: true });
  await rm(`${full}.gz`, { force: true });
}

/**
 * Deploys "a new version" into the served copy: another build id in sw.js and an index.html that
 * says it is new; every /assets/* file stays as it is. Returns both build ids.
 */
async function deployNewVersion(dist) {
  const sw = await readFile(path.join(dist, 'sw.js'), 'utf8');
  const oldId = /const BUILD_ID = '([^']+)'/.exec(sw)?.[1];
  assert.ok(oldId, 'expected the build id stamped in sw.js');
  const newId = Math.random().toString(16).slice(2, 10).padEnd(16, '0');
  await rewrite(dist, 'sw.js', (text) => text.replace(`'${oldId}'`, `'${newId}'`));
  await rewrite(dist, 'index.html', (text) =>
    text.replace(/\n  <meta name="cartable-test-version" content="[^"]*">/, '').replace(
      '<meta charset="utf-8">',
      `<meta charset="utf-8">\n  <meta name="cartable-test-version" content="${newId}">`,
    ));
  return { oldId, newId };
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
      const caches0 = await page.evaluate(() => caches.keys());
      assert.equal(await page.locator('#update-banner').count(), 0, 'no update banner before an update');
      const { oldId, newId } = await deployNewVersion(env.dist);
      assert.ok(caches0.includes(`cartable-shell-${oldId}`), `the shell cached under the current build id: ${caches0}`);

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
      await expectInPage(page, 'the new version running after the reload', (id) =>
        window.__oldPage === undefined &&
        document.querySelector('meta[name="cartable-test-version"]')?.content === id, newId);
      await expectInPage(page, 'only the new cache left', (id) =>
        caches.keys().then((k) => k.length === 1 && k[0] === `cartable-shell-${id}`), newId);
      assert.equal(await page.locator('#update-banner').count(), 0, 'no update banner once updated');
      await expectSyncState(page, 'online');
    } finally {
      await context.close();
    }
  });

  test("an update downloads only what changed, and a teacher's publishing views come along offline", async () => {
    const context = await newPhoneContext(env.browser, 'update-teacher');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin, TEACHER);
      await expectSyncState(page, 'online');
      await expectServiceWorkerControl(page);
      const publish = ((await page.locator('meta[name="cartable-publish"]').getAttribute('content')) ?? '')
        .split(/\s+/)
        .filter(Boolean);
      assert.ok(publish.length >= 3, `index.html names the publishing module's files: ${publish}`);
      await openTab(page, 'grades');
      await expectVisible(page, '[data-publish="gradebook"] section.gradebook', 'the gradebook, from the publishing module');

      const requests = recordRequests(context);
      const { newId } = await deployNewVersion(env.dist);
      await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
      await expectVisible(page, '#update-banner #update-now', 'the update banner once the new version is installed');
      const downloaded = requests.filter((p) => p.startsWith('/assets/'));
      assert.deepEqual(downloaded, [], 'the update re-downloaded files it already had (same hashed names)');
      assert.ok(requests.includes('/sw.js') && requests.includes('/index.html'), `the update fetched what changed: ${requests}`);
      const missing = await page.evaluate(
        async ({ id, urls }) => {
          const cache = await caches.open(`cartable-shell-${id}`);
          const out = [];
          for (const url of urls) if (!(await cache.match(url))) out.push(url);
          return out;
        },
        { id: newId, urls: publish },
      );
      assert.deepEqual(missing, [], "the new version's cache holds the publishing module");

      // Offline from here: the new version and its publishing views come from its cache alone.
      await context.setOffline(true);
      await Promise.all([page.waitForEvent('load', { timeout: 20_000 }), page.locator('#update-now').click()]);
      await expectVisible(page, 'main#timetable', 'the app after updating offline', 20_000);
      await expectInPage(page, 'the new version running', (id) =>
        document.querySelector('meta[name="cartable-test-version"]')?.content === id, newId);
      await openTab(page, 'grades');
      await expectVisible(page, '[data-publish="gradebook"] section.gradebook', 'the gradebook offline after the update');
      await expectInPage(page, 'only the new cache left', (id) =>
        caches.keys().then((k) => k.filter((n) => n.startsWith('cartable-shell-')).join() === `cartable-shell-${id}`), newId);
    } finally {
      await context.close();
    }
  });
});
