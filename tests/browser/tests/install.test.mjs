// The app is installable: a complete manifest, loadable icons, the head links and a service
// worker that controls the page.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  expectServiceWorkerControl,
  newPhoneContext,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

/** GETs `url` with the page's context and checks that it is a PNG. */
async function expectPng(page, url, what) {
  const res = await page.request.get(url);
  assert.equal(res.status(), 200, `expected ${what} (${url}) to load, got HTTP ${res.status()}`);
  const type = res.headers()['content-type'] ?? '';
  assert.ok(type.startsWith('image/png'), `expected ${what} (${url}) to be served as image/png, got "${type}"`);
  const body = await res.body();
  assert.ok(
    body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    `expected ${what} (${url}) to be a PNG file (signature)`,
  );
}

describe('installable app', () => {
  const env = useServerAndBrowser('install');

  test('the manifest, its icons, the head links and the service worker are in place', async () => {
    const context = await newPhoneContext(env.browser, 'install');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectServiceWorkerControl(page);

      const manifestUrl = `${env.server.origin}/manifest.webmanifest`;
      const res = await page.request.get(manifestUrl);
      assert.equal(res.status(), 200, `expected ${manifestUrl} to load, got HTTP ${res.status()}`);
      let manifest;
      try {
        manifest = JSON.parse(await res.text());
      } catch (e) {
        assert.fail(`expected ${manifestUrl} to be JSON: ${e.message}`);
      }
      for (const key of ['name', 'short_name', 'start_url']) {
        assert.ok(
          typeof manifest[key] === 'string' && manifest[key].length > 0,
          `expected the manifest to have a non-empty "${key}", got ${JSON.stringify(manifest[key])}`,
        );
      }
      assert.equal(manifest.display, 'standalone', 'expected the manifest\'s "display" to be "standalone"');
      const icons = Array.isArray(manifest.icons) ? manifest.icons : [];
      const has = (pred) => icons.some(pred);
      const sizes = (icon) => String(icon.sizes ?? '').split(/\s+/);
      const purposes = (icon) => String(icon.purpose ?? 'any').split(/\s+/);
      assert.ok(
        has((i) => sizes(i).includes('192x192') && purposes(i).includes('any')),
        `expected a 192x192 icon (purpose any) in the manifest, got ${JSON.stringify(icons)}`,
      );
      assert.ok(
        has((i) => sizes(i).includes('512x512') && purposes(i).includes('any')),
        `expected a 512x512 icon (purpose any) in the manifest, got ${JSON.stringify(icons)}`,
      );
      assert.ok(
        has((i) => purposes(i).includes('maskable')),
        `expected a maskable icon in the manifest, got ${JSON.stringify(icons)}`,
      );
      for (const icon of icons) {
        await expectPng(page, new URL(icon.src, manifestUrl).href, `the manifest icon ${icon.sizes} ${icon.purpose ?? ''}`);
      }

      const manifestLink = await page.$eval('link[rel="manifest"]', (l) => l.href).catch(() => null);
      assert.equal(manifestLink, manifestUrl, 'expected <link rel="manifest" href="/manifest.webmanifest"> in the page');
      const touchIcon = await page.$eval('link[rel="apple-touch-icon"]', (l) => l.href).catch(() => null);
      assert.ok(touchIcon, 'expected <link rel="apple-touch-icon"> in the page');
      await expectPng(page, touchIcon, 'the apple-touch-icon');

      // Chromium's own verdict (what decides whether it offers to install the app). A
      // Playwright context is an off-the-record profile, which alone is never installable:
      // that one reason is expected and left out.
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      const blocking = installabilityErrors.filter((e) => e.errorId !== 'in-incognito');
      assert.deepEqual(
        blocking,
        [],
        `expected Chromium to find the app installable, it reports: ${JSON.stringify(blocking)}`,
      );

      const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null);
      assert.equal(controller, `${env.server.origin}/sw.js`, 'expected /sw.js to control the page');
      await screenshot(page, 'installable');
    } finally {
      await context.close();
    }
  });
});
