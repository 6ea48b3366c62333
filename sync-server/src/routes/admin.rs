//! `/api/admin/accounts`, `/api/admin/groups`, `/api/admin/import/roster`, `/api/admin/block`,
//! `/api/admin/rollover` and `/api/admin/archives` (administrators),
//! `/api/groups/{group}/assessments/import` (the group's teachers), and the user's own data
//! export `/api/me/export[.ics]`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use cartable_shared::admin::{
    AccountDeleted, AccountList, AdminProblem, Archive, ArchiveList, BlockNotice, CreatedAccount,
    GroupList, GroupSummary, NewAccount, NewGroup, RolloverReport, RolloverRequest, RosterReport,
};
use cartable_shared::ids::{GroupId, UserId};
use cartable_shared::roles::Principal;
use serde::Deserialize;

use super::auth::Authenticated;
use super::error::{ApiError, ApiJson, ApiPath};
use crate::AppState;
use crate::services::admin::{self, AdminError};
use crate::services::grade_import::{
    self, AssessmentMeta, GradeFile, GradeImportError, GradeOptions,
};
use crate::services::hub::HubError;
use crate::services::roster::{self, RosterOptions};
use crate::services::{block, gdpr, rollover};

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Forbidden => Self::forbidden("only administrators may do this"),
            AdminError::NotFound(m) => Self::new(StatusCode::NOT_FOUND, "not_found", m),
            AdminError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            AdminError::Invalid(m) => Self::bad_request(m),
            e @ AdminError::Refused { .. } => {
                let conflict = e.is_conflict();
                let AdminError::Refused { problem, message } = e else { unreachable!() };
                if conflict {
                    Self::new(StatusCode::CONFLICT, "conflict", message)
                } else {
                    Self::bad_request(message)
                }
                .with_problem(problem)
            }
            AdminError::Hash(e) => Self::internal(&e),
            AdminError::Store(e) => Self::internal(&e),
        }
    }
}

/// The query of an import: `dry_run` (preview) and `skip_invalid` (import the valid lines).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct ImportQuery {
    /// Only report.
    #[serde(default)]
    pub dry_run: bool,
    /// Import the valid lines even if some are refused.
    #[serde(default)]
    pub skip_invalid: bool,
}

/// A query string whose rejection is a 400 with the reason.
pub fn query<T>(q: Result<axum::extract::Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|axum::extract::Query(q)| q).map_err(|e| ApiError::bad_request(e.body_text()))
}

/// `GET /api/admin/accounts`.
pub async fn list_accounts(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<Json<AccountList>, ApiError> {
    Ok(Json(admin::list_accounts(state.store(), state.clock().now_ms(), &who.principal).await?))
}

/// `POST /api/admin/accounts`: 201 with the account (and its initial password when generated).
pub async fn create_account(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    ApiJson(req): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<CreatedAccount>), ApiError> {
    let now = state.clock().now_ms();
    let created = admin::create_account(state.store(), now, &who.principal, req).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /api/admin/groups`.
pub async fn list_groups(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<Json<GroupList>, ApiError> {
    Ok(Json(admin::list_groups(state.store(), &who.principal).await?))
}

/// `POST /api/admin/groups`: 201 with the group.
pub async fn create_group(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    ApiJson(req): ApiJson<NewGroup>,
) -> Result<(StatusCode, Json<GroupSummary>), ApiError> {
    let group = admin::create_group(state.store(), &who.principal, req).await?;
    // The new group gets its gradebook.
    state.hub().roster_wake().notify_one();
    Ok((StatusCode::CREATED, Json(group)))
}

async fn guardian(
    state: &AppState,
    who: &Authenticated,
    ward: &UserId,
    guardian: &UserId,
    on: bool,
) -> Result<StatusCode, ApiError> {
    admin::set_guardian(state.store(), state.hub(), &who.0.principal, ward, guardian, on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/admin/accounts/{student}/guardians/{guardian}`.
pub async fn add_guardian(
    State(state): State<AppState>,
    who: Authenticated,
    ApiPath((ward, g)): ApiPath<(UserId, UserId)>,
) -> Result<StatusCode, ApiError> {
    guardian(&state, &who, &ward, &g, true).await
}

/// `DELETE /api/admin/accounts/{student}/guardians/{guardian}`.
pub async fn remove_guardian(
    State(state): State<AppState>,
    who: Authenticated,
    ApiPath((ward, g)): ApiPath<(UserId, UserId)>,
) -> Result<StatusCode, ApiError> {
    guardian(&state, &who, &ward, &g, false).await
}

/// `POST /api/admin/import/roster?dry_run=&skip_invalid=`, the CSV as the body: 200 with the
/// report, or 422 with it when refused lines stopped the import (no `skip_invalid`).
pub async fn import_roster(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    q: Result<axum::extract::Query<ImportQuery>, QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let options = RosterOptions { dry_run: q.dry_run, skip_invalid: q.skip_invalid };
    let now = state.clock().now_ms();
    let report = roster::import(state.store(), now, &who.principal, &body, options).await?;
    if report.imported {
        // The gradebooks' rosters follow the new memberships.
        state.hub().roster_wake().notify_one();
    }
    Ok(roster_answer(q, report))
}

/// The answer of a roster import: 422 when refused lines stopped it, 200 otherwise.
pub fn roster_answer(q: ImportQuery, report: RosterReport) -> Response {
    let status = if !q.dry_run && !q.skip_invalid && !report.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, Json(report)).into_response()
}

impl From<GradeImportError> for ApiError {
    fn from(e: GradeImportError) -> Self {
        match e {
            GradeImportError::Forbidden(m) => Self::forbidden(m),
            GradeImportError::NotFound => Self::not_found(),
            GradeImportError::Invalid(m) => Self::bad_request(m),
            GradeImportError::File(e) => {
                Self::bad_request(e.message).with_problem(AdminProblem::File(e.problem))
            }
            GradeImportError::Hub(HubError::Closed) => {
                Self::unavailable("the server is shutting down")
            }
            GradeImportError::Hub(e) => Self::internal(&e),
            GradeImportError::Store(e) => Self::internal(&e),
        }
    }
}

fn default_out_of() -> f64 {
    20.0
}

fn default_coefficient() -> f64 {
    1.0
}

/// The query of a grades import: the assessment, and the import options.
#[derive(Debug, Clone, Deserialize)]
pub struct GradesQuery {
    /// What was assessed.
    pub title: String,
    /// The subject.
    pub subject: String,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// The maximum score (20 when absent).
    #[serde(default = "default_out_of")]
    pub out_of: f64,
    /// The weight (1 when absent).
    #[serde(default = "default_coefficient")]
    pub coefficient: f64,
    /// Only report.
    #[serde(default)]
    pub dry_run: bool,
    /// Import the valid lines even if some are refused.
    #[serde(default)]
    pub skip_invalid: bool,
}

/// `POST /api/groups/{group}/assessments/import?title=&subject=&date=[&out_of=][&coefficient=]
/// [&dry_run=][&skip_invalid=]`, the CSV as the body: 200 with the report, or 422 with it when
/// refused lines stopped the import.
pub async fn import_grades(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    ApiPath(group): ApiPath<GroupId>,
    q: Result<axum::extract::Query<GradesQuery>, QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    grades_answer(&state, &who.principal, &group, query(q)?, &body).await
}

/// Imports a grades CSV for `group` on behalf of `principal` (the app's import and the API's).
pub async fn grades_answer(
    state: &AppState,
    principal: &Principal,
    group: &GroupId,
    q: GradesQuery,
    body: &[u8],
) -> Result<Response, ApiError> {
    let meta = AssessmentMeta {
        title: q.title,
        subject: q.subject,
        date: q.date,
        out_of: q.out_of,
        coefficient: q.coefficient,
    };
    let options = GradeOptions { dry_run: q.dry_run, skip_invalid: q.skip_invalid };
    let now = state.clock().now_ms();
    let report = grade_import::import(
        state.hub(),
        state.store(),
        now,
        principal,
        group,
        GradeFile { meta, csv: body, options },
    )
    .await?;
    let status = if !q.dry_run && !q.skip_invalid && !report.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)).into_response())
}

/// `GET /api/admin/block`: the block period in force (JSON `null` when none).
pub async fn get_block(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<Json<Option<BlockNotice>>, ApiError> {
    Ok(Json(block::get(state.store(), &who.principal, state.clock().now_ms()).await?))
}

/// `PUT /api/admin/block`: sets or replaces the block period; students' and guardians' live
/// connections close with its message.
pub async fn set_block(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    ApiJson(req): ApiJson<BlockNotice>,
) -> Result<Json<BlockNotice>, ApiError> {
    let now = state.clock().now_ms();
    Ok(Json(block::set(state.store(), state.hub(), &who.principal, now, req).await?))
}

/// `DELETE /api/admin/block`: lifts the block period (204; 404 when there was none).
pub async fn clear_block(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<StatusCode, ApiError> {
    let lifted = block::clear(state.store(), &who.principal).await?;
    if lifted { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found()) }
}

/// `POST /api/admin/rollover`: closes a school year (201 with what was done; 409 when the
/// label was used by a completed rollover).
pub async fn rollover(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    ApiJson(req): ApiJson<RolloverRequest>,
) -> Result<(StatusCode, Json<RolloverReport>), ApiError> {
    let now = state.clock().now_ms();
    let report = rollover::rollover(state.store(), state.hub(), &who.principal, now, req).await?;
    Ok((StatusCode::CREATED, Json(report)))
}

/// `GET /api/admin/archives`.
pub async fn archives(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<Json<ArchiveList>, ApiError> {
    Ok(Json(rollover::list(state.store(), &who.principal).await?))
}

/// `GET /api/admin/archives/{label}`.
pub async fn archive(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    ApiPath(label): ApiPath<String>,
) -> Result<Json<Archive>, ApiError> {
    Ok(Json(rollover::get(state.store(), &who.principal, &label).await?))
}

/// `DELETE /api/admin/accounts/{user}`: deletes an account and its personal data.
pub async fn delete_account(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    ApiPath(user): ApiPath<UserId>,
) -> Result<Json<AccountDeleted>, ApiError> {
    Ok(Json(gdpr::delete_account(state.store(), state.hub(), &who.principal, &user).await?))
}

/// `GET /api/me/export`: everything held about the signed-in user, as an attachment.
pub async fn export_me(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<Response, ApiError> {
    let user = &who.principal.user;
    let export = gdpr::export(state.store(), user, state.clock().now_ms()).await?;
    let name = format!("attachment; filename=\"cartable-{user}.json\"");
    Ok(attachment(Json(export).into_response(), &name))
}

/// `GET /api/me/export.ics`: the signed-in user's calendar, as an attachment.
pub async fn export_me_ics(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<Response, ApiError> {
    let user = &who.principal.user;
    let origin = state.origin();
    let host = origin.split_once("://").map_or(origin.as_str(), |(_, h)| h);
    let ics = gdpr::export_ics(state.store(), user, host, state.clock().now_ms()).await?;
    let mut res = ics.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    Ok(attachment(res, &format!("attachment; filename=\"cartable-{user}.ics\"")))
}

/// Marks a response as a file to download, never cached.
fn attachment(mut res: Response, disposition: &str) -> Response {
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
