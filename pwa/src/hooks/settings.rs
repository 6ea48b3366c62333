//! The settings view's effects: theme, storage figures and persistence, Web Push on this device
//! (permission, subscription, registration with the server), the user's devices and last
//! connections, the notifications the service worker recorded, clearing local data and
//! signing out everywhere.
//!
//! Browser APIs are reached through `Reflect` rather than typed `web-sys` bindings: it keeps
//! the UI module small, and feature checks (`'PushManager' in self`) are plain lookups.

use cartable_shared::engine::{EngineCommand, NotificationChange};
use cartable_shared::ids::SubscriptionId;
use cartable_shared::notify::PushPayload;
use idb::{DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};

use super::{Dispatch, EngineLink, session};
use crate::settings::{
    CalendarLink, Confirm, PUSH_ID_PREF, PushState, SettingsCommand, SettingsUpdate, StorageInfo,
    THEME_PREF, base64url_decode, needs_home_screen,
};
use crate::state::Action;
use crate::{json, views, web};

/// The database where the service worker records the notifications it shows (`sw.js`).
const NOTIFICATIONS_DB: &str = "cartable-notifications";
/// Its store: one record per notification, auto-incremented keys.
const EVENTS: &str = "events";
/// How many recorded notifications the settings list.
const RECENT_MAX: usize = 20;

fn global() -> JsValue {
    js_sys::global().into()
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn has(target: &JsValue, key: &str) -> bool {
    !target.is_undefined()
        && !target.is_null()
        && Reflect::has(target, &JsValue::from_str(key)).unwrap_or(false)
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method).dyn_into()?;
    f.apply(target, &args.iter().collect::<Array>())
}

/// Calls a method and awaits its answer (a promise or a plain value).
async fn call_async(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let value = call(target, method, args)?;
    JsFuture::from(Promise::resolve(&value)).await
}

fn navigator() -> JsValue {
    get(&global(), "navigator")
}

/// The device's IANA time zone (for quiet hours), `UTC` if unknown.
pub(crate) fn device_zone() -> String {
    let dtf = js_sys::Intl::DateTimeFormat::new(&Array::new(), &Object::new());
    get(&dtf.resolved_options(), "timeZone").as_string().unwrap_or_else(|| "UTC".into())
}

/// The browser's `User-Agent`.
pub(crate) fn user_agent() -> String {
    get(&navigator(), "userAgent").as_string().unwrap_or_default()
}

/// Keeps the app's language where the service worker reads it to pick a push message's texts
/// (cache `cartable-prefs`, key `/lang`: the worker has no `localStorage`).
pub(crate) fn remember_language(tag: &'static str) {
    spawn_local(async move {
        let g = global();
        let Ok(cache) = call_async(&get(&g, "caches"), "open", &["cartable-prefs".into()]).await
        else {
            return;
        };
        let Ok(response) = get(&g, "Response").dyn_into::<Function>() else { return };
        let Ok(answer) = Reflect::construct(&response, &Array::of1(&tag.into())) else { return };
        let _ = call_async(&cache, "put", &["/lang".into(), answer]).await;
    });
}

/// Runs a command of the settings view.
pub(crate) fn run(cmd: SettingsCommand, dispatch: &Dispatch, engine: &EngineLink) {
    let d = dispatch.clone();
    match cmd {
        SettingsCommand::Refresh => spawn_local(refresh(d)),
        SettingsCommand::SetTheme(theme) => {
            web::set_pref(THEME_PREF, theme.tag());
            // `theme.js` resolves "system" and sets <html data-theme>.
            if call(&global(), "cartableTheme", &[]).is_err() {
                web::warn("theme.js is not loaded: the theme applies at the next start");
            }
            d.dispatch(Action::SetTheme(theme));
        }
        SettingsCommand::Persist => spawn_local(async move {
            let _ = call_async(&get(&navigator(), "storage"), "persist", &[]).await;
            storage(&d).await;
        }),
        SettingsCommand::EnablePush(label) => {
            // Asked here, in the tap's own task: Safari grants the prompt only to a user
            // gesture.
            let asked = call(&get(&global(), "Notification"), "requestPermission", &[]);
            spawn_local(enable_push(d, label, asked));
        }
        SettingsCommand::DisablePush => spawn_local(async move {
            update(&d, SettingsUpdate::Push(PushState::Busy));
            forget_device().await;
            update(&d, SettingsUpdate::Push(PushState::Off));
            devices(&d).await;
        }),
        SettingsCommand::RemoveDevice(id) => spawn_local(remove_device(d, id)),
        SettingsCommand::CreateCalendarLink => spawn_local(async move {
            let link = match web::api("POST", "/api/calendar/token", None).await {
                Ok(a) if a.status == 201 => {
                    web::parse_json(&a.body).as_ref().and_then(json::calendar_link)
                }
                _ => None,
            };
            update(&d, SettingsUpdate::Calendar(link.unwrap_or_default()));
        }),
        SettingsCommand::RevokeCalendarLink => spawn_local(async move {
            let _ = web::api("DELETE", "/api/calendar/token", None).await;
            calendar(&d).await;
        }),
        SettingsCommand::Notifications(change) => {
            if matches!(change, NotificationChange::QuietHours(_)) {
                d.dispatch(Action::QuietDraft(None));
            }
            d.dispatch(Action::EditNotifications(change.clone()));
            engine.send(&EngineCommand::SetNotifications { change });
        }
        SettingsCommand::QuietDraft(start, end) => {
            d.dispatch(Action::QuietDraft(Some((start, end))))
        }
        SettingsCommand::Ask(c) => d.dispatch(Action::Confirm(Some(c))),
        SettingsCommand::Cancel => d.dispatch(Action::Confirm(None)),
        SettingsCommand::Confirmed(c) => {
            d.dispatch(Action::Confirm(None));
            let engine = engine.clone();
            // Pinned files go too: local data, and another user of the device must not find
            // this one's.
            spawn_local(super::files::forget());
            match c {
                Confirm::SignOut => spawn_local(session::logout(d, engine)),
                Confirm::ClearLocal => spawn_local(clear_local(d, engine)),
                Confirm::SignOutEverywhere => spawn_local(sign_out_everywhere(d, engine)),
            }
        }
    }
}

fn update(d: &Dispatch, u: SettingsUpdate) {
    d.dispatch(Action::Settings(u));
}

/// Reads every figure and list of the settings view again.
async fn refresh(d: Dispatch) {
    update(&d, SettingsUpdate::Recent(recent().await));
    update(&d, SettingsUpdate::Push(push_state().await));
    storage(&d).await;
    devices(&d).await;
    connections(&d).await;
    calendar(&d).await;
}

async fn storage(d: &Dispatch) {
    let manager = get(&navigator(), "storage");
    let Ok(estimate) = call_async(&manager, "estimate", &[]).await else { return };
    let persisted = call_async(&manager, "persisted", &[]).await.ok().and_then(|v| v.as_bool());
    update(
        d,
        SettingsUpdate::Storage(StorageInfo {
            usage: get(&estimate, "usage").as_f64().unwrap_or(0.0),
            quota: get(&estimate, "quota").as_f64().unwrap_or(0.0),
            persisted: persisted.unwrap_or(false),
        }),
    );
}

fn push_id() -> Option<String> {
    web::pref(PUSH_ID_PREF).filter(|id| !id.is_empty())
}

fn permission() -> String {
    get(&get(&global(), "Notification"), "permission").as_string().unwrap_or_default()
}

/// Whether this device can get notifications and whether it is subscribed.
async fn push_state() -> PushState {
    let nav = navigator();
    let standalone = get(&nav, "standalone").as_bool() == Some(true)
        || call(&global(), "matchMedia", &["(display-mode: standalone)".into()])
            .is_ok_and(|m| get(&m, "matches").as_bool() == Some(true));
    if needs_home_screen(&user_agent(), standalone) {
        return PushState::NeedsHomeScreen;
    }
    let g = global();
    if !has(&g, "PushManager") || !has(&g, "Notification") || !has(&nav, "serviceWorker") {
        return PushState::Unsupported;
    }
    if permission() == "denied" {
        return PushState::Denied;
    }
    match (subscription().await, push_id()) {
        (Some(_), Some(_)) => PushState::On,
        _ => PushState::Off,
    }
}

/// This device's push subscription, if any (never waits for a service worker).
async fn subscription() -> Option<JsValue> {
    let container = get(&navigator(), "serviceWorker");
    let reg = call_async(&container, "getRegistration", &[]).await.ok()?;
    if reg.is_undefined() {
        return None;
    }
    let sub = call_async(&get(&reg, "pushManager"), "getSubscription", &[]).await.ok()?;
    (!sub.is_null() && !sub.is_undefined()).then_some(sub)
}

async fn enable_push(d: Dispatch, label: String, asked: Result<JsValue, JsValue>) {
    update(&d, SettingsUpdate::Push(PushState::Busy));
    let state = match subscribe(&label, asked).await {
        Ok(id) => {
            web::set_pref(PUSH_ID_PREF, &id);
            PushState::On
        }
        Err(state) => state,
    };
    update(&d, SettingsUpdate::Push(state));
    devices(&d).await;
}

fn failed(e: JsValue) -> PushState {
    web_sys::console::warn_2(&JsValue::from_str("push subscription failed"), &e);
    PushState::Failed
}

/// Subscribes with the server's VAPID key and registers the subscription; its id.
async fn subscribe(label: &str, asked: Result<JsValue, JsValue>) -> Result<String, PushState> {
    if let Ok(answer) = asked {
        let _ = JsFuture::from(Promise::resolve(&answer)).await;
    }
    match permission().as_str() {
        "granted" => {}
        "denied" => return Err(PushState::Denied),
        _ => return Err(PushState::Off),
    }
    let key = web::api("GET", "/api/push/key", None).await.map_err(failed)?;
    let key = web::parse_json(&key.body)
        .filter(|_| key.status == 200)
        .and_then(|v| get(&v, "public_key").as_string())
        .and_then(|k| base64url_decode(&k))
        .ok_or(PushState::Failed)?;
    let ready = get(&get(&navigator(), "serviceWorker"), "ready");
    let reg = JsFuture::from(Promise::resolve(&ready)).await.map_err(failed)?;
    let options = Object::new();
    Reflect::set(&options, &"userVisibleOnly".into(), &JsValue::TRUE).map_err(failed)?;
    let key: JsValue = Uint8Array::from(&key[..]).into();
    Reflect::set(&options, &"applicationServerKey".into(), &key).map_err(failed)?;
    let sub = call_async(&get(&reg, "pushManager"), "subscribe", &[options.into()])
        .await
        .map_err(failed)?;
    let body = call(&sub, "toJSON", &[]).map_err(failed)?;
    Reflect::set(&body, &"label".into(), &JsValue::from_str(label)).map_err(failed)?;
    let body = js_sys::JSON::stringify(&body).map_err(failed)?.as_string().unwrap_or_default();
    let answer = web::api("POST", "/api/push/subscriptions", Some(&body)).await;
    let id = answer
        .as_ref()
        .ok()
        .filter(|a| a.status == 201)
        .and_then(|a| web::parse_json(&a.body))
        .and_then(|v| get(&v, "id").as_string());
    match id {
        Some(id) => Ok(id),
        None => {
            web::warn(&format!("push registration refused: {}", answer.map_or(0, |a| a.status)));
            let _ = call_async(&sub, "unsubscribe", &[]).await;
            Err(PushState::Failed)
        }
    }
}

/// Unsubscribes this device, here and on the server (the server is told only while the
/// session is valid: called before a sign-out).
pub(crate) async fn forget_device() {
    if let Some(sub) = subscription().await {
        let _ = call_async(&sub, "unsubscribe", &[]).await;
    }
    if let Some(id) = push_id() {
        let _ = web::api("DELETE", &format!("/api/push/subscriptions/{id}"), None).await;
        web::set_pref(PUSH_ID_PREF, "");
    }
}

async fn remove_device(d: Dispatch, id: SubscriptionId) {
    if push_id().as_deref() == Some(id.as_str()) {
        forget_device().await;
        update(&d, SettingsUpdate::Push(PushState::Off));
    } else {
        let _ = web::api("DELETE", &format!("/api/push/subscriptions/{id}"), None).await;
    }
    devices(&d).await;
}

async fn devices(d: &Dispatch) {
    let list = match web::api("GET", "/api/push/subscriptions", None).await {
        Ok(a) if a.status == 200 => {
            web::parse_json(&a.body).as_ref().and_then(json::push_subscriptions)
        }
        _ => None,
    };
    update(d, SettingsUpdate::Devices(list));
}

async fn calendar(d: &Dispatch) {
    let link = match web::api("GET", "/api/calendar/token", None).await {
        Ok(a) if a.status == 200 => {
            web::parse_json(&a.body).as_ref().and_then(json::calendar_link).unwrap_or_default()
        }
        Ok(a) if a.status == 404 => CalendarLink::Off,
        _ => CalendarLink::Unknown,
    };
    update(d, SettingsUpdate::Calendar(link));
}

async fn connections(d: &Dispatch) {
    let list = match web::api("GET", "/api/sessions", None).await {
        Ok(a) if a.status == 200 => web::parse_json(&a.body).as_ref().and_then(json::connections),
        _ => None,
    };
    update(d, SettingsUpdate::Connections(list));
}

async fn open_notifications() -> Result<idb::Database, idb::Error> {
    let mut request = Factory::new()?.open(NOTIFICATIONS_DB, Some(1))?;
    request.on_upgrade_needed(|event| {
        let Ok(db) = event.database() else { return };
        if !db.store_names().iter().any(|n| n == EVENTS) {
            let mut params = ObjectStoreParams::new();
            params.auto_increment(true);
            let _ = db.create_object_store(EVENTS, params);
        }
    });
    request.await
}

/// The notifications the service worker recorded, newest first.
async fn recent() -> Vec<PushPayload> {
    let Ok(db) = open_notifications().await else { return Vec::new() };
    let read = async {
        let tx = db.transaction(&[EVENTS], TransactionMode::ReadOnly)?;
        tx.object_store(EVENTS)?.get_all(None, None)?.await
    };
    let records = read.await.unwrap_or_default();
    db.close();
    let mut list: Vec<PushPayload> = records.iter().filter_map(json::push_payload).collect();
    views::sort_small(&mut list, |p| std::cmp::Reverse(p.at_ms));
    list.truncate(RECENT_MAX);
    list
}

/// Deletes the recorded notifications (they are the previous user's).
pub(crate) async fn clear_recent() {
    let Ok(db) = open_notifications().await else { return };
    let clear = async {
        let tx = db.transaction(&[EVENTS], TransactionMode::ReadWrite)?;
        tx.object_store(EVENTS)?.clear()?;
        tx.await.map(|_| ())
    };
    if clear.await.is_err() {
        web::warn("cannot clear the recorded notifications");
    }
    db.close();
}

/// Deletes the documents and views of this device and downloads them again.
async fn clear_local(d: Dispatch, engine: EngineLink) {
    engine.send(&EngineCommand::Stop { clear: true });
    clear_recent().await;
    d.dispatch(Action::LocalCleared);
    engine.start(&d);
    refresh(d).await;
}

/// Ends every session of the account, this one included, then forgets it here.
async fn sign_out_everywhere(d: Dispatch, engine: EngineLink) {
    forget_device().await;
    match web::api("POST", "/api/sessions/revoke-all", None).await {
        Ok(a) if a.status == 200 || a.status == 401 => {
            clear_recent().await;
            session::sign_out_here(d, engine).await;
        }
        Ok(a) => web::warn(&format!("revoke-all answered {}", a.status)),
        Err(_) => web::warn("revoke-all: no answer (offline?)"),
    }
}
