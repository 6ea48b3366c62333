//! JSON bodies of the administration API (`/api/admin/...`) and of the spreadsheet imports,
//! shared by the server, the app and the tests.

use serde::{Deserialize, Serialize};

use crate::api::{ConnectionInfo, PushSubscriptionInfo};
use crate::calendar::CalendarTokenInfo;
use crate::homework::Homework;
use crate::ids::{GroupId, UserId};
use crate::library::Library;
use crate::roles::Role;

pub use crate::api::BlockNotice;

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
    /// A guest account (e.g. a visiting examiner) expires at this time, UTC milliseconds: from
    /// then on its login is refused, its sessions end and its push subscriptions are deleted.
    /// Must be in the future.
    #[serde(default)]
    pub expires_at_ms: Option<i64>,
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
    /// When a guest account expires, UTC milliseconds.
    #[serde(default)]
    pub expires_at_ms: Option<i64>,
    /// Whether it has expired (it can no longer sign in).
    #[serde(default)]
    pub expired: bool,
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

/// Why a request of the administration page was refused, as data (`ErrorBody::problem`): what
/// the page says in the user's language, where `ErrorBody::message` says it in English for
/// scripts and logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdminProblem {
    /// A value of the form is refused, for the same reasons as a value of an imported line.
    Field {
        /// Which one: [`AdminField`].
        field: AdminField,
        /// What is wrong with it.
        problem: LineProblem,
    },
    /// The password is too short.
    PasswordTooShort {
        /// The fewest characters accepted.
        min: u32,
    },
    /// A guest account's end is not in the future.
    ExpiryInThePast,
    /// An administrator account cannot have an end.
    AdminGuest,
    /// A group with this id exists.
    GroupExists {
        /// The id.
        value: String,
    },
    /// The account is not a guardian.
    NotAGuardian {
        /// Its login.
        value: String,
    },
    /// The end of a block period is not in the future.
    EndInThePast,
    /// An administrator cannot delete their own account.
    OwnAccount,
    /// That school year was closed already.
    YearClosed {
        /// Its label.
        value: String,
    },
    /// A login of an import was taken between the preview and the import: nothing imported.
    TakenMeanwhile {
        /// The line of the file.
        line: u64,
        /// The login.
        value: String,
    },
    /// An imported spreadsheet is refused as a whole.
    File(FileProblem),
}

/// Why an imported spreadsheet (roster, grades) is refused as a whole, before any of its lines
/// is read: in [`AdminProblem::File`], or alone in `ErrorBody::problem` for a view that decodes
/// only this (the gradebook's import).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "file", rename_all = "snake_case")]
pub enum FileProblem {
    /// No header line.
    Empty {
        /// The columns the header must name.
        required: Vec<String>,
    },
    /// The header line cannot be read.
    UnreadableHeader,
    /// The header names a column the import does not take.
    UnknownColumn {
        /// The column, lower case.
        value: String,
        /// The columns it takes.
        allowed: Vec<String>,
    },
    /// The header names a column twice.
    ColumnTwice {
        /// The column, lower case.
        value: String,
    },
    /// The header lacks a required column.
    ColumnMissing {
        /// The column.
        value: String,
    },
    /// More lines than the import takes.
    TooManyLines {
        /// The most it takes.
        max: u64,
    },
}

/// The value of an administration form that [`AdminProblem::Field`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminField {
    /// An account's login.
    Login,
    /// An account's display name.
    DisplayName,
    /// A teacher's subjects.
    Subjects,
    /// A group's id.
    Group,
    /// A group's or an API token's name.
    Name,
    /// The student of a guardian link.
    Ward,
    /// An API token's scopes.
    Scopes,
    /// A block period's message.
    Message,
    /// A school year's label.
    Label,
}

impl AdminField {
    /// Every field, for exhaustive tests.
    pub const ALL: [AdminField; 9] = [
        AdminField::Login,
        AdminField::DisplayName,
        AdminField::Subjects,
        AdminField::Group,
        AdminField::Name,
        AdminField::Ward,
        AdminField::Scopes,
        AdminField::Message,
        AdminField::Label,
    ];
}

/// One refused line of an imported spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    /// The line of the file (the header is line 1).
    pub line: u64,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// Why the line is refused, in English (for the API's clients and the logs).
    pub reason: String,
    /// Why, as data: what the app says in the user's language.
    pub problem: LineProblem,
}

/// What is wrong with a refused line (with [`LineError::column`], which value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LineProblem {
    /// The line cannot be read: broken quotes, not UTF-8, or not as many fields as the header.
    Unreadable,
    /// The value is empty but required.
    Missing,
    /// The value is malformed (a login, a group id, a name with control characters, a score
    /// that is not a number).
    Invalid {
        /// The value as written.
        value: String,
    },
    /// The value is longer than allowed.
    TooLong {
        /// The most characters allowed.
        max: u32,
    },
    /// An earlier line has the same login.
    Duplicate {
        /// The login.
        value: String,
        /// The earlier line.
        first_line: u64,
    },
    /// An account has this login already.
    Taken {
        /// The login.
        value: String,
    },
    /// No such group or account.
    Unknown {
        /// The id as written.
        value: String,
    },
    /// The account is not a student (a guardian's ward), or not one of the group (a grade).
    NotAStudent {
        /// The login.
        value: String,
    },
    /// This column is for another role only (subjects: teachers; wards: guardians).
    WrongRole,
    /// The role is none of `student`, `guardian`, `teacher`, `staff`, `admin`.
    UnknownRole {
        /// The role as written.
        value: String,
    },
    /// The score is negative or above the assessment's maximum.
    OutOfRange {
        /// The score as written.
        value: String,
        /// The maximum, as the assessment states it.
        max: String,
    },
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
/// (`GET /api/v1/groups`), `roster:import` (`POST /api/v1/import/roster`), `timetable:read` /
/// `timetable:write` (a group's sessions), `homework:read` / `homework:write`, `grades:read`
/// (a student's grades), `grades:import` (a grades CSV for an assessment),
/// `announcements:read` / `announcements:write`, `reminders:write` (library reminders).
pub const API_SCOPES: [&str; 12] = [
    "accounts:read",
    "groups:read",
    "roster:import",
    "timetable:read",
    "timetable:write",
    "homework:read",
    "homework:write",
    "grades:read",
    "grades:import",
    "announcements:read",
    "announcements:write",
    "reminders:write",
];

/// `PUT /api/v1/groups/{group}/homework/{id}` body: an assignment set (or changed) by the
/// school's system. Its author is the token's administrator; on a change, its attachments and
/// the day it was set are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiAssignment {
    /// Subject.
    pub subject: String,
    /// Short title.
    pub title: String,
    /// Instructions.
    #[serde(default)]
    pub text: String,
    /// When it is due, UTC milliseconds.
    pub due_ms: i64,
    /// Whether something is handed in.
    #[serde(default)]
    pub hand_in: bool,
}

/// `PUT /api/v1/announcements/{audience}/{id}` body (audience: a group id or `everyone`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiAnnouncement {
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// How it is shown (and notified).
    pub severity: crate::announcements::Severity,
    /// Shown from then, UTC milliseconds (now when absent).
    #[serde(default)]
    pub visible_from_ms: Option<i64>,
    /// Hidden after then.
    #[serde(default)]
    pub visible_until_ms: Option<i64>,
    /// Readers must acknowledge it.
    #[serde(default)]
    pub ack_required: bool,
}

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

/// `POST /api/admin/rollover` body: close a school year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverRequest {
    /// The year being closed, e.g. `2025-2026` (letters, digits, `.`, `_`, `-`; 1 to 64): the
    /// archive's name. A label already used is refused (409).
    pub label: String,
}

/// What the rollover did to one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRollover {
    /// The group.
    pub group: GroupId,
    /// Course documents archived and removed from `library:<group>`.
    pub library_items: u32,
    /// Assignments archived and removed from `homework:<group>`.
    pub assignments: u32,
    /// Students removed from the group (its teachers stay).
    pub students_removed: Vec<UserId>,
}

/// `POST /api/admin/rollover` answer (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverReport {
    /// The archive's label.
    pub label: String,
    /// When, UTC milliseconds.
    pub created_ms: i64,
    /// Each group, by id.
    pub groups: Vec<GroupRollover>,
}

/// An archive as listed in `GET /api/admin/archives`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveInfo {
    /// Its label (the year closed).
    pub label: String,
    /// When it was made, UTC milliseconds.
    pub created_ms: i64,
    /// The administrator who made it.
    pub created_by: UserId,
    /// How many groups it holds.
    pub groups: u32,
}

/// `GET /api/admin/archives` answer, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveList {
    /// The archives.
    pub archives: Vec<ArchiveInfo>,
}

/// One group's class documents as they were when the year was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupArchive {
    /// The group.
    pub group: GroupId,
    /// Its name then.
    pub name: String,
    /// Its students then.
    pub students: Vec<UserId>,
    /// Its teachers then.
    pub teachers: Vec<UserId>,
    /// The course documents (`library:<group>`); the files stay downloadable by
    /// administrators at `/files/{sha256}`.
    pub library: Library,
    /// The homework (`homework:<group>`).
    pub homework: Homework,
}

/// `GET /api/admin/archives/{label}` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Archive {
    /// Its label.
    pub label: String,
    /// When it was made, UTC milliseconds.
    pub created_ms: i64,
    /// The administrator who made it.
    pub created_by: UserId,
    /// Each group, by id.
    pub groups: Vec<GroupArchive>,
}

/// `DELETE /api/admin/accounts/{user}` answer: the account and its personal data are gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDeleted {
    /// The deleted account.
    pub user: UserId,
    /// Documents deleted (`me:<user>`, `grades:<user>`).
    pub documents: u32,
    /// Live sync connections closed.
    pub connections: u32,
    /// Threads in which their messages now show [`DELETED_AUTHOR`] as author.
    pub threads: u32,
    /// Documents rebuilt without history to erase the login (threads, gradebooks, group
    /// documents that named it): every device holding one drops its copy and syncs it again.
    #[serde(default)]
    pub rebuilt: u32,
}

/// The author written in place of a deleted account in the threads it took part in (its
/// messages stay: the other participants' conversation keeps its sense).
pub const DELETED_AUTHOR: &str = "deleted-account";

/// The account part of [`UserExport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedAccount {
    /// The login.
    pub login: UserId,
    /// The name shown.
    pub display_name: String,
    /// The role.
    pub role: Role,
    /// When the account was created, UTC milliseconds.
    pub created_ms: i64,
    /// When a guest account expires.
    pub expires_at_ms: Option<i64>,
    /// A teacher's subjects.
    pub subjects: Vec<String>,
}

/// An acknowledged announcement, in [`UserExport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedAcknowledgement {
    /// `<audience document>/<announcement id>` as written in the `me` document.
    pub announcement: String,
    /// When, UTC milliseconds.
    pub at_ms: i64,
}

/// `GET /api/me/export` answer (an attachment): everything the server holds about the signed-in
/// user (GDPR art. 15 and 20), never a password hash or a token secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserExport {
    /// The format of this file (1).
    pub format: u32,
    /// When it was made, UTC milliseconds.
    pub generated_ms: i64,
    /// The account.
    pub account: ExportedAccount,
    /// Groups they belong to.
    pub groups: Vec<GroupId>,
    /// Groups they teach.
    pub teaches: Vec<GroupId>,
    /// Their guardians (a student).
    pub guardians: Vec<UserId>,
    /// Their students (a guardian).
    pub wards: Vec<UserId>,
    /// Every sign-in the server still records, newest first.
    pub connections: Vec<ConnectionInfo>,
    /// Devices registered for notifications.
    pub push_subscriptions: Vec<PushSubscriptionInfo>,
    /// API tokens they created (an administrator), without secrets.
    pub api_tokens: Vec<ApiTokenInfo>,
    /// Their calendar export link, without its secret.
    pub calendar_token: Option<CalendarTokenInfo>,
    /// Announcements they acknowledged.
    pub acknowledgements: Vec<ExportedAcknowledgement>,
    /// Their `me:<user>` document (homework done, personal events, notes, settings), as JSON.
    pub me: Option<serde_json::Value>,
    /// Their `grades:<user>` document, as JSON.
    pub grades: Option<serde_json::Value>,
    /// The threads they take part in (`thread:<id>` documents), as JSON.
    pub threads: Vec<serde_json::Value>,
}
