// After one online visit the app works with no network and no server: the service worker
// serves the shell and the week comes from IndexedDB. Then the server comes back.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  expectInPage,
  expectServiceWorkerControl,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  screenshot,
  shownSessions,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

describe('offline', () => {
  const env = useServerAndBrowser('offline');

  test('the week is shown offline, with the server stopped, after one online visit', async () => {
    const context = await newPhoneContext(env.browser, 'offline');
    try {
      let page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await expectServiceWorkerControl(page);
      await expectVisible(page, 'main#timetable article.session', 'the week once the page is controlled');
      const online = await shownSessions(page);
      assert.ok(online.length > 0, 'expected sessions in the week while online');

      await env.server.stop();
      await context.setOffline(true);

      await page.reload();
      await expectVisible(page, 'main#timetable', 'the timetable after reloading offline (from the service worker and IndexedDB)', 20_000);
      await expectVisible(page, 'main#timetable article.session', 'the week\'s sessions after reloading offline');
      assert.deepEqual(
        await shownSessions(page),
        online,
        'expected the same sessions (ids, statuses, the cancelled one still cancelled) offline as online',
      );
      await expectSyncState(page, 'offline');
      // The stale banner says so, with the time of the last successful sync.
      await expectVisible(page, '#stale-banner[data-why="offline"]', 'the stale banner offline');
      const last = await page.locator('#stale-last-sync').innerText();
      assert.match(last, /^Dernière synchro : \d{2}:\d{2}$/, 'expected the last sync time (today) in the stale banner');
      await screenshot(page, 'offline-reload');

      // A cold start: the tab is closed and the app opened again, still offline.
      await page.close();
      page = await context.newPage();
      await page.goto(`${env.server.origin}/`);
      await expectVisible(page, 'main#timetable article.session', 'the week when the app is opened anew offline', 20_000);
      assert.deepEqual(
        await shownSessions(page),
        online,
        'expected the same sessions when the app is opened anew offline',
      );
      await expectSyncState(page, 'offline');
      await screenshot(page, 'offline-cold-start');

      // The network and the server come back: the app reconnects by itself.
      await env.server.restart();
      await context.setOffline(false);
      await expectSyncState(page, 'online', 45_000);
      await expectInPage(page, 'the stale banner gone once synced', () => document.querySelector('#stale-banner') === null);
      await screenshot(page, 'back-online');
    } finally {
      await context.close();
    }
  });
});
