//! The publishing module's entry points (module `publish`): the staff's publishing views, which
//! the UI imports only for teachers, staff and admins (see `cartable_pwa::publish`). Its exports
//! are declared here, in the binary, so that the other modules built from the crate do not carry
//! them.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;

/// Mounts the publishing view `what` in `host`; `bridge` is the UI's side of the link.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn mount(host: web_sys::Element, what: String, bridge: JsValue) {
    cartable_pwa::publish::mount(host, what, bridge);
}

/// Unmounts the view mounted in `host`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn unmount(host: web_sys::Element) {
    cartable_pwa::publish::unmount(&host);
}

#[cfg(target_arch = "wasm32")]
fn main() {
    cartable_pwa::publish::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the publishing module runs in a browser: build it for wasm32-unknown-unknown");
}
