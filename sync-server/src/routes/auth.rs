//! `POST /api/login`, `POST /api/logout`, `GET /api/me`, and the session extractor.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartable_shared::api::{ConnectionList, LoginRequest, Me, RevokedSessions};

use super::error::{ApiError, ApiJson};
use crate::AppState;
use crate::services::auth::{ClientInfo, Identity, SESSION_TTL_MS, SessionToken};
use crate::services::block;
use crate::services::presence::Control;

/// Name of the session cookie.
pub const COOKIE: &str = "cartable_session";

/// The session token in a request's `Cookie` headers.
pub fn session_token(headers: &HeaderMap) -> Option<SessionToken> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| SessionToken::from_cookie(value.trim_matches('"')))
}

fn cookie(value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let c =
        format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// The signed-in user of a request; rejects with 401 without a valid session.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Identity);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        Ok(Authenticated(state.auth().identify(&token).await?))
    }
}

/// Where a request comes from.
#[derive(Debug, Clone)]
pub struct Client(pub ClientInfo);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &S,
    ) -> Result<Self, std::convert::Infallible> {
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect());
        let address =
            parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.to_string());
        Ok(Client(ClientInfo { user_agent, address }))
    }
}

/// `POST /api/login`.
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let (identity, token) = state.auth().login(req, client).await?;
    let me = me_of(&state, &identity).await?;
    let set = cookie(token.as_str(), SESSION_TTL_MS / 1000, state.cookie_secure());
    Ok(([(header::SET_COOKIE, set)], Json(me)).into_response())
}

/// `POST /api/logout`.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&headers) {
        state.auth().logout(&token).await?;
    }
    let clear = cookie("", 0, state.cookie_secure());
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

/// The `Me` of `identity` now, with the block period that applies to it.
async fn me_of(state: &AppState, identity: &Identity) -> Result<Me, ApiError> {
    let now = state.clock().now_ms();
    let blocked = block::notice_for(state.store(), &identity.principal, now)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(identity.me(blocked))
}

/// `GET /api/me`.
pub async fn me(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(me_of(&state, &identity).await?))
}

/// `GET /api/sessions`: the last connections of the signed-in account.
pub async fn sessions(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    headers: HeaderMap,
) -> Result<Json<ConnectionList>, ApiError> {
    let token = session_token(&headers).ok_or_else(ApiError::unauthorized)?;
    Ok(Json(state.auth().recent_connections(&identity.principal.user, &token).await?))
}

/// `POST /api/sessions/revoke-all`: signs the account out everywhere, this device included,
/// and closes its live sync connections.
pub async fn revoke_all(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
) -> Result<Response, ApiError> {
    let user = &identity.principal.user;
    let sessions = state.auth().revoke_all(user).await?;
    let connections = state.hub().presence().notify(user, Control::SignedOut);
    tracing::info!(user = %user, sessions, connections, "signed out everywhere");
    let body =
        RevokedSessions { sessions, connections: u32::try_from(connections).unwrap_or(u32::MAX) };
    let clear = cookie("", 0, state.cookie_secure());
    Ok(([(header::SET_COOKIE, clear)], Json(body)).into_response())
}
