// The administration page (issue 7, item 2), on the real server with the demo administrator:
// who may see it, accounts (a guest account), memberships, a roster import with a bad line
// (preview first, nothing imported until confirmed), feeds and tokens with their errors in
// words, axe-core on every screen, screenshots; the student app's link for administrators.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { axeViolations } from '../lib/a11y.mjs';
import {
  STUDENT,
  describePage,
  expectInPage,
  expectServiceWorkerControl,
  expectVisible,
  newPhoneContext,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

export const ADMIN = { login: 'admin', password: 'admin-demo' };

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

/** Signs in through the API from a page of the origin (sets the session cookie). */
export async function apiSignIn(page, origin, account) {
  await page.goto(`${origin}/healthz`);
  const status = await page.evaluate(
    (a) =>
      fetch('/api/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login: a.login, password: a.password }),
      }).then((r) => r.status),
    account,
  );
  assert.equal(status, 200, `expected ${account.login} to sign in through the API`);
}

/** `GET path` as JSON with the page's session. */
async function getJson(page, path) {
  return page.evaluate((p) => fetch(p).then((r) => r.json()), path);
}

/** Opens a screen of the administration page from its navigation. */
export async function openAdminScreen(page, id) {
  await page.locator(`#admin-tab-${id}`).click();
  await expectVisible(page, `main#admin-${id}`, `the ${id} screen of the administration page`);
}

/** The text of a notice once it is done or failed (not while busy). */
async function settledNotice(page, id) {
  await expectInPage(
    page,
    `#${id} to say how the action went`,
    (sel) => ['done', 'failed'].includes(document.querySelector(sel)?.dataset.state),
    `#${id}`,
  );
  return page.locator(`#${id}`).evaluate((e) => ({ state: e.dataset.state, text: e.textContent }));
}

describe('administration page', () => {
  const env = useServerAndBrowser('admin');

  test('only administrators get the screens; others are told why, with a link to the app', async () => {
    const context = await newPhoneContext(env.browser, 'admin-gate');
    try {
      const page = await context.newPage();
      await page.goto(`${env.server.origin}/admin`);
      await expectVisible(page, '#admin-gate[data-gate="signed-out"]', 'the signed-out message');
      assert.equal(await page.locator('#admin-to-app').getAttribute('href'), '/');
      assert.equal(await page.locator('#admin-tab-accounts').count(), 0, 'no screen for nobody');
      await expectNoViolations(page, 'the signed-out message');

      // A student signs in in the app: no link to the administration there, and refused here.
      await signIn(page, env.server.origin, STUDENT);
      await expectServiceWorkerControl(page);
      assert.equal(await page.locator('#open-admin').count(), 0, 'no administration link for a student');
      // The service worker never precached the administration page or its module.
      const cached = await page.evaluate(async () => {
        const urls = [];
        for (const name of await caches.keys()) {
          for (const req of await (await caches.open(name)).keys()) urls.push(req.url);
        }
        return urls;
      });
      assert.ok(cached.length > 5, `expected the shell to be precached, found ${cached.length} entries`);
      assert.deepEqual(cached.filter((u) => u.includes('admin')), [], 'nothing of the admin page is precached');
      await page.goto(`${env.server.origin}/admin`);
      await expectVisible(page, '#admin-gate[data-gate="not-admin"]', 'the not-an-administrator message');
      await screenshot(page, 'admin-not-admin');
    } finally {
      await context.close();
    }
  });

  test('an administrator creates an account, manages a group, imports a roster after a preview, feeds, tokens', async () => {
    const context = await newPhoneContext(env.browser, 'admin-screens');
    try {
      const page = await context.newPage();
      await page.setViewportSize({ width: 1100, height: 900 });
      // The app shows administrators a link to the page.
      await signIn(page, env.server.origin, ADMIN);
      await expectVisible(page, '#open-admin', 'the administration link in the header');
      await page.locator('#open-admin').click();
      await expectVisible(page, 'main#admin-accounts table#accounts-table', 'the accounts list');
      await expectInPage(page, 'the demo student in the list', () =>
        document.querySelector('tr[data-login="lea.martin"]') != null,
      );
      await expectNoViolations(page, 'the accounts screen');
      await screenshot(page, 'admin-accounts');

      // No password given: one is generated and shown once.
      await page.fill('#account-login', 'jury.externe');
      await page.fill('#account-name', 'Jury Externe');
      await page.selectOption('#account-role', 'staff');
      await page.locator('#account-create').click();
      const created = await settledNotice(page, 'account-notice');
      assert.equal(created.state, 'done', `expected the account to be created: ${created.text}`);
      const password = created.text.split('—').pop().trim();
      assert.ok(password.length >= 10, `expected the initial password in "${created.text}"`);
      const row = page.locator('tr[data-login="jury.externe"]');
      await row.waitFor();
      assert.match(await row.innerText(), /Jury Externe\s+Personnel/);
      // The password works (a fresh context signs in with it).
      const other = await env.browser.newContext();
      try {
        const p2 = await other.newPage();
        await apiSignIn(p2, env.server.origin, { login: 'jury.externe', password });
      } finally {
        await other.close();
      }
      // The same login again: refused, said in words.
      await page.fill('#account-login', 'jury.externe');
      await page.fill('#account-name', 'Jury Externe');
      await page.locator('#account-create').click();
      const again = await settledNotice(page, 'account-notice');
      assert.equal(again.state, 'failed');
      assert.match(again.text, /existe déjà/, `expected a sentence about the taken login, got "${again.text}"`);
      assert.doesNotMatch(again.text, /\b409\b/, 'no status code shown');

      // Groups: add the guest to the demo group, then remove them.
      await openAdminScreen(page, 'groups');
      const group = page.locator(`section[data-group="${STUDENT.group}"]`);
      await group.waitFor();
      await group.locator(`#add-${STUDENT.group}`).fill('jury.externe');
      await group.locator('button[type="submit"]').click();
      await group.locator('.group-members li[data-login="jury.externe"]').waitFor();
      await expectNoViolations(page, 'the groups screen');
      await screenshot(page, 'admin-groups');
      await group.locator('.group-members li[data-login="jury.externe"] button').click();
      await expectInPage(page, 'the guest removed from the group', (g) =>
        document.querySelector(`section[data-group="${g}"] .group-members li[data-login="jury.externe"]`) == null,
        STUDENT.group,
      );
      // An unknown person: refused in words.
      await group.locator(`#add-${STUDENT.group}`).fill('personne.inconnue');
      await group.locator('button[type="submit"]').click();
      const unknown = await settledNotice(page, 'groups-notice');
      assert.equal(unknown.state, 'failed', `expected the unknown login to be refused: ${unknown.text}`);

      // Roster: a file with a bad line. The preview reports it and writes nothing.
      await openAdminScreen(page, 'roster');
      const csv =
        'login,display_name,role,groups\n' +
        `noa.petit,Noa Petit,student,${STUDENT.group}\n` +
        'sans.role,Sans Role,magicien,\n';
      await page.setInputFiles('#roster-file', { name: 'eleves.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.locator('#roster-preview').click();
      await expectVisible(page, '#roster-report[data-state="preview"]', 'the preview report');
      const error = page.locator('#roster-errors li[data-line="3"]');
      await error.waitFor();
      assert.match(await error.innerText(), /Ligne 3/);
      assert.equal(await page.locator('#roster-accounts tr[data-login="noa.petit"]').count(), 1);
      let logins = (await getJson(page, '/api/admin/accounts')).accounts.map((a) => a.login);
      assert.ok(!logins.includes('noa.petit'), 'a preview imports nothing');
      await expectNoViolations(page, 'the roster preview with its refused line');
      await screenshot(page, 'admin-roster-preview');

      // Confirmed without "import the valid lines": refused as a whole, nothing imported.
      await page.locator('#roster-import').click();
      await expectVisible(page, '#roster-report[data-state="refused"]', 'the import refused because of line 3');
      logins = (await getJson(page, '/api/admin/accounts')).accounts.map((a) => a.login);
      assert.ok(!logins.includes('noa.petit'), 'a refused import imports nothing');

      // Preview again, then import the valid lines: the account exists, its password shown once.
      await page.locator('#roster-preview').click();
      await expectVisible(page, '#roster-report[data-state="preview"]', 'the preview again');
      await page.check('#roster-skip-invalid');
      await page.locator('#roster-import').click();
      await expectVisible(page, '#roster-report[data-state="imported"]', 'the import report');
      const secret = await page.locator('#roster-accounts tr[data-login="noa.petit"] td.secret').innerText();
      assert.ok(secret.trim().length >= 10, `expected an initial password, got "${secret}"`);
      logins = (await getJson(page, '/api/admin/accounts')).accounts.map((a) => a.login);
      assert.ok(logins.includes('noa.petit') && !logins.includes('sans.role'), `imported: ${logins}`);
      await screenshot(page, 'admin-roster-imported');

      // Feeds: an internal address is refused, and the page says so in words.
      await openAdminScreen(page, 'feeds');
      await expectVisible(page, `#feed-group option[value="${STUDENT.group}"]`, 'the groups to choose from', 15_000).catch(() => {});
      await page.fill('#feed-url', 'http://127.0.0.1:9/edt.ics');
      await page.locator('#feed-form button[type="submit"]').click();
      const refused = await settledNotice(page, 'feeds-notice');
      assert.equal(refused.state, 'failed', `expected a loopback feed to be refused: ${refused.text}`);
      assert.match(refused.text, /refusé/);
      await expectNoViolations(page, 'the feeds screen with its error');
      await screenshot(page, 'admin-feeds');

      // Tokens: create one (secret shown once), then revoke it.
      await openAdminScreen(page, 'tokens');
      await page.fill('#token-name', 'SIS');
      await page.check('#scope-accounts-read');
      await page.locator('#token-form button[type="submit"]').click();
      await expectVisible(page, '#token-secret', 'the token secret');
      const tokenSecret = await page.inputValue('#token-secret');
      assert.ok(tokenSecret.length >= 20, `expected a secret, got "${tokenSecret}"`);
      const status = await page.evaluate(
        (s) => fetch('/api/v1/accounts', { headers: { Authorization: `Bearer ${s}` }, credentials: 'omit' }).then((r) => r.status),
        tokenSecret,
      );
      assert.equal(status, 200, 'the token works');
      await expectNoViolations(page, 'the tokens screen');
      await screenshot(page, 'admin-tokens');
      await page.locator('#tokens-list li button.token-revoke').click();
      await expectVisible(page, '#admin-tokens p.empty', 'no token left');
      const after = await page.evaluate(
        (s) => fetch('/api/v1/accounts', { headers: { Authorization: `Bearer ${s}` }, credentials: 'omit' }).then((r) => r.status),
        tokenSecret,
      );
      assert.equal(after, 401, 'a revoked token is refused');

      // English too.
      await page.selectOption('#lang-select', 'en');
      await expectInPage(page, 'the page in English', () =>
        document.documentElement.lang === 'en' && document.querySelector('#admin-tab-accounts')?.textContent === 'Accounts',
      );
    } finally {
      await context.close();
    }
  });
});
