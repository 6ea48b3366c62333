// The server serves the dist/ that `cargo xtask build` writes as the contract says
// (docs/architecture.md): the pre-compressed siblings byte for byte, immutable hashed assets,
// revalidated pages, and types a browser accepts (wasm streaming compilation needs
// application/wasm). Plain HTTP, no browser.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { CartableServer } from '../lib/server.mjs';

const REQUEST_TIMEOUT_MS = 10_000;

/** GET `url` with `accept-encoding` as given; resolves to status, headers and raw body bytes. */
function get(url, acceptEncoding) {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {};
    const req = http.get(url, { headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
  });
}

describe('static serving of dist/', () => {
  let server;
  const dist = process.env.CARTABLE_DIST;
  before(async () => {
    server = await CartableServer.start('serving');
  });
  after(async () => {
    await server?.dispose();
  });

  /** The build's files by kind, from dist/build.json. */
  function built() {
    const manifest = JSON.parse(readFileSync(path.join(dist, 'build.json'), 'utf8'));
    const find = (re) => {
      const hit = manifest.assets.find((a) => re.test(a.path));
      assert.ok(hit, `expected dist/build.json to list a file matching ${re}`);
      return hit.path;
    };
    return {
      uiWasm: find(/^assets\/ui_bg-[0-9a-f]{10}\.wasm$/),
      uiJs: find(/^assets\/ui-[0-9a-f]{10}\.js$/),
      css: find(/^assets\/app-[0-9a-f]{10}\.css$/),
      icon: find(/^assets\/icon-192-[0-9a-f]{10}\.png$/),
    };
  }

  test('each encoding the client accepts is served from its pre-compressed file, byte for byte', async () => {
    const files = built();
    const cases = [
      ['/', 'index.html'],
      ['/sw.js', 'sw.js'],
      ['/manifest.webmanifest', 'manifest.webmanifest'],
      [`/${files.uiWasm}`, files.uiWasm],
      [`/${files.uiJs}`, files.uiJs],
      [`/${files.css}`, files.css],
    ];
    for (const [url, file] of cases) {
      for (const [accept, suffix, encoding] of [
        ['br', '.br', 'br'],
        ['gzip', '.gz', 'gzip'],
        [null, '', undefined],
      ]) {
        const res = await get(`${server.origin}${url}`, accept);
        assert.equal(res.status, 200, `expected GET ${url} (accept-encoding: ${accept ?? 'none'}) to be 200, got ${res.status}`);
        assert.equal(
          res.headers['content-encoding'],
          encoding,
          `expected GET ${url} with accept-encoding ${accept ?? 'none'} to be served with content-encoding ${encoding ?? 'none'}`,
        );
        const expected = readFileSync(path.join(dist, file + suffix));
        assert.ok(
          res.body.equals(expected),
          `expected GET ${url} (accept-encoding: ${accept ?? 'none'}) to be dist/${file}${suffix} byte for byte ` +
            `(${res.body.length} bytes served, ${expected.length} on disk)`,
        );
      }
    }
  });

  test('hashed assets are immutable, pages and the service worker are revalidated', async () => {
    const files = built();
    for (const file of Object.values(files)) {
      const res = await get(`${server.origin}/${file}`, 'br');
      assert.match(
        res.headers['cache-control'] ?? '',
        /immutable/,
        `expected /${file} to be served with Cache-Control immutable, got "${res.headers['cache-control']}"`,
      );
    }
    for (const url of ['/', '/index.html', '/sw.js', '/manifest.webmanifest']) {
      const res = await get(`${server.origin}${url}`, 'br');
      assert.equal(res.status, 200, `expected GET ${url} to be 200, got ${res.status}`);
      assert.equal(
        res.headers['cache-control'],
        'no-cache',
        `expected ${url} to be served with Cache-Control no-cache (so an update is seen), got "${res.headers['cache-control']}"`,
      );
    }
    const missing = await get(`${server.origin}/assets/ui_bg-0000000000.wasm`, 'br');
    assert.equal(missing.status, 404, `expected an unknown asset to be 404 (never the index page), got ${missing.status}`);
  });

  test('content types let the browser run what it loads', async () => {
    const files = built();
    const expectType = async (url, re) => {
      const res = await get(`${server.origin}${url}`, 'br');
      assert.match(res.headers['content-type'] ?? '', re, `expected ${url} to be served as ${re}, got "${res.headers['content-type']}"`);
    };
    await expectType(`/${files.uiWasm}`, /^application\/wasm/);
    await expectType(`/${files.uiJs}`, /^(text|application)\/javascript/);
    await expectType('/sw.js', /^(text|application)\/javascript/);
    await expectType(`/${files.css}`, /^text\/css/);
    await expectType('/', /^text\/html/);
    await expectType(`/${files.icon}`, /^image\/png/);
  });
});
