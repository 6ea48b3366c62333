// Issue 4: after one online visit every view (homework, grades, announcements, messages, the
// personal events of the week) renders from IndexedDB with no network and the server stopped,
// and an edit made then is kept and sent once the server is back.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  expectInPage,
  expectServiceWorkerControl,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  openTab,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

/** The visible text of a view, to compare online and offline renderings. */
async function viewText(page, id) {
  await openTab(page, id);
  return page.locator(`main#${id}`).innerText();
}

describe('every view offline', () => {
  const env = useServerAndBrowser('views-offline');

  test('homework, grades, announcements and messages render offline after one online visit', async () => {
    const context = await newPhoneContext(env.browser, 'views-offline');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await expectServiceWorkerControl(page);
      await expectSyncState(page, 'online');
      await openTab(page, 'homework');
      await expectVisible(page, 'article.homework', 'homework online');
      await openTab(page, 'grades');
      await expectVisible(page, 'section.subject', 'grades online');
      await openTab(page, 'announcements');
      await expectVisible(page, 'article.announcement', 'announcements online');
      await openTab(page, 'messages');
      await expectVisible(page, 'button.thread-link', 'threads online');
      const online = {};
      for (const id of ['homework', 'grades', 'announcements', 'messages']) online[id] = await viewText(page, id);

      await env.server.stop();
      await context.setOffline(true);
      await page.reload();
      await expectVisible(page, 'main#timetable', 'the app reloaded offline', 20_000);
      await expectSyncState(page, 'offline');
      for (const id of ['homework', 'grades', 'announcements', 'messages']) {
        assert.equal(await viewText(page, id), online[id], `the ${id} view offline, as online`);
        await screenshot(page, `${id}-offline`);
      }
      await page.locator('button.thread-link').first().click();
      await expectVisible(page, 'li.message', 'a thread read offline');

      // An edit made offline with the server stopped is kept across a reload and sent later.
      await openTab(page, 'homework');
      const id = await page.locator('article.homework:not(.done)').first().getAttribute('data-assignment-id');
      await page.locator(`article.homework[data-assignment-id="${id}"] input.homework-done`).click();
      await expectVisible(page, '#sync-pending', 'the change waiting');
      await page.reload();
      await expectVisible(page, '#sync-pending', 'the change still waiting after a reload offline', 20_000);
      await openTab(page, 'homework');
      await expectInPage(
        page,
        'the homework still done after a reload offline',
        (a) => document.querySelector(`article.homework[data-assignment-id="${a}"] input.homework-done`)?.checked === true,
        id,
      );

      await env.server.restart();
      await context.setOffline(false);
      await expectSyncState(page, 'online', 45_000);
      await expectInPage(page, 'the change acknowledged', () => document.querySelector('#sync-pending') === null, null, 20_000);
    } finally {
      await context.close();
    }
  });
});
