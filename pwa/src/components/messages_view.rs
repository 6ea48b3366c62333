//! Messages: the list of threads, one thread read, and a reply (sent when online).

use cartable_shared::engine::EngineCommand;
use cartable_shared::ids::DocId;
use cartable_shared::thread::Thread;
use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::i18n::Lang;
use crate::state::Action;
use crate::web;

/// Props of [`messages_view`].
#[derive(Debug, Clone)]
pub struct MessagesViewProps<'a> {
    /// Every thread.
    pub threads: Vec<(&'a DocId, &'a Thread)>,
    /// The thread open.
    pub open: Option<&'a DocId>,
    /// The signed-in user.
    pub user: &'a str,
    /// The interface language.
    pub lang: Lang,
    /// Receives `OpenThread`.
    pub onaction: &'a Callback<Action>,
    /// Receives `Reply`.
    pub onintent: &'a Callback<EngineCommand>,
}

/// `<main id="messages">`: a list of `button.thread-link[data-thread]`, or the open thread with
/// `li.message` items and `form#reply` (`textarea#reply-body`).
pub fn messages_view(props: &MessagesViewProps<'_>) -> Html {
    let t = props.lang.t();
    let open = props.open.and_then(|d| props.threads.iter().find(|(id, _)| *id == d));
    let go = |doc: Option<DocId>| {
        let cb = props.onaction.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::OpenThread(doc.clone())))
    };
    let body = match open {
        None => html! {
            <>
                if props.threads.is_empty() { <p class="empty">{ t.msg_none }</p> }
                <ul class="threads">
                    { for props.threads.iter().map(|(doc, th)| html! {
                        <li>
                            <button type="button" class="thread-link" data-thread={doc.scope().to_owned()}
                                onclick={go(Some((*doc).clone()))}>
                                <span class="thread-subject">{ &th.subject }</span>
                                <span class="thread-with">{ th.participants.iter().filter(|p| *p != props.user).map(|p| author_name(t, p)).collect::<Vec<_>>().join(", ") }</span>
                            </button>
                        </li>
                    }) }
                </ul>
            </>
        },
        Some((doc, th)) => {
            let onsubmit = {
                let cb = props.onintent.clone();
                let (thread, author) = (doc.scope().to_owned(), props.user.to_owned());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let area = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id("reply-body"))
                        .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok());
                    let Some(area) = area else { return };
                    let body = area.value().trim().to_owned();
                    if body.is_empty() {
                        return;
                    }
                    area.set_value("");
                    let now = web::now_ms();
                    cb.emit(EngineCommand::Reply {
                        thread: thread.clone(),
                        id: format!("{author}-{now}-{}", (js_sys::Math::random() * 1e6) as u32),
                        author: author.clone(),
                        sent_ms: now,
                        body,
                    });
                })
            };
            html! {
                <>
                    <button type="button" id="thread-back" onclick={go(None)}>{ t.msg_back }</button>
                    <h2 id="thread-subject">{ &th.subject }</h2>
                    <ol class="messages">
                        { for th.messages.iter().map(|m| {
                            let at = web::device_time(m.sent_ms);
                            let class = classes!("message", (m.author == props.user).then_some("mine"));
                            html! {
                                <li {class} data-message-id={m.id.clone()}>
                                    <p class="message-meta">{ format!("{} · {} {}", author_name(t, &m.author), props.lang.short_date(at.date), at.hm()) }</p>
                                    <p class="message-body">{ &m.body }</p>
                                </li>
                            }
                        }) }
                    </ol>
                    <form id="reply" {onsubmit}>
                        <label for="reply-body">{ t.msg_reply }</label>
                        <textarea id="reply-body" rows="3" />
                        <button type="submit">{ t.msg_send }</button>
                    </form>
                </>
            }
        }
    };
    html! {
        <main id="messages" aria-labelledby="msg-title">
            <h1 id="msg-title">{ t.msg_title }</h1>
            { body }
        </main>
    }
}

/// The author as shown: a deleted account's messages read "compte supprimé".
fn author_name<'a>(t: &'a crate::i18n::Texts, author: &'a str) -> &'a str {
    if author == cartable_shared::admin::DELETED_AUTHOR { t.msg_deleted_account } else { author }
}
