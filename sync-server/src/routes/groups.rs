//! `PUT` / `DELETE /api/groups/{group}/members/{user}` (administrators).

use axum::extract::State;
use axum::http::StatusCode;
use cartable_shared::ids::{GroupId, UserId};

use super::auth::Authenticated;
use super::error::{ApiError, ApiPath};
use crate::AppState;
use crate::services::groups::{self, GroupError};

impl From<GroupError> for ApiError {
    fn from(e: GroupError) -> Self {
        match e {
            GroupError::Forbidden => Self::forbidden("only administrators may change memberships"),
            GroupError::NotFound => Self::not_found(),
            GroupError::Store(e) => Self::internal(&e),
        }
    }
}

async fn set(
    state: &AppState,
    admin: &Authenticated,
    group: &GroupId,
    user: &UserId,
    member: bool,
) -> Result<StatusCode, ApiError> {
    groups::set_membership(state.store(), state.hub(), &admin.0.principal, group, user, member)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a user a member of a group (a teacher: its teacher).
pub async fn add_member(
    State(state): State<AppState>,
    admin: Authenticated,
    ApiPath((group, user)): ApiPath<(GroupId, UserId)>,
) -> Result<StatusCode, ApiError> {
    set(&state, &admin, &group, &user, true).await
}

/// Removes a user from a group.
pub async fn remove_member(
    State(state): State<AppState>,
    admin: Authenticated,
    ApiPath((group, user)): ApiPath<(GroupId, UserId)>,
) -> Result<StatusCode, ApiError> {
    set(&state, &admin, &group, &user, false).await
}
