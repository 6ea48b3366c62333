//! The API for the school's systems: `/api/v1/...` with `Authorization: Bearer <token>`, the
//! administrators' token management (`/api/admin/tokens`), and `/api/v1/openapi.json`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use cartable_shared::admin::{
    API_SCOPES, AccountList, ApiAnnouncement, ApiAssignment, ApiTokenList, CreatedApiToken,
    GroupList, NewApiToken,
};
use cartable_shared::announcements::{Announcement, Announcements};
use cartable_shared::api::{NewReminder, ReminderCreated, SessionChange};
use cartable_shared::grades::Grades;
use cartable_shared::homework::{Assignment, Homework};
use cartable_shared::ids::{DocId, GroupId, SessionId, UserId};
use cartable_shared::roles::Principal;
use cartable_shared::timetable::{Session, Timetable};

use super::admin::{GradesQuery, ImportQuery, grades_answer, query, roster_answer};
use super::auth::Authenticated;
use super::error::{ApiError, ApiJson, ApiPath};
use crate::AppState;
use crate::services::entries::{self, EntryError};
use crate::services::hub::HubError;
use crate::services::push::reminders;
use crate::services::roster::{self, RosterOptions};
use crate::services::{admin, api_tokens, timetable};

/// A request authenticated by an API token: who it acts as, and what it may do.
#[derive(Debug, Clone)]
pub struct Bearer {
    principal: Principal,
    scopes: Vec<String>,
}

fn bearer_refusal(message: &str) -> Response {
    let mut res = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
    res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    res
}

impl FromRequestParts<AppState> for Bearer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| bearer_refusal("send an API token as Authorization: Bearer <token>"))?;
        let now = state.clock().now_ms();
        match api_tokens::authenticate(state.store(), now, secret).await {
            Ok(Some((principal, scopes))) => Ok(Bearer { principal, scopes }),
            Ok(None) => Err(bearer_refusal("unknown or revoked API token")),
            Err(e) => Err(ApiError::internal(&e).into_response()),
        }
    }
}

impl Bearer {
    /// The principal, if the token has `scope`; 403 otherwise.
    fn scoped(&self, scope: &str) -> Result<&Principal, ApiError> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(&self.principal)
        } else {
            Err(ApiError::forbidden(format!("this token lacks the scope {scope}")))
        }
    }
}

/// `GET /api/admin/tokens`.
pub async fn list_tokens(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<Json<ApiTokenList>, ApiError> {
    Ok(Json(api_tokens::list(state.store(), &who.principal).await?))
}

/// `POST /api/admin/tokens`: 201 with the token and its secret (shown once).
pub async fn create_token(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    ApiJson(req): ApiJson<NewApiToken>,
) -> Result<(StatusCode, Json<CreatedApiToken>), ApiError> {
    let now = state.clock().now_ms();
    let created = api_tokens::create(state.store(), now, &who.principal, req).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `DELETE /api/admin/tokens/{id}`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    api_tokens::revoke(state.store(), &who.principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/accounts` (scope `accounts:read`).
pub async fn accounts(
    State(state): State<AppState>,
    token: Bearer,
) -> Result<Json<AccountList>, ApiError> {
    Ok(Json(
        admin::list_accounts(state.store(), state.clock().now_ms(), token.scoped("accounts:read")?)
            .await?,
    ))
}

/// `GET /api/v1/groups` (scope `groups:read`).
pub async fn groups(
    State(state): State<AppState>,
    token: Bearer,
) -> Result<Json<GroupList>, ApiError> {
    Ok(Json(admin::list_groups(state.store(), token.scoped("groups:read")?).await?))
}

/// `POST /api/v1/import/roster` (scope `roster:import`): as `/api/admin/import/roster`.
pub async fn import_roster(
    State(state): State<AppState>,
    token: Bearer,
    q: Result<axum::extract::Query<ImportQuery>, QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let principal = token.scoped("roster:import")?;
    let q = query(q)?;
    let options = RosterOptions { dry_run: q.dry_run, skip_invalid: q.skip_invalid };
    let now = state.clock().now_ms();
    let report = roster::import(state.store(), now, principal, &body, options).await?;
    if report.imported {
        // The gradebooks' rosters follow the new memberships.
        state.hub().roster_wake().notify_one();
    }
    Ok(roster_answer(q, report))
}

impl From<EntryError> for ApiError {
    fn from(e: EntryError) -> Self {
        match e {
            EntryError::Forbidden => Self::forbidden("you may not do this"),
            EntryError::NotFound => Self::not_found(),
            EntryError::Invalid(m) => Self::bad_request(m),
            EntryError::Hub(HubError::Rule(v)) => Self::bad_request(v.to_string()),
            EntryError::Hub(HubError::Closed) => Self::unavailable("the server is shutting down"),
            EntryError::Hub(e) => Self::internal(&e),
            EntryError::Store(e) => Self::internal(&e),
        }
    }
}

/// 201 for a new entry, 200 for a changed one.
fn written<T: serde::Serialize>((value, created): (T, bool)) -> (StatusCode, Json<T>) {
    (if created { StatusCode::CREATED } else { StatusCode::OK }, Json(value))
}

/// `GET /api/v1/groups/{group}/sessions` (scope `timetable:read`): the group's timetable.
pub async fn sessions(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath(group): ApiPath<GroupId>,
) -> Result<Json<Timetable>, ApiError> {
    let who = token.scoped("timetable:read")?;
    Ok(Json(entries::read(state.hub(), who, &DocId::timetable(&group)).await?))
}

/// `POST /api/v1/groups/{group}/sessions/{session}` (scope `timetable:write`): cancels, moves
/// or changes the room of a session, as a teacher would in the app.
pub async fn change_session(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath((group, session)): ApiPath<(GroupId, SessionId)>,
    ApiJson(change): ApiJson<SessionChange>,
) -> Result<Json<Session>, ApiError> {
    let who = token.scoped("timetable:write")?;
    Ok(Json(timetable::change_session(state.hub(), who, &group, &session, change).await?))
}

/// `GET /api/v1/groups/{group}/homework` (scope `homework:read`).
pub async fn homework(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath(group): ApiPath<GroupId>,
) -> Result<Json<Homework>, ApiError> {
    let who = token.scoped("homework:read")?;
    Ok(Json(entries::read(state.hub(), who, &DocId::homework(&group)).await?))
}

/// `PUT /api/v1/groups/{group}/homework/{id}` (scope `homework:write`): 201 when new.
pub async fn put_assignment(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath((group, id)): ApiPath<(GroupId, String)>,
    ApiJson(req): ApiJson<ApiAssignment>,
) -> Result<(StatusCode, Json<Assignment>), ApiError> {
    let who = token.scoped("homework:write")?;
    let now = state.clock().now_ms();
    let out =
        entries::put_assignment(state.hub(), state.store(), who, &group, &id, req, now).await?;
    Ok(written(out))
}

/// `DELETE /api/v1/groups/{group}/homework/{id}` (scope `homework:write`).
pub async fn delete_assignment(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath((group, id)): ApiPath<(GroupId, String)>,
) -> Result<StatusCode, ApiError> {
    let who = token.scoped("homework:write")?;
    entries::delete_entry(state.hub(), who, &DocId::homework(&group), "assignments", &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/students/{student}/grades` (scope `grades:read`).
pub async fn grades(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath(student): ApiPath<UserId>,
) -> Result<Json<Grades>, ApiError> {
    let who = token.scoped("grades:read")?;
    Ok(Json(entries::read(state.hub(), who, &DocId::grades(&student)).await?))
}

/// `POST /api/v1/groups/{group}/assessments/import` (scope `grades:import`): as the app's
/// grades import (CSV body, same query).
pub async fn import_grades(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath(group): ApiPath<GroupId>,
    q: Result<axum::extract::Query<GradesQuery>, QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let who = token.scoped("grades:import")?;
    grades_answer(&state, who, &group, query(q)?, &body).await
}

/// `GET /api/v1/announcements/{audience}` (scope `announcements:read`).
pub async fn announcements(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath(audience): ApiPath<String>,
) -> Result<Json<Announcements>, ApiError> {
    let who = token.scoped("announcements:read")?;
    let doc = entries::announcements_of(&audience)?;
    Ok(Json(entries::read(state.hub(), who, &doc).await?))
}

/// `PUT /api/v1/announcements/{audience}/{id}` (scope `announcements:write`): 201 when new.
pub async fn put_announcement(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath((audience, id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<ApiAnnouncement>,
) -> Result<(StatusCode, Json<Announcement>), ApiError> {
    let who = token.scoped("announcements:write")?;
    let now = state.clock().now_ms();
    let out = entries::put_announcement(state.hub(), state.store(), who, &audience, &id, req, now)
        .await?;
    Ok(written(out))
}

/// `DELETE /api/v1/announcements/{audience}/{id}` (scope `announcements:write`).
pub async fn delete_announcement(
    State(state): State<AppState>,
    token: Bearer,
    ApiPath((audience, id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let who = token.scoped("announcements:write")?;
    let doc = entries::announcements_of(&audience)?;
    entries::delete_entry(state.hub(), who, &doc, "items", &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/reminders` (scope `reminders:write`): as `POST /api/reminders`.
pub async fn remind(
    State(state): State<AppState>,
    token: Bearer,
    ApiJson(req): ApiJson<NewReminder>,
) -> Result<(StatusCode, Json<ReminderCreated>), ApiError> {
    let who = token.scoped("reminders:write")?;
    let now = state.clock().now_ms();
    let id = reminders::post(state.store(), state.hub(), who, req, now).await?;
    Ok((StatusCode::CREATED, Json(ReminderCreated { id })))
}

/// `GET /api/v1/openapi.json`: the description of the `/api/v1` API (public).
pub async fn openapi() -> Json<serde_json::Value> {
    Json(openapi_document())
}

/// The OpenAPI 3.1 description of `/api/v1`.
pub fn openapi_document() -> serde_json::Value {
    use serde_json::json;
    let error = json!({"$ref": "#/components/schemas/Error"});
    let answers = |ok: serde_json::Value| {
        json!({
            "200": ok,
            "401": {"description": "no token, or an unknown or revoked one",
                    "content": {"application/json": {"schema": error}}},
            "403": {"description": "the token lacks the scope",
                    "content": {"application/json": {"schema": error}}}
        })
    };
    let list = |what: &str, item: serde_json::Value| {
        json!({"description": what, "content": {"application/json": {"schema": {
            "type": "object", "properties": {what: {"type": "array", "items": item}}}}}})
    };
    let account = json!({"type": "object", "required": ["login", "display_name", "role"],
        "properties": {
            "login": {"type": "string"}, "display_name": {"type": "string"},
            "role": {"type": "string", "enum": ["student", "guardian", "teacher", "staff", "admin"]},
            "groups": {"type": "array", "items": {"type": "string"}},
            "teaches": {"type": "array", "items": {"type": "string"}},
            "wards": {"type": "array", "items": {"type": "string"}},
            "subjects": {"type": "array", "items": {"type": "string"}}}});
    let group = json!({"type": "object", "required": ["id", "name"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"},
        "members": {"type": "array", "items": {"type": "string"}},
        "teachers": {"type": "array", "items": {"type": "string"}}}});
    let line_error = json!({"type": "object", "properties": {
        "line": {"type": "integer"}, "column": {"type": ["string", "null"]},
        "reason": {"type": "string", "description": "in English"},
        "problem": {"type": "object", "required": ["kind"], "description": "the reason as data",
            "properties": {
                "kind": {"type": "string", "enum": ["unreadable", "missing", "invalid",
                    "too_long", "duplicate", "taken", "unknown", "not_a_student", "wrong_role",
                    "unknown_role", "out_of_range"]},
                "value": {"type": "string"}, "max": {}, "first_line": {"type": "integer"}}}}});
    let report = json!({"type": "object", "properties": {
        "dry_run": {"type": "boolean"}, "imported": {"type": "boolean"},
        "accounts": {"type": "array", "items": {"type": "object"}},
        "errors": {"type": "array", "items": line_error}}});
    let mut roster_answers = answers(json!({"description": "the report",
        "content": {"application/json": {"schema": report}}}));
    roster_answers["400"] = json!({"description": "the file as a whole is invalid",
        "content": {"application/json": {"schema": error}}});
    roster_answers["422"] = json!({"description": "refused lines; nothing imported",
        "content": {"application/json": {"schema": report}}});
    let flag = |name: &str, what: &str| {
        json!({"name": name, "in": "query", "required": false, "description": what,
               "schema": {"type": "boolean", "default": false}})
    };
    let param = |name: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
    let object = |what: &str| {
        json!({"description": what, "content": {"application/json": {"schema": {
            "type": "object"}}}})
    };
    let body = |schema: serde_json::Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let with_404 = |mut answers: serde_json::Value| {
        answers["404"] = json!({"description": "no such group, student, document or entry",
            "content": {"application/json": {"schema": error}}});
        answers["400"] = json!({"description": "invalid request",
            "content": {"application/json": {"schema": error}}});
        answers
    };
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Cartable API for the school's systems", "version": "1"},
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                "description": format!("an API token created by an administrator \
                    (POST /api/admin/tokens); scopes: {}", API_SCOPES.join(", "))}},
            "schemas": {"Error": {"type": "object", "properties": {
                "error": {"type": "string"}, "message": {"type": "string"}}}}
        },
        "security": [{"token": []}],
        "paths": {
            "/api/v1/accounts": {"get": {
                "summary": "Every account (scope accounts:read)",
                "responses": answers(list("accounts", account))}},
            "/api/v1/groups": {"get": {
                "summary": "Every group with its members and teachers (scope groups:read)",
                "responses": answers(list("groups", group))}},
            "/api/v1/import/roster": {"post": {
                "summary": "Create accounts from a CSV roster (scope roster:import)",
                "parameters": [flag("dry_run", "only report what would be created"),
                               flag("skip_invalid", "import the valid lines despite refused ones")],
                "requestBody": {"required": true, "content": {"text/csv": {"schema": {
                    "type": "string",
                    "description": "header login,display_name,role[,groups][,subjects][,wards]"}}}},
                "responses": roster_answers}},
            "/api/v1/groups/{group}/sessions": {"get": {
                "summary": "The group's timetable document (scope timetable:read)",
                "parameters": [param("group")],
                "responses": answers(object("the timetable: sessions by id"))}},
            "/api/v1/groups/{group}/sessions/{session}": {"post": {
                "summary": "Cancel, move or change the room of a session, as a teacher in the \
                    app: devices get it live, readers get the notification \
                    (scope timetable:write)",
                "parameters": [param("group"), param("session")],
                "requestBody": body(json!({"type": "object", "required": ["action"],
                    "properties": {
                        "action": {"type": "string", "enum": ["cancel", "change_room", "move"]},
                        "note": {"type": ["string", "null"]},
                        "rooms": {"type": "array", "items": {"type": "string"}},
                        "start_ms": {"type": "integer"}, "end_ms": {"type": "integer"}}})),
                "responses": with_404(answers(object("the session as changed")))}},
            "/api/v1/groups/{group}/homework": {"get": {
                "summary": "The group's homework document (scope homework:read)",
                "parameters": [param("group")],
                "responses": answers(object("assignments by id"))}},
            "/api/v1/groups/{group}/homework/{id}": {
                "put": {
                    "summary": "Set or change an assignment (scope homework:write); 201 when \
                        new; a change keeps its author, attachments and set day",
                    "parameters": [param("group"), param("id")],
                    "requestBody": body(json!({"type": "object",
                        "required": ["subject", "title", "due_ms"], "properties": {
                            "subject": {"type": "string"}, "title": {"type": "string"},
                            "text": {"type": "string"}, "due_ms": {"type": "integer"},
                            "hand_in": {"type": "boolean"}}})),
                    "responses": with_404(answers(object("the assignment")))},
                "delete": {
                    "summary": "Remove an assignment (scope homework:write); 204",
                    "parameters": [param("group"), param("id")],
                    "responses": with_404(answers(json!({"description": "removed"})))}},
            "/api/v1/groups/{group}/assessments/import": {"post": {
                "summary": "Grades of an assessment from a CSV, as the app's import \
                    (scope grades:import); query title, subject, date (YYYY-MM-DD), out_of, \
                    coefficient, dry_run, skip_invalid",
                "parameters": [param("group")],
                "requestBody": {"required": true, "content": {"text/csv": {"schema": {
                    "type": "string", "description": "header student,score[,comment]"}}}},
                "responses": answers(object("the report (422 when refused lines stopped it)"))}},
            "/api/v1/students/{student}/grades": {"get": {
                "summary": "A student's grades document (scope grades:read)",
                "parameters": [param("student")],
                "responses": with_404(answers(object("assessments by id")))}},
            "/api/v1/announcements/{audience}": {"get": {
                "summary": "The announcements of a group, or of everyone (scope \
                    announcements:read)",
                "parameters": [param("audience")],
                "responses": with_404(answers(object("announcements by id")))}},
            "/api/v1/announcements/{audience}/{id}": {
                "put": {
                    "summary": "Publish or change an announcement (scope announcements:write); \
                        201 when new; a change keeps its author",
                    "parameters": [param("audience"), param("id")],
                    "requestBody": body(json!({"type": "object",
                        "required": ["title", "body", "severity"], "properties": {
                            "title": {"type": "string"}, "body": {"type": "string"},
                            "severity": {"type": "string",
                                         "enum": ["Information", "Warning", "Alert"]},
                            "visible_from_ms": {"type": ["integer", "null"]},
                            "visible_until_ms": {"type": ["integer", "null"]},
                            "ack_required": {"type": "boolean"}}})),
                    "responses": with_404(answers(object("the announcement")))},
                "delete": {
                    "summary": "Remove an announcement (scope announcements:write); 204",
                    "parameters": [param("audience"), param("id")],
                    "responses": with_404(answers(json!({"description": "removed"})))}},
            "/api/v1/reminders": {"post": {
                "summary": "A library reminder pushed to a group's readers (scope \
                    reminders:write); 201",
                "requestBody": body(json!({"type": "object", "required": ["group", "text"],
                    "properties": {"group": {"type": "string"}, "text": {"type": "string"}}})),
                "responses": answers(object("the reminder's id"))}}
        }
    })
}
