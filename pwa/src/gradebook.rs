//! The teacher's gradebook in the app (pure, tested natively): reading what the teacher typed
//! into the engine commands of `shared::gradebook::GradebookEdit`. The table itself is
//! `components::gradebook_view`.

use std::collections::BTreeMap;

use cartable_shared::admin::{FileProblem, GradeEntry};
use cartable_shared::edits::DocEdit;
use cartable_shared::engine::EngineCommand;
use cartable_shared::gradebook::{Gradebook, GradebookAssessment, GradebookEdit, Score};
use cartable_shared::text::sort_by_name;

/// A score as typed: a number (`12.5` or `12,5`) from 0 to `out_of`, or `abs` for an absence.
/// `None` for anything else (the input says so and nothing is sent).
pub fn parse_score(text: &str, out_of: f64) -> Option<Option<f64>> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("abs") {
        return Some(None);
    }
    let v: f64 = t.replace(',', ".").parse().ok()?;
    (v.is_finite() && (0.0..=out_of).contains(&v)).then_some(Some(v))
}

/// A score as shown in its input: the number (with a decimal comma in French), `abs` for an
/// absence, empty when there is none.
pub fn score_text(score: Option<&Score>, decimal_comma: bool) -> String {
    match score {
        None => String::new(),
        Some(Score { score: None, .. }) => "abs".to_owned(),
        Some(Score { score: Some(v), .. }) => {
            let s = format!("{}", (v * 100.0).round() / 100.0);
            if decimal_comma { s.replace('.', ",") } else { s }
        }
    }
}

fn edit(group: &str, edit: GradebookEdit) -> EngineCommand {
    EngineCommand::Edit { doc: format!("gradebook:{group}"), edit: DocEdit::Gradebook(edit) }
}

/// The command saving one student's score (typed as `text`) and comment; `None` when the score
/// does not read (or is empty while there is no comment either: nothing to save).
pub fn score_edit(
    group: &str,
    id: &str,
    a: &GradebookAssessment,
    student: &str,
    text: &str,
    comment: &str,
) -> Option<EngineCommand> {
    let score = if text.trim().is_empty() {
        let kept = a.scores.get(student)?;
        kept.score
    } else {
        parse_score(text, a.out_of)?
    };
    let new = Score { score, comment: comment.trim().to_owned() };
    if a.scores.get(student) == Some(&new) {
        return None;
    }
    let scores = BTreeMap::from([(student.to_owned(), new)]);
    Some(edit(group, GradebookEdit::SetScores { id: id.to_owned(), scores }))
}

/// The command writing the valid lines of a grades file's preview into assessment `id` (the
/// same set-scores edit as typing them); `None` when there is no valid line.
pub fn import_edit(group: &str, id: &str, lines: &[GradeEntry]) -> Option<EngineCommand> {
    let scores: BTreeMap<String, Score> = lines
        .iter()
        .map(|l| {
            let score = Score { score: l.score, comment: l.comment.clone().unwrap_or_default() };
            (l.student.to_string(), score)
        })
        .collect();
    (!scores.is_empty())
        .then(|| edit(group, GradebookEdit::SetScores { id: id.to_owned(), scores }))
}

/// Why the server refused an import as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// A problem of the file (no header, unknown or missing column, too many lines).
    File(FileProblem),
    /// Anything else: the server's explanation (English), or the HTTP status.
    Other(String),
}

/// Why an import's answer of `status` with `body` (an `ErrorBody`) refused it.
pub fn import_refusal(status: u16, body: &str) -> Refusal {
    if let Ok(e) = serde_json::from_str::<FileRefusal>(body) {
        return Refusal::File(e.problem);
    }
    Refusal::Other(
        serde_json::from_str::<ErrorMessage>(body)
            .map(|e| e.message)
            .unwrap_or_else(|_| format!("HTTP {status}")),
    )
}

/// `ErrorBody::message` alone: decoding the whole body would link the administration
/// refusals' decoder into the publishing module.
#[derive(serde::Deserialize)]
struct ErrorMessage {
    message: String,
}

/// `ErrorBody::problem` when it is an `AdminProblem::File`: its fields are the
/// [`FileProblem`]'s, beside the `kind` tag, which this ignores.
#[derive(serde::Deserialize)]
struct FileRefusal {
    problem: FileProblem,
}

/// The query of the server's grades import for assessment `a` held on `day` (`YYYY-MM-DD`),
/// each value passed through `enc` (percent-encoding).
pub fn import_query(
    a: &GradebookAssessment,
    day: &str,
    dry_run: bool,
    enc: fn(&str) -> String,
) -> String {
    format!(
        "title={}&subject={}&date={}&out_of={}&coefficient={}&dry_run={dry_run}",
        enc(&a.title),
        enc(&a.subject),
        enc(day),
        a.out_of,
        a.coefficient
    )
}

/// What the new assessment form holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAssessment {
    /// The subject.
    pub subject: String,
    /// What is assessed.
    pub title: String,
    /// The day, UTC milliseconds (noon on the device); `None` if not given.
    pub date_ms: Option<i64>,
    /// The maximum, as typed.
    pub out_of: String,
    /// The coefficient, as typed.
    pub coefficient: String,
}

fn number(text: &str) -> Option<f64> {
    text.trim().replace(',', ".").parse().ok().filter(|v: &f64| v.is_finite())
}

/// The command creating the assessment of the form; `None` when a field is missing or out of
/// range (the same checks as the edit itself, so the form can say so before anything is sent).
pub fn create_edit(
    group: &str,
    book: &Gradebook,
    form: &NewAssessment,
    author: &str,
    new_id: &str,
) -> Option<EngineCommand> {
    let e = GradebookEdit::Create {
        id: new_id.to_owned(),
        subject: form.subject.clone(),
        title: form.title.clone(),
        date_ms: form.date_ms?,
        out_of: number(&form.out_of)?,
        coefficient: number(&form.coefficient)?,
        author: author.to_owned(),
    };
    e.apply(&mut book.clone()).ok()?;
    Some(edit(group, e))
}

/// The command scheduling the publication at `at_ms` (now for "publish now"), or back to a
/// draft with `None`.
pub fn schedule_edit(group: &str, id: &str, at_ms: Option<i64>) -> EngineCommand {
    edit(group, GradebookEdit::Schedule { id: id.to_owned(), publish_at_ms: at_ms })
}

/// The command deleting a draft.
pub fn delete_edit(group: &str, id: &str) -> EngineCommand {
    edit(group, GradebookEdit::DeleteDraft { id: id.to_owned() })
}

/// The assessments of a gradebook, the latest first (by date, then id).
pub fn assessments(book: &Gradebook) -> Vec<(&str, &GradebookAssessment)> {
    let mut out: Vec<_> = book.assessments.iter().map(|(k, a)| (k.as_str(), a)).collect();
    out.sort_by(|x, y| y.1.date_ms.cmp(&x.1.date_ms).then(x.0.cmp(y.0)));
    out
}

/// The roster by name in French order (then id).
pub fn roster(book: &Gradebook) -> Vec<(&str, &str)> {
    let mut out: Vec<_> = book.roster.iter().map(|(k, n)| (k.as_str(), n.as_str())).collect();
    sort_by_name(&mut out, |(id, name)| (name, id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Gradebook {
        let mut b = Gradebook::new("g");
        b.roster.insert("zoe".into(), "Zoé André".into());
        b.roster.insert("lea".into(), "Léa Martin".into());
        b.assessments.insert(
            "a1".into(),
            GradebookAssessment {
                subject: "Maths".into(),
                title: "C1".into(),
                date_ms: 5,
                out_of: 20.0,
                coefficient: 1.0,
                author: "prof".into(),
                publish_at_ms: None,
                published_ms: None,
                scores: BTreeMap::from([(
                    "lea".into(),
                    Score { score: Some(12.0), comment: "ok".into() },
                )]),
            },
        );
        b
    }

    fn scores_of(cmd: &EngineCommand) -> BTreeMap<String, Score> {
        match cmd {
            EngineCommand::Edit {
                edit: DocEdit::Gradebook(GradebookEdit::SetScores { scores, .. }),
                ..
            } => scores.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_refusal_is_read_as_data_and_anything_else_keeps_the_servers_words() {
        let file = r#"{"error":"bad_request","message":"the file has more than 5000 lines",
            "problem":{"kind":"file","file":"too_many_lines","max":5000}}"#;
        let too_long = Refusal::File(FileProblem::TooManyLines { max: 5000 });
        assert_eq!(import_refusal(400, file), too_long);
        let other = r#"{"error":"forbidden","message":"you do not teach the group 4B",
            "problem":{"kind":"own_account"}}"#;
        let words = Refusal::Other("you do not teach the group 4B".into());
        assert_eq!(import_refusal(403, other), words);
        assert_eq!(import_refusal(502, "<html>"), Refusal::Other("HTTP 502".into()));
        // What the server sends for a file problem, as the shared type writes it.
        let sent = cartable_shared::api::ErrorBody {
            error: "bad_request".into(),
            message: "…".into(),
            problem: Some(cartable_shared::admin::AdminProblem::File(FileProblem::ColumnMissing {
                value: "student".into(),
            })),
        };
        let sent = serde_json::to_string(&sent).unwrap();
        let read = import_refusal(400, &sent);
        assert_eq!(read, Refusal::File(FileProblem::ColumnMissing { value: "student".into() }));
    }

    #[test]
    fn scores_read_with_a_comma_or_abs_and_stay_within_the_maximum() {
        assert_eq!(parse_score("12,5", 20.0), Some(Some(12.5)));
        assert_eq!(parse_score(" ABS ", 20.0), Some(None));
        assert_eq!(parse_score("20", 20.0), Some(Some(20.0)));
        assert!(parse_score("21", 20.0).is_none());
        assert!(parse_score("-1", 20.0).is_none());
        assert!(parse_score("douze", 20.0).is_none());
        assert_eq!(
            score_text(Some(&Score { score: Some(12.5), comment: "".into() }), true),
            "12,5"
        );
        assert_eq!(score_text(Some(&Score { score: None, comment: "".into() }), false), "abs");
        assert_eq!(score_text(None, true), "");
    }

    #[test]
    fn a_typed_score_becomes_one_students_edit_only_when_it_changes() {
        let b = book();
        let a = &b.assessments["a1"];
        let cmd = score_edit("g", "a1", a, "zoe", "15,5", "").unwrap();
        assert_eq!(
            scores_of(&cmd),
            BTreeMap::from([("zoe".into(), Score { score: Some(15.5), comment: "".into() })])
        );
        assert!(score_edit("g", "a1", a, "lea", "12", "ok").is_none(), "unchanged");
        assert!(score_edit("g", "a1", a, "zoe", "25", "").is_none(), "over the maximum");
        assert!(score_edit("g", "a1", a, "zoe", "", "").is_none(), "nothing typed");
        let comment = score_edit("g", "a1", a, "lea", "", "Très bien").unwrap();
        assert_eq!(scores_of(&comment)["lea"].score, Some(12.0), "the score is kept");
    }

    #[test]
    fn the_new_assessment_form_is_checked_before_anything_is_sent() {
        let b = book();
        let form = NewAssessment {
            subject: "Maths".into(),
            title: "C2".into(),
            date_ms: Some(9),
            out_of: "10".into(),
            coefficient: "0,5".into(),
        };
        let cmd = create_edit("g", &b, &form, "prof", "gb-1").unwrap();
        let EngineCommand::Edit {
            doc,
            edit: DocEdit::Gradebook(GradebookEdit::Create { out_of, coefficient, .. }),
        } = cmd
        else {
            panic!()
        };
        assert_eq!((doc.as_str(), out_of, coefficient), ("gradebook:g", 10.0, 0.5));
        assert!(
            create_edit("g", &b, &NewAssessment { title: " ".into(), ..form.clone() }, "prof", "x")
                .is_none()
        );
        assert!(
            create_edit(
                "g",
                &b,
                &NewAssessment { out_of: "0".into(), ..form.clone() },
                "prof",
                "x"
            )
            .is_none()
        );
        assert!(
            create_edit("g", &b, &NewAssessment { date_ms: None, ..form.clone() }, "prof", "x")
                .is_none()
        );
        assert!(create_edit("g", &b, &form, "prof", "a1").is_none(), "an id in use");
    }

    #[test]
    fn the_roster_is_by_name_and_assessments_latest_first() {
        let mut b = book();
        let mut later = b.assessments["a1"].clone();
        later.date_ms = 10;
        b.assessments.insert("a0".into(), later);
        assert_eq!(roster(&b), vec![("lea", "Léa Martin"), ("zoe", "Zoé André")]);
        // French order: accents and case do not push a name to the end.
        b.roster.insert("emile".into(), "Émile Roux".into());
        b.roster.insert("enzo".into(), "enzo Faure".into());
        let ids: Vec<_> = roster(&b).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["emile", "enzo", "lea", "zoe"]);
        assert_eq!(assessments(&b).iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["a0", "a1"]);
    }

    #[test]
    fn import_writes_the_valid_lines_as_one_edit() {
        let line = |n: u64, student: &str, score: Option<f64>, comment: Option<&str>| GradeEntry {
            line: n,
            student: student.parse().unwrap(),
            score,
            comment: comment.map(str::to_owned),
        };
        assert_eq!(import_edit("g", "a1", &[]), None);
        let lines = [line(2, "zoe", Some(15.5), Some("bien")), line(4, "lea", None, None)];
        let Some(EngineCommand::Edit { doc, edit: DocEdit::Gradebook(e) }) =
            import_edit("g", "a1", &lines)
        else {
            panic!("not a gradebook edit");
        };
        assert_eq!(doc, "gradebook:g");
        let mut b = book();
        e.apply(&mut b).unwrap();
        let scores = &b.assessments["a1"].scores;
        assert_eq!(scores["zoe"], Score { score: Some(15.5), comment: "bien".into() });
        assert_eq!(scores["lea"], Score { score: None, comment: String::new() });
    }

    #[test]
    fn import_query_carries_the_assessment() {
        let b = book();
        let q = import_query(&b.assessments["a1"], "2026-01-15", true, |s| s.replace(' ', "%20"));
        assert_eq!(
            q,
            "title=C1&subject=Maths&date=2026-01-15&out_of=20&coefficient=1&dry_run=true"
        );
    }
}
