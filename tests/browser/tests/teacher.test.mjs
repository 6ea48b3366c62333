// The teacher's views (issue 7, item 1): a teacher cancels a session on one device and the
// student's open app (another browser context) shows it struck through without a reload; the
// teacher, offline, sets homework and writes an announcement, goes back online, and the student
// sees both; the student acknowledges the announcement and the teacher sees it in the list of
// who acknowledged; the teacher writes to the whole group; the vie scolaire (staff) corrects and
// then withdraws the teacher's announcement, which only staff are offered. A student never sees
// these controls.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  STAFF,
  STUDENT,
  TEACHER,
  describePage,
  expectInPage,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  openTab,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { axeViolations } from '../lib/a11y.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';
import { expectNothingPending, expectSomethingPending } from '../lib/settings.mjs';

/** A small PDF (the server sniffs uploads: it must look like one). */
const PDF = Buffer.from('%PDF-1.4\n% sujet du TD\n%%EOF\n');

/** `YYYY-MM-DD`, `days` from today on this machine. */
function isoDay(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The ids and statuses of the sessions a page shows. */
function statusOf(page, id) {
  return page.evaluate(
    (sid) => [...document.querySelectorAll('article.session')].find((a) => a.dataset.sessionId === sid)?.dataset.status ?? null,
    id,
  );
}

describe('teacher views', () => {
  const env = useServerAndBrowser('teacher');

  test('a teacher publishes from the app, offline too, and the student sees it live', async () => {
    const origin = env.server.origin;
    const studentContext = await newPhoneContext(env.browser, 'teacher-student');
    const teacherContext = await newPhoneContext(env.browser, 'teacher-teacher');
    try {
      const student = await studentContext.newPage();
      await signIn(student, origin, STUDENT);
      await expectSyncState(student, 'online');
      assert.equal(
        await student.locator('.session-actions, #teach-homework, #teach-announce').count(),
        0,
        'a student sees no publishing control',
      );
      await student.evaluate(() => {
        window.__cartableNoReload = true;
      });

      const teacher = await teacherContext.newPage();
      await signIn(teacher, origin, TEACHER);
      await expectSyncState(teacher, 'online');

      // 1. Cancel a session of this week from the teacher's phone.
      const sessionId = await teacher
        .$eval('article.session[data-status="scheduled"] button[data-action="cancel"]', (b) =>
          b.closest('article.session').dataset.sessionId)
        .catch(() => null);
      assert.ok(sessionId, `expected a scheduled session with a cancel button in the teacher's week${await describePage(teacher)}`);
      assert.equal(await statusOf(student, sessionId), 'scheduled', 'the student sees the same session, scheduled');
      await teacher
        .locator(`article.session[data-session-id="${sessionId}"] button[data-action="cancel"]`)
        .click();
      await expectVisible(teacher, '#session-dialog[data-action="cancel"]', 'the session dialog');
      await teacher.fill('#sd-note', 'Grève des transports');
      await screenshot(teacher, 'teacher-session-dialog');
      await teacher.locator('#sd-confirm').click();
      await expectInPage(teacher, 'the dialog closed', () => !document.querySelector('#session-dialog'), null);
      await expectInPage(
        teacher,
        'the session cancelled on the teacher\'s device',
        (id) => [...document.querySelectorAll('article.session')].find((a) => a.dataset.sessionId === id)?.dataset.status === 'cancelled',
        sessionId,
      );
      await expectInPage(
        student,
        `session ${sessionId} struck through in the student's open app`,
        (id) => {
          const a = [...document.querySelectorAll('article.session')].find((x) => x.dataset.sessionId === id);
          return a?.dataset.status === 'cancelled' && a.querySelector('.session-subject s') !== null;
        },
        sessionId,
        20_000,
      );
      const note = await student.evaluate(
        (id) => [...document.querySelectorAll('article.session')].find((a) => a.dataset.sessionId === id)?.querySelector('.session-note')?.textContent ?? null,
        sessionId,
      );
      assert.equal(note, 'Grève des transports', 'the note reaches the student');
      assert.equal(await student.evaluate(() => window.__cartableNoReload === true), true, 'no reload happened');
      await screenshot(student, 'teacher-cancelled-seen-by-student', `article.session[data-session-id="${sessionId}"]`);
      await screenshot(teacher, 'teacher-timetable', `article.session[data-session-id="${sessionId}"]`);

      // 2. Offline: homework and an announcement are kept on the device.
      await teacherContext.setOffline(true);
      await expectSyncState(teacher, 'offline');
      const stamp = Date.now().toString(36);
      const hwTitle = `TD hors ligne ${stamp}`;
      const anTitle = `Annonce hors ligne ${stamp}`;
      await openTab(teacher, 'homework');
      await expectVisible(teacher, 'form#homework-form', 'the homework form');
      await teacher.selectOption('#hw-group', STUDENT.group);
      await teacher.fill('#hw-subject', 'Algorithmique');
      await teacher.fill('#hw-title', hwTitle);
      await teacher.fill('#hw-text', 'Exercices 1 à 3 du TD.');
      await teacher.fill('#hw-due', isoDay(5));
      await teacher.check('#hw-hand-in');
      // An attachment needs the network (it is uploaded first): refused offline, nothing saved.
      await teacher.setInputFiles('#hw-files', { name: 'td.pdf', mimeType: 'application/pdf', buffer: PDF });
      await teacher.locator('#hw-publish').click();
      await expectInPage(teacher, 'the attachment refused offline', () =>
        document.querySelector('#hw-status')?.classList.contains('failure') === true, null);
      assert.equal(
        await teacher.locator('#own-homework li', { hasText: hwTitle }).count(),
        0,
        'nothing saved with the attachment refused',
      );
      await teacher.setInputFiles('#hw-files', []);
      await teacher.locator('#hw-publish').click();
      await expectInPage(teacher, 'the homework saved on the device', () =>
        document.querySelector('#hw-status')?.classList.contains('failure') === false, null);
      await expectVisible(teacher, `#own-homework li:has-text("${hwTitle}")`, 'the new assignment in the teacher\'s own list');
      await screenshot(teacher, 'teacher-homework-offline', '#teach-homework');

      await openTab(teacher, 'announcements');
      await expectVisible(teacher, 'form#announce-form', 'the announcement form');
      await teacher.selectOption('#an-audience', STUDENT.group);
      await teacher.selectOption('#an-severity', '1');
      await teacher.fill('#an-title', anTitle);
      await teacher.fill('#an-body', 'Sortie au musée jeudi : départ 8 h.');
      await teacher.check('#an-ack');
      await teacher.locator('#an-publish').click();
      await expectInPage(teacher, 'the announcement saved on the device', () =>
        document.querySelector('#an-status')?.classList.contains('failure') === false, null);
      await expectVisible(teacher, `#own-announcements li:has-text("${anTitle}")`, 'the new announcement in the teacher\'s own list');
      await expectSomethingPending(teacher);
      // Nothing reached the student while the teacher is offline.
      await student.waitForTimeout(1_000);
      await openTab(student, 'homework');
      assert.equal(await student.getByText(hwTitle).count(), 0, 'the homework is not on the server yet');

      await teacherContext.setOffline(false);
      await expectSyncState(teacher, 'online', 45_000);
      await expectNothingPending(teacher, 30_000);

      // 3. The student sees both, and acknowledges the announcement.
      await expectInPage(
        student,
        'the homework set offline in the student\'s list',
        (title) => [...document.querySelectorAll('article.homework')].some((a) => a.textContent.includes(title)),
        hwTitle,
        20_000,
      );
      await openTab(student, 'announcements');
      await expectInPage(
        student,
        'the announcement written offline in the student\'s list',
        (title) => [...document.querySelectorAll('article.announcement')].some((a) => a.textContent.includes(title)),
        anTitle,
        20_000,
      );
      const article = student.locator('article.announcement', { hasText: anTitle });
      assert.ok(
        await article.evaluate((a) => a.classList.contains('severity-warning')),
        'the announcement keeps its severity',
      );
      await article.locator('button.ack').click();
      await expectVisible(student, `article.announcement:has-text("${anTitle}") .acked`, 'the acknowledgement shown');
      await expectNothingPending(student, 30_000);

      // 4. The teacher sees who acknowledged (and who has not yet).
      const own = teacher.locator('#own-announcements li', { hasText: anTitle });
      let listed = false;
      for (let attempt = 0; attempt < 10 && !listed; attempt += 1) {
        await own.locator('button.who-acked').click();
        await expectVisible(teacher, '#ack-list ul.acked, #ack-list .failure', 'the acknowledgement list');
        listed = (await teacher.locator(`#ack-list ul.acked li[data-user="${STUDENT.login}"]`).count()) === 1;
        if (!listed) await teacher.waitForTimeout(500);
      }
      assert.ok(listed, `expected ${STUDENT.login} among those who acknowledged${await describePage(teacher)}`);
      const pending = await teacher.locator('#ack-list ul.pending li').count();
      assert.equal(pending, 29, 'the other students of the group are pending');
      await screenshot(teacher, 'teacher-acknowledgements', '#ack-list');

      assert.deepEqual(await axeViolations(teacher), [], 'the acknowledgement list is accessible');

      // 5. Online, homework with an attachment: uploaded, then the student sees it attached.
      await openTab(teacher, 'homework');
      await teacher.selectOption('#hw-group', STUDENT.group);
      await teacher.fill('#hw-subject', 'Algorithmique');
      await teacher.fill('#hw-title', `TD avec sujet ${stamp}`);
      await teacher.fill('#hw-due', isoDay(6));
      await teacher.setInputFiles('#hw-files', { name: `sujet-${stamp}.pdf`, mimeType: 'application/pdf', buffer: PDF });
      await teacher.locator('#hw-publish').click();
      await expectInPage(teacher, 'the homework with its attachment saved', () =>
        document.querySelector('#hw-status')?.classList.contains('failure') === false &&
        document.querySelector('#own-homework') !== null, null, 20_000);
      await openTab(student, 'homework');
      await expectInPage(
        student,
        'the attachment listed with the student\'s homework',
        (name) => [...document.querySelectorAll('.attachment-name')].some((n) => n.textContent === name),
        `sujet-${stamp}.pdf`,
        20_000,
      );

      // 6. A message to the whole group: one private thread per student.
      await openTab(teacher, 'messages');
      await expectVisible(teacher, 'form#message-form', 'the message form');
      await teacher.selectOption('#msg-group', STUDENT.group);
      await teacher.fill('#msg-subject', `Sortie ${stamp}`);
      await teacher.fill('#msg-body', 'Pensez à l\'autorisation signée.');
      await teacher.locator('#msg-send').click();
      await expectInPage(teacher, 'the message sent', () =>
        /\(30\)/.test(document.querySelector('#msg-status')?.textContent ?? ''), null);
      await screenshot(teacher, 'teacher-message', '#teach-message');
      await openTab(student, 'messages');
      await expectInPage(
        student,
        'the group message in the student\'s threads',
        (s) => [...document.querySelectorAll('button.thread-link')].some((b) => b.textContent.includes(s)),
        `Sortie ${stamp}`,
        20_000,
      );

      // 7. Staff manage every announcement; a teacher only his own (the vie scolaire's
      //    announcement to his group is not offered to him).
      await openTab(teacher, 'announcements');
      await expectVisible(teacher, `#own-announcements li:has-text("${anTitle}")`, 'the teacher\'s own list');
      assert.equal(
        await teacher.locator('#own-announcements li[data-announcement-id="delegues"]').count(),
        0,
        'a teacher is not offered the vie scolaire\'s announcement',
      );
      const staffContext = await newPhoneContext(env.browser, 'teacher-staff');
      try {
        const staff = await staffContext.newPage();
        await signIn(staff, origin, STAFF);
        await expectSyncState(staff, 'online');
        await openTab(staff, 'announcements');
        const theirs = `#own-announcements li[data-author="${TEACHER.login}"]:has-text("${anTitle}")`;
        await expectVisible(staff, theirs, 'the teacher\'s announcement in the staff member\'s list', 20_000);
        await staff.locator(`${theirs} button.edit`).click();
        await expectInPage(staff, 'the form holding the announcement', (title) =>
          document.querySelector('#an-title')?.value === title &&
          document.querySelector('#an-ack')?.checked === true &&
          document.querySelector('#an-severity')?.value === '1', anTitle);
        const corrected = `${anTitle} — départ 8 h 30`;
        await staff.fill('#an-title', corrected);
        await staff.locator('#an-publish').click();
        const kept = `#own-announcements li[data-author="${TEACHER.login}"]:has-text("${corrected}")`;
        await expectVisible(staff, kept, 'the correction, still the teacher\'s');
        await openTab(student, 'announcements');
        await expectInPage(
          student,
          'the correction in the student\'s list',
          (title) => [...document.querySelectorAll('article.announcement')].some((a) => a.textContent.includes(title)),
          corrected,
          20_000,
        );
        await staff.locator(`${kept} button.remove`).click();
        await expectInPage(
          student,
          'the announcement withdrawn from the student\'s list',
          (title) => ![...document.querySelectorAll('article.announcement')].some((a) => a.textContent.includes(title)),
          anTitle,
          20_000,
        );
        await expectNothingPending(staff, 30_000);
      } finally {
        await staffContext.close();
      }
    } finally {
      await studentContext.close();
      await teacherContext.close();
    }
  });
});
