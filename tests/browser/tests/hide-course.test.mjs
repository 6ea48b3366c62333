// Issue 4, view 1: a student hides a course from the timetable. Its sessions leave the week
// (a line says how many courses are hidden, and can show them again), the choice persists
// across a reload, a hide made offline reaches the server and the student's other device,
// and the settings list the hidden courses with a button that shows each one again.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { axeViolations } from '../lib/a11y.mjs';
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
import { expectNothingPending, expectSomethingPending, openSettings } from '../lib/settings.mjs';

/** The subjects of the sessions the week shows, each once, in order of appearance. */
async function shownSubjects(page) {
  return page.$$eval('article.session:not(.course-hidden) button[data-subject]', (buttons) => [
    ...new Set(buttons.map((b) => b.dataset.subject)),
  ]);
}

/** Waits until the week shows no session of `subject` (or, with `shown`, at least one). */
async function expectSubjectShown(page, subject, shown, timeout) {
  await expectInPage(
    page,
    `sessions of ${subject} ${shown ? 'shown' : 'gone'} in the week`,
    ([s, want]) =>
      document.querySelector('main#timetable') !== null &&
      [...document.querySelectorAll('article.session:not(.course-hidden) button[data-subject]')].some(
        (b) => b.dataset.subject === s,
      ) === want,
    [subject, shown],
    timeout,
  );
}

async function hide(page, subject) {
  await page.locator(`article.session button.course-hide[data-subject="${subject}"]`).first().click();
  await expectSubjectShown(page, subject, false);
}

async function expectNoViolations(page, what) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `expected no accessibility violation on ${what}, axe reports:\n    ${violations.join('\n    ')}`);
}

describe('hide a course', () => {
  const env = useServerAndBrowser('hide-course');

  test('hidden on one device, offline too, shown again from the settings of another', async () => {
    const phone = await newPhoneContext(env.browser, 'hide-course-phone');
    const laptop = await newPhoneContext(env.browser, 'hide-course-laptop');
    try {
      const page = await phone.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await expectServiceWorkerControl(page);
      await expectVisible(page, 'main#timetable article.session', 'the week');
      const subjects = await shownSubjects(page);
      assert.ok(subjects.length >= 3, `expected at least three subjects in the demo week, got ${subjects}`);
      const [first, second] = subjects;
      assert.equal(await page.locator('#hidden-courses').count(), 0, 'no hidden-courses line before any is hidden');

      // Hide one course: its sessions leave the week, the line counts it.
      await hide(page, first);
      await expectVisible(page, '#hidden-courses', 'the hidden-courses line');
      assert.match(await page.locator('#hidden-courses').innerText(), /^1 cours masqué · Voir$/);
      const rest = await shownSubjects(page);
      assert.deepEqual(rest, subjects.filter((s) => s !== first), 'the other courses stay');
      await expectNothingPending(page);
      await expectNoViolations(page, 'the week with a hidden course');
      await screenshot(page, 'hide-course-week');

      // The line shows them again, marked, with a button that unhides; and hides them again.
      await page.locator('#hidden-toggle').click();
      await expectVisible(page, `article.session.course-hidden button.course-unhide[data-subject="${first}"]`, 'the hidden sessions, revealed');
      await expectNoViolations(page, 'the week with the hidden sessions revealed');
      await page.locator('#hidden-toggle').click();
      await expectInPage(page, 'the hidden sessions out of the week again', () => document.querySelector('article.session.course-hidden') === null);

      // It persists across a reload.
      await page.reload();
      await expectVisible(page, 'main#timetable article.session', 'the week after a reload');
      await expectSubjectShown(page, first, false);
      await expectVisible(page, '#hidden-courses', 'the hidden-courses line after a reload');

      // Hidden offline, with the server stopped: kept, and sent once the server is back.
      await env.server.stop();
      await phone.setOffline(true);
      await expectSyncState(page, 'offline');
      await hide(page, second);
      assert.match(await page.locator('#hidden-courses').innerText(), /^2 cours masqués/);
      await expectSomethingPending(page);
      await env.server.restart();
      await phone.setOffline(false);
      await expectSyncState(page, 'online', 45_000);
      await expectNothingPending(page, 30_000);

      // The student's other device holds both courses hidden.
      const other = await laptop.newPage();
      await signIn(other, env.server.origin);
      await expectSyncState(other, 'online');
      await expectVisible(other, '#hidden-courses', 'the hidden-courses line on the other device', 20_000);
      await expectSubjectShown(other, first, false);
      await expectSubjectShown(other, second, false);
      assert.match(await other.locator('#hidden-courses').innerText(), /^2 cours masqués/);

      // The settings list them; "Afficher" shows one again, on both devices.
      await openSettings(other);
      await expectVisible(other, `#hidden-list li[data-subject="${first}"]`, 'the first hidden course in the settings');
      await expectVisible(other, `#hidden-list li[data-subject="${second}"]`, 'the second hidden course in the settings');
      await expectNoViolations(other, 'the settings with hidden courses');
      await screenshot(other, 'hide-course-settings', '#settings-courses');
      await other.locator(`#hidden-list li[data-subject="${first}"] button.course-show`).click();
      await expectInPage(
        other,
        'the course gone from the settings list',
        (s) => document.querySelector(`#hidden-list li[data-subject="${s}"]`) === null,
        first,
      );
      await openTab(other, 'timetable');
      await expectSubjectShown(other, first, true);
      await expectSubjectShown(other, second, false);
      assert.match(await other.locator('#hidden-courses').innerText(), /^1 cours masqué/);
      await expectNothingPending(other);
      // The first device, still open, follows.
      await expectSubjectShown(page, first, true, 20_000);
      await expectSubjectShown(page, second, false);
    } finally {
      await laptop.close();
      await phone.close();
    }
  });
});
