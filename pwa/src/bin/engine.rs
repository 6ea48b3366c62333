//! The engine worker module's entry point (feature `engine`): wasm-bindgen calls `main` when
//! the module is initialised inside the dedicated worker.

#[cfg(target_arch = "wasm32")]
fn main() {
    cartable_pwa::sync::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the engine module runs in a Web Worker: build it for wasm32-unknown-unknown");
}
