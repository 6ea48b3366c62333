//! Spreadsheet files (CSV) for the imports: a header naming the columns, one record per line,
//! `,` or `;` between fields (`;` when the header has `;` and no `,`, as French spreadsheets
//! export), fields quoted with `"` when needed. Records that cannot be read are reported with
//! their line; the others are handed over by column name.

use std::collections::HashMap;

use cartable_shared::admin::{FileProblem, LineError, LineProblem};

/// The problem of a malformed value (or of a missing one).
pub fn invalid(raw: &str) -> LineProblem {
    let value = raw.trim();
    if value.is_empty() {
        LineProblem::Missing
    } else {
        LineProblem::Invalid { value: value.into() }
    }
}

/// One readable record.
#[derive(Debug, Clone)]
pub struct CsvRow {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    fields: HashMap<String, String>,
}

impl CsvRow {
    /// The trimmed field of `column`, or `""` when the file has no such column.
    pub fn get(&self, column: &str) -> &str {
        self.fields.get(column).map_or("", String::as_str)
    }
}

/// A parsed file: its readable records and the lines that could not be read.
#[derive(Debug, Clone)]
pub struct CsvTable {
    /// Readable records, in order.
    pub rows: Vec<CsvRow>,
    /// Unreadable lines.
    pub errors: Vec<LineError>,
}

/// A file refused as a whole: why, as data for the app, and in English for scripts and logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FileRefused {
    /// Why, as data.
    pub problem: FileProblem,
    /// Why, in English.
    pub message: String,
}

fn refused(problem: FileProblem, message: String) -> FileRefused {
    FileRefused { problem, message }
}

fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|&c| c.to_owned()).collect()
}

/// The items of a list field: separated by `|` or `;`, trimmed, empty ones dropped.
pub fn list(field: &str) -> impl Iterator<Item = &str> {
    field.split(['|', ';']).map(str::trim).filter(|s| !s.is_empty())
}

/// The line a record starts on: the reader's position counts the blank lines it skipped
/// before the record as the record's own.
fn real_line(bytes: &[u8], pos: &csv::Position) -> u64 {
    let start = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
    let skipped = bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .filter(|b| **b == b'\n')
        .count();
    pos.line() + skipped as u64
}

impl CsvTable {
    /// Parses `bytes`. The header may name only `allowed` columns (any order, any case) and
    /// must name every `required` one. Errors about the file as a whole (no header, unknown or
    /// missing column, too many lines) are returned as `Err`.
    pub fn parse(
        bytes: &[u8],
        allowed: &[&str],
        required: &[&str],
        max_lines: usize,
    ) -> Result<CsvTable, FileRefused> {
        let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
        let delimiter =
            if first_line.contains(&b';') && !first_line.contains(&b',') { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let header = reader.headers().map_err(|e| {
            refused(FileProblem::UnreadableHeader, format!("line 1: unreadable header: {e}"))
        })?;
        if header.iter().all(str::is_empty) {
            return Err(refused(
                FileProblem::Empty { required: names(required) },
                format!("the file is empty: expected a header line ({})", required.join(",")),
            ));
        }
        let mut columns = Vec::new();
        for name in header.iter() {
            let name = name.to_lowercase();
            if !allowed.contains(&name.as_str()) {
                let message =
                    format!("line 1: unknown column {name:?} (expected {})", allowed.join(", "));
                let problem = FileProblem::UnknownColumn { value: name, allowed: names(allowed) };
                return Err(refused(problem, message));
            }
            if columns.contains(&name) {
                let message = format!("line 1: the column {name:?} appears twice");
                return Err(refused(FileProblem::ColumnTwice { value: name }, message));
            }
            columns.push(name);
        }
        if let Some(missing) = required.iter().find(|r| !columns.iter().any(|c| c == *r)) {
            return Err(refused(
                FileProblem::ColumnMissing { value: (*missing).to_owned() },
                format!("line 1: the column {missing:?} is missing"),
            ));
        }
        let mut table = CsvTable { rows: Vec::new(), errors: Vec::new() };
        // Flexible: a record of the wrong length is reported here, with its own line (the
        // reader's error positions count skipped blank lines).
        for (i, record) in reader.byte_records().enumerate() {
            if i >= max_lines {
                return Err(refused(
                    FileProblem::TooManyLines { max: max_lines as u64 },
                    format!("the file has more than {max_lines} lines"),
                ));
            }
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(i as u64 + 2, csv::Position::line);
                    table.errors.push(LineError {
                        line,
                        column: None,
                        reason: format!("unreadable line: {e}"),
                        problem: LineProblem::Unreadable,
                    });
                    break;
                }
            };
            let line = record.position().map_or(i as u64 + 2, |p| real_line(bytes, p));
            let mut error = |reason: String| {
                let problem = LineProblem::Unreadable;
                table.errors.push(LineError { line, column: None, reason, problem });
            };
            if record.len() != columns.len() {
                error(format!(
                    "expected {} fields, found {} (check the quotes and the separators)",
                    columns.len(),
                    record.len()
                ));
                continue;
            }
            let fields: Result<HashMap<String, String>, _> = columns
                .iter()
                .zip(record.iter())
                .map(|(c, f)| std::str::from_utf8(f).map(|f| (c.clone(), f.to_owned())))
                .collect();
            match fields {
                Ok(fields) => table.rows.push(CsvRow { line, fields }),
                Err(_) => error("the line is not valid UTF-8".to_owned()),
            }
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [&str; 3] = ["a", "b", "c"];

    #[test]
    fn records_keep_their_line_and_bad_lines_are_reported() {
        let csv = "A,b,c\n1,2,3\n\n4,5\n\"6,7\",8,9\n10,\"11\n12\",13\n14,15,16,17\n";
        let t = CsvTable::parse(csv.as_bytes(), &COLS, &COLS[..2], 100).unwrap();
        let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 5, 6]);
        assert_eq!(t.rows[1].get("a"), "6,7");
        assert_eq!(t.rows[2].get("b"), "11\n12");
        let bad: Vec<u64> = t.errors.iter().map(|e| e.line).collect();
        assert_eq!(bad, vec![4, 8]);
        assert!(t.errors[0].reason.contains("expected 3 fields, found 2"));
    }

    #[test]
    fn semicolons_bom_and_header_errors() {
        let t = CsvTable::parse("\u{feff}a;b\n1,5;2\n".as_bytes(), &COLS, &["a"], 10).unwrap();
        assert_eq!(t.rows[0].get("a"), "1,5");
        assert_eq!(t.rows[0].get("c"), "");
        let refusal = |csv: &[u8], max| CsvTable::parse(csv, &COLS, &["a"], max).unwrap_err();
        let unknown = refusal(b"a,Z\n", 10);
        assert!(unknown.message.contains("\"z\""), "{unknown}");
        let allowed = vec!["a".to_owned(), "b".into(), "c".into()];
        assert_eq!(unknown.problem, FileProblem::UnknownColumn { value: "z".into(), allowed });
        let missing = refusal(b"b\n", 10);
        assert!(missing.message.contains("missing"), "{missing}");
        assert_eq!(missing.problem, FileProblem::ColumnMissing { value: "a".into() });
        let twice = refusal(b"a,A\n", 10);
        assert!(twice.message.contains("twice"), "{twice}");
        assert_eq!(twice.problem, FileProblem::ColumnTwice { value: "a".into() });
        let empty = refusal(b"", 10);
        assert!(empty.message.contains("empty"), "{empty}");
        assert_eq!(empty.problem, FileProblem::Empty { required: vec!["a".into()] });
        let long = refusal(b"a\n1\n2\n3\n", 2);
        assert!(long.message.contains("more than 2"), "{long}");
        assert_eq!(long.problem, FileProblem::TooManyLines { max: 2 });
        let bad = CsvTable::parse(b"a\n\xff\n", &COLS, &["a"], 10).unwrap();
        assert_eq!(bad.errors[0].line, 2);
        assert!(bad.errors[0].reason.contains("UTF-8"));
        assert_eq!(list(" x | y;;z ").collect::<Vec<_>>(), vec!["x", "y", "z"]);
    }
}
