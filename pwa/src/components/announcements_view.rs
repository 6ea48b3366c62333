//! Announcements: visible ones, most severe first; acknowledgement when required (offline too).

use cartable_shared::announcements::Severity;
use cartable_shared::engine::EngineCommand;
use yew::prelude::*;

use crate::i18n::Lang;
use crate::views::AnnouncementItem;
use crate::web;

/// Props of [`announcements_view`].
#[derive(Debug, Clone)]
pub struct AnnouncementsViewProps<'a> {
    /// The visible announcements.
    pub items: &'a [AnnouncementItem<'a>],
    /// The interface language.
    pub lang: Lang,
    /// Receives `Acknowledge`.
    pub onintent: &'a Callback<EngineCommand>,
}

/// `<main id="announcements">` with one `article.announcement[data-announcement-id]` per
/// announcement, class `severity-information|warning|alert`; `button.ack` when an
/// acknowledgement is required and not given yet, `.acked` once given.
pub fn announcements_view(props: &AnnouncementsViewProps<'_>) -> Html {
    let t = props.lang.t();
    html! {
        <main id="announcements" aria-labelledby="ann-title">
            <h1 id="ann-title">{ t.ann_title }</h1>
            if props.items.is_empty() {
                <p class="empty">{ t.ann_none }</p>
            }
            { for props.items.iter().map(|a| {
                let (sev, label) = match a.item.severity {
                    Severity::Information => ("information", t.ann_information),
                    Severity::Warning => ("warning", t.ann_warning),
                    Severity::Alert => ("alert", t.ann_alert),
                };
                let onclick = {
                    let cb = props.onintent.clone();
                    let (audience, id) = (a.audience.to_owned(), a.id.to_owned());
                    Callback::from(move |_: MouseEvent| cb.emit(EngineCommand::Acknowledge {
                        audience: audience.clone(),
                        id: id.clone(),
                        at_ms: web::now_ms(),
                    }))
                };
                let title_id = format!("ann-{}-{}", a.audience, a.id);
                html! {
                    <article class={classes!("announcement", format!("severity-{sev}"))}
                        data-announcement-id={a.id.to_owned()} data-audience={a.audience.to_owned()}
                        aria-labelledby={title_id.clone()}>
                        <p class="badge severity">{ label }</p>
                        <h2 id={title_id}>{ &a.item.title }</h2>
                        <p class="announcement-body">{ &a.item.body }</p>
                        if a.acknowledged.is_some() {
                            <p class="acked">{ t.ann_acked }</p>
                        } else if a.item.ack_required {
                            <button type="button" class="ack" {onclick}>{ t.ann_ack }</button>
                        }
                    </article>
                }
            }) }
        </main>
    }
}
