//! Publishing a course document (teachers of a group, admins): a file, a title, a subject and
//! a kind; the file is uploaded, then added to the group's library (and so reaches every
//! device of the group). Never shown to students: the server refuses them anyway.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::files::{FileCmd, Publish, PublishError};
use crate::i18n::Lang;

/// Props of [`publish_form`].
#[derive(Debug, Clone)]
pub struct PublishFormProps<'a> {
    /// The groups the user may publish for.
    pub groups: &'a [String],
    /// Where the last publication is.
    pub state: Option<&'a Publish>,
    /// The interface language.
    pub lang: Lang,
    /// Receives `Publish`.
    pub onfile: &'a Callback<FileCmd>,
}

fn value(id: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value().trim().to_owned())
        .or_else(|| {
            let select = web_sys::window()?.document()?.get_element_by_id(id)?;
            Some(select.dyn_into::<web_sys::HtmlSelectElement>().ok()?.value())
        })
        .unwrap_or_default()
}

/// `form#publish` with `#publish-group`, `#publish-file`, `#publish-title`,
/// `#publish-subject`, `#publish-kind`, a submit button and `#publish-status`.
pub fn publish_form(props: &PublishFormProps<'_>) -> Html {
    let t = props.lang.t();
    let onsubmit = {
        let cb = props.onfile.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cb.emit(FileCmd::Publish {
                group: value("publish-group"),
                title: value("publish-title"),
                subject: value("publish-subject"),
                kind: value("publish-kind"),
            });
        })
    };
    let sending = props.state == Some(&Publish::Sending);
    let status = props.state.map(|s| match s {
        Publish::Sending => t.publish_sending,
        Publish::Done => t.publish_done,
        Publish::Failed(PublishError::Missing) => t.publish_missing,
        Publish::Failed(PublishError::TooLarge) => t.publish_too_large,
        Publish::Failed(PublishError::BadType) => t.publish_bad_type,
        Publish::Failed(PublishError::Network) => t.err_network,
        Publish::Failed(PublishError::Server) => t.publish_failed,
    });
    html! {
        <form id="publish" aria-labelledby="publish-heading" {onsubmit}>
            <h2 id="publish-heading">{ t.publish_title }</h2>
            <label for="publish-group">{ t.publish_group }</label>
            <select id="publish-group">
                { for props.groups.iter().map(|g| html! { <option value={g.clone()}>{ g }</option> }) }
            </select>
            <label for="publish-file">{ t.publish_file }</label>
            <input id="publish-file" type="file"
                accept=".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.odp,.doc,.xls,.ppt" />
            <label for="publish-title">{ t.publish_doc_title }</label>
            <input id="publish-title" type="text" maxlength="200" />
            <label for="publish-subject">{ t.publish_subject }</label>
            <input id="publish-subject" type="text" maxlength="200" />
            <label for="publish-kind">{ t.publish_kind }</label>
            <input id="publish-kind" type="text" maxlength="60" />
            <button type="submit" disabled={sending}>{ t.publish_submit }</button>
            if let Some(text) = status {
                <p id="publish-status" role="status"
                    class={classes!(matches!(props.state, Some(Publish::Failed(_))).then_some("failure"))}>
                    { text }
                </p>
            }
        </form>
    }
}
