//! `POST /api/timetable/{group}/sessions/{session}`.

use axum::Json;
use axum::extract::State;
use cartable_shared::api::SessionChange;
use cartable_shared::ids::{GroupId, SessionId};
use cartable_shared::timetable::Session;

use super::auth::Authenticated;
use super::error::{ApiError, ApiJson, ApiPath};
use crate::AppState;
use crate::services::timetable;

/// Changes one session of a group's timetable.
pub async fn change_session(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath((group, session)): ApiPath<(GroupId, SessionId)>,
    ApiJson(change): ApiJson<SessionChange>,
) -> Result<Json<Session>, ApiError> {
    let session =
        timetable::change_session(state.hub(), &identity.principal, &group, &session, change)
            .await?;
    Ok(Json(session))
}
