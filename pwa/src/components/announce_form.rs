//! Writing announcements (teachers to the groups they teach, staff and admins to everyone):
//! severity, audience, visible from / until, acknowledgement required; and the announcements
//! one manages (a teacher's own; every one for staff and admins, who run them as a team), to
//! edit or remove, with who acknowledged them and who has not yet (asked from the server).

use cartable_shared::announcements::Announcement;
use yew::prelude::*;

use super::fields::{checked, value};
use crate::i18n::Lang;
use crate::state::Action;
use crate::teach::{
    AckList, AnnouncementForm, FormStatus, KeptAnnouncement, TeachAction, TeachCmd,
};
use crate::web;

/// Props of [`announce_form`].
#[derive(Debug, Clone)]
pub struct AnnounceFormProps<'a> {
    /// The audiences the user may write to (`everyone` or groups).
    pub audiences: &'a [String],
    /// The announcements the user may edit and remove: audience, id, announcement (their own
    /// for a teacher; every one for staff and admins).
    pub listed: &'a [(&'a str, &'a str, &'a Announcement)],
    /// The signed-in user (others' announcements show their author).
    pub user: &'a str,
    /// The announcement being edited: audience, id, announcement.
    pub editing: Option<(&'a str, &'a str, &'a Announcement)>,
    /// The acknowledgement list shown: audience, id, list.
    pub acks: Option<&'a (String, String, AckList)>,
    /// The form's last outcome.
    pub status: Option<FormStatus>,
    /// The interface language.
    pub lang: Lang,
    /// Receives `SaveAnnouncement`, `RemoveAnnouncement` and `LoadAcks`.
    pub onteach: &'a Callback<TeachCmd>,
    /// Receives `Teach(Acks(None))` and `Teach(EditAnnouncement)`.
    pub onaction: &'a Callback<Action>,
}

/// The fields start from the announcement being edited as their default values (as in the
/// homework form); its audience is fixed while editing.
///
/// `<section id="teach-announce">` with `form#announce-form` (`#an-audience`,
/// `#an-severity`, `#an-title`, `#an-body`, `#an-from`, `#an-until`, `#an-ack`,
/// `#an-publish`, `#an-status`), `ul#own-announcements` of `li[data-announcement-id]
/// [data-author]` with `.who-acked`, `.edit` and `.remove`, and `#ack-list` with `ul.acked`
/// and `ul.pending`.
pub fn announce_form(props: &AnnounceFormProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().teach;
    let editing = props.editing;
    let onsubmit = {
        let cb = props.onteach.clone();
        let shown = |ms: i64| (web::device_time(ms).date.to_string(), ms);
        let fixed = editing.map(|(audience, id, a)| {
            let kept = KeptAnnouncement {
                id: id.to_owned(),
                author: a.author.clone(),
                from: shown(a.visible_from_ms),
                until: a.visible_until_ms.map(shown),
            };
            (audience.to_owned(), kept)
        });
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (audience, editing) = match &fixed {
                Some((audience, editing)) => (audience.clone(), Some(editing.clone())),
                None => (value("an-audience"), None),
            };
            cb.emit(TeachCmd::SaveAnnouncement(AnnouncementForm {
                audience,
                editing,
                severity: value("an-severity").parse().unwrap_or(0),
                title: value("an-title"),
                body: value("an-body"),
                from: value("an-from"),
                until: value("an-until"),
                ack_required: checked("an-ack"),
            }));
        })
    };
    let audience_label =
        |a: &str| if a == "everyone" { t.everyone.to_owned() } else { a.to_owned() };
    let status = props.status.map(|s| match s {
        FormStatus::Saved => t.saved,
        _ => t.invalid_announcement,
    });
    let day = |ms: i64| web::device_time(ms).date.to_string();
    let (severity, title, body, from, until, ack) = match editing {
        Some((_, _, a)) => (
            a.severity as usize,
            a.title.clone(),
            a.body.clone(),
            day(a.visible_from_ms),
            a.visible_until_ms.map(day).unwrap_or_default(),
            a.ack_required,
        ),
        None => Default::default(),
    };
    // While editing, the audience is the announcement's (maybe a group the writer does not
    // teach: staff correct teachers' announcements too).
    let audiences: Vec<String> = match editing {
        Some((audience, _, _)) => vec![audience.to_owned()],
        None => props.audiences.to_vec(),
    };
    let key = editing.map_or_else(|| "new".to_owned(), |(a, id, _)| format!("{a}/{id}"));
    let heading = if editing.is_some() { t.announce_edit } else { t.announce_form };
    html! {
        <section id="teach-announce" class="teach" aria-labelledby="an-form-title">
            <form id="announce-form" key={key} {onsubmit}>
                <h2 id="an-form-title">{ heading }</h2>
                <label for="an-audience">{ t.audience }</label>
                <select id="an-audience" disabled={editing.is_some()}>
                    { for audiences.iter().map(|a| html! {
                        <option value={a.clone()}>{ audience_label(a) }</option>
                    }) }
                </select>
                <label for="an-severity">{ t.severity }</label>
                <select id="an-severity">
                    { for t.severities.iter().enumerate().map(|(i, s)| html! {
                        <option value={i.to_string()} selected={i == severity}>{ *s }</option>
                    }) }
                </select>
                <label for="an-title">{ t.title }</label>
                <input id="an-title" type="text" required=true maxlength="200" ~defaultValue={title} />
                <label for="an-body">{ t.text }</label>
                <textarea id="an-body" rows="3" maxlength="10000" defaultvalue={body} />
                <label for="an-from">{ t.visible_from }</label>
                <input id="an-from" type="date" ~defaultValue={from} />
                <label for="an-until">{ t.visible_until }</label>
                <input id="an-until" type="date" ~defaultValue={until} />
                <label class="check"><input id="an-ack" type="checkbox" ~defaultChecked={ack} />{ t.ack_required }</label>
                <div class="teach-actions">
                    <button id="an-publish" type="submit" class="primary">{ t.publish }</button>
                    if editing.is_some() {
                        <button type="button" id="an-back" onclick={
                            let cb = props.onaction.clone();
                            Callback::from(move |_: MouseEvent| cb.emit(Action::Teach(TeachAction::EditAnnouncement(None))))
                        }>{ t.back }</button>
                    }
                </div>
                if let Some(text) = status {
                    <p id="an-status" role="status"
                        class={classes!((props.status != Some(FormStatus::Saved)).then_some("failure"))}>{ text }</p>
                }
            </form>
            if !props.listed.is_empty() {
                <ul id="own-announcements" class="own-list">
                    { for props.listed.iter().map(|(audience, id, a)| {
                        let (audience, id) = ((*audience).to_owned(), (*id).to_owned());
                        let emit = |cmd: TeachCmd| {
                            let cb = props.onteach.clone();
                            Callback::from(move |_: MouseEvent| cb.emit(cmd.clone()))
                        };
                        let edit = {
                            let (cb, audience, id) = (props.onaction.clone(), audience.clone(), id.clone());
                            Callback::from(move |_: MouseEvent| cb.emit(Action::Teach(
                                TeachAction::EditAnnouncement(Some((audience.clone(), id.clone()))))))
                        };
                        let mut label = format!("{} · {}", a.title, audience_label(&audience));
                        if a.author != props.user {
                            label.push_str(&format!(" · {} {}", t.by, a.author));
                        }
                        html! {
                            <li key={format!("{audience}/{id}")} data-announcement-id={id.clone()}
                                data-author={a.author.clone()}>
                                <span>{ label.clone() }</span>
                                if a.ack_required {
                                    <button type="button" class="who-acked"
                                        aria-label={format!("{} {label}", t.who_acked)}
                                        onclick={emit(TeachCmd::LoadAcks { audience: audience.clone(), id: id.clone() })}>
                                        { t.who_acked }
                                    </button>
                                }
                                <button type="button" class="edit" onclick={edit}
                                    aria-label={format!("{} : {label}", t.edit)}>{ t.edit }</button>
                                <button type="button" class="remove"
                                    aria-label={format!("{} : {label}", t.remove)}
                                    onclick={emit(TeachCmd::RemoveAnnouncement { audience: audience.clone(), id: id.clone() })}>
                                    { t.remove }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
            if let Some((_, id, list)) = props.acks {
                <div id="ack-list" data-announcement-id={id.clone()} role="region" aria-labelledby="ack-title">
                    <h3 id="ack-title">{ t.who_acked }</h3>
                    { match list {
                        AckList::Loading => html! { <p role="status">{ lang.t().loading }</p> },
                        AckList::Failed => html! { <p class="failure" role="status">{ t.acks_offline }</p> },
                        AckList::Loaded(l) => html! {
                            <>
                                <h4>{ format!("{} ({})", t.acked, l.acknowledged.len()) }</h4>
                                <ul class="acked">
                                    { for l.acknowledged.iter().map(|a| html! {
                                        <li data-user={a.user.to_string()}>{ &a.name }</li>
                                    }) }
                                </ul>
                                <h4>{ format!("{} ({})", t.not_acked, l.pending.len()) }</h4>
                                <ul class="pending">
                                    { for l.pending.iter().map(|p| html! {
                                        <li data-user={p.user.to_string()}>{ &p.name }</li>
                                    }) }
                                </ul>
                            </>
                        },
                    } }
                    <button type="button" id="ack-close" onclick={
                        let cb = props.onaction.clone();
                        Callback::from(move |_: MouseEvent| cb.emit(Action::Teach(TeachAction::Acks(None))))
                    }>{ t.dismiss }</button>
                </div>
            }
        </section>
    }
}
