//! Calendar feeds: `/api/admin/feeds` (administrators: imported iCalendar feeds),
//! `/api/calendar/token` (the signed-in user's private export URL) and `GET /calendar/{token}`
//! (the export itself, authenticated by its token only, for calendar applications).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartable_shared::calendar::{
    CalendarTokenCreated, CalendarTokenInfo, FeedInfo, FeedList, NewFeed, RefreshOutcome,
};
use cartable_shared::ids::FeedId;

use super::auth::Authenticated;
use super::error::{ApiError, ApiJson, ApiPath};
use crate::AppState;
use crate::services::feeds::FeedError;
use crate::services::feeds::export::{self, ExportError};
use crate::services::hub::HubError;

impl From<FeedError> for ApiError {
    fn from(e: FeedError) -> Self {
        match e {
            FeedError::Forbidden => Self::forbidden(e.to_string()),
            FeedError::NotFound => Self::not_found(),
            FeedError::Invalid(m) => Self::bad_request(m),
            FeedError::Refused(r) => {
                Self::new(StatusCode::BAD_REQUEST, "feed_url_refused", r.to_string())
            }
            FeedError::Hub(HubError::Closed) => Self::unavailable("the server is shutting down"),
            FeedError::Hub(e) => Self::internal(&e),
            FeedError::Store(e) => Self::internal(&e),
        }
    }
}

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        Self::internal(&e)
    }
}

/// Every feed, with its last success and last error.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
) -> Result<Json<FeedList>, ApiError> {
    let feeds = state.feeds().list(&identity.principal).await?;
    Ok(Json(FeedList { feeds }))
}

/// Registers a feed for a group.
pub async fn register(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiJson(req): ApiJson<NewFeed>,
) -> Result<(StatusCode, Json<FeedInfo>), ApiError> {
    let feed = state.feeds().register(&identity.principal, req).await?;
    Ok((StatusCode::CREATED, Json(feed)))
}

/// Fetches and imports a feed now.
pub async fn refresh(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath(id): ApiPath<FeedId>,
) -> Result<Json<RefreshOutcome>, ApiError> {
    Ok(Json(state.feeds().refresh(&identity.principal, id).await?))
}

/// Deletes a feed (its sessions stay in the timetable).
pub async fn delete(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath(id): ApiPath<FeedId>,
) -> Result<StatusCode, ApiError> {
    state.feeds().delete(&identity.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates the user's export URL, replacing (revoking) any earlier one.
pub async fn create_token(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
) -> Result<(StatusCode, Json<CalendarTokenCreated>), ApiError> {
    let now = state.clock().now_ms();
    let token = export::create_token(state.store(), &identity.principal.user, now)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let url = format!("{}/calendar/{token}.ics", state.origin());
    Ok((StatusCode::CREATED, Json(CalendarTokenCreated { url, created_ms: now })))
}

/// Whether the user has an export URL (the URL itself is shown only when created).
pub async fn show_token(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
) -> Result<Json<CalendarTokenInfo>, ApiError> {
    let user = identity.principal.user.clone();
    let found = state
        .store()
        .read(move |dao| dao.calendar_token(&user))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let (created_ms, last_used_ms) = found.ok_or_else(ApiError::not_found)?;
    Ok(Json(CalendarTokenInfo { created_ms, last_used_ms }))
}

/// Revokes the user's export URL.
pub async fn revoke_token(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
) -> Result<StatusCode, ApiError> {
    let user = identity.principal.user.clone();
    let deleted = state
        .store()
        .write(move |dao| dao.delete_calendar_token(&user))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    if deleted { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found()) }
}

/// The export feed of a token (`/calendar/<token>.ics`); 404 for an unknown or revoked token.
pub async fn export_feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
) -> Result<Response, ApiError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let host = state.origin();
    let host = host.split_once("://").map_or(host.as_str(), |(_, h)| h);
    let now = state.clock().now_ms();
    let body = export::feed_for_token(state.store(), token, host, now)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut res = body.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    Ok(res)
}
