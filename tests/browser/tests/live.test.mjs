// A change a teacher makes reaches the student's open app live, without a reload.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { request } from 'playwright-core';

import {
  STUDENT,
  TEACHER,
  expectInPage,
  expectSyncState,
  newPhoneContext,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

describe('live updates', () => {
  const env = useServerAndBrowser('live');

  test('a session the teacher cancels turns cancelled in the open app without a reload', async () => {
    const context = await newPhoneContext(env.browser, 'live');
    const origin = env.server.origin;
    const teacher = await request.newContext({
      baseURL: origin,
      extraHTTPHeaders: { Origin: origin },
      timeout: 15_000,
    });
    try {
      const page = await context.newPage();
      await signIn(page, origin);
      await expectSyncState(page, 'online');
      // A marker that a reload would lose.
      await page.evaluate(() => {
        window.__cartableNoReload = true;
      });

      const sessionId = await page
        .$eval('article.session[data-status="scheduled"]', (a) => a.dataset.sessionId)
        .catch(() => null);
      assert.ok(sessionId, 'expected a scheduled session (article.session[data-status="scheduled"]) in the week');

      const login = await teacher.post('/api/login', {
        data: { login: TEACHER.login, password: TEACHER.password },
      });
      assert.equal(login.status(), 200, `expected the teacher's POST /api/login to succeed, got HTTP ${login.status()}: ${await login.text()}`);
      const change = await teacher.post(
        `/api/timetable/${STUDENT.group}/sessions/${encodeURIComponent(sessionId)}`,
        { data: { action: 'cancel', note: 'Test' } },
      );
      assert.equal(
        change.status(),
        200,
        `expected the teacher's cancellation of ${sessionId} to be accepted, got HTTP ${change.status()}: ${await change.text()}`,
      );
      const changed = await change.json();
      assert.equal(
        String(changed.status).toLowerCase(),
        'cancelled',
        `expected the answer to show the session cancelled, got ${JSON.stringify(changed)}`,
      );

      await expectInPage(
        page,
        `session ${sessionId} to turn data-status="cancelled" in the open page`,
        (id) =>
          [...document.querySelectorAll('article.session')].find((a) => a.dataset.sessionId === id)?.dataset
            .status === 'cancelled',
        sessionId,
        15_000,
      );
      assert.equal(
        await page.evaluate(() => window.__cartableNoReload === true),
        true,
        'expected the change to arrive without a page reload',
      );
      const badge = await page.evaluate(
        (id) =>
          [...document.querySelectorAll('article.session')]
            .find((a) => a.dataset.sessionId === id)
            ?.querySelector('.badge-cancelled')
            ?.textContent.trim() ?? null,
        sessionId,
      );
      assert.equal(badge, 'Annulé', `expected session ${sessionId} to show the "Annulé" badge once cancelled`);
      await screenshot(page, 'live-cancelled', `article.session[data-session-id="${sessionId}"]`);
    } finally {
      await teacher.dispose();
      await context.close();
    }
  });
});
