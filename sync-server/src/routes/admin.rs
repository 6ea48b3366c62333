//! `/api/admin/accounts`, `/api/admin/groups` and `/api/admin/import/roster` (administrators),
//! and `/api/groups/{group}/assessments/import` (the group's teachers).

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use cartable_shared::admin::{
    AccountList, CreatedAccount, GroupList, GroupSummary, NewAccount, NewGroup, RosterReport,
};
use cartable_shared::ids::{GroupId, UserId};
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

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Forbidden => Self::forbidden("only administrators may do this"),
            AdminError::NotFound(m) => Self::new(StatusCode::NOT_FOUND, "not_found", m),
            AdminError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            AdminError::Invalid(m) => Self::bad_request(m),
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
    Ok(Json(admin::list_accounts(state.store(), &who.principal).await?))
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
    Ok((StatusCode::CREATED, Json(admin::create_group(state.store(), &who.principal, req).await?)))
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
    let q = query(q)?;
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
        &who.principal,
        &group,
        GradeFile { meta, csv: &body, options },
    )
    .await?;
    let status = if !q.dry_run && !q.skip_invalid && !report.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)).into_response())
}
