//! One day of the week view.

use cartable_shared::engine::EngineCommand;
use yew::prelude::*;

use super::{SessionCardProps, session_card};
use crate::i18n::Lang;
use crate::state::Action;
use crate::week::DayPlan;

/// Props of [`day_section`].
#[derive(Debug, Clone, Copy)]
pub struct DaySectionProps<'a> {
    /// The day and its sessions.
    pub day: &'a DayPlan,
    /// Whether it is today.
    pub today: bool,
    /// The interface language.
    pub lang: Lang,
    /// Receives the session cards' intents.
    pub onintent: &'a Callback<EngineCommand>,
    /// The groups whose sessions the user may change.
    pub teaches: &'a [String],
    /// Receives `Teach(OpenDialog)` from the sessions the user may change.
    pub onedit: &'a Callback<Action>,
}

/// `<section class="day">` with an `<h2>` date (`lundi 23 novembre`) and its sessions.
pub fn day_section(props: DaySectionProps<'_>) -> Html {
    let DaySectionProps { day, today, lang, onintent, teaches, onedit } = props;
    let id = format!("day-{}", day.date);
    let heading = format!("h-{}", day.date);
    html! {
        <section class={classes!("day", today.then_some("today"))} id={id}
            aria-labelledby={heading.clone()} aria-current={today.then_some("date")}>
            <h2 id={heading}>{ lang.day_heading(day.date) }</h2>
            if day.sessions.is_empty() {
                <p class="no-sessions">{ lang.t().no_sessions_day }</p>
            } else {
                <ol class="sessions">
                    { for day.sessions.iter().map(|c| html! {
                        <li key={c.id.clone()}>{ session_card(SessionCardProps {
                            card: c,
                            lang,
                            onintent,
                            onedit: teaches.contains(&c.group).then_some(onedit),
                        }) }</li>
                    }) }
                </ol>
            }
        </section>
    }
}
