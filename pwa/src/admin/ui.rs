//! Pieces every screen of the administration page uses: a list loaded from the API, the
//! notice of the last action, form values, dates.

use std::future::Future;

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use super::api;
use crate::i18n::{Failure, Lang};
use crate::web;

/// Props of every screen.
#[derive(Debug, Clone, PartialEq, Properties)]
pub(crate) struct ScreenProps {
    /// The interface language.
    pub lang: Lang,
}

/// A list loaded from the API: `None` while loading.
#[derive(Debug)]
pub(crate) struct Load<T: 'static> {
    /// The last answer.
    pub data: UseStateHandle<Option<Result<T, Failure>>>,
    /// Loads it again.
    pub reload: Callback<()>,
}

/// Loads `path` when the screen opens, and again on `reload`.
#[hook]
pub(crate) fn use_load<T: DeserializeOwned + 'static>(path: &'static str) -> Load<T> {
    let data = use_state(|| None::<Result<T, Failure>>);
    let version = use_state(|| 0u32);
    {
        let data = data.clone();
        use_effect_with(*version, move |_| {
            wasm_bindgen_futures::spawn_local(async move { data.set(Some(api::get(path).await)) });
        });
    }
    let reload = Callback::from(move |()| version.set(*version + 1));
    Load { data, reload }
}

/// What the last action did: a confirmation or a failure, said in words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Notice {
    /// Sent, no answer yet.
    Busy,
    /// Done.
    Done(String),
    /// Failed.
    Failed(String),
}

/// Runs `action`, showing it in `notice` (busy, then its message or its failure), then calls
/// `after` on success.
pub(crate) fn run<T: 'static>(
    lang: Lang,
    notice: &UseStateHandle<Option<Notice>>,
    action: impl Future<Output = Result<T, Failure>> + 'static,
    after: impl FnOnce(T) -> Option<String> + 'static,
) {
    let notice = notice.clone();
    notice.set(Some(Notice::Busy));
    wasm_bindgen_futures::spawn_local(async move {
        let shown = match action.await {
            Ok(v) => after(v).map(Notice::Done),
            Err(f) => Some(Notice::Failed(lang.failure(&f))),
        };
        notice.set(shown);
    });
}

/// The notice, in a live region (`status`, or `alert` for a failure).
pub(crate) fn notice(lang: Lang, id: &'static str, n: &Option<Notice>) -> Html {
    match n {
        None => html! { <p {id} class="admin-notice" role="status"></p> },
        Some(Notice::Busy) => {
            html! { <p {id} class="admin-notice" role="status" data-state="busy">{ lang.admin().busy }</p> }
        }
        Some(Notice::Done(text)) => {
            html! { <p {id} class="admin-notice" role="status" data-state="done">{ text }</p> }
        }
        Some(Notice::Failed(text)) => {
            html! { <p {id} class="admin-notice failure" role="alert" data-state="failed">{ text }</p> }
        }
    }
}

/// A list's content: loading, its failure, empty, or `show(data)`.
pub(crate) fn loaded<T>(
    lang: Lang,
    data: &Option<Result<T, Failure>>,
    is_empty: impl Fn(&T) -> bool,
    show: impl Fn(&T) -> Html,
) -> Html {
    let t = lang.admin();
    match data {
        None => html! { <p aria-busy="true">{ t.loading }</p> },
        Some(Err(f)) => html! { <p class="failure" role="alert">{ lang.failure(f) }</p> },
        Some(Ok(d)) if is_empty(d) => html! { <p class="empty">{ t.empty }</p> },
        Some(Ok(d)) => show(d),
    }
}

/// A labelled text input (`type` given), inside its label.
pub(crate) fn field(kind: &'static str, id: &'static str, label: &str, required: bool) -> Html {
    html! {
        <label class="admin-field">
            <span>{ label }</span>
            <input type={kind} {id} name={id} {required} autocomplete="off" />
        </label>
    }
}

fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

/// The `value` of the form control `id` (input, select, textarea), trimmed; empty if absent.
pub(crate) fn value(id: &str) -> String {
    element(id)
        .and_then(|e| js_sys::Reflect::get(&e, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// Whether the checkbox `id` is ticked.
pub(crate) fn checked(id: &str) -> bool {
    element(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// Moves the keyboard focus to the element `id` once it is rendered: a confirmation that
/// appears elsewhere on the page is where the user's next key press goes.
#[hook]
pub(crate) fn use_focus_when(shown: bool, id: &'static str) {
    use_effect_with(shown, move |shown| {
        if *shown
            && let Some(e) = element(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = e.focus();
        }
    });
}

/// Empties the controls of the form `id` after it was sent.
pub(crate) fn reset(id: &str) {
    if let Some(form) = element(id).and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok()) {
        form.reset();
    }
}

/// The text of the file chosen in the file input `id`, if one is.
pub(crate) async fn file_text(id: &str) -> Option<String> {
    let input = element(id)?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0)?;
    JsFuture::from(file.text()).await.ok()?.as_string()
}

/// A submit handler: prevents the page from being sent, then calls `f`.
pub(crate) fn on_submit(f: impl Fn() + 'static) -> Callback<SubmitEvent> {
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        f();
    })
}

/// A date and time: `23 nov. 2026 14:02`.
pub(crate) fn when(lang: Lang, ms: i64) -> String {
    let at = web::device_time(ms);
    format!("{} {} {}", lang.short_date(at.date), at.date.year, at.hm())
}

/// A day: `23 nov. 2026`.
pub(crate) fn day(lang: Lang, ms: i64) -> String {
    let date = web::device_time(ms).date;
    format!("{} {}", lang.short_date(date), date.year)
}

/// Midnight on this device's clock at the start of the day typed in a date input
/// (`YYYY-MM-DD`), plus `days`, UTC milliseconds; `None` if nothing (valid) is typed. A guest
/// account lasts through the day typed (`days` = 1: it ends at the next midnight); a block
/// period ends as the day typed begins (`days` = 0).
pub(crate) fn midnight_ms(text: &str, days: i32) -> Option<i64> {
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<i32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let midnight = js_sys::Date::new_with_year_month_day_hr_min_sec(
        u32::try_from(y).ok()?,
        m - 1,
        d + days,
        0,
        0,
        0,
    );
    let ms = midnight.get_time();
    ms.is_finite().then_some(ms as i64)
}

/// A comma- or semicolon-separated list typed in a field.
pub(crate) fn list(text: &str) -> Vec<String> {
    text.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// A destructive action waiting for the administrator's confirmation: what it applies to.
pub(crate) struct Ask<T: 'static> {
    /// What waits for confirmation, if anything.
    pub asked: UseStateHandle<Option<T>>,
    /// Asks (shows the question).
    pub ask: Callback<T>,
    /// Drops the question.
    pub cancel: Callback<MouseEvent>,
}

impl<T: Clone + 'static> Ask<T> {
    /// Takes what was confirmed, closing the question.
    pub(crate) fn take(asked: &UseStateHandle<Option<T>>) -> Option<T> {
        let value = (**asked).clone();
        asked.set(None);
        value
    }
}

/// The state of a confirmation whose yes button is `yes_id` (focused when it appears).
#[hook]
pub(crate) fn use_ask<T: Clone + 'static>(yes_id: &'static str) -> Ask<T> {
    let asked = use_state(|| None::<T>);
    use_focus_when(asked.is_some(), yes_id);
    let ask = {
        let asked = asked.clone();
        Callback::from(move |what: T| asked.set(Some(what)))
    };
    let cancel = {
        let asked = asked.clone();
        Callback::from(move |_: MouseEvent| asked.set(None))
    };
    Ask { asked, ask, cancel }
}

/// The confirmation `<div id="{id}" role="alertdialog">`: the question (`{id}-text`), the
/// danger button `yes_id` that runs the action, and Cancel.
pub(crate) fn confirm_dialog(
    lang: Lang,
    (id, yes_id): (&'static str, &'static str),
    question: &str,
    yes: &str,
    (onyes, oncancel): (Callback<MouseEvent>, Callback<MouseEvent>),
) -> Html {
    let text_id = format!("{id}-text");
    html! {
        <div {id} role="alertdialog" aria-labelledby={text_id.clone()} class="admin-card">
            <p id={text_id}>{ question }</p>
            <div class="settings-actions">
                <button type="button" id={yes_id} class="danger-button" onclick={onyes}>{ yes }</button>
                <button type="button" onclick={oncancel}>{ lang.admin().cancel }</button>
            </div>
        </div>
    }
}
