//! Writing announcements (teachers to the groups they teach, staff and admins to everyone):
//! severity, audience, visible from / until, acknowledgement required; and, for one's own
//! announcements, who acknowledged them and who has not yet (asked from the server).

use cartable_shared::announcements::Announcement;
use yew::prelude::*;

use super::fields::{checked, value};
use crate::i18n::Lang;
use crate::state::Action;
use crate::teach::{AckList, AnnouncementForm, FormStatus, TeachAction, TeachCmd};

/// Props of [`announce_form`].
#[derive(Debug, Clone)]
pub struct AnnounceFormProps<'a> {
    /// The audiences the user may write to (`everyone` or groups).
    pub audiences: &'a [String],
    /// The user's own announcements: audience, id, announcement.
    pub own: &'a [(&'a str, &'a str, &'a Announcement)],
    /// The acknowledgement list shown: audience, id, list.
    pub acks: Option<&'a (String, String, AckList)>,
    /// The form's last outcome.
    pub status: Option<FormStatus>,
    /// The interface language.
    pub lang: Lang,
    /// Receives `SaveAnnouncement`, `RemoveAnnouncement` and `LoadAcks`.
    pub onteach: &'a Callback<TeachCmd>,
    /// Receives `Teach(Acks(None))`.
    pub onaction: &'a Callback<Action>,
}

/// `<section id="teach-announce">` with `form#announce-form` (`#an-audience`,
/// `#an-severity`, `#an-title`, `#an-body`, `#an-from`, `#an-until`, `#an-ack`,
/// `#an-publish`, `#an-status`), `ul#own-announcements` of `li[data-announcement-id]` with
/// `.who-acked` and `.remove`, and `#ack-list` with `ul.acked` and `ul.pending`.
pub fn announce_form(props: &AnnounceFormProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t().teach;
    let onsubmit = {
        let cb = props.onteach.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cb.emit(TeachCmd::SaveAnnouncement(AnnouncementForm {
                audience: value("an-audience"),
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
    html! {
        <section id="teach-announce" class="teach" aria-labelledby="an-form-title">
            <form id="announce-form" {onsubmit}>
                <h2 id="an-form-title">{ t.announce_form }</h2>
                <label for="an-audience">{ t.audience }</label>
                <select id="an-audience">
                    { for props.audiences.iter().map(|a| html! {
                        <option value={a.clone()}>{ audience_label(a) }</option>
                    }) }
                </select>
                <label for="an-severity">{ t.severity }</label>
                <select id="an-severity">
                    { for t.severities.iter().enumerate().map(|(i, s)| html! {
                        <option value={i.to_string()}>{ *s }</option>
                    }) }
                </select>
                <label for="an-title">{ t.title }</label>
                <input id="an-title" type="text" required=true maxlength="200" />
                <label for="an-body">{ t.text }</label>
                <textarea id="an-body" rows="3" maxlength="10000" />
                <label for="an-from">{ t.visible_from }</label>
                <input id="an-from" type="date" />
                <label for="an-until">{ t.visible_until }</label>
                <input id="an-until" type="date" />
                <label class="check"><input id="an-ack" type="checkbox" />{ t.ack_required }</label>
                <div class="teach-actions">
                    <button id="an-publish" type="submit" class="primary">{ t.publish }</button>
                </div>
                if let Some(text) = status {
                    <p id="an-status" role="status"
                        class={classes!((props.status != Some(FormStatus::Saved)).then_some("failure"))}>{ text }</p>
                }
            </form>
            if !props.own.is_empty() {
                <ul id="own-announcements" class="own-list">
                    { for props.own.iter().map(|(audience, id, a)| {
                        let (audience, id) = ((*audience).to_owned(), (*id).to_owned());
                        let emit = |cmd: TeachCmd| {
                            let cb = props.onteach.clone();
                            Callback::from(move |_: MouseEvent| cb.emit(cmd.clone()))
                        };
                        let label = format!("{} · {}", a.title, audience_label(&audience));
                        html! {
                            <li key={format!("{audience}/{id}")} data-announcement-id={id.clone()}>
                                <span>{ label.clone() }</span>
                                if a.ack_required {
                                    <button type="button" class="who-acked"
                                        aria-label={format!("{} {label}", t.who_acked)}
                                        onclick={emit(TeachCmd::LoadAcks { audience: audience.clone(), id: id.clone() })}>
                                        { t.who_acked }
                                    </button>
                                }
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
