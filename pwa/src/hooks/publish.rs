//! The UI's side of the publishing module (`crate::publish`): loading it for staff, the bridge
//! it talks through, and mounting its views in the hosts the UI renders.
//!
//! - Loading: only when the signed-in user is a teacher, staff or admin, after the first paint,
//!   by `import()` of the module's boot script (its URL is the first of
//!   `<meta name="cartable-publish">`, written by the build). A student's page never requests it.
//!   The service worker caches its hashed files when they are fetched through it; when the page
//!   was not yet controlled at that moment (a first visit), they are fetched again once it is,
//!   so that the publishing views work offline after one online visit.
//! - Mounting: after every render, each `[data-publish]` element of the page that has no view
//!   gets one (`mount(host, what, bridge)`), and each mounted host that left the page is
//!   unmounted.
//! - The bridge: `send` posts an engine command, `subscribe` hands out the UI's events (a view
//!   rewritten by the engine, the language), `navigate` shows a tab, `lang` is the language.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::prelude::*;

use super::{Dispatch, EngineLink};
use crate::i18n::Lang;
use crate::state::{Action, ModuleLoad, Tab};
use crate::web;

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    /// `import(url)`: the module's namespace, once loaded and initialised.
    fn import_module(url: &str) -> js_sys::Promise;
}

thread_local! {
    /// The loaded module's namespace (`mount`, `unmount`).
    static MODULE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    /// The hosts a view is mounted in, with that view.
    static MOUNTED: RefCell<Vec<(Element, String)>> = const { RefCell::new(Vec::new()) };
    /// The bridge's subscribers.
    static LISTENERS: RefCell<Vec<js_sys::Function>> = const { RefCell::new(Vec::new()) };
    /// The language the bridge reports.
    static LANG: Cell<Lang> = const { Cell::new(Lang::Fr) };
}

/// Tells the publishing views an event (`view:<doc>`, `lang:<tag>`).
pub(crate) fn notify(event: &str) {
    let listeners = LISTENERS.with(|l| l.borrow().clone());
    let event = JsValue::from_str(event);
    for f in listeners {
        if let Err(e) = f.call1(&JsValue::NULL, &event) {
            web_sys::console::error_2(&"a publishing view failed".into(), &e);
        }
    }
}

/// The module's files: the boot script first.
fn module_urls() -> Vec<String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name='cartable-publish']").ok().flatten())
        .and_then(|m| m.get_attribute("content"))
        .map(|c| c.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn controlled() -> bool {
    web_sys::window().is_some_and(|w| w.navigator().service_worker().controller().is_some())
}

/// Fetches `urls` through the service worker once it controls the page (it caches them).
fn cache_when_controlled(urls: Vec<String>) {
    let Some(w) = web_sys::window() else { return };
    let container = w.navigator().service_worker();
    let once = Closure::once_into_js(move || {
        if let Some(w) = web_sys::window() {
            for url in &urls {
                let _ = w.fetch_with_str(url);
            }
        }
    });
    let opts = web_sys::AddEventListenerOptions::new();
    opts.set_once(true);
    let _ = container.add_event_listener_with_callback_and_add_event_listener_options(
        "controllerchange",
        once.unchecked_ref(),
        &opts,
    );
}

async fn load(dispatch: Dispatch) {
    let urls = module_urls();
    let Some(boot) = urls.first() else {
        web::warn("no <meta name=cartable-publish>");
        return dispatch.dispatch(Action::PublishModule(ModuleLoad::Failed));
    };
    dispatch.dispatch(Action::PublishModule(ModuleLoad::Loading));
    let was_controlled = controlled();
    match wasm_bindgen_futures::JsFuture::from(import_module(boot)).await {
        Ok(module) => {
            MODULE.with(|m| *m.borrow_mut() = Some(module));
            if !was_controlled {
                cache_when_controlled(urls);
            }
            dispatch.dispatch(Action::PublishModule(ModuleLoad::Ready));
        }
        Err(e) => {
            web_sys::console::error_2(&"cannot load the publishing module".into(), &e);
            dispatch.dispatch(Action::PublishModule(ModuleLoad::Failed));
        }
    }
}

fn call(module: &JsValue, name: &str, args: &[&JsValue]) {
    let f = js_sys::Reflect::get(module, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(f) = f else { return };
    let result = match args {
        [a] => f.call1(&JsValue::NULL, a),
        [a, b, c] => f.call3(&JsValue::NULL, a, b, c),
        _ => return,
    };
    if let Err(e) = result {
        web_sys::console::error_2(&format!("publishing module: {name} failed").into(), &e);
    }
}

fn wanted(host: &Element) -> String {
    host.get_attribute("data-publish").unwrap_or_default()
}

/// Mounts a view in each new host and unmounts those whose host left the page (or that Yew
/// reused for another view).
fn reconcile(bridge: &JsValue) {
    let Some(module) = MODULE.with(|m| m.borrow().clone()) else { return };
    let gone: Vec<(Element, String)> = MOUNTED.with(|m| {
        let mut m = m.borrow_mut();
        let (kept, gone) =
            m.drain(..).partition(|(h, what)| h.is_connected() && wanted(h) == *what);
        *m = kept;
        gone
    });
    for (host, _) in gone {
        call(&module, "unmount", &[&host]);
    }
    let Some(hosts) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all("[data-publish]").ok())
    else {
        return;
    };
    for i in 0..hosts.length() {
        let Some(host) = hosts.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        if MOUNTED.with(|m| m.borrow().iter().any(|(h, _)| *h == host)) {
            continue;
        }
        let what = wanted(&host);
        call(&module, "mount", &[&host, &JsValue::from_str(&what), bridge]);
        MOUNTED.with(|m| m.borrow_mut().push((host, what)));
    }
}

/// The bridge object handed to the module (see the module's documentation).
fn bridge(dispatch: Dispatch, engine: EngineLink) -> JsValue {
    let bridge = js_sys::Object::new();
    let set = |name: &str, f: JsValue| {
        let _ = js_sys::Reflect::set(&bridge, &JsValue::from_str(name), &f);
    };
    set(
        "send",
        Closure::<dyn Fn(String)>::new(move |json: String| engine.send_json(json)).into_js_value(),
    );
    set(
        "subscribe",
        Closure::<dyn Fn(js_sys::Function) -> JsValue>::new(|f: js_sys::Function| {
            LISTENERS.with(|l| l.borrow_mut().push(f.clone()));
            Closure::once_into_js(move || {
                LISTENERS.with(|l| l.borrow_mut().retain(|g| *g != f));
            })
        })
        .into_js_value(),
    );
    set(
        "navigate",
        Closure::<dyn Fn(String)>::new(move |tab: String| {
            if let Some(tab) = Tab::ALL.into_iter().find(|t| t.id() == tab) {
                dispatch.dispatch(Action::SetTab(tab));
            }
        })
        .into_js_value(),
    );
    set("lang", Closure::<dyn Fn() -> String>::new(|| LANG.get().tag().into()).into_js_value());
    bridge.into()
}

/// Loads the publishing module for staff and keeps its views mounted in their hosts.
#[hook]
pub(crate) fn use_publish(
    staff: bool,
    online: bool,
    load_state: ModuleLoad,
    lang: Lang,
    dispatch: Dispatch,
    engine: EngineLink,
) {
    let bridge = {
        let (dispatch, engine) = (dispatch.clone(), engine.clone());
        use_memo((), move |_| Rc::new(bridge(dispatch, engine)))
    };
    use_effect_with(lang, |lang| {
        LANG.set(*lang);
        notify(&format!("lang:{}", lang.tag()));
    });
    // Signed in as staff: load it (again when the network is back after a failed load).
    use_effect_with((staff, online), move |(staff, _)| {
        if *staff && matches!(load_state, ModuleLoad::Idle | ModuleLoad::Failed) {
            wasm_bindgen_futures::spawn_local(load(dispatch));
        }
    });
    use_effect(move || reconcile(&bridge));
}
