//! The install hint: Chromium's `beforeinstallprompt` (caught by `early.js` even before this
//! module runs, kept in `globalThis.cartableInstallPrompt`), or instructions on iPhone / iPad
//! Safari, which has no prompt. Hidden once the app runs installed (standalone), once it is
//! installed, and for good once dismissed on this device (`localStorage`).

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::Dispatch;
use crate::state::{Action, InstallHint};
use crate::web;

/// `localStorage` key set when the user dismisses the hint.
const DISMISSED: &str = "cartable.install-dismissed";

fn prompt_event() -> Option<JsValue> {
    let v = Reflect::get(&js_sys::global(), &JsValue::from_str("cartableInstallPrompt")).ok()?;
    (!v.is_undefined() && !v.is_null()).then_some(v)
}

fn forget_prompt() {
    let _ =
        Reflect::delete_property(&js_sys::global(), &JsValue::from_str("cartableInstallPrompt"));
}

/// Whether the app already runs as an installed app.
fn standalone(w: &web_sys::Window) -> bool {
    let media =
        w.match_media("(display-mode: standalone)").ok().flatten().is_some_and(|m| m.matches());
    let ios = Reflect::get(&w.navigator(), &JsValue::from_str("standalone"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    media || ios
}

/// iPhone, iPad or iPod (iPadOS reports a Mac with touch).
fn ios(w: &web_sys::Window) -> bool {
    let nav = w.navigator();
    let ua = nav.user_agent().unwrap_or_default();
    ua.contains("iPhone")
        || ua.contains("iPad")
        || ua.contains("iPod")
        || (ua.contains("Macintosh") && nav.max_touch_points() > 1)
}

fn current(w: &web_sys::Window) -> Option<InstallHint> {
    if web::pref(DISMISSED).is_some() || standalone(w) {
        return None;
    }
    if prompt_event().is_some() {
        Some(InstallHint::Prompt)
    } else if ios(w) {
        Some(InstallHint::Ios)
    } else {
        None
    }
}

/// Follows what the install hint should offer.
#[hook]
pub(crate) fn use_install(dispatch: Dispatch) {
    use_effect_with((), move |_| {
        let window = web_sys::window();
        let update = {
            let (dispatch, window) = (dispatch.clone(), window.clone());
            Closure::<dyn FnMut()>::new(move || {
                if let Some(w) = &window {
                    dispatch.dispatch(Action::Install(current(w)));
                }
            })
        };
        let installed = Closure::<dyn FnMut()>::new(move || {
            forget_prompt();
            dispatch.dispatch(Action::Install(None));
        });
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback(
                "cartable-install",
                update.as_ref().unchecked_ref(),
            );
            let _ = w.add_event_listener_with_callback(
                "appinstalled",
                installed.as_ref().unchecked_ref(),
            );
            let _ = update.as_ref().unchecked_ref::<Function>().call0(&JsValue::NULL);
        }
        move || {
            if let Some(w) = &window {
                let _ = w.remove_event_listener_with_callback(
                    "cartable-install",
                    update.as_ref().unchecked_ref(),
                );
                let _ = w.remove_event_listener_with_callback(
                    "appinstalled",
                    installed.as_ref().unchecked_ref(),
                );
            }
        }
    });
}

/// The install button: shows the browser's prompt (once: a prompt event serves one prompt).
pub(crate) fn install(dispatch: &Dispatch) {
    if let Some(event) = prompt_event() {
        forget_prompt();
        if let Ok(prompt) = Reflect::get(&event, &JsValue::from_str("prompt"))
            && let Some(f) = prompt.dyn_ref::<Function>()
        {
            let _ = f.call0(&event);
        }
    }
    dispatch.dispatch(Action::Install(None));
}

/// The dismiss button: hides the hint for good on this device.
pub(crate) fn dismiss(dispatch: &Dispatch) {
    web::set_pref(DISMISSED, "1");
    dispatch.dispatch(Action::Install(None));
}
