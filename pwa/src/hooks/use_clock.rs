//! Keeps `now` and `today` current, so that the next session and the current week follow the
//! clock.

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::Dispatch;
use crate::state::Action;
use crate::web;

/// Ticks every 30 seconds and when the page becomes visible again.
#[hook]
pub(crate) fn use_clock(dispatch: Dispatch) {
    use_effect_with((), move |_| {
        let tick = Closure::<dyn FnMut()>::new(move || {
            dispatch.dispatch(Action::Tick { now_ms: web::now_ms(), today: web::today() });
        });
        let window = web_sys::window();
        let handle = window.as_ref().and_then(|w| {
            w.set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                30_000,
            )
            .ok()
        });
        if let Some(doc) = window.as_ref().and_then(|w| w.document()) {
            let _ = doc.add_event_listener_with_callback(
                "visibilitychange",
                tick.as_ref().unchecked_ref(),
            );
        }
        move || {
            if let Some(w) = &window {
                if let Some(h) = handle {
                    w.clear_interval_with_handle(h);
                }
                if let Some(doc) = w.document() {
                    let _ = doc.remove_event_listener_with_callback(
                        "visibilitychange",
                        tick.as_ref().unchecked_ref(),
                    );
                }
            }
            drop(tick);
        }
    });
}
