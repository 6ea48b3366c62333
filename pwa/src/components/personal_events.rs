//! The user's own events of the week shown, and a small form to add one (works offline).

use cartable_shared::engine::EngineCommand;
use cartable_shared::me::PersonalEvent;
use yew::prelude::*;

use crate::i18n::Lang;
use crate::web;

/// Props of [`personal_events`].
#[derive(Debug, Clone)]
pub struct PersonalEventsProps<'a> {
    /// The events of the week, by start.
    pub events: Vec<(&'a str, &'a PersonalEvent)>,
    /// The interface language.
    pub lang: Lang,
    /// Receives `AddPersonalEvent` and `RemovePersonalEvent`.
    pub onintent: &'a Callback<EngineCommand>,
}

/// UTC milliseconds of a device-local `YYYY-MM-DD` date and `HH:MM` time.
fn local_ms(date: &str, time: &str) -> Option<i64> {
    let mut d = date.split('-').map(|p| p.parse::<i32>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i32>().ok());
    let (h, min) = (t.next()??, t.next()??);
    let js = js_sys::Date::new_with_year_month_day_hr_min(y as u32, m - 1, day, h, min);
    let ms = js.get_time();
    ms.is_finite().then_some(ms as i64)
}

/// `section#personal-events` with one `article.personal-event[data-event-id]` per event and
/// `form#event-form` (`#event-title`, `#event-date`, `#event-start`, `#event-end`).
pub fn personal_events(props: &PersonalEventsProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t();
    let onsubmit = {
        let cb = props.onintent.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let title = super::input_value("event-title").trim().to_owned();
            let date = super::input_value("event-date");
            let (Some(start_ms), Some(end_ms)) = (
                local_ms(&date, &super::input_value("event-start")),
                local_ms(&date, &super::input_value("event-end")),
            ) else {
                return;
            };
            if title.is_empty() || end_ms < start_ms {
                return;
            }
            let zone =
                js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                    .resolved_options();
            let zone = js_sys::Reflect::get(&zone, &"timeZone".into())
                .ok()
                .and_then(|z| z.as_string())
                .unwrap_or_else(|| "Europe/Paris".into());
            let now = web::now_ms();
            cb.emit(EngineCommand::AddPersonalEvent {
                id: format!("ev-{now}-{}", (js_sys::Math::random() * 1e6) as u32),
                event: PersonalEvent { title, start_ms, end_ms, zone, note: None },
            });
        })
    };
    html! {
        <section id="personal-events" aria-labelledby="events-title">
            <h2 id="events-title">{ t.events_title }</h2>
            if props.events.is_empty() {
                <p class="empty">{ t.events_none }</p>
            }
            { for props.events.iter().map(|(id, ev)| {
                let (start, end) = (web::device_time(ev.start_ms), web::device_time(ev.end_ms));
                let onclick = {
                    let cb = props.onintent.clone();
                    let id = id.to_string();
                    Callback::from(move |_: MouseEvent| cb.emit(EngineCommand::RemovePersonalEvent { id: id.clone() }))
                };
                html! {
                    <article class="personal-event" data-event-id={id.to_string()}>
                        <p class="session-time">{ lang.slot(&start, &end) }</p>
                        <h3>{ &ev.title }</h3>
                        <button type="button" class="event-remove" {onclick}>{ t.event_remove }</button>
                    </article>
                }
            }) }
            <details class="event-add">
                <summary>{ t.event_add }</summary>
                <form id="event-form" {onsubmit}>
                    <label for="event-title">{ t.event_name }</label>
                    <input id="event-title" type="text" required=true />
                    <label for="event-date">{ t.event_date }</label>
                    <input id="event-date" type="date" required=true />
                    <label for="event-start">{ t.event_start }</label>
                    <input id="event-start" type="time" required=true />
                    <label for="event-end">{ t.event_end }</label>
                    <input id="event-end" type="time" required=true />
                    <button type="submit">{ t.event_save }</button>
                </form>
            </details>
        </section>
    }
}
