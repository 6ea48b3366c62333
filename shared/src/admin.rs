//! JSON bodies of the administration API (`/api/admin/...`) and of the spreadsheet imports,
//! shared by the server, the app and the tests.

use serde::{Deserialize, Serialize};

use crate::ids::{GroupId, UserId};
use crate::roles::Role;

/// Shortest password accepted when an administrator sets one.
pub const MIN_PASSWORD_LEN: usize = 10;

/// `POST /api/admin/accounts` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    /// The login (letters, digits, `.`, `_`, `-`, `@`); stored lower-case.
    pub login: String,
    /// The name to show.
    pub display_name: String,
    /// Its role.
    pub role: Role,
    /// A password of at least [`MIN_PASSWORD_LEN`] characters; without one the server
    /// generates an initial password and returns it once.
    #[serde(default)]
    pub password: Option<String>,
    /// A teacher's subjects.
    #[serde(default)]
    pub subjects: Vec<String>,
}

/// An account as the administration sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// The login.
    pub login: UserId,
    /// The name to show.
    pub display_name: String,
    /// Its role.
    pub role: Role,
    /// Groups it belongs to (a guardian: none of their own).
    pub groups: Vec<GroupId>,
    /// Groups it teaches.
    pub teaches: Vec<GroupId>,
    /// A guardian's students.
    pub wards: Vec<UserId>,
    /// A teacher's subjects.
    pub subjects: Vec<String>,
}

/// `POST /api/admin/accounts` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedAccount {
    /// The new account.
    pub account: AccountSummary,
    /// The generated initial password, shown this once (never stored in clear); `None` when
    /// the request gave one.
    pub initial_password: Option<String>,
}

/// `GET /api/admin/accounts` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountList {
    /// Every account, by login.
    pub accounts: Vec<AccountSummary>,
}

/// `POST /api/admin/groups` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGroup {
    /// The group id (letters, digits, `.`, `_`, `-`, `@`).
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A group as the administration sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// The group.
    pub id: GroupId,
    /// Its name.
    pub name: String,
    /// Its members (students, staff …), by login.
    pub members: Vec<UserId>,
    /// Its teachers, by login.
    pub teachers: Vec<UserId>,
}

/// `GET /api/admin/groups` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupList {
    /// Every group, by id.
    pub groups: Vec<GroupSummary>,
}

/// One refused line of an imported spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    /// The line of the file (the header is line 1).
    pub line: u64,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// Why the line is refused.
    pub reason: String,
}

/// One account of a roster import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    /// Its line in the file.
    pub line: u64,
    /// The login.
    pub login: UserId,
    /// The name to show.
    pub display_name: String,
    /// Its role.
    pub role: Role,
    /// Groups it joins (a teacher: groups it teaches).
    pub groups: Vec<GroupId>,
    /// A teacher's subjects.
    pub subjects: Vec<String>,
    /// A guardian's students.
    pub wards: Vec<UserId>,
    /// The generated initial password, once imported (shown this once); `None` in a preview.
    pub initial_password: Option<String>,
}

/// `POST /api/admin/import/roster` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterReport {
    /// A preview: nothing was written.
    pub dry_run: bool,
    /// Whether the valid lines were written.
    pub imported: bool,
    /// The valid lines: the accounts created (or that would be).
    pub accounts: Vec<RosterEntry>,
    /// The refused lines.
    pub errors: Vec<LineError>,
}

/// One grade of a grades import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeEntry {
    /// Its line in the file.
    pub line: u64,
    /// The student.
    pub student: UserId,
    /// The score; `None` for an absence (`abs` in the file).
    pub score: Option<f64>,
    /// The teacher's comment.
    pub comment: Option<String>,
}

/// `POST /api/groups/{group}/assessments/import` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradesReport {
    /// A preview: nothing was written.
    pub dry_run: bool,
    /// Whether the valid lines were written.
    pub imported: bool,
    /// The assessment's id in each student's `grades:<student>` document.
    pub assessment: String,
    /// The valid lines.
    pub grades: Vec<GradeEntry>,
    /// The refused lines.
    pub errors: Vec<LineError>,
}

/// What an API token may do: `accounts:read` (`GET /api/v1/accounts`), `groups:read`
/// (`GET /api/v1/groups`), `roster:import` (`POST /api/v1/import/roster`).
pub const API_SCOPES: [&str; 3] = ["accounts:read", "groups:read", "roster:import"];

/// `POST /api/admin/tokens` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    /// What the token is for (the system that uses it).
    pub name: String,
    /// Its scopes, among [`API_SCOPES`]; at least one.
    pub scopes: Vec<String>,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    /// Its id, to revoke it.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// The administrator who created it; the token stops working if they stop being one.
    pub created_by: UserId,
    /// When, UTC milliseconds.
    pub created_ms: i64,
    /// When it was last used.
    pub last_used_ms: Option<i64>,
}

/// `POST /api/admin/tokens` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    /// The token.
    pub token: ApiTokenInfo,
    /// The secret to send as `Authorization: Bearer <secret>`, shown this once.
    pub secret: String,
}

/// `GET /api/admin/tokens` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenList {
    /// Every token, oldest first.
    pub tokens: Vec<ApiTokenInfo>,
}
