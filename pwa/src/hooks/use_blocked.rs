//! While a block period keeps the user out, asks `GET /api/me` again every minute and when the
//! network comes back or the page becomes visible; once the period is lifted, reconnects the
//! engine (which stopped reconnecting when the server answered `Blocked`).

use std::cell::Cell;
use std::rc::Rc;

use cartable_shared::engine::EngineCommand;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::{Dispatch, EngineLink, session};

/// How often the blocked screen asks the server whether the period is over.
const POLL_MS: i32 = 60_000;

/// Polls `GET /api/me` while `blocked`; sends `Reconnect` to the engine when it ends.
#[hook]
pub(crate) fn use_blocked(blocked: bool, dispatch: Dispatch, engine: EngineLink) {
    let was_blocked = use_memo((), |_| Rc::new(Cell::new(false)));
    use_effect_with(blocked, move |&blocked| {
        let was = was_blocked.replace(blocked);
        if !blocked && was {
            engine.send(&EngineCommand::Reconnect);
        }
        let check = blocked.then(|| {
            Closure::<dyn FnMut()>::new(move || {
                let visible =
                    web_sys::window().and_then(|w| w.document()).is_none_or(|d| !d.hidden());
                if visible {
                    let (dispatch, engine) = (dispatch.clone(), engine.clone());
                    wasm_bindgen_futures::spawn_local(session::check_me(dispatch, engine));
                }
            })
        });
        let window = web_sys::window();
        let document = window.as_ref().and_then(|w| w.document());
        let interval = check.as_ref().and_then(|f| {
            let f = f.as_ref().unchecked_ref();
            let w = window.as_ref()?;
            let _ = w.add_event_listener_with_callback("online", f);
            if let Some(d) = &document {
                let _ = d.add_event_listener_with_callback("visibilitychange", f);
            }
            w.set_interval_with_callback_and_timeout_and_arguments_0(f, POLL_MS).ok()
        });
        move || {
            if let (Some(f), Some(w)) = (&check, &window) {
                let f = f.as_ref().unchecked_ref();
                let _ = w.remove_event_listener_with_callback("online", f);
                if let Some(d) = &document {
                    let _ = d.remove_event_listener_with_callback("visibilitychange", f);
                }
                if let Some(h) = interval {
                    w.clear_interval_with_handle(h);
                }
            }
            drop(check);
        }
    });
}
