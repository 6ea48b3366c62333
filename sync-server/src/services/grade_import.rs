//! Grades from a spreadsheet: a teacher of a group imports one assessment's scores
//! (`student,score[,comment]`) for their subject. Every line is checked first; nothing is
//! written if one is refused (unless `skip_invalid`). Each grade is then written through the
//! hub into the student's `grades:<student>` document with the teacher as its author, so that
//! the document rules, the fan-out to connected devices and the notifications all apply.

use std::collections::{BTreeMap, HashMap};

use automerge::{ObjType, ReadDoc, Value};
use cartable_shared::admin::{GradeEntry, GradesReport, LineError, LineProblem};
use cartable_shared::grades::{Assessment, GRADES_SCHEMA, Grades};
use cartable_shared::ids::{DocId, DocKind, GroupId, UserId};
use cartable_shared::roles::{Principal, Role};

use super::admin::parse_login;
use super::csv_lines::{CsvTable, FileRefused, invalid};
use super::hub::{Hub, HubError};
use crate::store::{Store, StoreError};

/// Columns of a grades file; the first two are required.
pub const COLUMNS: [&str; 3] = ["student", "score", "comment"];
/// Most lines in one grades file.
pub const MAX_LINES: usize = 5_000;
/// Longest comment.
pub const MAX_COMMENT: usize = 1_000;
/// Longest title or subject.
pub const MAX_TITLE: usize = 200;

/// Why a grades import failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum GradeImportError {
    /// Not a teacher of the group for the subject, nor an administrator.
    #[error("{0}")]
    Forbidden(String),
    /// No such group.
    #[error("no such group")]
    NotFound,
    /// The assessment is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The file is refused as a whole (no header, unknown or missing column, too many lines).
    #[error(transparent)]
    File(#[from] FileRefused),
    /// The hub failed (a document could not be written).
    #[error(transparent)]
    Hub(#[from] HubError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The assessment the file's scores belong to.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentMeta {
    /// What was assessed.
    pub title: String,
    /// The subject.
    pub subject: String,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// The maximum score.
    pub out_of: f64,
    /// Weight in the subject average.
    pub coefficient: f64,
}

/// One import: the assessment, the file, the options.
#[derive(Debug, Clone)]
pub struct GradeFile<'a> {
    /// The assessment.
    pub meta: AssessmentMeta,
    /// The CSV file.
    pub csv: &'a [u8],
    /// Dry run, skip invalid lines.
    pub options: GradeOptions,
}

/// What the import does besides checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GradeOptions {
    /// Only report.
    pub dry_run: bool,
    /// Import the valid lines even when some are refused.
    pub skip_invalid: bool,
}

fn text(value: &str, what: &str) -> Result<String, GradeImportError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(GradeImportError::Invalid(format!("the {what} is empty")));
    }
    if v.chars().count() > MAX_TITLE {
        return Err(GradeImportError::Invalid(format!(
            "the {what} is longer than {MAX_TITLE} characters"
        )));
    }
    Ok(v.to_owned())
}

/// The assessment's date at noon UTC (the day stays the same in every European zone).
fn date_ms(date: &str) -> Result<i64, GradeImportError> {
    chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map(|d| d.and_utc().timestamp_millis())
        .ok_or_else(|| GradeImportError::Invalid(format!("the date {date:?} is not YYYY-MM-DD")))
}

/// A score as typed: a number (`12.5` or `12,5`), or `abs` for an absence.
pub fn parse_score(raw: &str, out_of: f64) -> Result<Option<f64>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("the score is missing (a number, or abs for an absence)".into());
    }
    if raw.eq_ignore_ascii_case("abs") {
        return Ok(None);
    }
    let score: f64 =
        raw.replace(',', ".").parse().map_err(|_| format!("the score {raw:?} is not a number"))?;
    if !score.is_finite() {
        return Err(format!("the score {raw:?} is not a number"));
    }
    if score < 0.0 {
        return Err(format!("the score {raw} is negative"));
    }
    if score > out_of {
        return Err(format!("the score {raw} is above the maximum {out_of}"));
    }
    Ok(Some(score))
}

/// What [`parse_score`] refused in `raw`.
fn score_problem(raw: &str, out_of: f64) -> LineProblem {
    let value = raw.trim();
    match value.replace(',', ".").parse::<f64>() {
        Ok(score) if score.is_finite() => {
            LineProblem::OutOfRange { value: value.into(), max: out_of.to_string() }
        }
        _ => invalid(raw),
    }
}

/// Checks every line: the valid grades and the refused lines. `students` are the group's.
fn check(
    table: &CsvTable,
    students: &[UserId],
    known: &HashMap<UserId, Role>,
    group: &GroupId,
    out_of: f64,
) -> (Vec<GradeEntry>, Vec<LineError>) {
    let mut grades = Vec::new();
    let mut errors = table.errors.clone();
    let mut first_line: BTreeMap<UserId, u64> = BTreeMap::new();
    for row in &table.rows {
        let err = |column: &str, reason: String, problem: LineProblem| LineError {
            line: row.line,
            column: Some(column.to_owned()),
            reason,
            problem,
        };
        let student = match parse_login(row.get("student")) {
            Ok(s) => s,
            Err(e) => {
                errors.push(err("student", e, invalid(row.get("student"))));
                continue;
            }
        };
        if let Some(&first) = first_line.get(&student) {
            let reason = format!("duplicate student {student} (first on line {first})");
            let problem = LineProblem::Duplicate { value: student.to_string(), first_line: first };
            errors.push(err("student", reason, problem));
            continue;
        }
        first_line.insert(student.clone(), row.line);
        if !known.contains_key(&student) {
            let problem = LineProblem::Unknown { value: student.to_string() };
            errors.push(err("student", format!("unknown student {student}"), problem));
            continue;
        }
        if !students.contains(&student) {
            let reason = format!("{student} is not a student of the group {group}");
            errors.push(err(
                "student",
                reason,
                LineProblem::NotAStudent { value: student.to_string() },
            ));
            continue;
        }
        let score = match parse_score(row.get("score"), out_of) {
            Ok(s) => s,
            Err(e) => {
                errors.push(err("score", e, score_problem(row.get("score"), out_of)));
                continue;
            }
        };
        let comment = row.get("comment");
        if comment.chars().count() > MAX_COMMENT {
            let problem = LineProblem::TooLong { max: MAX_COMMENT as u32 };
            errors.push(err("comment", format!("longer than {MAX_COMMENT} characters"), problem));
            continue;
        }
        let comment = (!comment.is_empty()).then(|| comment.to_owned());
        grades.push(GradeEntry { line: row.line, student, score, comment });
    }
    errors.sort_by_key(|e| e.line);
    (grades, errors)
}

/// Writes `assessment` under `key` into `student`'s grades document, creating the document
/// when the student has none yet.
async fn write_grade(
    hub: &Hub,
    author: &UserId,
    student: &UserId,
    key: &str,
    assessment: Assessment,
    now_ms: i64,
) -> Result<(), GradeImportError> {
    let doc = DocId::new(DocKind::Grades, student.as_str())
        .map_err(|e| GradeImportError::Invalid(e.to_string()))?;
    let empty = Grades { schema: GRADES_SCHEMA, student: student.to_string(), ..Grades::default() };
    let (handle, _) = hub.open_or_create(&doc, &empty, now_ms).await?;
    let key = key.to_owned();
    handle
        .edit_by(author.clone(), move |am| {
            let assessments = match am.get(automerge::ROOT, "assessments") {
                Ok(Some((Value::Object(ObjType::Map), id))) => id,
                _ => return Err(GradeImportError::Invalid("unreadable grades document".into())),
            };
            let mut tx = am.transaction();
            autosurgeon::reconcile_prop(&mut tx, &assessments, key.as_str(), &assessment)
                .map_err(|e| GradeImportError::Invalid(format!("could not write: {e}")))?;
            tx.commit();
            Ok(())
        })
        .await??;
    Ok(())
}

/// Imports the scores of `file` for one assessment of `group`, on behalf of `principal` (a
/// teacher of the group who teaches the assessment's subject, or an administrator).
pub async fn import(
    hub: &Hub,
    store: &Store,
    now_ms: i64,
    principal: &Principal,
    group: &GroupId,
    file: GradeFile<'_>,
) -> Result<GradesReport, GradeImportError> {
    let GradeFile { meta, csv, options } = file;
    if !matches!(principal.role, Role::Teacher | Role::Admin) {
        return Err(GradeImportError::Forbidden("only teachers import grades".into()));
    }
    let title = text(&meta.title, "title")?;
    let subject = text(&meta.subject, "subject")?;
    let date_ms = date_ms(&meta.date)?;
    if !(meta.out_of.is_finite() && meta.out_of > 0.0 && meta.out_of <= 1000.0) {
        return Err(GradeImportError::Invalid("out_of must be above 0 and at most 1000".into()));
    }
    if !(meta.coefficient.is_finite() && meta.coefficient > 0.0 && meta.coefficient <= 100.0) {
        return Err(GradeImportError::Invalid(
            "the coefficient must be above 0 and at most 100".into(),
        ));
    }
    let g = group.clone();
    let found = store
        .read(move |dao| {
            if dao.group_name(&g)?.is_none() {
                return Ok(None);
            }
            let summary = dao.groups_with_members()?.into_iter().find(|s| s.id == g);
            let mut known = HashMap::new();
            let mut students = Vec::new();
            for id in dao.user_ids()? {
                if let Some(row) = dao.user(&id)? {
                    let member = summary.as_ref().is_some_and(|s| s.members.contains(&id));
                    if member && row.role == Role::Student {
                        students.push(id.clone());
                    }
                    known.insert(id, row.role);
                }
            }
            Ok::<_, StoreError>(Some((students, known)))
        })
        .await?;
    let Some((students, known)) = found else { return Err(GradeImportError::NotFound) };
    if principal.role == Role::Teacher {
        if !principal.teaches.contains(group) {
            return Err(GradeImportError::Forbidden(format!("you do not teach the group {group}")));
        }
        if !principal.subjects.contains(&subject) {
            return Err(GradeImportError::Forbidden(format!("you do not teach {subject}")));
        }
    }
    let table = CsvTable::parse(csv, &COLUMNS, &COLUMNS[..2], MAX_LINES)?;
    let (grades, errors) = check(&table, &students, &known, group, meta.out_of);
    let assessment = format!("import-{}", super::files::random_id());
    let refused = !errors.is_empty() && !options.skip_invalid;
    if options.dry_run || refused || grades.is_empty() {
        return Ok(GradesReport {
            dry_run: options.dry_run,
            imported: false,
            assessment,
            grades,
            errors,
        });
    }
    for g in &grades {
        let entry = Assessment {
            subject: subject.clone(),
            title: title.clone(),
            date_ms,
            score: g.score,
            out_of: meta.out_of,
            coefficient: meta.coefficient,
            comment: g.comment.clone(),
            author: principal.user.to_string(),
            published_ms: Some(now_ms),
        };
        write_grade(hub, &principal.user, &g.student, &assessment, entry, now_ms).await?;
    }
    tracing::info!(
        by = %principal.user, group = %group, assessment = %assessment,
        grades = grades.len(), refused = errors.len(), "grades imported"
    );
    Ok(GradesReport { dry_run: false, imported: true, assessment, grades, errors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_numbers_within_the_maximum_or_abs() {
        assert_eq!(parse_score("12,5", 20.0), Ok(Some(12.5)));
        assert_eq!(parse_score(" 20 ", 20.0), Ok(Some(20.0)));
        assert_eq!(parse_score("ABS", 20.0), Ok(None));
        assert!(parse_score("", 20.0).unwrap_err().contains("missing"));
        assert!(parse_score("douze", 20.0).unwrap_err().contains("not a number"));
        assert!(parse_score("NaN", 20.0).unwrap_err().contains("not a number"));
        assert!(parse_score("-1", 20.0).unwrap_err().contains("negative"));
        assert!(parse_score("20.5", 20.0).unwrap_err().contains("above the maximum 20"));
    }

    #[test]
    fn dates_are_days() {
        assert_eq!(date_ms("2026-01-15").unwrap(), 1_768_478_400_000);
        assert!(date_ms("15/01/2026").is_err());
    }
}
