//! The week view: navigation, the next session of today, and the days.

use cartable_shared::engine::EngineCommand;
use yew::prelude::*;

use super::{DaySectionProps, NextSessionProps, day_section, next_session};
use crate::calendar::CivilDate;
use crate::i18n::Lang;
use crate::state::Action;
use crate::week::{SessionCard, WeekPlan};

/// Props of [`week_view`].
#[derive(Debug, Clone)]
pub struct WeekViewProps<'a> {
    /// The week.
    pub plan: &'a WeekPlan,
    /// The next session of today, when the current week is shown.
    pub next: Option<&'a SessionCard>,
    /// Today on the device.
    pub today: CivilDate,
    /// Whether any timetable is on the device yet.
    pub has_timetable: bool,
    /// The interface language.
    pub lang: Lang,
    /// `PrevWeek`, `ThisWeek`, `NextWeek` or `RevealHidden`; `Teach(OpenDialog)` from a session.
    pub onnavigate: Callback<Action>,
    /// How many courses the user hid.
    pub hidden: usize,
    /// Whether their sessions are shown (marked) rather than left out.
    pub reveal: bool,
    /// Receives the session cards' intents.
    pub onintent: &'a Callback<EngineCommand>,
    /// The groups whose sessions the user may change (empty for students).
    pub teaches: &'a [String],
}

/// `<main id="timetable">` with `#week-prev`, `#week-today`, `#week-next` and one
/// `section.day` per day; with courses hidden, `#hidden-courses` says how many, with a button
/// that shows (or hides again) their sessions.
pub fn week_view(props: &WeekViewProps<'_>) -> Html {
    let WeekViewProps {
        plan,
        next,
        today,
        has_timetable,
        lang,
        onnavigate,
        hidden,
        reveal,
        onintent,
        teaches,
    } = props;
    let t = lang.t();
    let nav = |action: Action| {
        let cb = onnavigate.clone();
        Callback::from(move |_: MouseEvent| cb.emit(action.clone()))
    };
    let this_week = plan.monday == today.monday();
    html! {
        <main id="timetable" aria-labelledby="week-title">
            if let Some(card) = next {
                { next_session(NextSessionProps { card, lang: *lang }) }
            }
            <div class="week-bar">
                <h1 id="week-title">{ lang.week_heading(plan.monday) }</h1>
                <nav class="week-nav" aria-label={t.week_nav}>
                    <button id="week-prev" type="button" onclick={nav(Action::PrevWeek)}>
                        <span aria-hidden="true">{ "‹" }</span>
                        <span class="sr-only">{ t.week_prev }</span>
                    </button>
                    <button id="week-today" type="button" onclick={nav(Action::ThisWeek)}
                        aria-pressed={this_week.to_string()}>
                        { t.week_today }
                    </button>
                    <button id="week-next" type="button" onclick={nav(Action::NextWeek)}>
                        <span aria-hidden="true">{ "›" }</span>
                        <span class="sr-only">{ t.week_next }</span>
                    </button>
                </nav>
            </div>
            if !has_timetable {
                <p class="empty">{ t.no_timetable_yet }</p>
            } else if plan.is_empty() {
                <p class="empty">{ t.no_sessions_week }</p>
            }
            if *hidden > 0 {
                <p id="hidden-courses" class="hidden-courses">
                    { lang.hidden_count(*hidden) }{ " · " }
                    <button id="hidden-toggle" type="button" class="link-button"
                        aria-pressed={reveal.to_string()} onclick={nav(Action::RevealHidden(!*reveal))}>
                        { if *reveal { t.hidden_conceal } else { t.hidden_reveal } }
                    </button>
                </p>
            }
            <div class="days">
                { for plan.visible_days().map(|d| html! {
                    { day_section(DaySectionProps {
                        day: d,
                        today: d.date == *today,
                        lang: *lang,
                        onintent,
                        teaches,
                        onedit: onnavigate,
                    }) }
                }) }
            </div>
        </main>
    }
}
