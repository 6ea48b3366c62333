//! The tab bar of the signed-in app: timetable, homework, grades, announcements, messages.

use yew::prelude::*;

use crate::i18n::Lang;
use crate::state::{Action, Tab};

/// Props of [`tab_bar`].
#[derive(Debug, Clone)]
pub struct TabBarProps<'a> {
    /// The tab shown.
    pub tab: Tab,
    /// The interface language.
    pub lang: Lang,
    /// Receives `SetTab`.
    pub onaction: &'a Callback<Action>,
}

/// `<nav id="tabs">` with one `button#tab-<id>` per tab (`aria-current="page"` on the one
/// shown): plain buttons, so Tab / Enter / Space work everywhere.
pub fn tab_bar(props: &TabBarProps<'_>) -> Html {
    let t = props.lang.t();
    let label = |tab: Tab| match tab {
        Tab::Timetable => t.tab_timetable,
        Tab::Homework => t.tab_homework,
        Tab::Grades => t.tab_grades,
        Tab::Announcements => t.tab_announcements,
        Tab::Messages => t.tab_messages,
        Tab::Documents => t.tab_documents,
        Tab::Settings => t.settings.title,
    };
    html! {
        <nav id="tabs" class="tabs" aria-label={t.tabs_label}>
            { for Tab::ALL.into_iter().map(|tab| {
                let cb = props.onaction.clone();
                let onclick = Callback::from(move |_: MouseEvent| cb.emit(Action::SetTab(tab)));
                let current = (tab == props.tab).then_some("page");
                html! {
                    <button id={format!("tab-{}", tab.id())} type="button" aria-current={current} {onclick}>
                        { label(tab) }
                    </button>
                }
            }) }
        </nav>
    }
}
