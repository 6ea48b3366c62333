//! The block period's screen: what students and guardians see instead of the views while the
//! institution has closed access (before the school year, for example).

use cartable_shared::api::BlockNotice;
use yew::prelude::*;

use crate::i18n::Lang;
use crate::web;

/// Props of [`blocked_screen`].
#[derive(Debug, Clone)]
pub struct BlockedScreenProps<'a> {
    /// What the institution says.
    pub notice: &'a BlockNotice,
    /// The interface language.
    pub lang: Lang,
}

/// `<main id="blocked">` with the message and the end date, if one is set.
pub fn blocked_screen(props: &BlockedScreenProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().access;
    // A reload asks the server again (`GET /api/me`): the period may have been lifted early.
    let retry = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    html! {
        <main id="blocked" aria-labelledby="blocked-title">
            <h1 id="blocked-title">{ t.blocked_title }</h1>
            <p id="blocked-message">{ &props.notice.message }</p>
            if let Some(until) = props.notice.until_ms {
                <p id="blocked-until">
                    { format!("{} {}", t.blocked_until, lang.day_heading(web::device_time(until).date)) }
                </p>
            }
            <button id="blocked-retry" type="button" onclick={retry}>{ t.blocked_retry }</button>
        </main>
    }
}
