// A session that vanishes from the group's calendar feed turns "probably cancelled" in the
// student's open app, without a reload (issue 7: the feed importer's changes reach devices).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';

import { request } from 'playwright-core';

import {
  STUDENT,
  expectInPage,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { useServerBrowserAndFeed } from '../lib/fixture.mjs';

const ADMIN = { login: 'admin', password: 'admin-demo' };
const HOUR_MS = 3_600_000;

/** `YYYYMMDDTHHMMSSZ` of a UTC millisecond time. */
function icsTime(ms) {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** An ADE-like feed of `events` ({ uid, start, summary, room }), two hours each. */
function feed(events, exportedAt) {
  const lines = ['BEGIN:VCALENDAR', 'METHOD:REQUEST', 'PRODID:-//ADE/version 6.0', 'VERSION:2.0'];
  for (const e of events) {
    lines.push(
      'BEGIN:VEVENT',
      `DTSTAMP:${icsTime(exportedAt)}`,
      `DTSTART:${icsTime(e.start)}`,
      `DTEND:${icsTime(e.start + 2 * HOUR_MS)}`,
      `SUMMARY:${e.summary}`,
      `LOCATION:${e.room}`,
      `DESCRIPTION:\\n\\nL2 INFO A\\n(Exporté le:${new Date(exportedAt).toISOString()})\\n`,
      `UID:${e.uid}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}

describe('calendar feed changes reach the open app', () => {
  let served = '';
  const env = useServerBrowserAndFeed('feed-live', () => ({ type: 'text/calendar', body: served }));

  test('a session gone from the feed shows as probably cancelled, live', async () => {
    const origin = env.server.origin;
    const context = await newPhoneContext(env.browser, 'feed-live');
    const admin = await request.newContext({
      baseURL: origin,
      extraHTTPHeaders: { Origin: origin },
      timeout: 15_000,
    });
    try {
      // Two sessions tomorrow, on the hour. The one that vanishes is the earlier: a session
      // after the new feed's last one is outside what it still covers, not cancelled.
      const start = Math.ceil((Date.now() + 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
      const gone = { uid: 'ADE-live-1', start, summary: 'TD Réseaux', room: 'B012' };
      const kept = { uid: 'ADE-live-2', start: start + 3 * HOUR_MS, summary: 'Algorithmique - CM', room: 'Amphi A' };
      served = feed([kept, gone], Date.now());

      const login = await admin.post('/api/login', { data: ADMIN });
      assert.equal(login.status(), 200, `admin sign-in: HTTP ${login.status()} ${await login.text()}`);
      const created = await admin.post('/api/admin/feeds', {
        data: { group: STUDENT.group, url: `${env.origin}/edt.ics` },
      });
      assert.equal(created.status(), 201, `feed registration: HTTP ${created.status()} ${await created.text()}`);
      const feedId = (await created.json()).id;
      const refresh = async (what) => {
        const r = await admin.post(`/api/admin/feeds/${encodeURIComponent(feedId)}/refresh`);
        assert.equal(r.status(), 200, `${what}: HTTP ${r.status()} ${await r.text()}`);
        return r.json();
      };
      const first = await refresh('first fetch');
      assert.equal(first.changes?.added, 2, `expected the two sessions added: ${JSON.stringify(first)}`);

      // The session's id is the feed id and a hash of its UID (the importer's `session_id`).
      const goneId = `${feedId}.${createHash('sha256').update(gone.uid).digest('hex').slice(0, 16)}`;
      const page = await context.newPage();
      await signIn(page, origin);
      await expectSyncState(page, 'online');
      await page.goto(`${origin}/?view=week&session=${encodeURIComponent(goneId)}`);
      await expectSyncState(page, 'online');
      const card = `article.session[data-session-id="${goneId}"]`;
      await expectVisible(page, `${card}[data-status="scheduled"]`, 'the feed session, scheduled');
      await page.evaluate(() => {
        window.__cartableNoReload = true;
      });

      // The next export lacks the second session; its stamp moved too (noise).
      served = feed([kept], Date.now() + 60_000);
      const second = await refresh('second fetch');
      assert.equal(second.changes?.cancelled, 1, `expected one cancellation: ${JSON.stringify(second)}`);
      assert.equal(second.changes?.updated, 0, `the export stamp alone is no change: ${JSON.stringify(second)}`);

      await expectVisible(page, `${card}.cancelled.probably`, 'the vanished session, probably cancelled');
      const text = await page.locator(`${card} .badge-cancelled`).innerText();
      assert.match(text, /probablement annulé/i, `the badge says it is only probable: ${text}`);
      const keptId = `${feedId}.${createHash('sha256').update(kept.uid).digest('hex').slice(0, 16)}`;
      await expectVisible(
        page,
        `article.session[data-session-id="${keptId}"][data-status="scheduled"]`,
        'the session still in the feed, unchanged',
      );
      await expectInPage(page, 'no reload', () => window.__cartableNoReload === true);
      await screenshot(page, 'week-probably-cancelled', card);
    } finally {
      await admin.dispose();
      await context.close();
    }
  });
});
