//! The administration page's requests: JSON in and out through `shared`'s types, failures as
//! [`Failure`] (said in words by [`crate::i18n::Lang::failure`]).

use cartable_shared::api::ErrorBody;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::i18n::Failure;
use crate::web::{self, HttpAnswer};

/// A failure of the answer's status: what was refused when the server says it as data, else
/// the server's explanation.
fn failure(answer: &HttpAnswer) -> Failure {
    match serde_json::from_str::<ErrorBody>(&answer.body).ok() {
        Some(ErrorBody { problem: Some(problem), .. }) => Failure::Refused(answer.status, problem),
        body => Failure::Status(answer.status, body.map(|e| e.message)),
    }
}

async fn call(method: &str, path: &str, body: Option<(&str, &str)>) -> Result<HttpAnswer, Failure> {
    web::api_body(method, path, body).await.map_err(|_| Failure::Network)
}

fn read<T: DeserializeOwned>(answer: &HttpAnswer) -> Result<T, Failure> {
    serde_json::from_str(&answer.body).map_err(|_| Failure::Unreadable)
}

/// `GET path`, read as `T`.
pub(crate) async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    let answer = call("GET", path, None).await?;
    if answer.status != 200 {
        return Err(failure(&answer));
    }
    read(&answer)
}

/// `method path` with `body` as JSON, the answer read as `T`.
pub(crate) async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> Result<T, Failure> {
    let json = serde_json::to_string(body).map_err(|_| Failure::Unreadable)?;
    let answer = call(method, path, Some((&json, "application/json"))).await?;
    if !(200..300).contains(&answer.status) {
        return Err(failure(&answer));
    }
    read(&answer)
}

/// `method path` with `body` as JSON, without an answer to read.
pub(crate) async fn send_only<B: Serialize>(
    method: &str,
    path: &str,
    body: &B,
) -> Result<(), Failure> {
    let json = serde_json::to_string(body).map_err(|_| Failure::Unreadable)?;
    let answer = call(method, path, Some((&json, "application/json"))).await?;
    if (200..300).contains(&answer.status) { Ok(()) } else { Err(failure(&answer)) }
}

/// `method path` without a body and without an answer to read (`204 No Content`, or a body
/// the page does not need).
pub(crate) async fn act(method: &str, path: &str) -> Result<(), Failure> {
    let answer = call(method, path, None).await?;
    if (200..300).contains(&answer.status) { Ok(()) } else { Err(failure(&answer)) }
}

/// `POST path` with a CSV body. An import refused line by line answers 422 with its report:
/// that report is the answer too.
pub(crate) async fn post_csv<T: DeserializeOwned>(path: &str, csv: &str) -> Result<T, Failure> {
    let answer = call("POST", path, Some((csv, "text/csv; charset=utf-8"))).await?;
    match answer.status {
        200 | 201 | 422 => {
            read(&answer).map_err(|e| if answer.status == 422 { failure(&answer) } else { e })
        }
        _ => Err(failure(&answer)),
    }
}

/// A path segment (a login, a group id) percent-encoded.
pub(crate) fn segment(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
