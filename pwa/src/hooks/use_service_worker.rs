//! Registers `/sw.js` and notices when a new version is installed and waiting, so that the app
//! can offer to load it (the service worker never activates itself over an open app).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};
use yew::prelude::*;

use super::Dispatch;
use crate::state::Action;
use crate::web;

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Absent outside secure contexts: check before touching it.
    Reflect::has(&navigator, &JsValue::from_str("serviceWorker"))
        .ok()?
        .then(|| navigator.service_worker())
}

/// Registers the service worker once.
#[hook]
pub(crate) fn use_service_worker(dispatch: Dispatch) {
    use_effect_with((), move |_| {
        if let Some(container) = container() {
            wasm_bindgen_futures::spawn_local(register(container, dispatch));
        }
    });
}

async fn register(sw: ServiceWorkerContainer, dispatch: Dispatch) {
    let registration = match JsFuture::from(sw.register("/sw.js")).await {
        Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
        Err(e) => {
            web_sys::console::warn_2(&JsValue::from_str("service worker not registered"), &e);
            return;
        }
    };
    let has_controller = sw.controller().is_some();
    if registration.waiting().is_some() && has_controller {
        dispatch.dispatch(Action::UpdateReady);
    }
    let reg = registration.clone();
    let onupdatefound = Closure::<dyn FnMut()>::new(move || {
        let Some(installing) = reg.installing() else { return };
        let (dispatch, worker) = (dispatch.clone(), installing.clone());
        let onstate = Closure::<dyn FnMut()>::new(move || {
            let controlled = container().and_then(|c| c.controller()).is_some();
            if worker.state() == ServiceWorkerState::Installed && controlled {
                dispatch.dispatch(Action::UpdateReady);
            }
        });
        installing.set_onstatechange(Some(onstate.as_ref().unchecked_ref()));
        onstate.forget();
    });
    registration.set_onupdatefound(Some(onupdatefound.as_ref().unchecked_ref()));
    // Lives as long as the page.
    onupdatefound.forget();
}

/// Asks the waiting service worker to take over, and reloads once it has.
pub(crate) fn apply_update() {
    let Some(container) = container() else { return };
    let reload = Closure::<dyn FnMut()>::new(|| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
    reload.forget();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(ready) = container.ready() else { return };
        let Ok(reg) = JsFuture::from(ready).await else { return };
        let reg: ServiceWorkerRegistration = reg.unchecked_into();
        match reg.waiting() {
            Some(waiting) => {
                let msg = Object::new();
                let _ = Reflect::set(&msg, &"type".into(), &"skip_waiting".into());
                let _ = waiting.post_message(&msg);
            }
            None => web::warn("no waiting service worker"),
        }
    });
}
