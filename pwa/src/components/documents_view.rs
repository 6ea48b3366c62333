//! Documents: course documents by subject (open, keep offline), the storage the app uses, and
//! the trip pack (what the next days need, its size first, then the download and a report).

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{FileActionsProps, PublishHostProps, file_actions, publish_host};
use crate::files::{
    CourseDocs, FileCmd, FileFailure, FilesState, TRIP_DAYS, Trip, format_size, library_file,
};
use crate::i18n::Lang;
use crate::state::{Action, ModuleLoad};

/// Props of [`documents_view`].
#[derive(Debug, Clone)]
pub struct DocumentsViewProps<'a> {
    /// Course documents by subject.
    pub courses: &'a [CourseDocs<'a>],
    /// Pinned files, storage, the trip pack.
    pub files: &'a FilesState,
    /// The interface language.
    pub lang: Lang,
    /// Receives file commands.
    pub onfile: &'a Callback<FileCmd>,
    /// Receives the trip pack's actions.
    pub onaction: &'a Callback<Action>,
    /// Groups the user may publish course documents for (none for students).
    pub publish_groups: &'a [String],
    /// The publishing module, which shows the form that publishes a document.
    pub publish_module: ModuleLoad,
}

fn trip_section(props: &DocumentsViewProps<'_>) -> Html {
    let (lang, files) = (props.lang, props.files);
    let t = lang.t();
    let act = |a: Action| {
        let cb = props.onaction.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let onchange = {
        let cb = props.onaction.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(days) = select.value().parse() {
                cb.emit(Action::TripDays(days));
            }
        })
    };
    let choose = html! {
        <p class="trip-choice">
            <label for="trip-days">{ t.trip_days }</label>
            <select id="trip-days" {onchange}>
                { for TRIP_DAYS.iter().map(|d| html! {
                    <option value={d.to_string()} selected={*d == files.trip_days}>{ lang.days(*d) }</option>
                }) }
            </select>
        </p>
    };
    let state = match &files.trip {
        Trip::Idle => html! {
            <>
                { choose }
                <button id="trip-prepare" type="button" onclick={act(Action::PlanTrip)}>{ t.trip_prepare }</button>
            </>
        },
        Trip::Planned(plan) => {
            let start = {
                let (cb, files) = (props.onfile.clone(), plan.files.clone());
                Callback::from(move |_: MouseEvent| cb.emit(FileCmd::Pack(files.clone())))
            };
            html! {
                <>
                    { choose }
                    <p id="trip-size" data-bytes={plan.bytes.to_string()} data-missing-bytes={plan.missing_bytes.to_string()}>
                        { lang.trip_summary(plan) }
                    </p>
                    <button id="trip-confirm" type="button" onclick={start}>{ t.trip_confirm }</button>
                    <button id="trip-cancel" type="button" onclick={act(Action::TripClosed)}>{ t.trip_cancel }</button>
                </>
            }
        }
        Trip::Downloading { plan, done, .. } => html! {
            <>
                <progress id="trip-progress" aria-labelledby="trip-title" max={plan.files.len().to_string()} value={done.to_string()}></progress>
                <p aria-live="polite">{ lang.trip_progress(*done, plan.files.len()) }</p>
            </>
        },
        Trip::Done { plan, failed } => html! {
            <>
                <p id="trip-report" role="status" data-files={plan.files.len().to_string()} data-failed={failed.to_string()}>
                    { lang.trip_report(plan, *failed) }
                </p>
                <button id="trip-close" type="button" onclick={act(Action::TripClosed)}>{ t.trip_close }</button>
            </>
        },
    };
    html! {
        <section id="trip" aria-labelledby="trip-title">
            <h2 id="trip-title">{ t.trip_title }</h2>
            <p>{ t.trip_intro }</p>
            { state }
        </section>
    }
}

/// `<main id="documents">`: `#documents-failure`, `section#trip`, `section#storage` with
/// `#storage-pinned-total` and `#storage-used`, one `section.course[data-subject]` per subject
/// with one `li.document[data-sha256]` per document (`.document-size`, and the buttons of
/// [`file_actions`]).
pub fn documents_view(props: &DocumentsViewProps<'_>) -> Html {
    let (lang, files) = (props.lang, props.files);
    let t = lang.t();
    let size = |n| format_size(n, lang);
    html! {
        <main id="documents" aria-labelledby="documents-title">
            <h1 id="documents-title">{ t.docs_title }</h1>
            if let Some((why, name)) = &files.failure {
                <p id="documents-failure" class="failure" role="alert">
                    { format!("« {name} » {}", if *why == FileFailure::Offline { t.file_offline } else { t.file_error }) }
                </p>
            }
            if !props.publish_groups.is_empty() {
                { publish_host(PublishHostProps {
                    what: crate::publish::PUBLISH_DOCUMENT,
                    load: props.publish_module,
                    lang,
                }) }
            }
            { trip_section(props) }
            <section id="storage" aria-labelledby="storage-title">
                <h2 id="storage-title">{ t.storage_title }</h2>
                <p>
                    { format!("{} : {} — ", t.storage_pinned, files.pinned.len()) }
                    <span id="storage-pinned-total" data-bytes={files.pinned_total().to_string()}>{ size(files.pinned_total()) }</span>
                </p>
                if let Some((used, _)) = files.usage {
                    <p>{ format!("{} : ", t.storage_used) }<span id="storage-used">{ size(used) }</span></p>
                }
            </section>
            if props.courses.is_empty() {
                <p class="empty">{ t.docs_none }</p>
            }
            { for props.courses.iter().map(|c| html! {
                <section class="course" data-subject={c.subject.to_owned()}>
                    <h2>{ c.subject }</h2>
                    <ul>
                        { for c.items.iter().map(|(id, item)| html! {
                            <li class="document" data-id={id.to_string()} data-sha256={item.sha256.clone()}>
                                <span class="document-title">{ &item.title }</span>
                                <span class="document-meta">
                                    { &item.kind }{ " · " }<span class="document-size">{ size(item.size) }</span>
                                </span>
                                { file_actions(&FileActionsProps { file: library_file(item), files, lang, onfile: props.onfile }) }
                            </li>
                        }) }
                    </ul>
                </section>
            }) }
        </main>
    }
}
