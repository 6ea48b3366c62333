//! Grades from a spreadsheet, for one assessment of the teacher's gradebook: choose a CSV file
//! (`student,score[,comment]`), the server checks it without writing anything (`dry_run`), the
//! preview lists the valid lines (by the roster's names) and the refused ones (line and reason);
//! "apply" writes the valid lines into the gradebook with the usual set-scores edit, so their
//! publication stays the teacher's choice. The preview needs the network; nothing else does.

use std::collections::BTreeMap;

use cartable_shared::admin::GradesReport;
use cartable_shared::engine::EngineCommand;
use cartable_shared::gradebook::GradebookAssessment;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::gradebook::{Refusal, import_edit, import_query};
use crate::hooks::{ImportFailure, enc};
use crate::i18n::Lang;
use crate::views::format_grade;
use crate::web;

/// Props of [`GradebookImport`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub(super) struct GradebookImportProps {
    /// The group.
    pub group: String,
    /// The assessment's id in the gradebook.
    pub id: String,
    /// The assessment (its title, subject, date, maximum and coefficient go to the server).
    pub assessment: GradebookAssessment,
    /// The roster: student id → display name.
    pub roster: BTreeMap<String, String>,
    /// The interface language.
    pub lang: Lang,
    /// Receives the edit applying the valid lines.
    pub onintent: Callback<EngineCommand>,
}

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Closed,
    Choosing,
    Busy,
    Offline,
    Failed(String),
    Preview(GradesReport),
}

/// The assessment's day on the device, `YYYY-MM-DD` (the server's date format).
fn day(ms: i64) -> String {
    let d = web::device_time(ms).date;
    format!("{}-{:02}-{:02}", d.year, d.month, d.day)
}

/// Reads the chosen file and asks the server for a preview.
async fn preview(input: web_sys::HtmlInputElement, props: GradebookImportProps) -> Stage {
    let t = props.lang.gradebook();
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return Stage::Choosing };
    let query = import_query(&props.assessment, &day(props.assessment.date_ms), true, enc);
    match crate::hooks::preview_grades_import(&props.group, &query, file).await {
        Ok(r) => Stage::Preview(r),
        Err(ImportFailure::Offline) => Stage::Offline,
        Err(ImportFailure::Unreadable) => Stage::Failed(t.import_failed.to_owned()),
        Err(ImportFailure::Refused(Refusal::File(problem))) => {
            Stage::Failed(format!("{} {}", t.import_failed, props.lang.file_problem(&problem)))
        }
        Err(ImportFailure::Refused(Refusal::Other(why))) => {
            Stage::Failed(format!("{} {why}", t.import_failed))
        }
    }
}

fn report(props: &GradebookImportProps, r: &GradesReport) -> Html {
    let (lang, id) = (props.lang, &props.id);
    let t = lang.gradebook();
    let comma = lang == Lang::Fr;
    let name = |s: &str| props.roster.get(s).cloned().unwrap_or_else(|| s.to_owned());
    html! {
        <>
            <p class="gb-import-note">{ t.import_preview }</p>
            if !r.errors.is_empty() {
                <h3 id={format!("gb-{id}-import-refused")}>{ t.import_refused }</h3>
                <ul class="gb-import-errors" aria-labelledby={format!("gb-{id}-import-refused")}>
                    { for r.errors.iter().map(|e| html! {
                        <li data-line={e.line.to_string()}>
                            <strong>{ format!("{} {}", t.import_line, e.line) }</strong>
                            { format!(" : {}", lang.line_problem(e)) }
                        </li>
                    }) }
                </ul>
            }
            if !r.grades.is_empty() {
                <table class="gb-import-valid">
                    <caption>{ t.import_valid }</caption>
                    <thead><tr>
                        <th scope="col">{ t.import_line }</th>
                        <th scope="col">{ t.student }</th>
                        <th scope="col">{ t.score }</th>
                        <th scope="col">{ t.comment }</th>
                    </tr></thead>
                    <tbody>
                        { for r.grades.iter().map(|g| html! {
                            <tr data-student={g.student.to_string()}>
                                <td>{ g.line }</td>
                                <th scope="row">{ name(g.student.as_str()) }</th>
                                <td>{ g.score.map(|v| format_grade(v, comma)).unwrap_or_else(|| "abs".to_owned()) }</td>
                                <td>{ g.comment.clone().unwrap_or_default() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </>
    }
}

/// `div.gb-import`: `button.gb-import-open`, then `input.gb-import-file` (labelled), then
/// `section.gb-import-preview` (`ul.gb-import-errors > li[data-line]`,
/// `table.gb-import-valid tr[data-student]`, `button.gb-import-apply`, `button.gb-import-cancel`)
/// or `p.gb-import-status[data-state]` (`busy` / `offline` / `failed`).
#[component]
pub(super) fn GradebookImport(props: &GradebookImportProps) -> Html {
    let t = props.lang.gradebook();
    let stage = use_state(|| Stage::Closed);
    let file_id = format!("gb-{}-import-file", props.id);
    let open = {
        let stage = stage.clone();
        Callback::from(move |_: MouseEvent| {
            let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
            stage.set(if online { Stage::Choosing } else { Stage::Offline });
        })
    };
    let chosen = {
        let (stage, props) = (stage.clone(), props.clone());
        Callback::from(move |e: Event| {
            let Some(input) =
                e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let (stage, props) = (stage.clone(), props.clone());
            stage.set(Stage::Busy);
            wasm_bindgen_futures::spawn_local(async move {
                stage.set(preview(input, props).await);
            });
        })
    };
    let cancel = {
        let stage = stage.clone();
        Callback::from(move |_: MouseEvent| stage.set(Stage::Closed))
    };
    let apply = {
        let (stage, props) = (stage.clone(), props.clone());
        Callback::from(move |_: MouseEvent| {
            if let Stage::Preview(r) = &*stage
                && let Some(cmd) = import_edit(&props.group, &props.id, &r.grades)
            {
                props.onintent.emit(cmd);
            }
            stage.set(Stage::Closed);
        })
    };
    let status = |state: &'static str, text: String| {
        html! { <p class="gb-import-status" data-state={state} role="status">{ text }</p> }
    };
    html! {
        <div class="gb-import">
            if *stage == Stage::Closed || *stage == Stage::Offline {
                <button type="button" class="gb-import-open" onclick={open}>{ t.import_csv }</button>
            } else if !matches!(*stage, Stage::Preview(_)) {
                <label for={file_id.clone()}>{ t.import_file }</label>
                <input id={file_id} class="gb-import-file" type="file" accept=".csv,text/csv"
                    onchange={chosen} disabled={*stage == Stage::Busy} />
            }
            { match &*stage {
                Stage::Busy => status("busy", t.import_busy.to_owned()),
                Stage::Offline => status("offline", t.import_offline.to_owned()),
                Stage::Failed(why) => status("failed", why.clone()),
                _ => Html::default(),
            } }
            if let Stage::Preview(r) = &*stage {
                <section class="gb-import-preview" aria-label={t.import_csv}>
                    { report(props, r) }
                    if !r.grades.is_empty() {
                        <button type="button" class="gb-import-apply" onclick={apply}>
                            { match r.grades.len() {
                                1 => t.import_apply_one.to_owned(),
                                n => format!("{} {n} {}", t.import_apply.0, t.import_apply.1),
                            } }
                        </button>
                    }
                    <button type="button" class="gb-import-cancel" onclick={cancel.clone()}>{ t.import_cancel }</button>
                </section>
            }
            if matches!(*stage, Stage::Choosing | Stage::Failed(_)) {
                <button type="button" class="gb-import-cancel" onclick={cancel}>{ t.import_cancel }</button>
            }
        </div>
    }
}
