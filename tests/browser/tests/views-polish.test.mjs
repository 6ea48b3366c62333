// The views' details (issue 4): homework shows the workload per day (assignments not done,
// from today on) and follows the done flag; new grades are marked until this device marks
// them seen, which holds across reloads.

import assert from 'node:assert/strict';
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

/** The workload as shown: `{date: count}`. */
function shownWorkload(page) {
  return page.$$eval('#workload li', (lis) =>
    Object.fromEntries(lis.map((li) => [li.dataset.date, Number(li.dataset.count)])));
}

describe('views polish', () => {
  const env = useServerAndBrowser('views-polish');

  test('homework workload per day follows the done flag', async () => {
    const context = await newPhoneContext(env.browser, 'views-polish-homework');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await openTab(page, 'homework');
      await expectVisible(page, 'article.homework', 'the homework');
      // What the page lists, counted independently: not done, due today or later.
      const expected = await page.$$eval('article.homework:not(.done):not(.overdue)', (as) => as.length);
      assert.ok(expected > 0, 'expected upcoming homework in the demo');
      await expectVisible(page, '#workload li', 'the workload per day');
      const before = await shownWorkload(page);
      const total = Object.values(before).reduce((a, b) => a + b, 0);
      assert.equal(total, expected, `expected the workload (${JSON.stringify(before)}) to count the ${expected} upcoming assignments`);
      await screenshot(page, 'homework-workload');

      const first = page.locator('article.homework:not(.done):not(.overdue)').first();
      await first.locator('input.homework-done').click();
      await expectInPage(page, 'the workload one assignment lighter', (n) =>
        [...document.querySelectorAll('#workload li')].reduce((a, li) => a + Number(li.dataset.count), 0) === n, total - 1);
    } finally {
      await context.close();
    }
  });

  test('new grades are marked until seen on this device', async () => {
    const context = await newPhoneContext(env.browser, 'views-polish-grades');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await openTab(page, 'grades');
      await expectVisible(page, 'li.grade', 'the grades');
      const grades = await page.locator('li.grade').count();
      assert.equal(await page.locator('li.grade.new .badge-new').count(), grades, 'every grade is new on a first visit');
      await screenshot(page, 'grades-new');
      await page.locator('#grades-seen').click();
      await expectInPage(page, 'no grade marked new once seen', () =>
        document.querySelector('li.grade.new') === null && document.querySelector('#grades-seen') === null);
      await page.reload();
      await openTab(page, 'grades');
      await expectVisible(page, 'li.grade', 'the grades after a reload');
      assert.equal(await page.locator('li.grade.new').count(), 0, 'seen grades stay seen after a reload');
    } finally {
      await context.close();
    }
  });
});
