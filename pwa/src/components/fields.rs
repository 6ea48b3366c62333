//! Reading a form's fields when it is submitted (rather than keeping every keystroke in the
//! state): inputs, selects and text areas by id.

use wasm_bindgen::JsCast;

fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

/// The value of the field `id` (input, select or text area), empty if there is none.
pub(crate) fn value(id: &str) -> String {
    let Some(e) = element(id) else { return String::new() };
    let e = match e.dyn_into::<web_sys::HtmlInputElement>() {
        Ok(i) => return i.value(),
        Err(e) => e,
    };
    let e = match e.dyn_into::<web_sys::HtmlSelectElement>() {
        Ok(s) => return s.value(),
        Err(e) => e,
    };
    e.dyn_into::<web_sys::HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default()
}

/// Whether the checkbox `id` is checked.
pub(crate) fn checked(id: &str) -> bool {
    element(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}
