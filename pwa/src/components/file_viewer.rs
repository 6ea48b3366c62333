//! The file viewer: a PDF in a frame, an image inline, anything else as a link to save it; all
//! from a `blob:` URL of the bytes, so it works offline for pinned files.

use yew::prelude::*;

use crate::files::{FileCmd, Viewer};
use crate::i18n::Lang;

/// Props of [`file_viewer`].
#[derive(Debug, Clone)]
pub struct FileViewerProps<'a> {
    /// The file shown.
    pub viewer: &'a Viewer,
    /// The interface language.
    pub lang: Lang,
    /// Receives `Close`.
    pub onfile: &'a Callback<FileCmd>,
}

/// `section#viewer[role=dialog]` with `iframe#viewer-frame` (PDF), `img#viewer-image` or
/// `a#viewer-download`, and `button#viewer-close`.
pub fn file_viewer(props: &FileViewerProps<'_>) -> Html {
    let t = props.lang.t();
    let v = props.viewer;
    let onclose = {
        let cb = props.onfile.clone();
        Callback::from(move |_: MouseEvent| cb.emit(FileCmd::Close))
    };
    let mime = v.mime.split(';').next().unwrap_or_default().trim();
    let body = if mime == "application/pdf" {
        html! { <iframe id="viewer-frame" src={v.url.clone()} title={v.name.clone()}></iframe> }
    } else if mime.starts_with("image/") {
        html! { <img id="viewer-image" src={v.url.clone()} alt={v.name.clone()} /> }
    } else {
        html! { <a id="viewer-download" href={v.url.clone()} download={v.name.clone()}>{ t.viewer_download }</a> }
    };
    html! {
        <section id="viewer" role="dialog" aria-label={v.name.clone()} data-mime={mime.to_owned()} data-size={v.size.to_string()}>
            <header class="viewer-bar">
                <h2>{ &v.name }</h2>
                <button id="viewer-close" type="button" onclick={onclose}>{ t.viewer_close }</button>
            </header>
            { body }
        </section>
    }
}
