//! Roster import: accounts from a CSV file (`login,display_name,role[,groups][,subjects]
//! [,wards]`), previewed, checked line by line, and written in one transaction. Each account
//! gets a generated initial password, returned once and stored only as its Argon2id hash.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cartable_shared::admin::{AdminProblem, LineError, LineProblem, RosterEntry, RosterReport};
use cartable_shared::ids::{GroupId, UserId};
use cartable_shared::roles::{Principal, Role};

use super::admin::{
    AdminError, generate_password, hash_all, name_problem, parse_group, parse_login, parse_name,
    parse_role, require_admin,
};
use super::csv_lines::{CsvTable, invalid, list};
use crate::store::{NewUser, Store, StoreError};

/// Columns of a roster file; the first three are required.
pub const COLUMNS: [&str; 6] = ["login", "display_name", "role", "groups", "subjects", "wards"];

/// Most lines in one roster file.
pub const MAX_LINES: usize = 20_000;

/// What the import does besides checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RosterOptions {
    /// Only report what would be created.
    pub dry_run: bool,
    /// Import the valid lines even when some are refused.
    pub skip_invalid: bool,
}

/// What the store already holds, for the checks.
struct Known {
    users: HashMap<UserId, Role>,
    groups: BTreeSet<GroupId>,
}

/// Checks every line of `table` against `known`: the valid accounts and the refused lines.
fn check(table: &CsvTable, known: &Known) -> (Vec<RosterEntry>, Vec<LineError>) {
    let mut entries: Vec<RosterEntry> = Vec::new();
    let mut errors = table.errors.clone();
    let mut first_line: BTreeMap<UserId, u64> = BTreeMap::new();
    for row in &table.rows {
        let err = |column: &str, reason: String, problem: LineProblem| LineError {
            line: row.line,
            column: Some(column.to_owned()),
            reason,
            problem,
        };
        let login = match parse_login(row.get("login")) {
            Ok(l) => l,
            Err(e) => {
                errors.push(err("login", e, invalid(row.get("login"))));
                continue;
            }
        };
        if let Some(&first) = first_line.get(&login) {
            let reason = format!("duplicate login {login} (first on line {first})");
            let value = login.to_string();
            errors.push(err("login", reason, LineProblem::Duplicate { value, first_line: first }));
            continue;
        }
        first_line.insert(login.clone(), row.line);
        if known.users.contains_key(&login) {
            let problem = LineProblem::Taken { value: login.to_string() };
            errors.push(err("login", format!("the login {login} is taken"), problem));
            continue;
        }
        let display_name = match parse_name(row.get("display_name")) {
            Ok(n) => n,
            Err(e) => {
                errors.push(err("display_name", e, name_problem(row.get("display_name"))));
                continue;
            }
        };
        let role = match parse_role(row.get("role")) {
            Ok(r) => r,
            Err(e) => {
                let problem = LineProblem::UnknownRole { value: row.get("role").trim().into() };
                errors.push(err("role", e, problem));
                continue;
            }
        };
        let mut groups = Vec::new();
        let mut bad = None;
        for g in list(row.get("groups")) {
            match parse_group(g) {
                Ok(g) if known.groups.contains(&g) => groups.push(g),
                Ok(g) => {
                    let problem = LineProblem::Unknown { value: g.to_string() };
                    bad = Some(err("groups", format!("unknown group {g}"), problem));
                }
                Err(e) => bad = Some(err("groups", e, invalid(g))),
            }
        }
        let subjects: Vec<String> = list(row.get("subjects")).map(str::to_owned).collect();
        if !subjects.is_empty() && role != Role::Teacher {
            bad =
                Some(err("subjects", "only a teacher has subjects".into(), LineProblem::WrongRole));
        }
        let mut wards = Vec::new();
        for w in list(row.get("wards")) {
            if role != Role::Guardian {
                bad =
                    Some(err("wards", "only a guardian has wards".into(), LineProblem::WrongRole));
                break;
            }
            match parse_login(w) {
                Ok(w) => wards.push(w),
                Err(e) => bad = Some(err("wards", e, invalid(w))),
            }
        }
        if let Some(e) = bad {
            errors.push(e);
            continue;
        }
        entries.push(RosterEntry {
            line: row.line,
            login,
            display_name,
            role,
            groups,
            subjects,
            wards,
            initial_password: None,
        });
    }
    // Wards: existing students, or students on valid lines of this file.
    let students: BTreeSet<UserId> =
        entries.iter().filter(|e| e.role == Role::Student).map(|e| e.login.clone()).collect();
    entries.retain(|e| {
        let missing = e
            .wards
            .iter()
            .find(|w| known.users.get(*w) != Some(&Role::Student) && !students.contains(*w));
        match missing {
            Some(w) => {
                errors.push(LineError {
                    line: e.line,
                    column: Some("wards".into()),
                    reason: format!("{w} is not a student (of the database or of a valid line)"),
                    problem: LineProblem::NotAStudent { value: w.to_string() },
                });
                false
            }
            None => true,
        }
    });
    errors.sort_by_key(|e| e.line);
    (entries, errors)
}

/// Imports the roster in `csv` on behalf of `admin`. Nothing is written in a dry run, nor
/// when a line is refused unless `skip_invalid`; the report says which.
pub async fn import(
    store: &Store,
    now_ms: i64,
    admin: &Principal,
    csv: &[u8],
    options: RosterOptions,
) -> Result<RosterReport, AdminError> {
    require_admin(admin)?;
    let table = CsvTable::parse(csv, &COLUMNS, &COLUMNS[..3], MAX_LINES)
        .map_err(|e| AdminError::refused(AdminProblem::File(e.problem), e.message))?;
    let known = store
        .read(|dao| {
            let mut users = HashMap::new();
            for id in dao.user_ids()? {
                if let Some(row) = dao.user(&id)? {
                    users.insert(id, row.role);
                }
            }
            let groups = dao.groups_with_members()?.into_iter().map(|g| g.id).collect();
            Ok::<_, StoreError>(Known { users, groups })
        })
        .await?;
    let (mut accounts, errors) = check(&table, &known);
    let refused = !errors.is_empty() && !options.skip_invalid;
    if options.dry_run || refused || accounts.is_empty() {
        return Ok(RosterReport { dry_run: options.dry_run, imported: false, accounts, errors });
    }
    let passwords: Vec<String> = accounts.iter().map(|_| generate_password()).collect();
    let hashes = hash_all(passwords.clone()).await?;
    let rows: Vec<(RosterEntry, String)> = accounts.iter().cloned().zip(hashes).collect();
    store
        .write(move |dao| {
            for (a, hash) in &rows {
                if dao.user(&a.login)?.is_some() {
                    return Err(AdminError::refused(
                        AdminProblem::TakenMeanwhile { line: a.line, value: a.login.to_string() },
                        format!(
                            "line {}: the login {} was taken meanwhile; nothing imported",
                            a.line, a.login
                        ),
                    ));
                }
                dao.insert_user(&NewUser {
                    id: &a.login,
                    display_name: &a.display_name,
                    role: a.role,
                    password_hash: hash,
                    demo: false,
                    created_ms: now_ms,
                })?;
            }
            for (a, _) in &rows {
                for g in &a.groups {
                    if a.role == Role::Teacher {
                        dao.add_teaching(&a.login, g)?;
                    } else {
                        dao.add_membership(&a.login, g)?;
                    }
                }
                for s in &a.subjects {
                    dao.add_subject(&a.login, s)?;
                }
                for w in &a.wards {
                    dao.add_guardian(&a.login, w)?;
                }
            }
            Ok(())
        })
        .await?;
    super::sync::ensure_me_documents(store, now_ms).await?;
    for (a, p) in accounts.iter_mut().zip(passwords) {
        a.initial_password = Some(p);
    }
    tracing::info!(by = %admin.user, accounts = accounts.len(), refused = errors.len(), "roster imported");
    Ok(RosterReport { dry_run: false, imported: true, accounts, errors })
}
