//! The one dialog of a teacher's session changes: cancel, move or change the room, each with
//! an optional note to the students.

use yew::prelude::*;

use super::fields::value;
use crate::i18n::Lang;
use crate::state::Action;
use crate::teach::{SessionAction, SessionDialog, TeachAction, TeachCmd};

/// Props of [`session_dialog`].
#[derive(Debug, Clone)]
pub struct SessionDialogProps<'a> {
    /// The dialog.
    pub dialog: &'a SessionDialog,
    /// The interface language.
    pub lang: Lang,
    /// Receives `Session` on confirmation.
    pub onteach: &'a Callback<TeachCmd>,
    /// Receives `Teach(CloseDialog)`.
    pub onaction: &'a Callback<Action>,
}

/// `<div id="session-dialog" role="dialog" data-action>` with the fields of its action
/// (`#sd-date`, `#sd-start`, `#sd-end` to move, `#sd-rooms` for the room), `#sd-note`,
/// `#sd-confirm` and `#sd-back`.
pub fn session_dialog(props: &SessionDialogProps<'_>) -> Html {
    let d = props.dialog;
    let t = props.lang.t().teach;
    let title = match d.action {
        SessionAction::Cancel => t.cancel_title,
        SessionAction::Move => t.move_title,
        SessionAction::Room => t.room_title,
    };
    let onsubmit = {
        let (cb, dialog) = (props.onteach.clone(), d.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cb.emit(TeachCmd::Session {
                dialog: dialog.clone(),
                date: value("sd-date"),
                start: value("sd-start"),
                end: value("sd-end"),
                rooms: value("sd-rooms"),
                note: value("sd-note"),
            });
        })
    };
    let onback = {
        let cb = props.onaction.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::Teach(TeachAction::CloseDialog)))
    };
    html! {
        <div id="session-dialog" class="teach-dialog" role="dialog" aria-modal="true"
            aria-labelledby="sd-title" data-action={d.action.id()}>
            <form {onsubmit}>
                <h2 id="sd-title">{ title }</h2>
                if d.action == SessionAction::Move {
                    <label for="sd-date">{ t.new_date }</label>
                    <input id="sd-date" type="date" required=true ~defaultValue={d.date.clone()} />
                    <label for="sd-start">{ t.new_start }</label>
                    <input id="sd-start" type="time" required=true ~defaultValue={d.start.clone()} />
                    <label for="sd-end">{ t.new_end }</label>
                    <input id="sd-end" type="time" required=true ~defaultValue={d.end.clone()} />
                }
                if d.action == SessionAction::Room {
                    <label for="sd-rooms">{ t.new_rooms }</label>
                    <input id="sd-rooms" type="text" required=true maxlength="200" ~defaultValue={d.rooms.clone()} />
                }
                <label for="sd-note">{ t.note }</label>
                <textarea id="sd-note" rows="2" maxlength="500" />
                if d.invalid {
                    <p class="failure" role="alert">{ t.invalid }</p>
                }
                <div class="teach-actions">
                    <button id="sd-confirm" type="submit" class="primary">{ t.confirm }</button>
                    <button id="sd-back" type="button" onclick={onback}>{ t.back }</button>
                </div>
            </form>
        </div>
    }
}
