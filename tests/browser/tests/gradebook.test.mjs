// The teacher's grade table (issue 7, item 1: grades for a whole group in one table, published
// at once or at a set time): a teacher creates an assessment on a phone, goes offline, types the
// scores (Enter moves down the table) and publishes. Nothing reaches the student while the phone
// is offline: the grades live in the gradebook, which the server never sends to students. Back
// online, the publish time has passed: the server publishes, the student's open app shows the
// grade without a reload, and the push service receives a "grade published" message for her
// device (decrypted by the fake push service). A second run schedules the publication offline
// for a minute ahead: back online before that time, the student gets nothing until it comes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
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
  waitFor,
} from '../lib/browser.mjs';
import { axeViolations } from '../lib/a11y.mjs';
import { stubPushSubscription } from '../lib/fake_push.mjs';
import { useServerBrowserAndFakePush } from '../lib/fixture.mjs';
import { enablePush, expectNothingPending, expectSomethingPending, openSettings } from '../lib/settings.mjs';

const GROUP = STUDENT.group;

/** `YYYY-MM-DD` of today on this machine. */
function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Whether the student's grades view lists a grade titled `title`. */
function studentHasGrade(page, title) {
  return page.evaluate(
    (t) => [...document.querySelectorAll('li.grade .grade-title')].some((e) => e.textContent.includes(t)),
    title,
  );
}

describe('gradebook', () => {
  const env = useServerBrowserAndFakePush('gradebook');

  test('grades published offline on a phone reach the student, with a push, only once back online', async () => {
    const origin = env.server.origin;
    const subscription = await env.fake.subscribe();
    const studentContext = await newPhoneContext(env.browser, 'gradebook-student');
    const teacherContext = await newPhoneContext(env.browser, 'gradebook-teacher');
    try {
      // The student, with notifications on, keeps her grades open.
      const student = await studentWithGradesOpen(studentContext, origin, subscription);
      assert.equal(await student.locator('#gradebooks, section.gradebook').count(), 0, 'a student sees no gradebook');
      await student.evaluate(() => {
        window.__cartableNoReload = true;
      });

      // The teacher creates an assessment (online).
      const teacher = await teacherContext.newPage();
      await signIn(teacher, origin, TEACHER);
      await expectSyncState(teacher, 'online');
      await openTab(teacher, 'grades');
      const title = `Contrôle e2e ${Date.now().toString(36)}`;
      const { book, assessment } = await createAssessment(teacher, title, '2');
      assert.equal(await teacher.locator(assessment).getAttribute('data-status'), 'draft');
      await expectNothingPending(teacher, 30_000);

      // Offline: the scores, typed down the table, then "publish now".
      await teacherContext.setOffline(true);
      await expectSyncState(teacher, 'offline');
      const lea = teacher.locator(`${assessment} tr[data-student="${STUDENT.login}"] input.gb-score`);
      await lea.fill('15,5');
      await lea.press('Enter');
      const next = await teacher.evaluate(() => document.activeElement?.closest('tr')?.dataset.student ?? null);
      assert.ok(next && next !== STUDENT.login, `Enter moves to the next student (focus on ${next})`);
      await teacher.keyboard.type('12');
      await teacher.keyboard.press('Enter');
      const leaComment = teacher.locator(`${assessment} tr[data-student="${STUDENT.login}"] input.gb-comment`);
      await leaComment.fill('Très bon travail');
      await leaComment.press('Tab');
      await expectInPage(
        teacher,
        'the two scores kept on the device',
        ([sel, login]) => {
          const d = document.querySelector(sel);
          const row = d?.querySelector(`tr[data-student="${login}"]`);
          return row?.querySelector('input.gb-score')?.value === '15,5' && row.querySelector('input.gb-comment')?.value === 'Très bon travail';
        },
        [assessment, STUDENT.login],
      );
      // A score above the maximum is refused at the input.
      const last = teacher.locator(`${assessment} tbody tr:last-child input.gb-score`);
      await last.fill('25');
      await last.press('Tab');
      assert.equal(await last.evaluate((i) => i.validity.customError), true, 'a score above 20 is flagged');
      await last.fill('');
      await last.press('Tab');
      await screenshot(teacher, 'gradebook-offline-table', assessment);
      await teacher.locator(`${assessment} button.gb-publish-now`).click();
      await expectInPage(
        teacher,
        'the assessment scheduled on the device (the server publishes it)',
        (sel) => document.querySelector(sel)?.dataset.status === 'scheduled',
        assessment,
      );
      await expectSomethingPending(teacher);

      // Nothing reaches the student while the phone is offline, though the time has come.
      await student.waitForTimeout(3_000);
      assert.equal(await studentHasGrade(student, title), false, 'not in the student\'s grades yet');
      const early = (await env.fake.messages(subscription.id)).filter((m) => m.payload?.category === 'grade_published');
      assert.equal(early.length, 0, 'no push yet');

      // Back online: the server publishes at once (the time has passed).
      await teacherContext.setOffline(false);
      await expectSyncState(teacher, 'online', 45_000);
      await expectNothingPending(teacher, 30_000);
      await expectInPage(
        student,
        `the grade "${title}" in the student's open app`,
        (t) => [...document.querySelectorAll('li.grade')].some((li) => li.querySelector('.grade-title')?.textContent.includes(t) && li.textContent.includes('15,5')),
        title,
        30_000,
      );
      assert.equal(await student.evaluate(() => window.__cartableNoReload === true), true, 'no reload happened');
      await screenshot(student, 'gradebook-student-grade', 'main#grades');
      const pushed = await waitFor(
        'a decrypted "grade published" push for the student\'s device',
        async () => (await env.fake.messages(subscription.id)).filter((m) => m.decrypted && m.payload?.category === 'grade_published'),
        30_000,
      );
      assert.equal(pushed.length, 1, `exactly one push: ${JSON.stringify(pushed)}`);
      assert.match(pushed[0].payload.url, /view=grades&assessment=/);
      assert.doesNotMatch(JSON.stringify(pushed[0].payload), /15[.,]5/, 'no score on the lock screen');
      await expectInPage(
        teacher,
        'the assessment published on the teacher\'s phone',
        (sel) => document.querySelector(sel)?.dataset.status === 'published',
        assessment,
        20_000,
      );
      await screenshot(teacher, 'gradebook-published', book);
      const violations = await axeViolations(teacher);
      assert.deepEqual(violations, [], `axe on the gradebook:\n${violations.join('\n')}`);
    } finally {
      await teacherContext.close();
      await studentContext.close();
    }
  });

  test('a grades CSV is previewed (refused lines with their numbers, nothing written), then applied to the table', async () => {
    const origin = env.server.origin;
    const context = await newPhoneContext(env.browser, 'gradebook-csv');
    try {
      const teacher = await context.newPage();
      await signIn(teacher, origin, TEACHER);
      await expectSyncState(teacher, 'online');
      await openTab(teacher, 'grades');
      const title = `Import CSV ${Date.now().toString(36)}`;
      const { assessment } = await createAssessment(teacher, title, '1');
      await expectNothingPending(teacher, 30_000);
      const scoreOf = (login) => teacher.locator(`${assessment} tr[data-student="${login}"] input.gb-score`);

      // Offline, the button says the preview needs the network.
      await context.setOffline(true);
      await expectSyncState(teacher, 'offline');
      await teacher.locator(`${assessment} button.gb-import-open`).click();
      await expectVisible(teacher, `${assessment} .gb-import-status[data-state="offline"]`, 'the "needs the network" notice');
      await context.setOffline(false);
      await expectSyncState(teacher, 'online', 45_000);

      // A file refused as a whole (a column the import does not take) is said in French
      // from the server's problem code, and the file can be chosen again.
      await teacher.locator(`${assessment} button.gb-import-open`).click();
      await teacher.locator(`${assessment} input.gb-import-file`).setInputFiles({
        name: 'notes-eleves.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`eleve;note\n${STUDENT.login};12\n`, 'utf8'),
      });
      const failed = teacher.locator(`${assessment} .gb-import-status[data-state="failed"]`);
      await expectVisible(teacher, `${assessment} .gb-import-status[data-state="failed"]`, 'the refusal of the file');
      assert.equal(
        (await failed.textContent()).trim(),
        'Le fichier a été refusé : colonne « eleve » inconnue (colonnes possibles : student, score, comment)',
      );

      // One good line, an unknown student, a score above the maximum, a duplicate line.
      const csv = [
        'student,score,comment',
        `${STUDENT.login},14.5,Bien`,
        'inconnu.eleve,12,',
        'lucas.petit,25,',
        `${STUDENT.login},10,`,
      ].join('\n');
      await teacher.locator(`${assessment} input.gb-import-file`).setInputFiles({
        name: 'notes.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv, 'utf8'),
      });
      const preview = `${assessment} section.gb-import-preview`;
      await expectVisible(teacher, preview, `the import preview${await describePage(teacher)}`);
      const refused = await teacher.locator(`${preview} ul.gb-import-errors li`).evaluateAll((lis) =>
        lis.map((li) => [Number(li.dataset.line), li.textContent]),
      );
      assert.deepEqual(refused.map(([line]) => line), [3, 4, 5], `refused lines: ${JSON.stringify(refused)}`);
      // Said in French from the server's problem codes, not its English reasons.
      assert.match(refused[0][1], /« inconnu\.eleve » n’existe pas/);
      assert.match(refused[1][1], /la note 25 n’est pas entre 0 et 20/);
      assert.match(refused[2][1], /lea\.martin figure déjà ligne 2/);
      const valid = await teacher.locator(`${preview} table.gb-import-valid tbody tr`).evaluateAll((trs) =>
        trs.map((tr) => [tr.dataset.student, tr.querySelector('th').textContent, tr.textContent]),
      );
      assert.equal(valid.length, 1, `one valid line: ${JSON.stringify(valid)}`);
      assert.equal(valid[0][0], STUDENT.login);
      assert.equal(valid[0][1], 'Léa Martin', 'the roster\'s name, not the login');
      assert.match(valid[0][2], /14,5/);
      assert.equal(await scoreOf(STUDENT.login).inputValue(), '', 'the preview writes nothing');
      await screenshot(teacher, 'gradebook-csv-preview', preview);
      const violations = await axeViolations(teacher);
      assert.deepEqual(violations, [], `axe on the import preview:\n${violations.join('\n')}`);

      // Apply: the good score lands in the table, the others nowhere.
      const apply = teacher.locator(`${preview} button.gb-import-apply`);
      assert.match(await apply.textContent(), /^\s*Appliquer la ligne valide\s*$/);
      await apply.click();
      await expectInPage(
        teacher,
        'the imported score in the table',
        ([sel, login]) => {
          const row = document.querySelector(sel)?.querySelector(`tr[data-student="${login}"]`);
          return row?.querySelector('input.gb-score')?.value === '14,5' && row.querySelector('input.gb-comment')?.value === 'Bien';
        },
        [assessment, STUDENT.login],
      );
      assert.equal(await scoreOf('lucas.petit').inputValue(), '', 'a refused line is not written');
      assert.equal(await teacher.locator(preview).count(), 0, 'the preview is closed');
      assert.equal(await teacher.locator(assessment).getAttribute('data-status'), 'draft', 'nothing published');
      await expectNothingPending(teacher, 30_000);
    } finally {
      await context.close();
    }
  });

  test('grades scheduled offline reach the student, with a push, only when their time comes', async () => {
    const origin = env.server.origin;
    const subscription = await env.fake.subscribe();
    const studentContext = await newPhoneContext(env.browser, 'gradebook-scheduled-student');
    const teacherContext = await newPhoneContext(env.browser, 'gradebook-scheduled-teacher');
    const pushedGrades = async () =>
      (await env.fake.messages(subscription.id)).filter((m) => m.decrypted && m.payload?.category === 'grade_published');
    try {
      const student = await studentWithGradesOpen(studentContext, origin, subscription);

      const teacher = await teacherContext.newPage();
      await signIn(teacher, origin, TEACHER);
      await expectSyncState(teacher, 'online');
      await openTab(teacher, 'grades');
      const title = `Partiel programmé ${Date.now().toString(36)}`;
      const { assessment } = await createAssessment(teacher, title, '1');
      await expectNothingPending(teacher, 30_000);

      // Offline: a score, and publication at the first whole minute 50 s or more ahead (the
      // form takes minutes), in the phone's time zone.
      await teacherContext.setOffline(true);
      await expectSyncState(teacher, 'offline');
      const score = teacher.locator(`${assessment} tr[data-student="${STUDENT.login}"] input.gb-score`);
      await score.fill('17');
      await score.press('Tab');
      const at = await teacher.evaluate(() => {
        const t = new Date(Math.ceil((Date.now() + 50_000) / 60_000) * 60_000);
        const pad = (n) => String(n).padStart(2, '0');
        return {
          ms: t.getTime(),
          date: `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`,
          time: `${pad(t.getHours())}:${pad(t.getMinutes())}`,
        };
      });
      await teacher.fill(`${assessment} input.gb-publish-date`, at.date);
      await teacher.fill(`${assessment} input.gb-publish-time`, at.time);
      await teacher.locator(`${assessment} button.gb-schedule`).click();
      await expectInPage(
        teacher,
        'the assessment scheduled on the device',
        (sel) => document.querySelector(sel)?.dataset.status === 'scheduled',
        assessment,
      );
      await expectSomethingPending(teacher);

      // Back online before the time: the server has the scores and the schedule, the student
      // nothing yet.
      await teacherContext.setOffline(false);
      await expectSyncState(teacher, 'online', 45_000);
      await expectNothingPending(teacher, 30_000);
      assert.ok(Date.now() < at.ms - 3_000, 'the phone was back online before the publish time (reconnection too slow to test)');
      await student.waitForTimeout(Math.max(0, at.ms - 2_000 - Date.now()));
      assert.equal(await studentHasGrade(student, title), false, 'not in the student\'s grades before its time');
      assert.equal((await pushedGrades()).length, 0, 'no push before its time');

      // The time comes: the server publishes, the open app shows it, one push.
      await expectInPage(
        student,
        `the grade "${title}" in the student's open app`,
        (t) => [...document.querySelectorAll('li.grade')].some((li) => li.querySelector('.grade-title')?.textContent.includes(t) && li.textContent.includes('17')),
        title,
        45_000,
      );
      assert.ok(Date.now() >= at.ms, 'shown no earlier than its time');
      const pushed = await waitFor('a decrypted "grade published" push', pushedGrades, 30_000);
      assert.equal(pushed.length, 1, `exactly one push: ${JSON.stringify(pushed)}`);
    } finally {
      await teacherContext.close();
      await studentContext.close();
    }
  });
});

/**
 * Creates an Algorithmique assessment out of 20 in the teacher's gradebook of the group (the
 * grades tab open); returns the selectors of the gradebook and of the new assessment.
 */
async function createAssessment(teacher, title, coefficient) {
  const book = `section.gradebook[data-group="${GROUP}"]`;
  await expectVisible(teacher, book, `the gradebook of ${GROUP}${await describePage(teacher)}`);
  await teacher.fill(`#gb-new-subject-${GROUP}`, 'Algorithmique');
  await teacher.fill(`#gb-new-title-${GROUP}`, title);
  await teacher.fill(`#gb-new-date-${GROUP}`, today());
  await teacher.fill(`#gb-new-out-of-${GROUP}`, '20');
  await teacher.fill(`#gb-new-coef-${GROUP}`, coefficient);
  await teacher.locator(`${book} form.gb-new button[type="submit"]`).click();
  const created = `${book} details.gb-assessment:has(.gb-name:text-is("Algorithmique · ${title}"))`;
  await expectVisible(teacher, created, `the new assessment "${title}"`);
  const id = await teacher.locator(created).getAttribute('data-assessment-id');
  return { book, assessment: `${book} details.gb-assessment[data-assessment-id="${id}"]` };
}

/**
 * Léa's page in `context`: notifications allowed and her push subscription stubbed as
 * `subscription`, signed in, notifications turned on in the settings, her grades open.
 */
async function studentWithGradesOpen(context, origin, subscription) {
  await context.grantPermissions(['notifications'], { origin });
  await stubPushSubscription(context, subscription);
  const student = await context.newPage();
  await signIn(student, origin, STUDENT);
  await expectSyncState(student, 'online');
  await openSettings(student);
  await enablePush(student, 'Téléphone de Léa');
  await openTab(student, 'grades');
  await expectVisible(student, 'main#grades', 'the student\'s grades');
  return student;
}
