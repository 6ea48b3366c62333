// What must start before the UI module: the start-up read of IndexedDB, and catching the
// install prompt (at the end).
//
// The read of IndexedDB: a classic script at the top of index.html's <head> (before the
// stylesheet, which would hold it back), so that the read, slow in a freshly started browser,
// runs while the page and the UI wasm load instead of after them (`cargo xtask bench app`).
// It opens the `cartable` database (the schema of pwa/src/store.rs: version 1, stores `meta` and
// `views`) and reads `meta/me`, `meta/sync` and every view in one read-only transaction. The UI
// module takes the result from `globalThis.cartableEarlySnapshot` (a promise of
// `{me, sync, keys, values}`, or `null` when there is nothing to read or reading failed, in
// which case the module reads the database itself). It never creates the database: a first
// visit aborts the upgrade and leaves that to the module.
performance.mark('cartable:boot');
globalThis.cartableEarlySnapshot = new Promise((resolve) => {
  let request;
  try {
    request = indexedDB.open('cartable', 1);
  } catch {
    resolve(null);
    return;
  }
  request.onupgradeneeded = () => request.transaction.abort();
  request.onerror = () => resolve(null);
  request.onblocked = () => resolve(null);
  request.onsuccess = () => {
    const db = request.result;
    try {
      const tx = db.transaction(['meta', 'views'], 'readonly');
      const meta = tx.objectStore('meta');
      const views = tx.objectStore('views');
      const out = {};
      meta.get('me').onsuccess = (e) => (out.me = e.target.result);
      meta.get('sync').onsuccess = (e) => (out.sync = e.target.result);
      views.getAllKeys().onsuccess = (e) => (out.keys = e.target.result);
      views.getAll().onsuccess = (e) => (out.values = e.target.result);
      tx.oncomplete = () => {
        performance.mark('cartable:early-read');
        db.close();
        resolve(out);
      };
      tx.onabort = tx.onerror = () => {
        db.close();
        resolve(null);
      };
    } catch {
      db.close();
      resolve(null);
    }
  };
});

// Chromium's install prompt can come before the UI module runs: keep it for the module's
// install hint (hooks/use_install.rs), which also listens for `cartable-install`.
addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault();
  globalThis.cartableInstallPrompt = event;
  dispatchEvent(new Event('cartable-install'));
});
