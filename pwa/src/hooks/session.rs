//! The session flows: boot from IndexedDB, login, logout, and forgetting a session the server
//! no longer knows.

use std::cell::RefCell;
use std::task::{Poll, Waker};

use cartable_shared::api::{LoginRequest, Me};
use cartable_shared::engine::EngineCommand;

use super::{Dispatch, EngineLink};
use crate::state::{Action, LoginError};
use crate::store::{self, Snapshot, Store};
use crate::{json, web};

thread_local! {
    /// The UI's connection to IndexedDB, opened once.
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// The UI's IndexedDB connection, opened on first use.
pub(crate) async fn store() -> store::Result<Store> {
    if let Some(s) = STORE.with(|s| s.borrow().clone()) {
        return Ok(s);
    }
    let s = Store::open().await?;
    STORE.with(|cell| *cell.borrow_mut() = Some(s.clone()));
    Ok(s)
}

/// The start-up snapshot being read, or read.
enum Early {
    /// Nothing asked yet.
    Idle,
    /// Reading; the waker of the task waiting for it.
    Reading(Option<Waker>),
    /// Read, not taken yet.
    Done(Snapshot),
}

thread_local! {
    /// The start-up snapshot, read while Yew builds its first render.
    static EARLY: RefCell<Early> = const { RefCell::new(Early::Idle) };
}

/// Starts reading the start-up snapshot from IndexedDB at once, so that the database work
/// overlaps the first render instead of following it. Called before the app is mounted.
pub(crate) fn prefetch_snapshot() {
    let idle = EARLY.with(|e| {
        let mut e = e.borrow_mut();
        let idle = matches!(*e, Early::Idle);
        if idle {
            *e = Early::Reading(None);
        }
        idle
    });
    if idle {
        wasm_bindgen_futures::spawn_local(async {
            let snap = read_snapshot().await;
            let waiting =
                EARLY.with(|e| std::mem::replace(&mut *e.borrow_mut(), Early::Done(snap)));
            if let Early::Reading(Some(waker)) = waiting {
                waker.wake();
            }
        });
    }
}

/// What `pwa/early.js` read, if it could (the promise is taken: it serves one start).
async fn early_snapshot() -> Option<store::Result<Snapshot>> {
    use wasm_bindgen::{JsCast, JsValue};
    let global = js_sys::global();
    let key = JsValue::from_str("cartableEarlySnapshot");
    let promise = js_sys::Reflect::get(&global, &key).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let _ = js_sys::Reflect::delete_property(&global, &key);
    let read = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    if !read.is_object() {
        return None;
    }
    let get = |k: &str| js_sys::Reflect::get(&read, &JsValue::from_str(k)).ok();
    let list =
        |k: &str| get(k).filter(js_sys::Array::is_array).map(|a| js_sys::Array::from(&a).to_vec());
    let some = |v: Option<JsValue>| v.filter(|v| !v.is_undefined() && !v.is_null());
    web::mark("cartable:idb-read");
    Some(Snapshot::decode(
        some(get("me")),
        some(get("sync")),
        list("keys").unwrap_or_default(),
        list("values").unwrap_or_default(),
    ))
}

async fn read_snapshot() -> Snapshot {
    match early_snapshot().await {
        Some(Ok(snap)) => return snap,
        Some(Err(e)) => web::warn(&format!("cannot read local data early: {e}")),
        None => {}
    }
    match store().await {
        Ok(store) => store.snapshot().await.unwrap_or_else(|e| {
            web::warn(&format!("cannot read local data: {e}"));
            Snapshot::default()
        }),
        Err(e) => {
            web::error(&format!("cannot open local storage: {e}"));
            Snapshot::default()
        }
    }
}

/// The start-up snapshot, once read (started by [`prefetch_snapshot`] if it was not yet).
async fn take_snapshot() -> Snapshot {
    prefetch_snapshot();
    std::future::poll_fn(|cx| {
        EARLY.with(|e| {
            let mut e = e.borrow_mut();
            match std::mem::replace(&mut *e, Early::Idle) {
                Early::Done(snap) => Poll::Ready(snap),
                Early::Reading(_) | Early::Idle => {
                    *e = Early::Reading(Some(cx.waker().clone()));
                    Poll::Pending
                }
            }
        })
    })
    .await
}

/// Shows the stored user, views and sync status before any network; then, if someone is
/// signed in, starts the engine and checks the session in the background.
pub(crate) async fn boot(dispatch: Dispatch, engine: EngineLink) {
    let snap = take_snapshot().await;
    web::mark("cartable:snapshot");
    let Snapshot { me, views, sync } = snap;
    let signed_in = me.is_some();
    dispatch.dispatch(Action::Booted { me, views, sync });
    if signed_in {
        // The engine module (Automerge, ~1.5 MB of wasm to compile) competes with the first
        // render for the CPU: it starts once the stored views are on screen.
        web::after_paint().await;
        engine.start(&dispatch);
        check_me(dispatch, engine).await;
    }
}

/// `GET /api/me`: refreshes the stored user; a `401` signs out; no answer changes nothing
/// (offline).
pub(super) async fn check_me(dispatch: Dispatch, engine: EngineLink) {
    match web::api("GET", "/api/me", None).await {
        Ok(a) if a.status == 200 => {
            if let Some(me) = read_me(&a.body) {
                if let Ok(store) = store().await {
                    let _ = store.set_me_json(&a.body).await;
                }
                dispatch.dispatch(Action::MeRefreshed(me));
            }
        }
        Ok(a) if a.status == 401 => sign_out_here(dispatch, engine).await,
        Ok(a) => web::warn(&format!("GET /api/me answered {}", a.status)),
        Err(_) => {}
    }
}

fn read_me(body: &str) -> Option<Me> {
    web::parse_json(body).as_ref().and_then(json::me)
}

/// `POST /api/login`; on success stores the user and starts the engine.
pub(crate) async fn login(dispatch: Dispatch, engine: EngineLink, request: LoginRequest) {
    dispatch.dispatch(Action::LoginStarted);
    let body = json::login_request(&request.login, &request.password);
    let answer = match web::api("POST", "/api/login", Some(&body)).await {
        Ok(a) => a,
        Err(_) => return dispatch.dispatch(Action::LoginFailed(LoginError::Network)),
    };
    if answer.status != 200 {
        return dispatch.dispatch(Action::LoginFailed(LoginError::from_status(answer.status)));
    }
    let Some(me) = read_me(&answer.body) else {
        return dispatch.dispatch(Action::LoginFailed(LoginError::Server));
    };
    match store().await {
        Ok(store) => {
            // Views of a previous session on this device are not this user's.
            let _ = store.sign_out().await;
            if let Err(e) = store.set_me_json(&answer.body).await {
                web::warn(&format!("cannot store the user: {e}"));
            }
        }
        Err(e) => web::warn(&format!("{e}")),
    }
    dispatch.dispatch(Action::LoggedIn(me));
    engine.start(&dispatch);
}

/// The logout button: stops the engine (clearing its documents), tells the server, forgets the
/// user and the views here.
pub(crate) async fn logout(dispatch: Dispatch, engine: EngineLink) {
    engine.send(&EngineCommand::Stop { clear: true });
    // Offline, the server is not told; the local data is gone all the same. This device's push
    // subscription goes first (the next user of the device must not get this one's
    // notifications), while the session can still delete it.
    wasm_bindgen_futures::spawn_local(async {
        super::settings::forget_device().await;
        let _ = web::api("POST", "/api/logout", None).await;
    });
    forget(&dispatch).await;
}

/// The server no longer knows the session: stop and clear the engine, forget the user.
pub(crate) async fn sign_out_here(dispatch: Dispatch, engine: EngineLink) {
    engine.send(&EngineCommand::Stop { clear: true });
    // The push service then answers 410 and the server drops the subscription.
    super::settings::forget_device().await;
    forget(&dispatch).await;
}

async fn forget(dispatch: &Dispatch) {
    super::settings::clear_recent().await;
    // Another user of the device must not find this one's pinned files.
    super::files::forget().await;
    if let Ok(store) = store().await
        && let Err(e) = store.sign_out().await
    {
        web::warn(&format!("cannot clear local data: {e}"));
    }
    dispatch.dispatch(Action::SignedOut);
}
