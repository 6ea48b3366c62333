//! Writing to a whole group, or to one student of it (teachers of the group, staff, admins):
//! to a group, the server opens one private thread per student, so replies come back to the
//! sender only. Needs the network (the server creates the threads).

use cartable_shared::api::Person;
use cartable_shared::text::sort_by_name;
use yew::prelude::*;

use super::fields::value;
use crate::i18n::Lang;
use crate::teach::{SendState, TeachCmd};

/// Props of [`message_form`].
#[derive(Debug, Clone)]
pub struct MessageFormProps<'a> {
    /// The groups the user may write to.
    pub groups: &'a [String],
    /// Students of the groups, as listed by the server so far.
    pub students: &'a [(String, Vec<Person>)],
    /// The form's last outcome.
    pub state: Option<SendState>,
    /// The interface language.
    pub lang: Lang,
    /// Receives `Send` and `LoadStudents`.
    pub onteach: &'a Callback<TeachCmd>,
}

/// `<section id="teach-message">` with `form#message-form` (`#msg-group`, `#msg-to` — the
/// whole group or one student —, `#msg-subject`, `#msg-body`, `#msg-send`, `#msg-status`).
pub fn message_form(props: &MessageFormProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().teach;
    let onsubmit = {
        let cb = props.onteach.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let to = value("msg-to");
            cb.emit(TeachCmd::Send {
                group: value("msg-group"),
                student: (!to.is_empty()).then_some(to),
                subject: value("msg-subject"),
                body: value("msg-body"),
            });
        })
    };
    let onfocus = {
        // The students are asked for when the recipients list is first used.
        let cb = props.onteach.clone();
        Callback::from(move |_: FocusEvent| cb.emit(TeachCmd::LoadStudents(value("msg-group"))))
    };
    let status = props.state.map(|s| match s {
        SendState::Sending => lang.t().publish_sending.to_owned(),
        SendState::Sent(n) => format!("{} ({n})", t.sent),
        SendState::Failed => t.send_failed.to_owned(),
    });
    // The students of the groups asked for so far, once each, by name.
    let mut all_students: Vec<&Person> = props.students.iter().flat_map(|(_, l)| l).collect();
    sort_by_name(&mut all_students, |p| (&p.name, p.user.as_str()));
    all_students.dedup_by(|a, b| a.user == b.user);
    html! {
        <section id="teach-message" class="teach" aria-labelledby="msg-form-title">
            <form id="message-form" {onsubmit}>
                <h2 id="msg-form-title">{ t.message_group }</h2>
                <label for="msg-group">{ t.group }</label>
                <select id="msg-group">
                    { for props.groups.iter().map(|g| html! { <option value={g.clone()}>{ g }</option> }) }
                </select>
                <label for="msg-to">{ t.recipients }</label>
                <select id="msg-to" onfocus={onfocus}>
                    <option value="">{ t.whole_group }</option>
                    { for all_students.iter().map(|p| html! {
                        <option value={p.user.to_string()}>{ &p.name }</option>
                    }) }
                </select>
                <label for="msg-subject">{ t.title }</label>
                <input id="msg-subject" type="text" required=true maxlength="200" />
                <label for="msg-body">{ t.message }</label>
                <textarea id="msg-body" rows="3" required=true maxlength="10000" />
                <div class="teach-actions">
                    <button id="msg-send" type="submit" class="primary"
                        disabled={props.state == Some(SendState::Sending)}>{ t.send }</button>
                </div>
                if let Some(text) = status {
                    <p id="msg-status" role="status"
                        class={classes!((props.state == Some(SendState::Failed)).then_some("failure"))}>{ text }</p>
                }
            </form>
        </section>
    }
}
