//! The one error type of the HTTP edge, and extractors whose rejections use it.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartable_shared::admin::AdminProblem;
use cartable_shared::api::ErrorBody;

use crate::services::auth::AuthError;
use crate::services::hub::HubError;
use crate::services::timetable::TimetableError;

/// An error answer: a status and a [`ErrorBody`] JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after_s: Option<u64>,
    problem: Option<AdminProblem>,
}

impl ApiError {
    /// Any error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after_s: None, problem: None }
    }

    /// The same error, with what was refused as data (`ErrorBody::problem`).
    pub fn with_problem(mut self, problem: AdminProblem) -> Self {
        self.problem = Some(problem);
        self
    }

    /// 401: no valid session.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in first")
    }

    /// 401: wrong login or password.
    pub fn invalid_credentials() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "wrong login or password")
    }

    /// 403: not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 403: the request comes from another site.
    pub fn forbidden_origin() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden_origin",
            "requests from another origin are not accepted",
        )
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    /// 400: the request itself is wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// 503.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// 500: logs the cause and tells the client only to retry.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server failed; retry later")
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            ErrorBody { error: self.code.to_owned(), message: self.message, problem: self.problem };
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after_s {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => Self::invalid_credentials(),
            AuthError::TooManyAttempts { retry_after_s } => Self {
                retry_after_s: Some(retry_after_s),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    "too many failed attempts; try again later",
                )
            },
            AuthError::Expired { .. } => Self::new(
                StatusCode::FORBIDDEN,
                "account_expired",
                "this guest account has expired; ask the school for a new access",
            ),
            AuthError::Unauthenticated => Self::unauthorized(),
            AuthError::Store(e) => Self::internal(&e),
        }
    }
}

impl From<TimetableError> for ApiError {
    fn from(e: TimetableError) -> Self {
        match e {
            TimetableError::Forbidden => Self::forbidden("you may not change this timetable"),
            TimetableError::NotFound => Self::not_found(),
            TimetableError::Invalid(m) => Self::bad_request(m),
            TimetableError::Hub(HubError::Rule(v)) => Self::bad_request(v.to_string()),
            TimetableError::Hub(HubError::Closed) => {
                Self::unavailable("the server is shutting down")
            }
            TimetableError::Hub(e) => Self::internal(&e),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        Self::new(e.status(), "invalid_request", e.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        Self::not_found()
    }
}

/// `axum::Json` whose rejection is an [`ApiError`].
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Path` whose rejection is an [`ApiError`] (404).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);
