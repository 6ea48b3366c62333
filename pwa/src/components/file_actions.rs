//! The buttons of one file (a course document or an attachment): open it, keep it offline or
//! remove it from the device, with its pinned size.

use yew::prelude::*;

use crate::files::{FileCmd, FileRef, FilesState, format_size};
use crate::i18n::Lang;

/// Props of [`file_actions`].
#[derive(Debug, Clone)]
pub struct FileActionsProps<'a> {
    /// The file.
    pub file: FileRef,
    /// Pinned files.
    pub files: &'a FilesState,
    /// The interface language.
    pub lang: Lang,
    /// Receives `Open`, `Pin`, `Unpin`.
    pub onfile: &'a Callback<FileCmd>,
}

/// `span.document-pinned` (when pinned: `Hors ligne · 12 ko`), `button.document-open` and
/// `button.document-pin` (`aria-pressed` when pinned).
pub fn file_actions(props: &FileActionsProps<'_>) -> Html {
    let t = props.lang.t();
    let f = &props.file;
    let pinned = props.files.pinned_size(&f.sha256);
    let busy = props.files.busy.contains(&f.sha256);
    let emit = |cmd: FileCmd| {
        let cb = props.onfile.clone();
        Callback::from(move |_: MouseEvent| cb.emit(cmd.clone()))
    };
    let open = emit(FileCmd::Open(f.clone()));
    let pin = match pinned {
        Some(_) => emit(FileCmd::Unpin(f.sha256.clone())),
        None => emit(FileCmd::Pin(f.clone())),
    };
    let pin_label = match (pinned, busy) {
        (Some(_), _) => t.doc_unpin,
        (None, true) => t.doc_pinning,
        (None, false) => t.doc_pin,
    };
    html! {
        <span class="file-actions">
            if let Some(size) = pinned {
                <span class="document-pinned">{ format!("{} · {}", t.doc_pinned, format_size(size, props.lang)) }</span>
            }
            <button type="button" class="document-open" aria-label={format!("{} : {}", t.doc_open, f.name)} onclick={open}>
                { t.doc_open }
            </button>
            <button type="button" class="document-pin" aria-pressed={if pinned.is_some() { "true" } else { "false" }}
                aria-label={format!("{} : {}", pin_label, f.name)} disabled={busy} onclick={pin}>
                { pin_label }
            </button>
        </span>
    }
}
