//! `POST /api/threads`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use cartable_shared::api::{NewThread, ThreadCreated};

use super::auth::Authenticated;
use super::error::{ApiError, ApiJson};
use crate::AppState;
use crate::services::threads::{self, ThreadError};

impl From<ThreadError> for ApiError {
    fn from(e: ThreadError) -> Self {
        match e {
            ThreadError::Invalid(m) => Self::bad_request(m),
            ThreadError::Store(e) => Self::internal(&e),
        }
    }
}

/// Starts a conversation.
pub async fn create(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiJson(req): ApiJson<NewThread>,
) -> Result<(StatusCode, Json<ThreadCreated>), ApiError> {
    let now = state.clock().now_ms();
    let doc = threads::create(state.store(), state.hub(), &identity.principal, req, now).await?;
    Ok((StatusCode::CREATED, Json(ThreadCreated { doc })))
}
