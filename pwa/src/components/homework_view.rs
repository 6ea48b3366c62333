//! Homework: assignments by due date, with a done checkbox that works offline.

use cartable_shared::engine::EngineCommand;
use cartable_shared::homework::BlobRef;
use yew::prelude::*;

use super::{FileActionsProps, file_actions};
use crate::calendar::CivilDate;
use crate::files::{FileCmd, FileRef, FilesState, format_size};
use crate::i18n::Lang;
use crate::views::HomeworkItem;
use crate::web;

/// Props of [`homework_view`].
#[derive(Debug, Clone)]
pub struct HomeworkViewProps<'a> {
    /// The assignments, by due date.
    pub items: &'a [HomeworkItem<'a>],
    /// The interface language.
    pub lang: Lang,
    /// Receives `SetHomeworkDone`.
    pub onintent: &'a Callback<EngineCommand>,
    /// Pinned files (attachments).
    pub files: &'a FilesState,
    /// Receives the attachments' file commands.
    pub onfile: &'a Callback<FileCmd>,
    /// Assignments not done yet per due day, from today on.
    pub workload: &'a [(CivilDate, u32)],
}

/// `ul.homework-attachments` with one `li.attachment[data-sha256]` per attached file.
fn attachments(props: &HomeworkViewProps<'_>, list: &[BlobRef]) -> Html {
    if list.is_empty() {
        return Html::default();
    }
    let (lang, files, onfile) = (props.lang, props.files, props.onfile);
    html! {
        <ul class="homework-attachments" aria-label={lang.t().attachments}>
            { for list.iter().map(|b| {
                let file = FileRef { sha256: b.sha256.clone(), name: b.name.clone(), size: b.size };
                html! {
                    <li class="attachment" data-sha256={b.sha256.clone()}>
                        <span class="attachment-name">{ &b.name }</span>{ " " }
                        <span class="document-size">{ format_size(b.size, lang) }</span>
                        { file_actions(&FileActionsProps { file, files, lang, onfile }) }
                    </li>
                }
            }) }
        </ul>
    }
}

/// `<main id="homework">` with one `article.homework[data-assignment-id]` per assignment
/// (class `overdue` / `done`), each with `input[type=checkbox].homework-done`.
pub fn homework_view(props: &HomeworkViewProps<'_>) -> Html {
    let lang = props.lang;
    let t = lang.t();
    html! {
        <main id="homework" aria-labelledby="homework-title">
            <h1 id="homework-title">{ t.homework_title }</h1>
            if !props.workload.is_empty() {
                <section id="workload" aria-labelledby="workload-title">
                    <h2 id="workload-title">{ t.workload_title }</h2>
                    <ul>
                        { for props.workload.iter().map(|(day, n)| html! {
                            <li data-date={day.to_string()} data-count={n.to_string()}>
                                <span class="workload-day">{ lang.day_heading(*day) }</span>
                                <span class="workload-count">{ lang.workload(*n) }</span>
                            </li>
                        }) }
                    </ul>
                </section>
            }
            if props.items.is_empty() {
                <p class="empty">{ t.homework_none }</p>
            }
            { for props.items.iter().map(|i| {
                let due = web::device_time(i.assignment.due_ms);
                let check_id = format!("hw-{}-{}", i.group, i.id);
                let onchange = {
                    let cb = props.onintent.clone();
                    let (group, assignment, done) = (i.group.to_owned(), i.id.to_owned(), !i.done);
                    Callback::from(move |_: Event| cb.emit(EngineCommand::SetHomeworkDone {
                        group: group.clone(),
                        assignment: assignment.clone(),
                        done,
                    }))
                };
                let class = classes!("homework", i.overdue.then_some("overdue"), i.done.then_some("done"));
                html! {
                    <article {class} data-assignment-id={i.id.to_owned()} data-group={i.group.to_owned()}>
                        <p class="homework-due">
                            { format!("{} {}, {}", t.homework_due, lang.day_heading(due.date), due.hm()) }
                            if i.overdue { <span class="badge badge-overdue">{ t.homework_overdue }</span> }
                        </p>
                        <h2 class="homework-subject">{ &i.assignment.subject }{ " — " }{ &i.assignment.title }</h2>
                        <p class="homework-text">{ &i.assignment.text }</p>
                        { attachments(props, &i.assignment.attachments) }
                        if i.assignment.hand_in { <p class="homework-hand-in">{ t.homework_hand_in }</p> }
                        <p class="homework-check">
                            <input type="checkbox" class="homework-done" id={check_id.clone()} checked={i.done} {onchange} />
                            <label for={check_id}>{ t.homework_done }</label>
                        </p>
                    </article>
                }
            }) }
        </main>
    }
}
