// Signing in as the demo student shows the current week with its changes, synced.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  expectInPage,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  screenshot,
  shownSessions,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

const STATUSES = ['scheduled', 'cancelled', 'moved'];

describe('timetable', () => {
  const env = useServerAndBrowser('timetable');

  test('the student sees the current week with the cancelled class and the room change', async () => {
    const context = await newPhoneContext(env.browser, 'timetable');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      assert.equal(await page.getAttribute('html', 'lang'), 'fr', 'expected <html lang="fr">');

      await expectVisible(
        page,
        'main#timetable article.session',
        'the week\'s sessions (article.session) once the first sync has brought the timetable',
        20_000,
      );
      const days = await page.locator('main#timetable section.day').count();
      assert.ok(days >= 1, `expected at least one section.day in main#timetable, found ${days}`);

      const sessions = await shownSessions(page);
      assert.ok(sessions.length >= 1, 'expected article.session elements in the current week, found none');
      for (const s of sessions) {
        assert.ok(s.id, 'expected every article.session to have a non-empty data-session-id');
        assert.ok(
          STATUSES.includes(s.status),
          `expected data-status of session ${s.id} to be one of ${STATUSES.join('/')}, got ${s.status}`,
        );
        assert.equal(
          s.cancelled,
          s.status === 'cancelled',
          `expected session ${s.id} to have class "cancelled" exactly when data-status="cancelled"`,
        );
      }
      const ids = sessions.map((s) => s.id);
      assert.equal(new Set(ids).size, ids.length, `expected each session once, got ${ids.join(', ')}`);

      const cancelled = sessions.filter((s) => s.status === 'cancelled');
      assert.equal(
        cancelled.length,
        1,
        `expected exactly the demo week's one cancelled session, got ${cancelled.length}: ` +
          cancelled.map((s) => s.id).join(', '),
      );
      const badges = await page.$$eval('article.session.cancelled', (articles) =>
        articles.map((a) => a.querySelector('.badge-cancelled')?.textContent.trim() ?? null),
      );
      assert.deepEqual(
        badges,
        ['Annulé'],
        'expected the cancelled session to carry a .badge-cancelled reading "Annulé"',
      );

      const roomChanges = await page.$$eval('main#timetable .room-change', (els) =>
        els.map((el) => ({
          before: el.querySelector('del')?.textContent.trim() ?? null,
          after: el.querySelector('ins')?.textContent.trim() ?? null,
        })),
      );
      assert.ok(roomChanges.length >= 1, 'expected a .room-change (the demo week has a room change), found none');
      for (const r of roomChanges) {
        assert.ok(r.before && r.after, `expected .room-change to hold a <del> (old room) and an <ins> (new room), got ${JSON.stringify(r)}`);
        assert.notEqual(r.before, r.after, `expected the old and the new room to differ, both are "${r.before}"`);
      }

      await expectSyncState(page, 'online');
      await expectInPage(
        page,
        '#sync-last to show the time of the last successful sync (non-empty text) once online',
        () => (document.querySelector('#sync-last')?.textContent.trim() ?? '') !== '',
      );
      await screenshot(page, 'timetable');
      await screenshot(page, 'timetable-cancelled', 'article.session.cancelled');
      await screenshot(page, 'timetable-room-change', '.room-change');
    } finally {
      await context.close();
    }
  });
});
