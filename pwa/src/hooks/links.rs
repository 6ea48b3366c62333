//! Deep links (`shared::links`): the URL the app was opened with (a tapped notification, a
//! shortcut) opens its view, and the item it names is brought into view and focused once it
//! is shown (the session's week first, for a session).

use cartable_shared::links::DeepLink;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::{Dispatch, Model};
use crate::calendar::ZoneClock;
use crate::state::{Action, Screen};
use crate::web::IntlClock;

/// The link of the page's URL, if it names a view. `view=today` is left to its own effect.
fn page_link() -> Option<DeepLink> {
    let href = web_sys::window()?.location().href().ok()?;
    DeepLink::parse(&href).filter(|l| *l != DeepLink::Today)
}

/// The element of `attr="id"`, as an `HtmlElement`.
fn item(attr: &str, id: &str) -> Option<web_sys::HtmlElement> {
    let escaped = id.replace('\\', "\\\\").replace('"', "\\\"");
    let doc = web_sys::window()?.document()?;
    doc.query_selector(&format!("[{attr}=\"{escaped}\"]")).ok()??.dyn_into().ok()
}

/// Opens the page's link once someone is signed in, and brings its item into view.
#[hook]
pub(crate) fn use_links(model: &UseReducerHandle<Model>, dispatch: Dispatch) {
    let s = &model.0;
    {
        let dispatch = dispatch.clone();
        use_effect_with(s.me.is_some(), move |signed_in| {
            if *signed_in && let Some(link) = page_link() {
                dispatch.dispatch(Action::Open(link));
            }
        });
    }
    // The Monday of the linked session's week, once its timetable is here.
    let week_of = match &s.focus {
        Some(DeepLink::Week { session: Some(id) }) => s
            .timetables
            .iter()
            .find_map(|(_, t)| t.sessions.get(id))
            .map(|x| IntlClock::new().local(x.start_ms, &x.zone).date.monday()),
        _ => None,
    };
    let shown = s.screen == Screen::Timetable;
    let deps = (s.focus.clone(), s.views_version, s.docs.len(), s.tab, s.week, shown);
    use_effect_with(deps, move |(focus, _, _, _, week, shown)| {
        let Some(link) = focus else { return };
        if !*shown {
            return;
        }
        let (attr, id) = match link {
            DeepLink::Week { session: Some(id) } => match week_of {
                Some(monday) if monday != *week => {
                    return dispatch.dispatch(Action::ShowWeek(monday));
                }
                Some(_) => ("data-session-id", id),
                // Not on the device yet: wait for the next view.
                None => return,
            },
            DeepLink::Homework { assignment: Some(id) } => ("data-assignment-id", id),
            DeepLink::Grades { assessment: Some(id) } => ("data-assessment-id", id),
            DeepLink::Announcements { announcement: Some(id) } => ("data-announcement-id", id),
            _ => return dispatch.dispatch(Action::Focused),
        };
        if let Some(el) = item(attr, id) {
            let _ = el.set_attribute("data-focused", "");
            let _ = el.set_attribute("tabindex", "-1");
            let _ = el.focus();
            el.scroll_into_view();
            dispatch.dispatch(Action::Focused);
        }
    });
}
