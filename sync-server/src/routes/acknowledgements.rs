//! `GET /api/announcements/{audience}/{id}/acknowledgements`.

use axum::Json;
use axum::extract::State;
use cartable_shared::api::Acknowledgements;

use super::auth::Authenticated;
use super::error::{ApiError, ApiPath};
use crate::AppState;
use crate::services::acknowledgements::{self, AckError};

impl From<AckError> for ApiError {
    fn from(e: AckError) -> Self {
        match e {
            AckError::Forbidden => Self::forbidden(e.to_string()),
            AckError::NotFound => Self::not_found(),
            AckError::Store(e) => Self::internal(&e),
        }
    }
}

/// Who acknowledged an announcement, and who has not yet.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath((audience, id)): ApiPath<(String, String)>,
) -> Result<Json<Acknowledgements>, ApiError> {
    let answer =
        acknowledgements::acknowledgements(state.store(), &identity.principal, &audience, &id)
            .await?;
    Ok(Json(answer))
}
