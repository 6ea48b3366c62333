//! One session of the timetable, with its changes highlighted.

use cartable_shared::timetable::SessionStatus;
use yew::prelude::*;

use crate::calendar::LocalDateTime;
use crate::i18n::Lang;
use crate::week::SessionCard;

/// Props of [`SessionCardView`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SessionCardViewProps {
    /// The session.
    pub card: SessionCard,
    /// The interface language.
    pub lang: Lang,
}

fn datetime_attr(t: &LocalDateTime) -> String {
    format!("{}T{}", t.date, t.hm())
}

/// `<article class="session" data-session-id data-status>`; a cancelled session has class
/// `cancelled`, its subject struck through and `.badge-cancelled`; a moved one `.badge-moved`
/// and its former time; a room change `.room-change` with `<del>` and `<ins>`.
#[component]
pub fn SessionCardView(props: &SessionCardViewProps) -> Html {
    let SessionCardViewProps { card, lang } = props;
    let t = lang.t();
    let cancelled = card.status == SessionStatus::Cancelled;
    let moved = card.status == SessionStatus::Moved || card.moved_from.is_some();
    let class = classes!(
        "session",
        cancelled.then_some("cancelled"),
        moved.then_some("moved"),
        card.old_rooms.is_some().then_some("room-changed"),
    );
    let rooms = card.rooms.join(", ");
    html! {
        <article {class} data-session-id={card.id.clone()} data-status={card.status_attr()}>
            <p class="session-time">
                <time datetime={datetime_attr(&card.start)}>{ card.start.hm() }</time>
                { " – " }
                <time datetime={datetime_attr(&card.end)}>{ card.end.hm() }</time>
            </p>
            <h3 class="session-subject">
                if cancelled { <s>{ &card.subject }</s> } else { { &card.subject } }
            </h3>
            <p class="session-kind">{ lang.kind(card.kind) }</p>
            if cancelled {
                <p class="session-change">
                    <span class="badge badge-cancelled">{ t.cancelled }</span>
                    if let Some(note) = &card.note {
                        { " " }<span class="session-note">{ note }</span>
                    }
                </p>
            }
            if moved {
                <p class="session-change">
                    <span class="badge badge-moved">{ t.moved }</span>
                    if let Some((from, to)) = &card.moved_from {
                        { " " }
                        <span class="moved-from">{ format!("{} {}", t.moved_from, lang.slot(from, to)) }</span>
                    }
                </p>
            }
            if let Some(old) = &card.old_rooms {
                <p class="room-change">
                    <span class="label">{ t.room_changed }</span>{ " " }
                    <del>{ old.join(", ") }</del>{ " " }<ins>{ rooms.clone() }</ins>
                </p>
            } else if !rooms.is_empty() {
                <p class="session-rooms"><span class="sr-only">{ t.rooms }{ " : " }</span>{ rooms.clone() }</p>
            }
            if !card.teachers.is_empty() {
                <p class="session-teachers">
                    <span class="sr-only">{ t.teachers }{ " : " }</span>{ card.teachers.join(", ") }
                </p>
            }
            if !cancelled && let Some(note) = &card.note {
                <p class="session-note">{ note }</p>
            }
        </article>
    }
}
