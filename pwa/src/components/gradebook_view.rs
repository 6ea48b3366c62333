//! The teacher's gradebook (teachers of a group, admins): per group, the assessments (status
//! draft / scheduled / published), one table per assessment (rows = the roster's students,
//! a score and a comment each; Enter moves to the next student), "publish now" or "publish at"
//! a date and time, and a form for a new assessment. Every change is an engine edit (offline
//! too). Students never see it: the server does not even send them the document.

use cartable_shared::engine::EngineCommand;
use cartable_shared::gradebook::{Gradebook, GradebookAssessment, Status};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::fields::value;
use super::gradebook_import::GradebookImport;
use crate::gradebook::{
    NewAssessment, assessments, create_edit, delete_edit, parse_score, roster, schedule_edit,
    score_edit, score_text,
};
use crate::i18n::Lang;
use crate::teach::{parse_date, parse_time};
use crate::views::format_grade;
use crate::web;

/// Props of [`gradebook_view`].
#[derive(Debug, Clone)]
pub struct GradebookViewProps<'a> {
    /// The gradebooks the device holds.
    pub books: &'a [&'a Gradebook],
    /// The signed-in user (the author of new assessments).
    pub user: &'a str,
    /// The interface language.
    pub lang: Lang,
    /// Receives the edits.
    pub onintent: &'a Callback<EngineCommand>,
}

fn input(id: &str) -> Option<HtmlInputElement> {
    web_sys::window()?.document()?.get_element_by_id(id)?.dyn_into().ok()
}

fn when(ms: i64, lang: Lang) -> String {
    let t = web::device_time(ms);
    let d = t.date;
    match lang {
        Lang::Fr => {
            format!("{:02}/{:02}/{} {:02}:{:02}", d.day, d.month, d.year, t.hour, t.minute)
        }
        Lang::En => {
            format!("{}-{:02}-{:02} {:02}:{:02}", d.year, d.month, d.day, t.hour, t.minute)
        }
    }
}

fn new_id() -> String {
    let random = (js_sys::Math::random() * 1e9) as u64;
    format!("gb-{:x}-{random:x}", web::now_ms())
}

/// `section.gradebook[data-group]` per gradebook with `form.gb-new` and one
/// `details.gb-assessment[data-assessment-id][data-status]` per assessment holding
/// `table.gb-table` (inputs `#gb-<assessment>-score-<row>` and `#gb-<assessment>-comment-<row>`),
/// `.gb-publish-now`, `.gb-publish-date`, `.gb-publish-time`, `.gb-schedule`.
pub fn gradebook_view(props: &GradebookViewProps<'_>) -> Html {
    html! {
        <div id="gradebooks">
            { for props.books.iter().map(|b| book_view(props, b)) }
        </div>
    }
}

fn book_view(props: &GradebookViewProps<'_>, book: &Gradebook) -> Html {
    let t = props.lang.gradebook();
    let group = book.group.clone();
    let form_id = |f: &str| format!("gb-new-{f}-{group}");
    let onsubmit = {
        let (cb, book, user, group) =
            (props.onintent.clone(), book.clone(), props.user.to_owned(), group.clone());
        let ids: Vec<String> = ["subject", "title", "date", "out-of", "coef", "error"]
            .iter()
            .map(|f| form_id(f))
            .collect();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let form = NewAssessment {
                subject: value(&ids[0]),
                title: value(&ids[1]),
                date_ms: parse_date(&value(&ids[2])).map(|d| web::device_instant(d, 12 * 60)),
                out_of: value(&ids[3]),
                coefficient: value(&ids[4]),
            };
            let ok = match create_edit(&group, &book, &form, &user, &new_id()) {
                Some(cmd) => {
                    cb.emit(cmd);
                    true
                }
                None => false,
            };
            if let Some(err) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&ids[5]))
            {
                let _ = err.toggle_attribute_with_force("hidden", ok);
            }
        })
    };
    let list = assessments(book);
    html! {
        <section class="gradebook" data-group={group.clone()} aria-labelledby={format!("gb-h-{group}")}>
            <h2 id={format!("gb-h-{group}")}>{ format!("{} — {}", t.heading, group) }</h2>
            if list.is_empty() {
                <p class="empty">{ t.empty }</p>
            }
            { for list.iter().map(|(id, a)| assessment_view(props, book, id, a)) }
            <form class="gb-new" {onsubmit}>
                <h3>{ t.new }</h3>
                <label for={form_id("subject")}>{ t.subject }</label>
                <input id={form_id("subject")} type="text" maxlength="200" required=true />
                <label for={form_id("title")}>{ t.title }</label>
                <input id={form_id("title")} type="text" maxlength="200" required=true />
                <label for={form_id("date")}>{ t.date }</label>
                <input id={form_id("date")} type="date" required=true />
                <label for={form_id("out-of")}>{ t.out_of }</label>
                <input id={form_id("out-of")} type="text" inputmode="decimal" value="20" />
                <label for={form_id("coef")}>{ t.coefficient }</label>
                <input id={form_id("coef")} type="text" inputmode="decimal" value="1" />
                <p id={form_id("error")} class="error" role="alert" hidden=true>{ t.invalid }</p>
                <button type="submit">{ t.create }</button>
            </form>
        </section>
    }
}

fn assessment_view(
    props: &GradebookViewProps<'_>,
    book: &Gradebook,
    id: &str,
    a: &GradebookAssessment,
) -> Html {
    let lang = props.lang;
    let t = lang.gradebook();
    let comma = lang == Lang::Fr;
    let group = book.group.as_str();
    let mine = a.author == props.user;
    let status = a.status();
    let (status_name, status_text) = match status {
        Status::Draft => ("draft", t.draft.to_owned()),
        Status::Scheduled => (
            "scheduled",
            format!("{} {}", t.scheduled, when(a.publish_at_ms.unwrap_or_default(), lang)),
        ),
        Status::Published => (
            "published",
            format!("{} {}", t.published, when(a.published_ms.unwrap_or_default(), lang)),
        ),
    };
    let students = roster(book);
    let rows = students.len();
    let cell = |kind: &str, row: usize| format!("gb-{id}-{kind}-{row}");
    let publish = {
        let cb = props.onintent.clone();
        let (group, id) = (group.to_owned(), id.to_owned());
        Callback::from(move |_: MouseEvent| {
            cb.emit(schedule_edit(&group, &id, Some(web::now_ms())))
        })
    };
    let (date_id, time_id) = (format!("gb-{id}-publish-date"), format!("gb-{id}-publish-time"));
    let schedule = {
        let cb = props.onintent.clone();
        let (group, id, date_id, time_id) =
            (group.to_owned(), id.to_owned(), date_id.clone(), time_id.clone());
        Callback::from(move |_: MouseEvent| {
            let at = parse_date(&value(&date_id))
                .zip(parse_time(&value(&time_id)))
                .map(|(d, m)| web::device_instant(d, m));
            if let Some(at) = at {
                cb.emit(schedule_edit(&group, &id, Some(at)));
            } else if let Some(i) = input(&date_id) {
                i.set_custom_validity(lang.gradebook().invalid);
                i.report_validity();
            }
        })
    };
    let unschedule = {
        let cb = props.onintent.clone();
        let (group, id) = (group.to_owned(), id.to_owned());
        Callback::from(move |_: MouseEvent| cb.emit(schedule_edit(&group, &id, None)))
    };
    let delete = {
        let cb = props.onintent.clone();
        let (group, id) = (group.to_owned(), id.to_owned());
        Callback::from(move |_: MouseEvent| cb.emit(delete_edit(&group, &id)))
    };
    html! {
        <details key={id.to_owned()} class="gb-assessment" data-assessment-id={id.to_owned()} data-status={status_name}
            open={status != Status::Published}>
            <summary>
                <span class="gb-name">{ format!("{} · {}", a.subject, a.title) }</span>
                <span class={classes!("gb-status", status_name)}>{ status_text }</span>
            </summary>
            <p class="gb-meta">
                { format!("{} {} · {} {}", t.out_of, format_grade(a.out_of, comma), t.coefficient_short, format_grade(a.coefficient, comma)) }
            </p>
            if !mine {
                <p class="gb-readonly">{ t.not_yours }</p>
            }
            <table class="gb-table">
                <thead><tr>
                    <th scope="col">{ t.student }</th>
                    <th scope="col">{ format!("{} / {}", t.score, format_grade(a.out_of, comma)) }</th>
                    <th scope="col">{ t.comment }</th>
                </tr></thead>
                <tbody>
                    { for students.iter().enumerate().map(|(row, (student, name))| {
                        let current = a.scores.get(*student);
                        let save = {
                            let cb = props.onintent.clone();
                            let (group, id, a, student) = (group.to_owned(), id.to_owned(), a.clone(), student.to_string());
                            let (score_id, comment_id) = (cell("score", row), cell("comment", row));
                            Callback::from(move |_: Event| {
                                let text = value(&score_id);
                                if let Some(i) = input(&score_id) {
                                    let bad = !text.trim().is_empty() && parse_score(&text, a.out_of).is_none();
                                    i.set_custom_validity(if bad { lang.gradebook().bad_score } else { "" });
                                    if bad {
                                        i.report_validity();
                                        return;
                                    }
                                }
                                if let Some(cmd) = score_edit(&group, &id, &a, &student, &text, &value(&comment_id)) {
                                    cb.emit(cmd);
                                }
                            })
                        };
                        let enter = |kind: &'static str| {
                            let next = cell(kind, (row + 1) % rows.max(1));
                            Callback::from(move |e: KeyboardEvent| {
                                if e.key() == "Enter" {
                                    e.prevent_default();
                                    if let Some(i) = input(&next) {
                                        let _ = i.focus();
                                        i.select();
                                    }
                                }
                            })
                        };
                        html! {
                            <tr data-student={student.to_string()}>
                                <th scope="row">{ *name }</th>
                                <td><input id={cell("score", row)} class="gb-score" type="text" inputmode="decimal"
                                    aria-label={format!("{} — {}", t.score, name)} disabled={!mine}
                                    value={score_text(current, comma)} onchange={save.clone()} onkeydown={enter("score")} /></td>
                                <td><input id={cell("comment", row)} class="gb-comment" type="text" maxlength="1000"
                                    aria-label={format!("{} — {}", t.comment, name)} disabled={!mine}
                                    value={current.map(|s| s.comment.clone()).unwrap_or_default()}
                                    onchange={save} onkeydown={enter("comment")} /></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            if mine {
                <p class="gb-help">{ t.score_help }</p>
                <GradebookImport group={group.to_owned()} id={id.to_owned()} assessment={a.clone()}
                    roster={book.roster.clone()} lang={lang} onintent={props.onintent.clone()} />
                <div class="gb-publish">
                    if status != Status::Published {
                        <button type="button" class="gb-publish-now" onclick={publish}>{ t.publish_now }</button>
                        <label for={date_id.clone()}>{ t.publish_date }</label>
                        <input id={date_id.clone()} class="gb-publish-date" type="date" />
                        <label for={time_id.clone()}>{ t.publish_time }</label>
                        <input id={time_id.clone()} class="gb-publish-time" type="time" />
                        <button type="button" class="gb-schedule" onclick={schedule}>{ t.schedule }</button>
                    }
                    if status == Status::Scheduled {
                        <button type="button" class="gb-unschedule" onclick={unschedule}>{ t.unschedule }</button>
                    }
                    if status != Status::Published {
                        <button type="button" class="gb-delete" onclick={delete}>{ t.delete }</button>
                    }
                </div>
            }
        </details>
    }
}
