//! The link to the engine worker: created on first use from the URL in
//! `<meta name="cartable-engine">`, commands posted as JSON strings, events turned into actions.

use std::cell::RefCell;
use std::rc::Rc;

use cartable_shared::engine::{EngineCommand, EngineEvent};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::{Dispatch, session};
use crate::state::Action;
use crate::{json, web};

/// A handle on the engine worker; clones share the same worker.
#[derive(Clone, Default)]
pub struct EngineLink {
    inner: Rc<RefCell<Option<Running>>>,
}

struct Running {
    worker: Worker,
    /// The worker posted `ready`: commands can be posted.
    ready: bool,
    /// Commands waiting for `ready` (a worker drops what it receives before it has loaded).
    queue: Vec<String>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(web_sys::Event)>,
}

impl std::fmt::Debug for EngineLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineLink").field("started", &self.inner.borrow().is_some()).finish()
    }
}

impl PartialEq for EngineLink {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl EngineLink {
    /// Starts syncing: creates the worker if needed and sends `Start`.
    pub fn start(&self, dispatch: &Dispatch) {
        if self.inner.borrow().is_none() {
            match spawn(dispatch.clone(), self.clone()) {
                Ok(running) => *self.inner.borrow_mut() = Some(running),
                Err(e) => {
                    web_sys::console::error_2(&"cannot start the engine worker".into(), &e);
                    return;
                }
            }
        }
        self.send(&EngineCommand::Start);
    }

    /// Sends a command if the worker runs.
    pub fn send(&self, command: &EngineCommand) {
        self.send_json(json::engine_command(command));
    }

    /// Sends a command already encoded as JSON (from the publishing module) if the worker runs.
    pub fn send_json(&self, json: String) {
        if let Some(r) = self.inner.borrow_mut().as_mut() {
            if r.ready {
                let _ = r.worker.post_message(&JsValue::from_str(&json));
            } else {
                r.queue.push(json);
            }
        }
    }

    fn on_ready(&self) {
        if let Some(r) = self.inner.borrow_mut().as_mut() {
            r.ready = true;
            for json in r.queue.drain(..) {
                let _ = r.worker.post_message(&JsValue::from_str(&json));
            }
        }
    }
}

fn worker_url() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let meta = doc.query_selector("meta[name='cartable-engine']").ok()??;
    meta.get_attribute("content").filter(|u| !u.is_empty())
}

fn spawn(dispatch: Dispatch, link: EngineLink) -> Result<Running, JsValue> {
    let url = worker_url().ok_or_else(|| JsValue::from_str("no <meta name=cartable-engine>"))?;
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Module);
    opts.set_name("cartable-engine");
    let worker = Worker::new_with_options(&url, &opts)?;
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(text) = e.data().as_string() else { return };
        match web::parse_json(&text).as_ref().and_then(json::engine_event) {
            Some(event) => on_event(&dispatch, &link, event),
            None => web::warn(&format!("unreadable engine event: {text}")),
        }
    });
    let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        web_sys::console::error_2(&JsValue::from_str("engine worker failed"), &e);
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    Ok(Running {
        worker,
        ready: false,
        queue: Vec::new(),
        _onmessage: onmessage,
        _onerror: onerror,
    })
}

fn on_event(dispatch: &Dispatch, link: &EngineLink, event: EngineEvent) {
    match event {
        EngineEvent::Ready => link.on_ready(),
        EngineEvent::Status(s) => dispatch.dispatch(Action::Status(s)),
        EngineEvent::ViewUpdated { doc } => {
            super::publish::notify(&format!("view:{doc}"));
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match session::store().await {
                    Ok(store) => match store.view(&doc).await {
                        Ok(Some(t)) => dispatch.dispatch(Action::ViewUpdated(doc, t)),
                        Ok(None) => {}
                        Err(e) => web::warn(&format!("cannot read view {doc}: {e}")),
                    },
                    Err(e) => web::warn(&format!("{e}")),
                }
            });
        }
        EngineEvent::ViewDropped { doc } => {
            super::publish::notify(&format!("view:{doc}"));
            dispatch.dispatch(Action::ViewDropped(doc));
        }
        EngineEvent::EditRefused { doc, message } => {
            web::warn(&format!("changes to {doc} were refused: {message}"));
            dispatch.dispatch(Action::EditRefused(doc));
        }
        EngineEvent::Blocked => {
            let (dispatch, link) = (dispatch.clone(), link.clone());
            wasm_bindgen_futures::spawn_local(session::check_me(dispatch, link));
        }
        EngineEvent::SignedOut => {
            let (dispatch, link) = (dispatch.clone(), link.clone());
            wasm_bindgen_futures::spawn_local(session::sign_out_here(dispatch, link));
        }
    }
}
