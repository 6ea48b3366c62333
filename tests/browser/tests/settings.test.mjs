// The settings view: theme and language persist and apply before the first paint; notification
// settings changed offline reach the server and follow the user to another device; the last
// connections and devices are listed; signing out with unsent changes asks first.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { expectInPage, expectSyncState, expectVisible, newPhoneContext, screenshot, signIn } from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';
import {
  expectNothingPending,
  expectSomethingPending,
  openSettings,
  recordFirstRender,
  rootState,
  shownNotificationSettings,
} from '../lib/settings.mjs';

const DARK_BG = 'rgb(16, 21, 28)';
const LIGHT_BG = 'rgb(245, 246, 248)';
const CONTRAST_BG = 'rgb(0, 0, 0)';

describe('settings', () => {
  const env = useServerAndBrowser('settings');

  test('theme and language persist across reloads and apply before the app renders', async () => {
    const context = await newPhoneContext(env.browser, 'settings-theme');
    await recordFirstRender(context);
    try {
      const page = await context.newPage();
      await page.emulateMedia({ colorScheme: 'light' });
      await signIn(page, env.server.origin);
      let root = await rootState(page);
      assert.equal(root.theme, 'light', 'by default the theme follows the system (light here)');
      await page.emulateMedia({ colorScheme: 'dark' });
      await expectInPage(page, 'the system theme to follow the system going dark', () => document.documentElement.dataset.theme === 'dark');

      await openSettings(page);
      assert.ok(await page.locator('#theme-system').isChecked(), 'expected "Comme le système" checked by default');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.locator('#theme-contrast').check();
      await expectInPage(page, 'html[data-theme=contrast] after choosing high contrast', () => document.documentElement.dataset.theme === 'contrast');
      assert.equal((await rootState(page)).background, CONTRAST_BG);
      await page.locator('#theme-dark').check();
      await expectInPage(page, 'html[data-theme=dark] after choosing dark', () => document.documentElement.dataset.theme === 'dark');
      assert.equal((await rootState(page)).background, DARK_BG, 'dark background while the system is light');

      assert.equal(await page.locator('footer #lang-select').count(), 0, 'signed in, the language is chosen in the settings only');
      await page.locator('#settings #lang-select').selectOption('en');
      await expectInPage(page, '<html lang="en"> and the English settings title', () =>
        document.documentElement.lang === 'en' && document.querySelector('#settings-title')?.textContent === 'Settings');
      await screenshot(page, 'settings-dark-en');

      // Reload: when the app first renders, the theme and language are already those chosen
      // (no flash of the other theme).
      await page.reload();
      await expectInPage(page, 'the app rendered after the reload', () => window.__atFirstRender !== null);
      const first = await page.evaluate(() => window.__atFirstRender);
      assert.deepEqual(first, { theme: 'dark', lang: 'en', background: DARK_BG }, 'at the first render');
      await openSettings(page);
      assert.ok(await page.locator('#theme-dark').isChecked(), 'expected the dark theme still chosen after a reload');
      assert.equal(await page.locator('#settings #lang-select').inputValue(), 'en');

      // Back to the system: it follows the (light) system again, also after a reload.
      await page.locator('#theme-system').check();
      await expectInPage(page, 'html[data-theme=light] when following a light system', () => document.documentElement.dataset.theme === 'light');
      await page.reload();
      await expectInPage(page, 'the app rendered after the reload', () => window.__atFirstRender !== null);
      root = await page.evaluate(() => window.__atFirstRender);
      assert.deepEqual([root.theme, root.background], ['light', LIGHT_BG], 'at the first render');
    } finally {
      await context.close();
    }
  });

  test('notification settings changed offline reach the server and another device', async () => {
    const phone = await newPhoneContext(env.browser, 'settings-offline');
    const laptop = await newPhoneContext(env.browser, 'settings-second-device');
    try {
      const page = await phone.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await openSettings(page);
      const before = await shownNotificationSettings(page);
      assert.equal(before.level, 'level-intermediate', 'the default level is intermediate');
      assert.equal(before.categories['cat-grade_published'], true);
      assert.equal(before.categories['cat-new_homework'], false, 'new homework is a "complete" category');

      await phone.setOffline(true);
      await expectSyncState(page, 'offline');
      await page.locator('#level-complete').check();
      await expectInPage(page, 'every category on at the complete level', () =>
        [...document.querySelectorAll('#categories input')].every((i) => i.checked));
      await page.locator('#cat-grade_published').uncheck();
      await page.fill('#quiet-start', '22:00');
      await page.fill('#quiet-end', '07:00');
      await page.locator('#quiet-save').click();
      await expectVisible(page, '#quiet-clear', 'the "no quiet hours" button once quiet hours are set (offline)');
      await expectSomethingPending(page);
      const offline = await shownNotificationSettings(page);
      assert.equal(offline.level, 'level-complete');
      assert.equal(offline.categories['cat-grade_published'], false);
      assert.deepEqual([offline.quietStart, offline.quietEnd], ['22:00', '07:00']);

      await phone.setOffline(false);
      await expectNothingPending(page, 30_000);

      const other = await laptop.newPage();
      await signIn(other, env.server.origin);
      await expectSyncState(other, 'online');
      await openSettings(other);
      await expectInPage(other, 'the complete level, synced from the server', () =>
        document.querySelector('#level-complete')?.checked === true, null, 20_000);
      const synced = await shownNotificationSettings(other);
      assert.deepEqual(synced, offline, 'the second device shows what the first set offline');

      // The account's last connections: both devices, this one marked.
      await expectVisible(other, '#connections li', 'the last connections list');
      const rows = await other.$$eval('#connections li', (lis) => lis.map((li) => ({ current: li.dataset.current, active: li.dataset.active, text: li.textContent })));
      assert.ok(rows.length >= 2, `expected both sign-ins listed, got ${JSON.stringify(rows)}`);
      assert.equal(rows.filter((r) => r.current === 'true').length, 1, 'exactly one connection is this one');
      assert.ok(rows.every((r) => r.active === 'true'), 'both sessions are still signed in');
      await expectVisible(other, '#push-devices-none', 'the (empty) list of devices receiving notifications');
      await expectVisible(other, '#storage-usage', 'the storage figures');
      await screenshot(other, 'settings-second-device', '#settings-account');
    } finally {
      await phone.close();
      await laptop.close();
    }
  });

  test('signing out with unsent changes asks first; cancelling keeps them', async () => {
    const context = await newPhoneContext(env.browser, 'settings-signout');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await openSettings(page);
      await context.setOffline(true);
      await expectSyncState(page, 'offline');
      await page.locator('#level-essential').check();
      await expectSomethingPending(page);

      await page.locator('#logout').click();
      await expectVisible(page, '#confirm[data-confirm="sign-out"]', 'a confirmation before losing unsent changes');
      assert.match(await page.locator('#confirm-text').textContent(), /1 modification en attente/);
      await page.locator('#confirm-cancel').click();
      await expectInPage(page, 'the dialog closed', () => !document.querySelector('#confirm'));
      assert.ok(await page.locator('#user-name').isVisible(), 'still signed in after cancelling');
      await expectSomethingPending(page);

      await page.locator('#settings-logout').click();
      await expectVisible(page, '#confirm-yes', 'the confirmation again, from the settings\' sign-out button');
      await page.locator('#confirm-yes').click();
      await expectVisible(page, 'form#login', 'the login form after confirming');
      // The data of the session is gone from the device.
      const stored = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const req = indexedDB.open('cartable');
            req.onsuccess = () => {
              const tx = req.result.transaction(['docs', 'views'], 'readonly');
              const a = tx.objectStore('docs').count();
              const b = tx.objectStore('views').count();
              tx.oncomplete = () => resolve(a.result + b.result);
            };
          }),
      );
      assert.equal(stored, 0, 'documents and views deleted at sign-out');
    } finally {
      await context.close();
    }
  });

  test('the calendar link is created, fetched by a calendar without a session, shown once, and revoked', async () => {
    const context = await newPhoneContext(env.browser, 'settings-calendar');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await openSettings(page);
      await page.locator('#calendar-create').click();
      await expectVisible(page, '#calendar-url', 'the new calendar address');
      const url = await page.locator('#calendar-url').inputValue();
      assert.match(url, /\/calendar\/[^/]+\.ics$/, `a private feed address, got ${url}`);
      await screenshot(page, 'settings-calendar');

      // A calendar application has no session cookie: the token alone opens the feed.
      const feed = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      assert.equal(feed.status, 200);
      assert.match(feed.headers.get('content-type') ?? '', /text\/calendar/);
      const body = await feed.text();
      assert.ok(body.startsWith('BEGIN:VCALENDAR'), 'an iCalendar file');
      assert.ok(body.includes('BEGIN:VEVENT'), 'with the student\'s sessions');

      // The server keeps only a hash: after a reload the address is no longer shown, the link
      // is still active.
      await page.reload();
      await openSettings(page);
      await expectVisible(page, '#calendar-state', 'the state of the existing link');
      assert.equal(await page.locator('#calendar-url').count(), 0, 'the address is shown only once');

      await page.locator('#calendar-revoke').click();
      await expectVisible(page, '#calendar-create', 'the create button again after revoking');
      const gone = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      assert.equal(gone.status, 404, 'a revoked link opens nothing');
    } finally {
      await context.close();
    }
  });
});
