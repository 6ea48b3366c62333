// Issue 3, client side: one student on two devices (two browser contexts). One device, offline,
// marks homework done; the other, online, adds a personal event. After reconnecting both
// devices show both edits, and the server has them: a third, fresh device shows both.
// Also: an announcement acknowledged offline reaches the server after reconnecting.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  expectInPage,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  openTab,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

/** Waits until the user's own layer (`me:<user>`) has reached the UI's view store. */
async function expectMyLayer(page) {
  await expectInPage(
    page,
    'the me:<user> view in IndexedDB (the server-created document synced)',
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open('cartable');
        open.onerror = () => resolve(false);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction('views').objectStore('views').getAllKeys();
          req.onsuccess = () => resolve(req.result.some((k) => String(k).startsWith('me:')));
          req.onerror = () => resolve(false);
        };
      }),
    null,
    20_000,
  );
}

async function expectChecked(page, assignment, what) {
  await expectInPage(
    page,
    what,
    (id) => document.querySelector(`article.homework[data-assignment-id="${id}"] input.homework-done`)?.checked === true,
    assignment,
    20_000,
  );
}

async function expectEvent(page, title, what) {
  await expectInPage(
    page,
    what,
    (t) => [...document.querySelectorAll('article.personal-event')].some((a) => a.textContent.includes(t)),
    title,
    20_000,
  );
}

async function expectNoPending(page, what) {
  await expectInPage(page, what, () => document.querySelector('#sync-pending') === null, null, 20_000);
}

/** Today's date on the device, `YYYY-MM-DD`. */
async function deviceToday(page) {
  return page.evaluate(() => new Date().toLocaleDateString('sv'));
}

/**
 * Tuesday 12:00 UTC of the current week: the demo's acknowledgement-required alert is visible
 * from Saturday to Wednesday morning only, so the pages of that test run at this fixed time.
 */
function tuesdayNoonThisWeek() {
  const now = new Date();
  const sinceMonday = (now.getUTCDay() + 6) % 7;
  const monday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - sinceMonday);
  return new Date(monday + 36 * 3_600_000);
}

describe('two devices of one student', () => {
  const env = useServerAndBrowser('devices');

  test('homework done offline on one device and an event added online on the other converge, and reach the server', async () => {
    const a = await newPhoneContext(env.browser, 'device-a');
    const b = await newPhoneContext(env.browser, 'device-b');
    const c = await newPhoneContext(env.browser, 'device-c');
    try {
      const pa = await a.newPage();
      const pb = await b.newPage();
      await signIn(pa, env.server.origin);
      await signIn(pb, env.server.origin);
      await expectSyncState(pa, 'online');
      await expectSyncState(pb, 'online');
      await expectMyLayer(pa);
      await expectMyLayer(pb);

      // Device A goes offline and marks the first assignment not done yet as done.
      await openTab(pa, 'homework');
      await expectVisible(pa, 'article.homework', 'the homework of l2-info-a on device A');
      await screenshot(pa, 'homework');
      const assignment = await pa.locator('article.homework:not(.done)').first().getAttribute('data-assignment-id');
      assert.ok(assignment, 'expected an assignment not done yet');
      await a.setOffline(true);
      await expectSyncState(pa, 'offline', 30_000);
      await pa.locator(`article.homework[data-assignment-id="${assignment}"] input.homework-done`).click();
      await expectChecked(pa, assignment, 'the assignment checked on device A, offline');
      await expectVisible(pa, '#sync-pending', 'the pending change in the sync indicator on device A');
      await screenshot(pa, 'homework-done-offline');

      // Device B, online, adds a personal event for today.
      const today = await deviceToday(pb);
      await pb.locator('.event-add summary').click();
      await pb.fill('#event-title', 'Dentiste');
      await pb.fill('#event-date', today);
      await pb.fill('#event-start', '18:00');
      await pb.fill('#event-end', '19:00');
      await pb.locator('#event-form [type="submit"]').click();
      await expectEvent(pb, 'Dentiste', 'the personal event on device B');
      await expectNoPending(pb, 'device B\'s event acknowledged by the server');
      await openTab(pb, 'homework');
      assert.equal(
        await pb.locator(`article.homework[data-assignment-id="${assignment}"] input.homework-done`).isChecked(),
        false,
        'device A is offline: its change must not have reached device B yet',
      );
      await openTab(pa, 'timetable');
      await pa.waitForTimeout(1_000);
      assert.equal(
        await pa.locator('article.personal-event', { hasText: 'Dentiste' }).count(),
        0,
        'device A is offline: device B\'s event must not have reached it yet',
      );
      await expectSyncState(pa, 'offline');
      await openTab(pb, 'timetable');
      await screenshot(pb, 'personal-event', 'article.personal-event');

      // Device A comes back: it sends its change and receives B's.
      await a.setOffline(false);
      await expectSyncState(pa, 'online', 45_000);
      await expectNoPending(pa, 'device A\'s change acknowledged by the server after reconnecting');
      await openTab(pa, 'timetable');
      await expectEvent(pa, 'Dentiste', 'device B\'s personal event on device A after reconnecting');
      await openTab(pb, 'homework');
      await expectChecked(pb, assignment, 'device A\'s homework done on device B');

      // A third device, fresh: the server has both.
      const pc = await c.newPage();
      await signIn(pc, env.server.origin);
      await expectSyncState(pc, 'online');
      await expectEvent(pc, 'Dentiste', 'the personal event on a fresh device');
      await openTab(pc, 'homework');
      await expectChecked(pc, assignment, 'the homework done on a fresh device');
    } finally {
      await a.close();
      await b.close();
      await c.close();
    }
  });

  test('an announcement acknowledged offline reaches the server after reconnecting', async () => {
    const a = await newPhoneContext(env.browser, 'ack-a');
    const c = await newPhoneContext(env.browser, 'ack-c');
    await a.clock.setFixedTime(tuesdayNoonThisWeek());
    await c.clock.setFixedTime(tuesdayNoonThisWeek());
    try {
      const pa = await a.newPage();
      await signIn(pa, env.server.origin);
      await expectSyncState(pa, 'online');
      await expectMyLayer(pa);
      await openTab(pa, 'announcements');
      await expectVisible(pa, 'article.announcement button.ack', 'an announcement to acknowledge');
      await screenshot(pa, 'announcements');
      const card = pa.locator('article.announcement:has(button.ack)').first();
      const id = await card.getAttribute('data-announcement-id');
      const audience = await card.getAttribute('data-audience');
      const sel = `article.announcement[data-announcement-id="${id}"][data-audience="${audience}"]`;

      await a.setOffline(true);
      await expectSyncState(pa, 'offline', 30_000);
      await pa.locator(`${sel} button.ack`).click();
      await expectVisible(pa, `${sel} .acked`, 'the acknowledgement shown offline');
      await expectVisible(pa, '#sync-pending', 'the acknowledgement pending');
      await a.setOffline(false);
      await expectSyncState(pa, 'online', 45_000);
      await expectNoPending(pa, 'the acknowledgement acknowledged by the server');

      const pc = await c.newPage();
      await signIn(pc, env.server.origin);
      await expectSyncState(pc, 'online');
      await openTab(pc, 'announcements');
      await expectVisible(pc, `${sel} .acked`, 'the acknowledgement on a fresh device (from the server)');
      assert.equal(await pc.locator(`${sel} button.ack`).count(), 0, 'no acknowledge button once acknowledged');
    } finally {
      await a.close();
      await c.close();
    }
  });

  test('grades and messages views, with a reply', async () => {
    const a = await newPhoneContext(env.browser, 'views');
    try {
      const pa = await a.newPage();
      await signIn(pa, env.server.origin);
      await expectSyncState(pa, 'online');
      await openTab(pa, 'grades');
      await expectVisible(pa, '#grades section.subject .subject-average', 'grades by subject with averages');
      await expectVisible(pa, '#grades-overall', 'the overall average');
      await screenshot(pa, 'grades');
      await openTab(pa, 'messages');
      await expectVisible(pa, 'button.thread-link', 'the thread with the teacher');
      await screenshot(pa, 'messages');
      await pa.locator('button.thread-link').first().click();
      await expectVisible(pa, 'li.message', 'the messages of the thread');
      await pa.fill('#reply-body', 'Merci, je vous envoie le rapport ce soir.');
      await pa.locator('#reply [type="submit"]').click();
      await expectInPage(
        pa,
        'the reply in the thread',
        () => [...document.querySelectorAll('li.message.mine')].some((m) => m.textContent.includes('rapport ce soir')),
        null,
        20_000,
      );
      await expectNoPending(pa, 'the reply acknowledged by the server');
      await screenshot(pa, 'thread');
    } finally {
      await a.close();
    }
  });

  test('a change the server refuses (a reply under another author) is discarded, not pending for ever', async () => {
    const a = await newPhoneContext(env.browser, 'refused');
    try {
      const pa = await a.newPage();
      await signIn(pa, env.server.origin);
      await expectSyncState(pa, 'online');
      await openTab(pa, 'messages');
      await expectVisible(pa, 'button.thread-link', 'the thread');
      const thread = await pa.locator('button.thread-link').first().getAttribute('data-thread');
      const worker = pa.workers().find((w) => w.url().includes('engine-worker'));
      assert.ok(worker, 'expected the engine worker');
      // A forged edit, as a tampered UI could post it: the server must refuse it (Forbidden).
      await worker.evaluate((t) => {
        const cmd = { type: 'reply', thread: t, id: 'forged-1', author: 'paul.durand', sent_ms: Date.now(), body: 'forged message' };
        self.onmessage(new MessageEvent('message', { data: JSON.stringify(cmd) }));
      }, thread);
      await expectSyncState(pa, 'online', 30_000);
      await expectNoPending(pa, 'nothing pending once the refused change is discarded');
      assert.match(
        readFileSync(a.logFile, 'utf8'),
        /\(Forbidden\) thread:.*another author/,
        'expected the server to refuse the forged reply (the engine logs the error frame)',
      );
      await pa.locator('button.thread-link').first().click();
      await expectVisible(pa, 'li.message', 'the thread reloaded from the server');
      await expectInPage(
        pa,
        'the forged message gone from the device',
        () => ![...document.querySelectorAll('li.message')].some((m) => m.textContent.includes('forged message')),
        null,
        20_000,
      );
    } finally {
      await a.close();
    }
  });
});
