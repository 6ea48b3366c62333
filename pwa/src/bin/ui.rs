//! The UI module's entry point: wasm-bindgen calls `main` when the module is initialised.

#[cfg(target_arch = "wasm32")]
fn main() {
    cartable_pwa::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the UI module runs in a browser: build it for wasm32-unknown-unknown");
}
