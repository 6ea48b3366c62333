//! Setting homework (teachers of a group, admins): subject, title, text, due date, something
//! to hand in, attachments; and one's own assignments, to edit or remove. Saved on the device
//! and synced (offline too); attachments are uploaded first, so they need the network.

use cartable_shared::homework::Assignment;
use yew::prelude::*;

use super::fields::{checked, value};
use crate::i18n::Lang;
use crate::state::Action;
use crate::teach::{FormStatus, HomeworkForm, TeachAction, TeachCmd};
use crate::web;

/// Props of [`homework_form`].
#[derive(Debug, Clone)]
pub struct HomeworkFormProps<'a> {
    /// The groups the user sets homework for.
    pub groups: &'a [String],
    /// The user's own assignments: group, id, assignment (soonest due first).
    pub own: &'a [(&'a str, &'a str, &'a Assignment)],
    /// The assignment being edited.
    pub editing: Option<(&'a str, &'a str, &'a Assignment)>,
    /// The form's last outcome.
    pub status: Option<FormStatus>,
    /// The interface language.
    pub lang: Lang,
    /// Receives `SaveHomework` and `RemoveHomework`.
    pub onteach: &'a Callback<TeachCmd>,
    /// Receives `Teach(EditHomework)`.
    pub onaction: &'a Callback<Action>,
}

/// The fields start from the assignment being edited as their *default* values (not Yew's
/// controlled `value`, which a re-render — a clock tick, a sync — would put back over what the
/// teacher is typing).
///
/// `<section id="teach-homework">` with `form#homework-form` (`#hw-group`, `#hw-subject`,
/// `#hw-title`, `#hw-text`, `#hw-due`, `#hw-hand-in`, `#hw-files`, `#hw-publish`,
/// `#hw-status`) and `ul#own-homework` of `li[data-assignment-id]` with `.edit` and
/// `.remove`.
pub fn homework_form(props: &HomeworkFormProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().teach;
    let editing = props.editing;
    let kept = editing.map(|(_, _, a)| a.attachments.clone()).unwrap_or_default();
    let onsubmit = {
        let cb = props.onteach.clone();
        let id = editing.map(|(_, id, _)| id.to_owned());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cb.emit(TeachCmd::SaveHomework(HomeworkForm {
                group: value("hw-group"),
                id: id.clone(),
                subject: value("hw-subject"),
                title: value("hw-title"),
                text: value("hw-text"),
                due: value("hw-due"),
                hand_in: checked("hw-hand-in"),
                kept: kept.clone(),
            }));
        })
    };
    let status = props.status.map(|s| match s {
        FormStatus::Saved => t.saved,
        FormStatus::Invalid => lang.t().publish_missing,
        FormStatus::Uploading => lang.t().publish_sending,
        FormStatus::NeedsNetwork => t.attachments_online,
        FormStatus::UploadFailed => t.upload_failed,
    });
    let failed = matches!(
        props.status,
        Some(FormStatus::Invalid | FormStatus::NeedsNetwork | FormStatus::UploadFailed)
    );
    let (group, subject, title, text, due, hand_in) = match editing {
        Some((g, _, a)) => (
            g.to_owned(),
            a.subject.clone(),
            a.title.clone(),
            a.text.clone(),
            web::device_time(a.due_ms).date.to_string(),
            a.hand_in,
        ),
        None => Default::default(),
    };
    let key = editing.map_or_else(|| "new".to_owned(), |(g, id, _)| format!("{g}/{id}"));
    let heading = if editing.is_some() { t.homework_edit } else { t.homework_form };
    html! {
        <section id="teach-homework" class="teach" aria-labelledby="hw-form-title">
            <form id="homework-form" key={key} {onsubmit}>
                <h2 id="hw-form-title">{ heading }</h2>
                <label for="hw-group">{ t.group }</label>
                <select id="hw-group" disabled={editing.is_some()}>
                    { for props.groups.iter().map(|g| html! {
                        <option value={g.clone()} selected={*g == group}>{ g }</option>
                    }) }
                </select>
                <label for="hw-subject">{ t.subject }</label>
                <input id="hw-subject" type="text" required=true maxlength="200" ~defaultValue={subject} />
                <label for="hw-title">{ t.title }</label>
                <input id="hw-title" type="text" required=true maxlength="200" ~defaultValue={title} />
                <label for="hw-text">{ t.text }</label>
                <textarea id="hw-text" rows="3" maxlength="10000" defaultvalue={text} />
                <label for="hw-due">{ t.due }</label>
                <input id="hw-due" type="date" required=true ~defaultValue={due} />
                <label class="check"><input id="hw-hand-in" type="checkbox" ~defaultChecked={hand_in} />{ t.hand_in }</label>
                <label for="hw-files">{ t.attachments }</label>
                <input id="hw-files" type="file" multiple=true aria-describedby="hw-files-hint" />
                <p id="hw-files-hint" class="hint">{ t.attachments_online }</p>
                <div class="teach-actions">
                    <button id="hw-publish" type="submit" class="primary"
                        disabled={props.status == Some(FormStatus::Uploading)}>{ t.publish }</button>
                    if editing.is_some() {
                        <button type="button" onclick={
                            let cb = props.onaction.clone();
                            Callback::from(move |_: MouseEvent| cb.emit(Action::Teach(TeachAction::EditHomework(None))))
                        }>{ t.back }</button>
                    }
                </div>
                if let Some(text) = status {
                    <p id="hw-status" role="status" class={classes!(failed.then_some("failure"))}>{ text }</p>
                }
            </form>
            if !props.own.is_empty() {
                <ul id="own-homework" class="own-list">
                    { for props.own.iter().map(|(g, id, a)| {
                        let (g, id) = ((*g).to_owned(), (*id).to_owned());
                        let edit = {
                            let (cb, g, id) = (props.onaction.clone(), g.clone(), id.clone());
                            Callback::from(move |_: MouseEvent| cb.emit(Action::Teach(
                                TeachAction::EditHomework(Some((g.clone(), id.clone()))))))
                        };
                        let remove = {
                            let (cb, g, id) = (props.onteach.clone(), g.clone(), id.clone());
                            Callback::from(move |_: MouseEvent| cb.emit(TeachCmd::RemoveHomework {
                                group: g.clone(),
                                id: id.clone(),
                            }))
                        };
                        let label = format!("{} · {} · {}", a.subject, a.title, g);
                        html! {
                            <li key={format!("{g}/{id}")} data-assignment-id={id.clone()}>
                                <span>{ label.clone() }</span>
                                <button type="button" class="edit" onclick={edit}
                                    aria-label={format!("{} : {label}", t.edit)}>{ t.edit }</button>
                                <button type="button" class="remove" onclick={remove}
                                    aria-label={format!("{} : {label}", t.remove)}>{ t.remove }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}
