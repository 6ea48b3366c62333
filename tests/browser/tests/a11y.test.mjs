// Accessibility (issue 4): axe-core finds no WCAG 2.1 A/AA or best-practice violation on any
// view, in the light and the dark colour scheme; the tab bar works from the keyboard with a
// visible focus; a screenshot of each view at the phone viewport goes to `screenshots/`.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { axeViolations } from '../lib/a11y.mjs';
import {
  describePage,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  openTab,
  screenshot,
} from '../lib/browser.mjs';
import { STUDENT, TEACHER, signIn } from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';
import { openSettings } from '../lib/settings.mjs';

/** Fails with every violation axe reports on the page as shown. */
async function expectNoViolations(page, what) {
  const violations = await axeViolations(page);
  assert.deepEqual(
    violations,
    [],
    `expected no accessibility violation on ${what}, axe reports:\n    ${violations.join('\n    ')}` +
      (await describePage(page)),
  );
}

const VIEWS = [
  ['timetable', 'main#timetable article.session'],
  ['homework', 'article.homework'],
  ['grades', 'section.subject'],
  ['announcements', 'article.announcement'],
  ['messages', 'button.thread-link'],
  ['documents', 'main#documents li.document'],
];

describe('accessibility', () => {
  const env = useServerAndBrowser('a11y');

  for (const scheme of ['light', 'dark']) {
    test(`every view has no axe violation (${scheme} scheme) and is screenshotted`, async () => {
      const context = await newPhoneContext(env.browser, `a11y-${scheme}`);
      try {
        const page = await context.newPage();
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${env.server.origin}/`);
        await expectVisible(page, 'form#login', 'the login form');
        if (scheme === 'light') {
          // The checker itself: an image without a text alternative must be reported.
          await page.evaluate(() => {
            const img = document.createElement('img');
            img.id = 'axe-control';
            img.src = '/assets/none.png';
            document.querySelector('main').append(img);
          });
          const control = await axeViolations(page);
          assert.ok(
            control.some((v) => v.startsWith('image-alt')),
            `expected axe to report the control image without alt, it reports: ${control.join(' | ') || 'nothing'}`,
          );
          await page.evaluate(() => document.getElementById('axe-control').remove());
        }
        await expectNoViolations(page, `the login screen (${scheme})`);
        await screenshot(page, `view-login-${scheme}`);
        // A failed attempt shows an error, which must be accessible too.
        await page.fill('#login-user', STUDENT.login);
        await page.fill('#login-password', 'wrong-password');
        await page.locator('form#login [type="submit"]').click();
        await expectVisible(page, '#login-error', 'the login error');
        await expectNoViolations(page, `the login screen with its error (${scheme})`);

        await page.fill('#login-password', STUDENT.password);
        await page.locator('form#login [type="submit"]').click();
        await expectVisible(page, 'main#timetable', 'the timetable after signing in', 20_000);
        await expectSyncState(page, 'online');
        for (const [id, item] of VIEWS) {
          await openTab(page, id);
          await expectVisible(page, item, `the ${id} view's content`);
          await expectNoViolations(page, `the ${id} view (${scheme})`);
          await screenshot(page, `view-${id}-${scheme}`);
        }
        await openSettings(page);
        await expectNoViolations(page, `the settings view (${scheme})`);
        await screenshot(page, `view-settings-${scheme}`);

        await openTab(page, 'messages');
        await page.locator('button.thread-link').first().click();
        await expectVisible(page, 'li.message', 'a thread opened');
        await expectNoViolations(page, `an open thread (${scheme})`);
        await screenshot(page, `view-thread-${scheme}`);

        await openTab(page, 'timetable');
        await page.locator('details.event-add summary').click();
        await expectVisible(page, 'form#event-form', 'the personal event form');
        await expectNoViolations(page, `the timetable with the event form open (${scheme})`);

        // The banners: install hint (a prompt the browser would offer) and data maybe stale.
        await page.evaluate(() => {
          const e = new Event('beforeinstallprompt', { cancelable: true });
          e.prompt = () => Promise.resolve();
          window.dispatchEvent(e);
        });
        await expectVisible(page, '#install-hint', 'the install hint');
        await context.setOffline(true);
        await expectVisible(page, '#stale-banner', 'the stale banner offline');
        await expectNoViolations(page, `the timetable with the install hint and the stale banner (${scheme})`);
        await screenshot(page, `view-banners-${scheme}`);
        await context.setOffline(false);
      } finally {
        await context.close();
      }
    });
  }

  for (const scheme of ['light', 'dark']) {
    test(`the teacher's publishing views have no axe violation (${scheme} scheme) and are screenshotted`, async () => {
      const context = await newPhoneContext(env.browser, `a11y-teacher-${scheme}`);
      try {
        const page = await context.newPage();
        await page.emulateMedia({ colorScheme: scheme });
        await signIn(page, env.server.origin, TEACHER);
        await expectSyncState(page, 'online');
        await expectVisible(page, 'article.session .session-actions button', 'the session actions');
        await expectNoViolations(page, `the teacher's timetable (${scheme})`);
        await screenshot(page, `view-teacher-timetable-${scheme}`, 'article.session .session-actions');
        for (const action of ['cancel', 'move', 'room']) {
          await page.locator(`article.session button[data-action="${action}"]`).first().click();
          await expectVisible(page, `#session-dialog[data-action="${action}"]`, `the ${action} dialog`);
          await expectNoViolations(page, `the ${action} dialog (${scheme})`);
          await screenshot(page, `view-teacher-dialog-${action}-${scheme}`);
          await page.locator('#sd-back').click();
        }
        const forms = [
          ['homework', '#teach-homework'],
          ['announcements', '#teach-announce'],
          ['messages', '#teach-message'],
        ];
        for (const [tab, form] of forms) {
          await openTab(page, tab);
          await expectVisible(page, form, `the teacher's form in ${tab}`);
          await expectNoViolations(page, `the teacher's ${tab} view (${scheme})`);
          await screenshot(page, `view-teacher-${tab}-${scheme}`, form);
        }
      } finally {
        await context.close();
      }
    });
  }

  test('the tab bar is reachable and usable with the keyboard, with a visible focus', async () => {
    const context = await newPhoneContext(env.browser, 'a11y-keyboard');
    try {
      const page = await context.newPage();
      await page.goto(`${env.server.origin}/`);
      await expectVisible(page, 'form#login', 'the login form');
      // Sign in with the keyboard alone.
      await page.focus('#login-user');
      await page.keyboard.type(STUDENT.login);
      await page.keyboard.press('Tab');
      await page.keyboard.type(STUDENT.password);
      await page.keyboard.press('Enter');
      await expectVisible(page, 'main#timetable', 'the timetable after a keyboard sign-in', 20_000);

      for (const [id] of VIEWS.slice(1)) {
        let reached = false;
        for (let i = 0; i < 60 && !reached; i++) {
          await page.keyboard.press('Tab');
          reached = await page.evaluate((t) => document.activeElement?.id === `tab-${t}`, id);
        }
        assert.ok(reached, `expected Tab to reach #tab-${id} within 60 presses` + (await describePage(page)));
        const focus = await page.evaluate(() => {
          const s = getComputedStyle(document.activeElement);
          return { outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow };
        });
        assert.ok(
          (focus.outline !== 'none' && focus.width >= 2) || focus.shadow !== 'none',
          `expected a visible focus indicator on #tab-${id}, got ${JSON.stringify(focus)}`,
        );
        await page.keyboard.press('Enter');
        await expectVisible(page, `main#${id}`, `the ${id} view after Enter on its tab`);
        assert.equal(
          await page.getAttribute(`#tab-${id}`, 'aria-current'),
          'page',
          `expected #tab-${id} to be marked aria-current="page" once chosen`,
        );
      }
    } finally {
      await context.close();
    }
  });
});
