//! The administration page's module (`/admin`): wasm-bindgen calls `main` when the module is
//! initialised. It is a module of its own so that students never download it.

#[cfg(target_arch = "wasm32")]
fn main() {
    cartable_pwa::admin::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the administration module runs in a browser: build it for wasm32-unknown-unknown");
}
