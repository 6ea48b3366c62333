//! `POST /api/threads`, `POST /api/groups/{group}/threads` (one thread per student) and
//! `GET /api/groups/{group}/students` (whom a teacher may write to).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use cartable_shared::api::{
    GroupMessage, GroupStudents, GroupThreadsCreated, NewThread, Person, ThreadCreated,
};
use cartable_shared::ids::GroupId;
use cartable_shared::roles::Role;

use super::auth::Authenticated;
use super::error::{ApiError, ApiJson, ApiPath};
use crate::AppState;
use crate::services::threads::{self, ThreadError};

impl From<ThreadError> for ApiError {
    fn from(e: ThreadError) -> Self {
        match e {
            ThreadError::Invalid(m) => Self::bad_request(m),
            ThreadError::Forbidden(m) => Self::forbidden(m),
            ThreadError::NotFound => Self::not_found(),
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

/// Writes to every student of a group: one private thread each.
pub async fn create_for_group(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath(group): ApiPath<GroupId>,
    ApiJson(req): ApiJson<GroupMessage>,
) -> Result<(StatusCode, Json<GroupThreadsCreated>), ApiError> {
    let now = state.clock().now_ms();
    let threads = threads::create_for_group(
        state.store(),
        state.hub(),
        &identity.principal,
        &group,
        req,
        now,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(GroupThreadsCreated { threads })))
}

/// The students of a group, for its teachers, staff and admins.
pub async fn students(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath(group): ApiPath<GroupId>,
) -> Result<Json<GroupStudents>, ApiError> {
    let p = &identity.principal;
    let allowed = matches!(p.role, Role::Staff | Role::Admin)
        || (p.role == Role::Teacher && p.teaches.contains(&group));
    if !allowed {
        return Err(ApiError::forbidden("only the group's teachers, staff and admins list it"));
    }
    let students = state
        .store()
        .read(move |dao| dao.group_students(&group))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(ApiError::not_found)?;
    let students = students.into_iter().map(|(user, name)| Person { user, name }).collect();
    Ok(Json(GroupStudents { students }))
}
