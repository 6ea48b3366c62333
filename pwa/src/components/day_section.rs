//! One day of the week view.

use yew::prelude::*;

use super::SessionCardView;
use crate::i18n::Lang;
use crate::week::DayPlan;

/// Props of [`DaySection`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct DaySectionProps {
    /// The day and its sessions.
    pub day: DayPlan,
    /// Whether it is today.
    pub today: bool,
    /// The interface language.
    pub lang: Lang,
}

/// `<section class="day">` with an `<h2>` date (`lundi 23 novembre`) and its sessions.
#[component]
pub fn DaySection(props: &DaySectionProps) -> Html {
    let DaySectionProps { day, today, lang } = props;
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
                        <li key={c.id.clone()}><SessionCardView card={c.clone()} lang={*lang} /></li>
                    }) }
                </ol>
            }
        </section>
    }
}
