//! `GET /api/push/key` and `/api/push/subscriptions` (the user's own devices).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use cartable_shared::api::{
    NewPushSubscription, NewReminder, PushKey, PushSubscriptionCreated, PushSubscriptionList,
    ReminderCreated,
};
use cartable_shared::ids::SubscriptionId;

use super::auth::Authenticated;
use super::error::{ApiError, ApiJson, ApiPath};
use crate::AppState;
use crate::services::push::reminders::{self, ReminderError};
use crate::services::push::subscriptions::{self, PushError};

impl From<ReminderError> for ApiError {
    fn from(e: ReminderError) -> Self {
        match e {
            ReminderError::Forbidden => Self::forbidden(e.to_string()),
            ReminderError::NotFound => Self::not_found(),
            ReminderError::Invalid(m) => Self::bad_request(m),
            ReminderError::Store(e) => Self::internal(&e),
        }
    }
}

/// Posts a library reminder to a group (staff, admins, the group's teachers).
pub async fn remind(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiJson(req): ApiJson<NewReminder>,
) -> Result<(StatusCode, Json<ReminderCreated>), ApiError> {
    let now = state.clock().now_ms();
    let id = reminders::post(state.store(), state.hub(), &identity.principal, req, now).await?;
    Ok((StatusCode::CREATED, Json(ReminderCreated { id })))
}

impl From<PushError> for ApiError {
    fn from(e: PushError) -> Self {
        match e {
            PushError::Refused(r) => {
                Self::new(StatusCode::BAD_REQUEST, "push_endpoint_refused", r.to_string())
            }
            PushError::Invalid(m) => Self::bad_request(m),
            PushError::NotFound => Self::not_found(),
            PushError::Store(e) => Self::internal(&e),
        }
    }
}

/// The VAPID public key (no session needed: it is public).
pub async fn key(State(state): State<AppState>) -> Json<PushKey> {
    Json(PushKey { public_key: state.vapid().public_key_b64().to_owned() })
}

/// Registers a device of the signed-in user.
pub async fn subscribe(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiJson(req): ApiJson<NewPushSubscription>,
) -> Result<(StatusCode, Json<PushSubscriptionCreated>), ApiError> {
    let now = state.clock().now_ms();
    let user = &identity.principal.user;
    let id = subscriptions::register(state.store(), state.push_allow(), user, req, now).await?;
    Ok((StatusCode::CREATED, Json(PushSubscriptionCreated { id })))
}

/// The signed-in user's devices.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
) -> Result<Json<PushSubscriptionList>, ApiError> {
    let subscriptions = subscriptions::list(state.store(), &identity.principal.user).await?;
    Ok(Json(PushSubscriptionList { subscriptions }))
}

/// Unsubscribes one of the signed-in user's devices (404 for anyone else's).
pub async fn unsubscribe(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath(id): ApiPath<SubscriptionId>,
) -> Result<StatusCode, ApiError> {
    subscriptions::delete(state.store(), &identity.principal.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
