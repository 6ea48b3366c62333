/*
 * Cartable service worker (DESIGN §7). Hand-written, no dependencies.
 *
 * The build (`cargo xtask build`) stamps BUILD_ID with the build id and PRECACHE with a
 * JSON array of the app shell's URLs (index.html, the hashed /assets/* files, the
 * manifest and its icons). A new build id means a new version of the app.
 *
 * - STAFF_EXTRA lists the publishing module's files (the staff's publishing views, which the
 *   app imports only for teachers, staff and admins): not precached, so that students never
 *   download them. Fetched through the worker they are cached like any hashed asset (so a
 *   teacher's publishing views work offline after one online visit), and at install a device
 *   whose previous version's cache holds them gets the new version's too.
 * - install: precaches the shell in the cache `cartable-shell-<build id>`. An update downloads
 *   only what changed: a /assets/* name is the hash of its content, so a file the previous
 *   version's cache already holds under the same name is copied from there (the engine module,
 *   most of the download, changes far less often than the UI). The rest is fetched bypassing
 *   the HTTP cache. A failed install leaves no half-filled cache behind. It does not call
 *   skipWaiting(): a new version waits until the app asks for it (the app shows "a new
 *   version is ready" and posts {type: "skip_waiting"}), so an open app never runs against
 *   files of another version. The very first install has nothing to wait for.
 * - activate: deletes the other `cartable-shell-*` caches and claims the open pages (so the
 *   first visit is served offline-ready without a reload).
 * - fetch: never touches /api/, /sync, non-GET requests or other origins (the network
 *   answers them as usual). Navigations are network-first with a short timeout and fall back
 *   to the cached /index.html when offline or when the server is down. /assets/* (immutable,
 *   hashed names) and the other precached URLs are cache-first.
 * - /admin (the administration page, used at a desk, online) is left to the network: it is not
 *   precached and never answered with the students' shell; its hashed /assets/* files are
 *   cached on first use like any asset, and dropped with the shell cache of the version.
 * - message {type: "skip_waiting"}: activates the waiting version; the app reloads when
 *   its controller changes.
 * - /files/<sha256> (course documents, attachments): answered from the cache
 *   `cartable-files` when the user pinned the file (cache-first: a file's URL names its
 *   content, it never changes), else from the network. The service worker never puts a file
 *   in that cache itself: only the app does, when the user pins it (or downloads a trip pack),
 *   and it deletes them at sign-out. activate leaves that cache alone.
 * - push: the payload is the JSON of docs/protocol.md §7 (`shared::notify::PushPayload` plus
 *   `texts` by language). Shows it in the app's language (which the app keeps in the cache
 *   `cartable-prefs` under `/lang`; a later message with the same tag replaces the earlier one)
 *   and records it in the IndexedDB database `cartable-notifications` (store `events`), which
 *   the app lists in its settings: the change is known even when the app next opens offline.
 * - notificationclick: focuses an open window of the app and takes it to the notification's
 *   deep link (`/?view=week&session=<id>`…), or opens a new window there.
 */

const BUILD_ID = '{{BUILD_ID}}';
const PRECACHE = {{PRECACHE}};
const STAFF_EXTRA = {{STAFF_EXTRA}};
const CACHE_PREFIX = 'cartable-shell-';
const CACHE = CACHE_PREFIX + BUILD_ID;
const NAVIGATION_TIMEOUT_MS = 4000;
const FILES_CACHE = 'cartable-files';

/** The caches of other versions (an update's previous version; older ones if an update failed). */
async function otherVersions() {
  const names = (await caches.keys()).filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE);
  return Promise.all(names.map((n) => caches.open(n)));
}

/** The response an older version's cache holds for `url`, if `url` names immutable content. */
async function fromOtherVersions(others, url) {
  if (!url.startsWith('/assets/')) return undefined;
  for (const cache of others) {
    const hit = await cache.match(url);
    if (hit) return hit;
  }
  return undefined;
}

/** Puts `url` in `cache`: copied from an older version when it has it, else downloaded. */
async function install(cache, others, url) {
  const kept = await fromOtherVersions(others, url);
  if (kept) return cache.put(url, kept);
  const response = await fetch(new Request(url, { cache: 'reload' }));
  if (!response.ok) throw new Error(`precaching ${url}: HTTP ${response.status}`);
  return cache.put(url, response);
}

/** Whether an older version's cache holds the publishing module (a staff device). */
async function usedPublishing(others) {
  for (const cache of others) {
    const requests = await cache.keys();
    if (requests.some((r) => new URL(r.url).pathname.startsWith('/assets/publish-boot-'))) return true;
  }
  return false;
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      // A new sw.js always has a new build id (its template is part of it), so the cache is
      // normally new; never delete one that an installed version already uses.
      const existed = await caches.has(CACHE);
      const cache = await caches.open(CACHE);
      const others = await otherVersions();
      try {
        await Promise.all(PRECACHE.map((url) => install(cache, others, url)));
      } catch (err) {
        if (!existed) await caches.delete(CACHE);
        throw err;
      }
      if (await usedPublishing(others)) {
        // Best effort: the views load from the network later if this fails.
        await Promise.all(STAFF_EXTRA.map((url) => install(cache, others, url))).catch(() => {});
      }
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip_waiting') {
    self.skipWaiting();
  }
});

function bypass(request, url) {
  return (
    request.method !== 'GET' ||
    url.origin !== self.location.origin ||
    url.pathname.startsWith('/api/') ||
    url.pathname === '/sync' ||
    url.pathname === '/admin' ||
    url.pathname.startsWith('/sync/')
  );
}

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  return cache.match(request, { ignoreSearch: false });
}

async function shell() {
  const cache = await caches.open(CACHE);
  return (await cache.match('/index.html')) || (await cache.match('/'));
}

/** Network first (bounded by a timeout), the cached shell when there is no answer. */
async function navigate(request) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), NAVIGATION_TIMEOUT_MS);
  try {
    const response = await fetch(request, { signal: controller.signal });
    if (response.ok || response.status < 500) return response;
    return (await shell()) || response;
  } catch (err) {
    const cached = await shell();
    if (cached) return cached;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** A pinned file from its cache, else the network (and nothing is cached here). */
async function pinnedFile(request) {
  const cache = await caches.open(FILES_CACHE);
  const pinned = await cache.match(request.url, { ignoreVary: true });
  return pinned || fetch(request);
}

/** Cache first; a miss goes to the network and, for immutable assets, fills the cache. */
async function cacheFirst(request, url) {
  const cached = await fromCache(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && url.pathname.startsWith('/assets/')) {
    const cache = await caches.open(CACHE);
    cache.put(request, response.clone());
  }
  return response;
}

const PRECACHED = new Set(PRECACHE.map((u) => new URL(u, self.location.origin).pathname));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (bypass(request, url)) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
  } else if (url.pathname.startsWith('/files/')) {
    event.respondWith(pinnedFile(request));
  } else if (url.pathname.startsWith('/assets/') || PRECACHED.has(url.pathname)) {
    event.respondWith(cacheFirst(request, url));
  }
});

const NOTIFICATIONS_DB = 'cartable-notifications';
const PREFS_CACHE = 'cartable-prefs';
const EVENTS = 'events';
const RECENT_KEPT = 50;

/** The app's language, as the app last stored it (cache `cartable-prefs`, key `/lang`). */
async function appLanguage() {
  try {
    const cache = await caches.open(PREFS_CACHE);
    const answer = await cache.match('/lang');
    if (answer) return await answer.text();
  } catch (err) {
    // No stored choice: the browser's language.
  }
  return (self.navigator.language || 'fr').slice(0, 2).toLowerCase();
}

/**
 * The push payload (docs/protocol.md §7) in the app's language; a message that is not our JSON
 * still shows something.
 */
function readPayload(data, lang) {
  let p = null;
  try {
    p = data ? data.json() : null;
  } catch (err) {
    p = { title: data ? data.text() : '' };
  }
  p = p && typeof p === 'object' ? p : {};
  const texts = (p.texts && typeof p.texts === 'object' && p.texts[lang]) || {};
  const url = typeof p.url === 'string' && p.url.startsWith('/') && !p.url.startsWith('//') ? p.url : '/';
  return {
    category: String(p.category || 'unknown'),
    title: String(texts.title || p.title || 'Cartable'),
    body: String(texts.body || p.body || ''),
    tag: String(p.tag || ''),
    url,
    at_ms: Number.isInteger(p.at_ms) ? p.at_ms : Date.now(),
  };
}

function openNotifications() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(NOTIFICATIONS_DB, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(EVENTS)) {
        request.result.createObjectStore(EVENTS, { autoIncrement: true });
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Appends the notification to the recorded ones, keeping the last RECENT_KEPT. */
async function record(payload) {
  const db = await openNotifications();
  try {
    await new Promise((resolve, reject) => {
      const tx = db.transaction(EVENTS, 'readwrite');
      const store = tx.objectStore(EVENTS);
      store.add(payload);
      const keys = store.getAllKeys();
      keys.onsuccess = () => {
        const extra = keys.result.length - RECENT_KEPT;
        for (let i = 0; i < extra; i++) store.delete(keys.result[i]);
      };
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Shows a push message and records it. */
async function showPush(data) {
  const payload = readPayload(data, await appLanguage());
  const icon = PRECACHE.find((u) => u.includes('/icon-192-')) || undefined;
  const options = { body: payload.body, icon, badge: icon, data: { url: payload.url } };
  if (payload.tag) {
    options.tag = payload.tag;
    options.renotify = true;
  }
  await Promise.all([
    self.registration.showNotification(payload.title, options),
    record(payload).catch((err) => console.warn('cannot record the notification', err)),
  ]);
}

self.addEventListener('push', (event) => {
  event.waitUntil(showPush(event.data));
});

/**
 * Takes the user to the notification's deep link: an open window of the app is focused and
 * navigated there, else a new window opens. Its own function so that a test can call it.
 */
async function openFromNotification(notification) {
  notification.close();
  const data = notification.data || {};
  const url = new URL(typeof data.url === 'string' ? data.url : '/', self.location.origin);
  if (url.origin !== self.location.origin) return;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows.find((c) => new URL(c.url).origin === url.origin);
  if (client) {
    try {
      await client.focus();
    } catch (err) {
      // Focusing needs the tap's user activation; navigating does not.
    }
    try {
      // navigate() works only on a window this worker controls; otherwise open a new one.
      await client.navigate(url.href);
      return;
    } catch (err) {
      console.warn('cannot navigate the open window', err);
    }
  }
  await self.clients.openWindow(url.href);
}

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(openFromNotification(event.notification));
});
