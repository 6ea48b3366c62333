//! Cartable's app: wasm modules built from this crate (DESIGN §6).
//!
//! - the **UI** (`src/bin/ui.rs`, Yew, no Automerge) renders every view from the view models
//!   stored in IndexedDB, so that a cold start needs only this small module and the stored views;
//! - the **engine** (`src/bin/engine.rs`, feature `engine`, a dedicated module Web Worker) owns
//!   the `/sync` WebSocket and the Automerge documents, drives
//!   [`cartable_shared::sync::ClientSession`], writes view models and tells the UI.
//!
//! A third module, `src/bin/publish.rs` (module `publish`, code in `publish`), holds the staff's
//! publishing views (the gradebook, the homework, announcement, message and document forms): the
//! UI imports it only for teachers, staff and admins, after the first paint, mounts its views in
//! host elements it renders, and passes it a bridge to the engine (`hooks/publish.rs`); students
//! never download it.
//!
//! A fourth module, `src/bin/admin.rs` (module `admin`), is the administration page served at
//! `/admin`: students never download it.
//!
//! Layout:
//! - pure logic, tested natively with `cargo test -p cartable-pwa`: [`calendar`] (dates without
//!   a date library), [`week`] (the week view model), [`state`] (the UI reducer), [`i18n`] (the
//!   translation catalogue), [`json`] (reading `shared`'s JSON without serde in the UI, checked
//!   against serde), [`backoff`] (reconnection delays), [`intents`] (the user's edits applied to
//!   the `me` and thread documents' values), [`views`] (homework by due date, grade averages,
//!   visible announcements);
//! - browser code (wasm32 only): `store` (IndexedDB, shared by both modules), `web` (fetch,
//!   `Intl`, small DOM helpers), `app` + `components/` + `hooks/` (the UI; every effect lives in a
//!   hook), `publish` (the publishing module's views), `sync` (the engine, feature `engine`).
//!
//! A typical flow: the UI boots, reads `meta/me` and `views/*` from IndexedDB and paints the
//! timetable; it starts the engine worker (and waits for its `ready`), which loads `docs/*`,
//! connects to `/sync`, merges the server's changes, rewrites `views/<doc>` and posts
//! `view_updated`; the UI reads the view again. `GET /api/me` runs in the background: a `401`
//! leads back to the login screen, no answer changes nothing (offline).
//!
//! An edit (a homework checkbox, a personal event, an acknowledgement, a reply) is an
//! `EngineCommand` posted to the engine, which applies it to the user's `me:<user>` document
//! (or the thread) as one Automerge change, saves the document and its pending change hashes
//! at once, and sends it when connected; before the first sync has brought the `me` document
//! the edit waits in IndexedDB (`meta/intents`) and is applied when the document arrives, so
//! the device never creates a root of its own competing with the server's.

pub mod backoff;
pub mod calendar;
pub mod files;
pub mod gradebook;
pub mod i18n;
pub mod intents;
pub mod json;
pub mod settings;
pub mod state;
pub mod teach;
pub mod views;
pub mod week;

#[cfg(target_arch = "wasm32")]
pub mod admin;
#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod hooks;
#[cfg(target_arch = "wasm32")]
pub mod publish;
#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(all(target_arch = "wasm32", feature = "engine"))]
pub mod sync;
#[cfg(target_arch = "wasm32")]
pub mod web;
