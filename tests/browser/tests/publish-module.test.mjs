// The staff's publishing views live in a module of their own (issue 4, first-paint size): a
// student's page never requests it, whatever the student opens; a teacher's page loads it after
// the first paint, its views work as before, and after one online visit they work offline with
// the server stopped (the service worker cached the module's hashed files).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  STUDENT,
  TEACHER,
  expectServiceWorkerControl,
  expectSyncState,
  expectVisible,
  launchBrowser,
  newPhoneContext,
  openTab,
  recordRequests,
  signIn,
} from '../lib/browser.mjs';
import { expectSomethingPending, openSettings } from '../lib/settings.mjs';
import { CartableServer } from '../lib/server.mjs';

const TABS = ['homework', 'grades', 'announcements', 'messages', 'documents', 'timetable'];

/** Opens every view of the app, the settings too. */
async function visitEveryView(page) {
  for (const tab of TABS) await openTab(page, tab);
  await openSettings(page);
}

/** The publishing module's files, as `index.html` names them (the boot script first). */
async function publishUrls(page) {
  const content = await page.locator('meta[name="cartable-publish"]').getAttribute('content');
  const urls = (content ?? '').split(/\s+/).filter(Boolean);
  assert.ok(urls.length >= 3, `index.html names the publishing module's files: ${content}`);
  assert.ok(urls.every((u) => u.startsWith('/assets/publish')), `${urls}`);
  return urls;
}

describe('publishing module', () => {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await CartableServer.start('publish-module');
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.dispose();
  });

  test("a student's page never requests the publishing module", async () => {
    const context = await newPhoneContext(env.browser, 'publish-student');
    const requests = recordRequests(context);
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin, STUDENT);
      await expectSyncState(page, 'online');
      await expectServiceWorkerControl(page);
      const urls = await publishUrls(page);
      await visitEveryView(page);
      assert.equal(await page.locator('[data-publish], .publish-loading').count(), 0, 'no publishing host');
      await page.reload();
      await expectVisible(page, 'main#timetable', 'the app after a reload');
      await visitEveryView(page);
      const asked = requests.filter((p) => p.startsWith('/assets/publish') || urls.includes(p));
      assert.deepEqual(asked, [], 'a student downloads nothing of the publishing module');
      assert.ok(requests.some((p) => p.startsWith('/assets/ui_bg-')), 'the request log sees the UI module');
    } finally {
      await context.close();
    }
  });

  test("a teacher's publishing views load after the first paint and work offline after one online visit", async () => {
    const context = await newPhoneContext(env.browser, 'publish-teacher');
    const requests = recordRequests(context);
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin, TEACHER);
      await expectSyncState(page, 'online');
      const urls = await publishUrls(page);
      await openTab(page, 'grades');
      const book = `section.gradebook[data-group="${STUDENT.group}"]`;
      await expectVisible(page, `[data-publish="gradebook"] ${book}`, 'the gradebook, from the publishing module');
      assert.equal(await page.locator('.publish-loading, .publish-failed').count(), 0, 'no loading notice once loaded');
      assert.ok(requests.includes(urls[0]), `the teacher's page imported ${urls[0]}`);
      await expectServiceWorkerControl(page);

      // Offline, server stopped: a fresh start of the app shows the gradebook and takes an edit.
      await env.server.stop();
      await context.setOffline(true);
      await page.reload();
      await expectVisible(page, 'main#timetable', 'the app reloaded offline', 20_000);
      await expectSyncState(page, 'offline');
      await openTab(page, 'grades');
      await expectVisible(page, `[data-publish="gradebook"] ${book}`, 'the gradebook offline');
      const title = `Hors ligne ${Date.now().toString(36)}`;
      await page.fill(`#gb-new-subject-${STUDENT.group}`, 'Algorithmique');
      await page.fill(`#gb-new-title-${STUDENT.group}`, title);
      await page.fill(`#gb-new-date-${STUDENT.group}`, '2026-12-01');
      await page.locator(`${book} form.gb-new button[type="submit"]`).click();
      await expectVisible(
        page,
        `${book} details.gb-assessment:has(.gb-name:text-is("Algorithmique · ${title}"))`,
        'the assessment created offline, through the engine',
      );
      await expectSomethingPending(page);
      // Switching tabs unmounts and mounts the view again.
      await openTab(page, 'homework');
      assert.equal(await page.locator(book).count(), 0, 'the gradebook left with its tab');
      await expectVisible(page, '[data-publish="homework-form"] form#homework-form', 'the homework form offline');
      await openTab(page, 'announcements');
      await expectVisible(page, '[data-publish="announce-form"] form#announce-form', 'the announcement form offline');
      await openTab(page, 'grades');
      await expectVisible(page, `${book} .gb-name:text-is("Algorithmique · ${title}")`, 'the gradebook mounted again');
      assert.equal(await page.locator(book).count(), 1, 'mounted once');
    } finally {
      await context.close();
      await env.server.restart();
    }
  });
});
