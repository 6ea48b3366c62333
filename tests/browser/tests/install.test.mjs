// The app is installable: a complete manifest, loadable icons, the head links and a service
// worker that controls the page.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  expectInPage,
  expectServiceWorkerControl,
  expectVisible,
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
      for (const key of ['theme_color', 'background_color']) {
        assert.match(String(manifest[key]), /^#[0-9a-f]{6}$/i, `expected the manifest's "${key}" to be a colour`);
      }
      const shortcuts = (manifest.shortcuts ?? []).map((sc) => sc.url);
      assert.deepEqual(shortcuts, ['/?view=today', '/?view=homework'], 'expected shortcuts to today and to homework');
      for (const [name, content] of [
        ['apple-mobile-web-app-capable', 'yes'],
        ['apple-mobile-web-app-title', 'Cartable'],
        ['theme-color', manifest.theme_color],
      ]) {
        const value = await page.$eval(`meta[name="${name}"]`, (m) => m.content).catch(() => null);
        assert.equal(value, content, `expected <meta name="${name}" content="${content}">`);
      }
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

  test('the manifest shortcuts open today in the timetable and the homework view', async () => {
    const context = await newPhoneContext(env.browser, 'install-shortcuts');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await page.goto(`${env.server.origin}/?view=homework`);
      await expectVisible(page, 'main#homework article.homework', 'the homework view from its shortcut');
      assert.equal(await page.getAttribute('#tab-homework', 'aria-current'), 'page');
      await page.goto(`${env.server.origin}/?view=today`);
      await expectVisible(page, 'main#timetable section.day.today', 'today in the timetable from its shortcut');
    } finally {
      await context.close();
    }
  });

  test('the install hint offers the browser prompt, and once dismissed stays hidden', async () => {
    const context = await newPhoneContext(env.browser, 'install-hint');
    const offerPrompt = (page) =>
      page.evaluate(() => {
        const e = new Event('beforeinstallprompt', { cancelable: true });
        e.prompt = () => {
          window.__prompted = (window.__prompted ?? 0) + 1;
          return Promise.resolve();
        };
        window.dispatchEvent(e);
      });
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      assert.equal(await page.locator('#install-hint').count(), 0, 'no hint when the browser offers nothing');
      await offerPrompt(page);
      await expectVisible(page, '#install-hint[data-kind="prompt"] #install-now', 'the install button');
      await screenshot(page, 'install-hint');
      await page.locator('#install-now').click();
      await expectInPage(page, "the browser's prompt shown once", () => window.__prompted === 1);
      await expectInPage(page, 'the hint gone after the prompt', () => document.querySelector('#install-hint') === null);

      await offerPrompt(page);
      await expectVisible(page, '#install-dismiss', 'the hint offered again');
      await page.locator('#install-dismiss').click();
      await expectInPage(page, 'the hint gone once dismissed', () => document.querySelector('#install-hint') === null);
      await page.reload();
      await expectVisible(page, 'main#timetable', 'the app reloaded');
      await offerPrompt(page);
      // The app reacts to the event within a frame or two; a second is ample.
      for (let i = 0; i < 10; i++) {
        assert.equal(await page.locator('#install-hint').count(), 0, 'expected a dismissed hint to stay hidden');
        await page.waitForTimeout(100);
      }
    } finally {
      await context.close();
    }
  });

  test('on an iPhone the install hint explains Share then Add to Home Screen', async () => {
    const context = await env.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    });
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectVisible(page, '#install-hint[data-kind="ios"]', 'the iOS install hint');
      assert.match(await page.locator('#install-hint').innerText(), /Partager/);
      assert.equal(await page.locator('#install-now').count(), 0, 'no install button where there is no prompt');
      await screenshot(page, 'install-hint-ios');
    } finally {
      await context.close();
    }
  });
});
