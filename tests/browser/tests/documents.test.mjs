// Course documents (DESIGN §4): the documents view lists the demo library by course; a PDF is
// pinned (its size and the total appear); the trip pack shows its size before downloading,
// then its progress and a report; with the server stopped and no network the pinned PDF opens
// in the app; unpinning frees the space (the browser's HTTP cache may still hold a copy: files
// are immutable, so the server lets it). Homework shows its attachments.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  expectInPage,
  expectServiceWorkerControl,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  openTab,
  screenshot,
  signIn,
  TEACHER,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

/** The demo's course documents (`sync-server/src/demo.rs`). */
const DEMO_DOCUMENTS = 7;
const PDF_ID = 'algo-cm7';
const PDF = `li.document[data-id="${PDF_ID}"]`;

const pinnedTotal = (page) =>
  page.$eval('#storage-pinned-total', (el) => Number(el.dataset.bytes));

/** The size of a file as the server sends it, fetched by the page (with its session). */
const fileSize = (page, sha) =>
  page.evaluate(async (s) => (await (await fetch(`/files/${s}`)).arrayBuffer()).byteLength, sha);

describe('documents', () => {
  const env = useServerAndBrowser('documents');

  test('documents by course, pin, trip pack, the pinned PDF offline with the server stopped, unpin', async () => {
    const context = await newPhoneContext(env.browser, 'documents');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await expectServiceWorkerControl(page);

      // Homework lists its attachments.
      await openTab(page, 'homework');
      await expectVisible(page, 'li.attachment[data-sha256] button.document-open', 'the attachments of the homework');

      await openTab(page, 'documents');
      await expectInPage(
        page,
        `the ${DEMO_DOCUMENTS} demo documents listed`,
        (n) => document.querySelectorAll('main#documents li.document').length === n,
        DEMO_DOCUMENTS,
      );
      const courses = await page.$$eval('section.course', (s) => s.map((c) => c.dataset.subject));
      assert.ok(
        ['Algorithmique', 'Bases de données', 'Réseaux'].every((c) => courses.includes(c)),
        `expected the documents grouped by course, got ${courses}`,
      );
      const title = await page.$eval(`${PDF} .document-title`, (e) => e.textContent);
      assert.equal(title, 'Diapositives CM 7 — tris');
      assert.match(await page.$eval(`${PDF} .document-size`, (e) => e.textContent), /^\d+(,\d)? (o|ko)$/);
      assert.equal(await pinnedTotal(page), 0, 'nothing pinned at first');
      assert.equal(await page.locator('form#publish').count(), 0, 'no publishing form for a student');

      // Pin the PDF: its size and the total appear.
      const sha = await page.$eval(PDF, (e) => e.dataset.sha256);
      const size = await fileSize(page, sha);
      assert.ok(size > 0);
      const cachedFiles = () =>
        page.evaluate(async () => (await (await caches.open('cartable-files')).keys()).length);
      assert.equal(await cachedFiles(), 0, 'a file fetched but not pinned is not kept by the service worker');
      await page.locator(`${PDF} button.document-pin`).click();
      await expectVisible(page, `${PDF} .document-pinned`, 'the pinned size of the PDF');
      await expectInPage(page, 'the pinned total to be the PDF\'s size',
        (n) => Number(document.querySelector('#storage-pinned-total')?.dataset.bytes) === n, size);
      assert.equal(await page.$eval(`${PDF} button.document-pin`, (b) => b.getAttribute('aria-pressed')), 'true');
      await expectVisible(page, '#storage-used', 'the storage the app uses');
      assert.equal(await cachedFiles(), 1);
      await screenshot(page, 'documents-pinned', PDF);

      // The trip pack: its size before anything is downloaded, then progress, then a report.
      await page.selectOption('#trip-days', '14');
      await page.locator('#trip-prepare').click();
      await expectVisible(page, '#trip-size', 'the trip pack\'s size before downloading');
      const planned = await page.$eval('#trip-size', (e) => ({
        bytes: Number(e.dataset.bytes),
        missing: Number(e.dataset.missingBytes),
        text: e.textContent,
      }));
      assert.ok(planned.bytes > size, `expected more than the pinned PDF in the trip pack: ${planned.text}`);
      assert.equal(planned.missing, planned.bytes - size, 'the pinned PDF costs nothing more');
      assert.match(planned.text, /\d+ cours et \d+ devoirs : \d+ fichiers, .*(ko|Mo)/);
      assert.equal(await pinnedTotal(page), size, 'nothing downloaded before the confirmation');
      await screenshot(page, 'documents-trip-size', '#trip');

      // Record every progress state the page shows while it downloads.
      await page.evaluate(() => {
        window.tripSeen = [];
        new MutationObserver(() => {
          const p = document.querySelector('#trip-progress');
          if (p) window.tripSeen.push(`${p.getAttribute('value') ?? p.value}/${p.getAttribute('max') ?? p.max}`);
        }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      });
      await page.locator('#trip-confirm').click();
      await expectVisible(page, '#trip-report', 'the trip pack\'s report', 30_000);
      const seen = await page.evaluate(() => window.tripSeen);
      assert.ok(seen.length > 0, 'expected the progress bar to be shown while downloading');
      const report = await page.$eval('#trip-report', (e) => ({
        files: Number(e.dataset.files),
        failed: Number(e.dataset.failed),
        text: e.textContent,
      }));
      assert.equal(report.failed, 0, report.text);
      assert.match(report.text, /Disponible hors ligne pour les 14 prochains jours/);
      await expectInPage(page, 'the pinned total to include the trip pack',
        (n) => Number(document.querySelector('#storage-pinned-total')?.dataset.bytes) >= n, planned.bytes);
      assert.ok(report.files >= 2, report.text);
      await screenshot(page, 'documents-trip-report', '#trip');

      // No server, no network: the pinned PDF opens in the app.
      await env.server.stop();
      await context.setOffline(true);
      await page.reload();
      await expectVisible(page, 'main#timetable', 'the app offline', 20_000);
      await openTab(page, 'documents');
      await expectVisible(page, `${PDF} .document-pinned`, 'the PDF still pinned offline');
      await page.locator(`${PDF} button.document-open`).click();
      await expectVisible(page, '#viewer-frame', 'the PDF in the viewer, offline');
      const opened = await page.$eval('#viewer', (v) => ({
        src: v.querySelector('#viewer-frame').src,
        mime: v.dataset.mime,
        size: Number(v.dataset.size),
      }));
      assert.ok(opened.src.startsWith('blob:'), `expected the PDF's bytes in a blob: URL, got ${opened.src}`);
      assert.deepEqual([opened.mime, opened.size], ['application/pdf', size]);
      // Those bytes came from the pinned copy that the service worker answers with.
      const pinnedCopy = await page.evaluate(async (s) => {
        const bytes = new Uint8Array(await (await fetch(`/files/${s}`)).arrayBuffer());
        return { head: String.fromCharCode(...bytes.slice(0, 5)), length: bytes.length };
      }, sha);
      assert.deepEqual(pinnedCopy, { head: '%PDF-', length: size });
      await screenshot(page, 'documents-viewer-offline');
      await page.locator('#viewer-close').click();

      // Unpin frees the space: the copy leaves the app's file cache.
      const before = await pinnedTotal(page);
      await page.locator(`${PDF} button.document-pin`).click();
      await expectInPage(page, 'the pinned total to drop by the PDF\'s size',
        (n) => Number(document.querySelector('#storage-pinned-total')?.dataset.bytes) === n, before - size);
      assert.equal(await page.locator(`${PDF} .document-pinned`).count(), 0);
      const stillCached = await page.evaluate(
        async (s) => (await (await caches.open('cartable-files')).match(`/files/${s}`)) !== undefined,
        sha,
      );
      assert.equal(stillCached, false, 'expected the unpinned PDF out of the cartable-files cache');
      await screenshot(page, 'documents-unpinned-offline');
    } finally {
      await context.close();
    }
  });

  test('a teacher publishes a course document from the app; a disguised file is refused', async () => {
    const context = await newPhoneContext(env.browser, 'documents-teacher');
    try {
      const page = await context.newPage();
      await env.server.restart();
      await signIn(page, env.server.origin, TEACHER);
      await expectSyncState(page, 'online');
      await openTab(page, 'documents');
      await expectVisible(page, 'form#publish', 'the publishing form for a teacher');

      const fill = async (name, buffer, title) => {
        await page.setInputFiles('#publish-file', { name, mimeType: 'application/pdf', buffer });
        await page.fill('#publish-title', title);
        await page.fill('#publish-subject', 'Algorithmique');
        await page.fill('#publish-kind', 'corrigé');
        await page.locator('form#publish [type="submit"]').click();
      };
      await fill('piege.pdf', Buffer.from('<html><script>alert(1)</script></html>'), 'Piège');
      await expectInPage(page, 'the refusal of a file that is not what its name says',
        () => /n'est pas accepté/.test(document.querySelector('#publish-status')?.textContent ?? ''));

      const pdf = Buffer.from('%PDF-1.4\n% publié depuis l\'app\n%%EOF\n');
      await fill('corrige-td7.pdf', pdf, 'Corrigé du TD 7');
      await expectInPage(page, 'the confirmation of the publication',
        () => /Document publié/.test(document.querySelector('#publish-status')?.textContent ?? ''), null, 20_000);
      await expectInPage(
        page,
        'the published document listed under its course (through sync)',
        () => [...document.querySelectorAll('section.course[data-subject="Algorithmique"] .document-title')]
          .some((e) => e.textContent === 'Corrigé du TD 7'),
        null,
        20_000,
      );
      await screenshot(page, 'documents-published', 'form#publish');
    } finally {
      await context.close();
    }
  });
});
