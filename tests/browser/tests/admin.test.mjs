// The administration page (issue 7, item 2), on the real server with the demo administrator:
// who may see it (nobody, a student: a sentence and a link; nothing of it precached), accounts
// (generated password, a guest account's end date, deletion after a confirmation), memberships,
// a roster import with a bad line (preview first, nothing imported until confirmed), feeds and
// tokens with their errors in words, the block period as a student sees it (offline too) and
// lifted, a student's data download (JSON and calendar), the year rollover (asked first, last
// because it empties the demo groups); axe-core on every screen, screenshots.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

import { axeViolations } from '../lib/a11y.mjs';
import {
  STUDENT,
  describePage,
  expectInPage,
  expectServiceWorkerControl,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  openTab,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser, useServerBrowserAndFeed } from '../lib/fixture.mjs';
import { openSettings } from '../lib/settings.mjs';

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

/** The desk-sized viewport of the administration page's tests. */
const DESK_VIEWPORT = { width: 1100, height: 900 };

/** A desk-sized page of `context`, signed in as the administrator, on `/admin#<screen>`. */
async function adminPage(context, origin, screen) {
  const page = await context.newPage();
  await page.setViewportSize(DESK_VIEWPORT);
  await apiSignIn(page, origin, ADMIN);
  await page.goto(`${origin}/admin#${screen}`);
  return page;
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
      await page.setViewportSize(DESK_VIEWPORT);
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
      assert.match(again.text, /existe déjà.*l’identifiant jury\.externe est déjà pris/, `expected a sentence about the taken login, got "${again.text}"`);
      assert.doesNotMatch(again.text, /\b409\b|taken/, 'no status code and no English shown');

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
      assert.match(await error.innerText(), /Ligne 3 \(role\) : rôle « magicien » inconnu/, 'the refusal said in French');
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
      await page.locator(`#feed-group option[value="${STUDENT.group}"]`).waitFor({ state: 'attached' });
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
      // Revoking asks first, naming the token; cancelling keeps it.
      await page.locator('#tokens-list li button.token-revoke').click();
      await expectVisible(page, '#revoke-confirm', 'the revocation question');
      assert.match(await page.locator('#revoke-confirm-text').innerText(), /« SIS »/);
      await expectInPage(page, 'the focus on the confirmation', () => document.activeElement?.id === 'revoke-yes');
      await expectNoViolations(page, 'the revocation question');
      await page.locator('#revoke-confirm button:not(#revoke-yes)').click();
      assert.equal(await page.locator('#revoke-confirm').count(), 0, 'the question closed');
      const kept = await page.evaluate(
        (s) => fetch('/api/v1/accounts', { headers: { Authorization: `Bearer ${s}` }, credentials: 'omit' }).then((r) => r.status),
        tokenSecret,
      );
      assert.equal(kept, 200, 'a cancelled revocation keeps the token');
      await page.locator('#tokens-list li button.token-revoke').click();
      await page.locator('#revoke-yes').click();
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
  test('every screen of the administration page has no axe violation in the dark scheme, in English', async () => {
    const context = await newPhoneContext(env.browser, 'admin-dark');
    try {
      const page = await context.newPage();
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.setViewportSize(DESK_VIEWPORT);
      await apiSignIn(page, env.server.origin, ADMIN);
      await page.evaluate(() => localStorage.setItem('cartable.lang', 'en'));
      await page.goto(`${env.server.origin}/admin`);
      await expectVisible(page, 'main#admin-accounts table#accounts-table', 'the accounts list');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
      assert.equal(await page.locator('#admin-tab-accounts').innerText(), 'Accounts');
      for (const id of ['accounts', 'groups', 'roster', 'feeds', 'tokens', 'block', 'rollover']) {
        await openAdminScreen(page, id);
        await expectInPage(page, `the ${id} screen loaded`, () => document.querySelector('[aria-busy="true"]') == null);
        await expectNoViolations(page, `the ${id} screen (dark, English)`);
        await screenshot(page, `admin-${id}-dark-en`);
      }
    } finally {
      await context.close();
    }
  });

  test('a guest account shows its end date; an account is deleted after a confirmation that says what goes', async () => {
    const context = await newPhoneContext(env.browser, 'admin-guest');
    try {
      const page = await adminPage(context, env.server.origin, 'accounts');
      await expectVisible(page, 'main#admin-accounts table#accounts-table', 'the accounts list');
      await page.fill('#account-login', 'examinateur.invite');
      await page.fill('#account-name', 'Examinateur Invité');
      await page.selectOption('#account-role', 'staff');
      await page.fill('#account-expires', '2099-06-30');
      await page.locator('#account-create').click();
      const created = await settledNotice(page, 'account-notice');
      assert.equal(created.state, 'done', `expected the guest account to be created: ${created.text}`);
      const row = page.locator('tr[data-login="examinateur.invite"]');
      await row.waitFor();
      assert.match(await row.innerText(), /30 juin 2099/, 'the end date of the guest account is listed');
      assert.equal(await row.locator('[data-expired]').getAttribute('data-expired'), 'false');
      const listed = (await getJson(page, '/api/admin/accounts')).accounts.find((a) => a.login === 'examinateur.invite');
      // Access lasts through 30 June: it ends at midnight, on the page's (Paris) clock.
      const midnight = await page.evaluate(() => new Date(2099, 6, 1).getTime());
      assert.equal(
        listed.expires_at_ms,
        midnight,
        `expected access to end as 1 July 2099 begins, got ${new Date(listed.expires_at_ms).toISOString()}`,
      );

      // Deleting: the confirmation names the account and says what goes; cancel keeps it.
      await row.locator('button.account-delete').click();
      await expectVisible(page, '#delete-confirm', 'the deletion confirmation');
      const question = await page.locator('#delete-confirm-text').innerText();
      assert.match(question, /Examinateur Invité \(examinateur\.invite\)/);
      assert.match(question, /sessions/);
      assert.match(question, /définitif/);
      await expectNoViolations(page, 'the accounts screen with the deletion confirmation');
      await screenshot(page, 'admin-delete-confirm', '#delete-confirm');
      await page.locator('#delete-confirm button:not(#delete-yes)').click();
      assert.equal(await page.locator('#delete-confirm').count(), 0);
      assert.equal(await row.count(), 1, 'cancel deletes nothing');
      await row.locator('button.account-delete').click();
      await page.locator('#delete-yes').click();
      const deleted = await settledNotice(page, 'account-notice');
      assert.equal(deleted.state, 'done', `expected the account to be deleted: ${deleted.text}`);
      assert.match(deleted.text, /Compte supprimé/);
      await expectInPage(page, 'the deleted account gone from the list', () =>
        document.querySelector('tr[data-login="examinateur.invite"]') == null,
      );
      // Oneself: refused, in words.
      await page.locator('tr[data-login="admin"] button.account-delete').click();
      await page.locator('#delete-yes').click();
      const self = await settledNotice(page, 'account-notice');
      assert.equal(self.state, 'failed', `expected deleting oneself to be refused: ${self.text}`);
    } finally {
      await context.close();
    }
  });

  test('a block period shows students its message instead of the content, offline too; lifting it brings the content back', async () => {
    const student = await newPhoneContext(env.browser, 'admin-block-student');
    const admin = await newPhoneContext(env.browser, 'admin-block-admin');
    try {
      const sp = await student.newPage();
      await signIn(sp, env.server.origin, STUDENT);
      await expectServiceWorkerControl(sp);
      await expectVisible(sp, 'main#timetable article.session', 'the student\'s timetable');

      const ap = await adminPage(admin, env.server.origin, 'block');
      await expectVisible(ap, '#block-state[data-blocked="false"]', 'no block period at first');
      const message = 'Cartable rouvre à la rentrée : bonnes vacances !';
      await ap.fill('#block-message', message);
      await ap.fill('#block-until', '2099-09-01');
      await ap.locator('#block-set').click();
      await expectVisible(ap, '#block-state[data-blocked="true"]', 'the block period set');
      assert.equal(await ap.locator('#block-current-message').innerText(), message);
      assert.match(await ap.locator('#block-current-until').innerText(), /1 sept\. 2099/);
      await expectNoViolations(ap, 'the block period screen');
      await screenshot(ap, 'admin-block');

      // The student's app, left open (no reload), shows the message instead of the views: the
      // server's Blocked frame on the open connection makes it read GET /api/me at once.
      await expectVisible(sp, 'main#blocked', 'the block period screen for the student, live', 15_000);
      assert.equal(await sp.locator('#blocked-message').innerText(), message);
      assert.match(await sp.locator('#blocked-until').innerText(), /1er septembre/);
      assert.equal(await sp.locator('main#timetable').count(), 0, 'no timetable while blocked');
      await expectNoViolations(sp, 'the student\'s block period screen');
      await screenshot(sp, 'view-blocked');
      // Offline, the device remembers it (meta/me).
      await student.setOffline(true);
      await sp.reload();
      await expectVisible(sp, 'main#blocked', 'the block period screen offline');
      assert.equal(await sp.locator('main#timetable').count(), 0);

      // Lifted while the device is offline: back online, the page (not reloaded) asks the
      // server again, shows the timetable and the engine reconnects.
      await ap.locator('#block-clear').click();
      await expectVisible(ap, '#block-state[data-blocked="false"]', 'the block period lifted');
      await student.setOffline(false);
      await expectVisible(sp, 'main#timetable article.session', 'the timetable back after the block period', 20_000);
      assert.equal(await sp.locator('main#blocked').count(), 0, 'no block screen once lifted');
      await expectSyncState(sp, 'online');
    } finally {
      await student.setOffline(false).catch(() => {});
      await student.close();
      // Whatever failed above, the next tests need the content open.
      const page = await admin.newPage();
      await apiSignIn(page, env.server.origin, ADMIN).catch(() => {});
      await page.evaluate(() => fetch('/api/admin/block', { method: 'DELETE' })).catch(() => {});
      await admin.close();
    }
  });

  test('a student downloads their data as JSON and their calendar from the settings', async () => {
    const context = await newPhoneContext(env.browser, 'admin-export');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin, STUDENT);
      await openSettings(page);
      await expectVisible(page, '#settings-data #download-data', 'the download my data link');
      const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#download-data').click()]);
      assert.equal(json.suggestedFilename(), `cartable-${STUDENT.login}.json`);
      const data = JSON.parse(await readFile(await json.path(), 'utf8'));
      assert.equal(data.account.login, STUDENT.login);
      assert.equal(data.account.display_name, 'Léa Martin');
      assert.ok(data.groups.includes(STUDENT.group), `expected the groups in the export: ${data.groups}`);
      const [ics] = await Promise.all([page.waitForEvent('download'), page.locator('#download-calendar').click()]);
      const calendar = await readFile(await ics.path(), 'utf8');
      assert.match(calendar, /^BEGIN:VCALENDAR/);
      assert.match(calendar, /BEGIN:VEVENT/);
      await screenshot(page, 'view-settings-data', '#settings-data');
      await openTab(page, 'timetable');
    } finally {
      await context.close();
    }
  });

  test('the year rollover asks first, saying what happens, then archives each group (last: it empties the demo groups)', async () => {
    const context = await newPhoneContext(env.browser, 'admin-rollover');
    try {
      const page = await adminPage(context, env.server.origin, 'rollover');
      await expectVisible(page, 'main#admin-rollover #rollover-form', 'the rollover screen');
      await expectVisible(page, '#admin-rollover p.empty', 'no archive yet');
      await page.fill('#rollover-label', '2025-2026');
      await page.locator('#rollover-start').click();
      await expectVisible(page, '#rollover-confirm', 'the rollover confirmation');
      assert.match(await page.locator('#rollover-confirm-text').innerText(), /archivés/);
      assert.deepEqual((await getJson(page, '/api/admin/archives')).archives, [], 'nothing done before confirming');
      await expectNoViolations(page, 'the rollover screen with its confirmation');
      await screenshot(page, 'admin-rollover-confirm');
      await page.locator('#rollover-yes').click();
      await expectVisible(page, `#rollover-report li[data-group="${STUDENT.group}"]`, 'the report of the demo group');
      assert.match(await page.locator(`#rollover-report li[data-group="${STUDENT.group}"]`).innerText(), /élèves retirés/);
      const link = page.locator('#archives-list li[data-label="2025-2026"] a');
      await link.waitFor();
      const archive = await getJson(page, await link.getAttribute('href'));
      assert.equal(archive.label, '2025-2026');
      assert.ok(archive.groups.some((g) => g.group === STUDENT.group), 'the demo group is archived');
      // The same label again: refused, in words.
      await page.fill('#rollover-label', '2025-2026');
      await page.locator('#rollover-start').click();
      await page.locator('#rollover-yes').click();
      const again = await settledNotice(page, 'rollover-notice');
      assert.equal(again.state, 'failed', `expected a second rollover with the same label to be refused: ${again.text}`);
      assert.match(again.text, /existe déjà/);
    } finally {
      await context.close();
    }
  });
});

const ICS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'ics');

describe('administration page: calendar feeds', () => {
  // A feed on loopback whose content the test switches (a file of the corpus).
  let served = 'feed_v1.ics';
  const env = useServerBrowserAndFeed('admin-feeds', async () => ({
    type: served.endsWith('.ics') ? 'text/calendar' : 'text/html',
    body: await readFile(path.join(ICS_DIR, served)),
  }));

  test('a feed is registered, fetched on demand with what changed, keeps its sessions when broken, and is deleted', async () => {
    const context = await newPhoneContext(env.browser, 'admin-feeds');
    try {
      const page = await adminPage(context, env.server.origin, 'feeds');
      await expectVisible(page, '#admin-feeds p.empty', 'no feed at first');
      await page.locator(`#feed-group option[value="${STUDENT.group}"]`).waitFor({ state: 'attached' });
      await page.selectOption('#feed-group', STUDENT.group);
      await page.fill('#feed-url', `${env.origin}/edt.ics`);
      await page.locator('#feed-form button[type="submit"]').click();
      const card = page.locator('#feeds-list section[data-feed]');
      await card.waitFor();
      assert.match(await card.innerText(), /jamais/, 'not fetched yet');

      await card.locator('button.feed-refresh').click();
      const fetched = await settledNotice(page, 'feeds-notice');
      assert.equal(fetched.state, 'done', `expected the fetch to succeed: ${fetched.text}`);
      assert.match(fetched.text, /3 ajoutées/, 'the three sessions of the feed are added');
      await expectInPage(page, 'the card to show 3 sessions and a last success', () =>
        /3 séances/.test(document.querySelector('#feeds-list section[data-feed]')?.innerText ?? '') &&
        !/jamais/.test(document.querySelector('#feeds-list section[data-feed]')?.innerText ?? ''),
      );

      // The feed breaks (a maintenance page): the error is shown, the sessions are kept.
      served = 'broken.ics';
      await card.locator('button.feed-refresh').click();
      const broken = await settledNotice(page, 'feeds-notice');
      assert.match(broken.text, /Dernière erreur/, `expected the error in words: ${broken.text}`);
      await expectVisible(page, '#feeds-list section[data-feed][data-error="true"] .feed-error', 'the error on the card');
      assert.match(await card.innerText(), /3 séances/, 'the last good import is kept');
      await expectNoViolations(page, 'the feeds screen with a broken feed');
      await screenshot(page, 'admin-feeds-error');

      // Deleting asks first, naming the feed; cancelling keeps it.
      await card.locator('button.feed-delete').click();
      await expectVisible(page, '#feed-delete-confirm', 'the deletion question');
      assert.ok((await page.locator('#feed-delete-confirm-text').innerText()).includes(`${env.origin}/edt.ics`));
      await expectInPage(page, 'the focus on the confirmation', () => document.activeElement?.id === 'feed-delete-yes');
      await expectNoViolations(page, 'the feed deletion question');
      await page.locator('#feed-delete-confirm button:not(#feed-delete-yes)').click();
      assert.equal(await page.locator('#feed-delete-confirm').count(), 0, 'the question closed');
      assert.equal((await getJson(page, '/api/admin/feeds')).feeds.length, 1, 'a cancelled deletion keeps the feed');
      await card.locator('button.feed-delete').click();
      await page.locator('#feed-delete-yes').click();
      await expectVisible(page, '#admin-feeds p.empty', 'no feed after deleting it');
    } finally {
      await context.close();
    }
  });
});
