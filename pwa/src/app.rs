//! The root component: the header and the screen of the current state.

use yew::prelude::*;

use crate::components::{
    AppHeaderProps, LangSwitchProps, LoginFormProps, UpdateBannerProps, WeekViewProps, app_header,
    lang_switch, login_form, update_banner, week_view,
};
use crate::hooks::use_app;
use crate::state::Screen;
use crate::web::IntlClock;
use crate::week::{next_today, plan_week};

/// Starts the UI: begins reading IndexedDB, then mounts [`App`] on `<body>`.
pub fn start() {
    crate::hooks::prefetch_snapshot();
    yew::Renderer::<App>::new().render();
}

/// The app.
#[component]
pub fn App() -> Html {
    let app = use_app();
    let s = &app.model.0;
    // Recomputed when a view changes, another week is shown, or every minute (the next session).
    let derived = use_memo((s.views_version, s.week, s.today, s.now_ms / 60_000), |_| {
        let clock = IntlClock::new();
        let plan = plan_week(s.timetable_views(), s.week, &clock);
        let next = next_today(s.timetable_views(), s.today, s.now_ms, &clock);
        (plan, next)
    });
    let (plan, next) = &*derived;
    let t = s.lang.t();
    let header = app_header(&AppHeaderProps {
        lang: s.lang,
        user_name: s.me.as_ref().map(|m| m.display_name.as_str()),
        status: s.sync,
        today: s.today,
        onlogout: app.on_logout.clone(),
    });
    let screen = match s.screen {
        Screen::Loading => html! {
            <main id="loading" aria-busy="true"><p>{ t.loading }</p></main>
        },
        Screen::Login => login_form(&LoginFormProps {
            lang: s.lang,
            busy: s.login_busy,
            error: s.login_error,
            onsubmit: app.on_login.clone(),
        }),
        Screen::Timetable => week_view(&WeekViewProps {
            plan,
            next: if s.is_this_week() { next.as_ref() } else { None },
            today: s.today,
            has_timetable: !s.timetables.is_empty(),
            lang: s.lang,
            onnavigate: app.on_week.clone(),
        }),
    };
    html! {
        <>
            { header }
            if s.update_ready {
                { update_banner(&UpdateBannerProps { lang: s.lang, onupdate: app.on_update.clone() }) }
            }
            { screen }
            <footer class="app-footer">
                { lang_switch(&LangSwitchProps { lang: s.lang, onchange: app.on_lang.clone() }) }
            </footer>
        </>
    }
}
