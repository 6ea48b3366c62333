//! One session of the timetable, with its changes highlighted.

use cartable_shared::engine::EngineCommand;
use cartable_shared::timetable::SessionStatus;
use yew::prelude::*;

use crate::i18n::Lang;
use crate::state::Action;
use crate::teach::{SessionAction, SessionDialog, TeachAction};
use crate::week::SessionCard;

/// Props of [`session_card`].
#[derive(Debug, Clone, Copy)]
pub struct SessionCardProps<'a> {
    /// The session.
    pub card: &'a SessionCard,
    /// The interface language.
    pub lang: Lang,
    /// Receives "hide this course" / "show this course".
    pub onintent: &'a Callback<EngineCommand>,
    /// Set when the user may change this session (a group they teach): receives
    /// `Teach(OpenDialog)`.
    pub onedit: Option<&'a Callback<Action>>,
}

/// `<article class="session" data-session-id data-status>`; a cancelled session has class
/// `cancelled`, its subject struck through and `.badge-cancelled` (also class `probably`, and
/// the badge says so, when it only vanished from its calendar feed); a moved one `.badge-moved`
/// and its former time; a room change `.room-change` with `<del>` and `<ins>`. Its
/// `button.course-hide` hides the subject (`.course-unhide` on a card of a hidden subject, class
/// `course-hidden`, shows it again).
pub fn session_card(props: SessionCardProps<'_>) -> Html {
    let SessionCardProps { card, lang, onintent, onedit } = props;
    let t = lang.t();
    let cancelled = card.status == SessionStatus::Cancelled;
    let moved = card.status == SessionStatus::Moved || card.moved_from.is_some();
    let class = classes!(
        "session",
        cancelled.then_some("cancelled"),
        card.probably.then_some("probably"),
        moved.then_some("moved"),
        card.old_rooms.is_some().then_some("room-changed"),
        card.hidden.then_some("course-hidden"),
    );
    let toggle = {
        let cmd =
            EngineCommand::SetCourseHidden { subject: card.subject.clone(), hidden: !card.hidden };
        let cb = onintent.clone();
        Callback::from(move |_: MouseEvent| cb.emit(cmd.clone()))
    };
    let (toggle_class, toggle_text) = if card.hidden {
        ("course-unhide", t.course_unhide)
    } else {
        ("course-hide", t.course_hide)
    };
    let mut meta = vec![lang.kind(card.kind).to_owned()];
    if card.old_rooms.is_none() && !card.rooms.is_empty() {
        meta.push(card.rooms.join(", "));
    }
    if !card.teachers.is_empty() {
        meta.push(card.teachers.join(", "));
    }
    html! {
        <article {class} data-session-id={card.id.clone()} data-status={card.status_attr()}>
            <p class="session-time">{ lang.time_range(&card.start, &card.end) }</p>
            <h3 class="session-subject">
                if cancelled { <s>{ &card.subject }</s> } else { { &card.subject } }
            </h3>
            <p class="session-meta">{ meta.join(" · ") }</p>
            if cancelled {
                <p class="session-change">
                    <span class="badge badge-cancelled">
                        { if card.probably { t.probably_cancelled } else { t.cancelled } }
                    </span>
                    if let Some(note) = &card.note {
                        <span class="session-note">{ note }</span>
                    }
                </p>
            }
            if moved {
                <p class="session-change">
                    <span class="badge badge-moved">{ t.moved }</span>
                    if let Some((from, to)) = &card.moved_from {
                        <span class="moved-from">{ format!("{} {}", t.moved_from, lang.slot(from, to)) }</span>
                    }
                </p>
            }
            if let Some(old) = &card.old_rooms {
                <p class="room-change">
                    <span class="label">{ t.room_changed }</span>
                    <del>{ old.join(", ") }</del>{ " → " }<ins>{ card.rooms.join(", ") }</ins>
                </p>
            }
            if !cancelled && let Some(note) = &card.note {
                <p class="session-note">{ note }</p>
            }
            <button type="button" class={classes!("link-button", toggle_class)} data-subject={card.subject.clone()} onclick={toggle}>
                { toggle_text }<span class="sr-only">{ format!(" : {}", card.subject) }</span>
            </button>
            if let Some(onedit) = onedit {
                { edit_buttons(card, lang, onedit, cancelled) }
            }
        </article>
    }
}

/// `div.session-actions` with `button[data-action=cancel|move|room]`, each opening the session
/// dialog with the session's current values (no cancel button once cancelled).
fn edit_buttons(
    card: &SessionCard,
    lang: Lang,
    onedit: &Callback<Action>,
    cancelled: bool,
) -> Html {
    let t = lang.t().teach;
    let open = |action: SessionAction| {
        let cb = onedit.clone();
        let dialog = SessionDialog {
            group: card.group.clone(),
            session: card.id.clone(),
            action,
            date: card.start.date.to_string(),
            start: card.start.hm(),
            end: card.end.hm(),
            rooms: card.rooms.join(", "),
            invalid: false,
        };
        Callback::from(move |_: MouseEvent| {
            cb.emit(Action::Teach(TeachAction::OpenDialog(dialog.clone())))
        })
    };
    let label = |what: &str| {
        format!("{what} : {} {}", card.subject, lang.time_range(&card.start, &card.end))
    };
    html! {
        <div class="session-actions">
            if !cancelled {
                <button type="button" data-action="cancel" aria-label={label(t.cancel_session)}
                    onclick={open(SessionAction::Cancel)}>{ t.cancel_session }</button>
            }
            <button type="button" data-action="move" aria-label={label(t.move_session)}
                onclick={open(SessionAction::Move)}>{ t.move_session }</button>
            <button type="button" data-action="room" aria-label={label(t.change_room)}
                onclick={open(SessionAction::Room)}>{ t.change_room }</button>
        </div>
    }
}
