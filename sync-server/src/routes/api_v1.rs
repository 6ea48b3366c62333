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
    API_SCOPES, AccountList, ApiTokenList, CreatedApiToken, GroupList, NewApiToken,
};
use cartable_shared::roles::Principal;

use super::admin::{ImportQuery, query, roster_answer};
use super::auth::Authenticated;
use super::error::{ApiError, ApiJson, ApiPath};
use crate::AppState;
use crate::services::roster::{self, RosterOptions};
use crate::services::{admin, api_tokens};

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
    Ok(roster_answer(q, report))
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
        "reason": {"type": "string"}}});
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
                "responses": roster_answers}}
        }
    })
}
