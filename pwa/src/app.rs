//! The root component: the header and the screen of the current state.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::{AppHeader, LangSwitch, LoginForm, UpdateBanner, WeekView};
use crate::hooks::use_app;
use crate::state::Screen;
use crate::web::IntlClock;
use crate::week::{next_today, plan_week};

/// The app.
#[component]
pub fn App() -> Html {
    let app = use_app();
    let s = &app.state;
    let clock = use_memo((), |_| IntlClock::new());
    let plan = {
        let (s, clock) = (s.clone(), clock.clone());
        use_memo((s.views_version, s.week), move |_| {
            plan_week(s.timetables.values().map(|t| &**t), s.week, &*clock)
        })
    };
    let next = {
        let (s, clock) = (s.clone(), clock.clone());
        use_memo((s.views_version, s.today, s.now_ms / 60_000), move |_| {
            next_today(s.timetables.values().map(|t| &**t), s.today, s.now_ms, &*clock)
        })
    };
    let t = s.lang.t();
    let user_name = s.me.as_ref().map(|m| AttrValue::from(m.display_name.clone()));
    html! {
        <>
            <AppHeader lang={s.lang} {user_name} status={s.sync} today={s.today}
                onlogout={app.on_logout.clone()} />
            if s.update_ready {
                <UpdateBanner lang={s.lang} onupdate={app.on_update.clone()} />
            }
            { match s.screen {
                Screen::Loading => html! {
                    <main id="loading" aria-busy="true"><p>{ t.loading }</p></main>
                },
                Screen::Login => html! {
                    <LoginForm lang={s.lang} busy={s.login_busy} error={s.login_error}
                        onsubmit={app.on_login.clone()} />
                },
                Screen::Timetable => html! {
                    <WeekView plan={Rc::clone(&plan)} next={if s.is_this_week() { (*next).clone() } else { None }}
                        today={s.today} has_timetable={!s.timetables.is_empty()} lang={s.lang}
                        onnavigate={app.on_week.clone()} />
                },
            } }
            <footer class="app-footer">
                <LangSwitch lang={s.lang} onchange={app.on_lang.clone()} />
            </footer>
        </>
    }
}
