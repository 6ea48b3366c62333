//! Files: `POST /api/groups/{group}/files` (upload), `POST /api/groups/{group}/library`,
//! `POST /api/groups/{group}/homework/{assignment}/attachments`, and `GET /files/{sha256}`
//! (download with `ETag`, `Range` and an immutable cache policy).

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartable_shared::api::{LibraryItemAdded, NewAttachment, NewLibraryItem, StoredFile};
use cartable_shared::homework::BlobRef;
use cartable_shared::ids::GroupId;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::auth::Authenticated;
use super::error::{ApiError, ApiJson, ApiPath};
use crate::AppState;
use crate::services::files::{self, FileError};
use crate::services::hub::HubError;

/// `Cache-Control` of a file: its URL names its content, so it never changes; private because
/// it needs a session.
const FILE_CACHE: &str = "private, max-age=31536000, immutable";
/// Size of the chunks a file is streamed in.
const CHUNK: usize = 64 * 1024;

impl From<FileError> for ApiError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Forbidden(m) => Self::forbidden(m),
            FileError::NotFound => Self::not_found(),
            e @ FileError::TooLarge { .. } => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large", e.to_string())
            }
            FileError::UnsupportedType(m) => {
                Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_file_type", m)
            }
            e @ FileError::HashMismatch { .. } => {
                Self::new(StatusCode::BAD_REQUEST, "hash_mismatch", e.to_string())
            }
            FileError::Invalid(m) => Self::bad_request(m),
            FileError::Hub(HubError::Rule(v)) => Self::bad_request(v.to_string()),
            FileError::Hub(HubError::Closed) => Self::unavailable("the server is shutting down"),
            e @ (FileError::Io(_) | FileError::Store(_) | FileError::Hub(_)) => Self::internal(&e),
        }
    }
}

/// Query of an upload.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// The file name (its extension must match the content).
    name: Option<String>,
    /// The SHA-256 the client computed, checked against the content if given.
    sha256: Option<String>,
}

/// `POST /api/groups/{group}/files?name=…[&sha256=…]`, the raw file as body.
pub async fn upload(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath(group): ApiPath<GroupId>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<StoredFile>), ApiError> {
    let principal = &identity.principal;
    files::check_uploader(state.store(), principal, &group).await?;
    let max = state.config().max_upload_bytes;
    let declared_len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_len.is_some_and(|n| n > max) {
        return Err(FileError::TooLarge { limit: max }.into());
    }
    let temp = files::receive(state.blobs(), max, body.into_data_stream()).await?;
    let now = state.clock().now_ms();
    let name = q.name.unwrap_or_default();
    let (stored, created) = files::store_upload(
        state.store(),
        state.blobs(),
        principal,
        temp,
        &name,
        q.sha256.as_deref(),
        now,
    )
    .await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(stored)))
}

/// `POST /api/groups/{group}/library`.
pub async fn add_library_item(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath(group): ApiPath<GroupId>,
    ApiJson(req): ApiJson<NewLibraryItem>,
) -> Result<(StatusCode, Json<LibraryItemAdded>), ApiError> {
    let now = state.clock().now_ms();
    let (id, item) =
        files::add_library_item(state.hub(), state.store(), &identity.principal, &group, req, now)
            .await?;
    Ok((StatusCode::CREATED, Json(LibraryItemAdded { id, item })))
}

/// `POST /api/groups/{group}/homework/{assignment}/attachments`.
pub async fn attach(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath((group, assignment)): ApiPath<(GroupId, String)>,
    ApiJson(req): ApiJson<NewAttachment>,
) -> Result<(StatusCode, Json<BlobRef>), ApiError> {
    let now = state.clock().now_ms();
    let blob = files::attach(
        state.hub(),
        state.store(),
        &identity.principal,
        &group,
        &assignment,
        req,
        now,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(blob)))
}

/// A byte range of a file of `size` bytes, from a `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// No usable range: send the whole file (absent, malformed or several ranges).
    Whole,
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// A range that starts past the end (416).
    Unsatisfiable,
}

/// Parses a single `bytes=` range (RFC 9110 §14.1.2); anything else means the whole file.
pub fn byte_range(header: Option<&str>, size: u64) -> ByteRange {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return ByteRange::Whole;
    };
    if spec.contains(',') {
        return ByteRange::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return ByteRange::Whole };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // A suffix: the last N bytes.
        let Ok(n) = last.parse::<u64>() else { return ByteRange::Whole };
        if n == 0 || size == 0 {
            return ByteRange::Unsatisfiable;
        }
        return ByteRange::Part(size.saturating_sub(n), size - 1);
    }
    let Ok(start) = first.parse::<u64>() else { return ByteRange::Whole };
    let end = if last.is_empty() {
        size.saturating_sub(1)
    } else {
        match last.parse::<u64>() {
            Ok(e) if e >= start => e.min(size.saturating_sub(1)),
            _ => return ByteRange::Whole,
        }
    };
    if start >= size { ByteRange::Unsatisfiable } else { ByteRange::Part(start, end) }
}

/// Whether an `If-None-Match` header matches the entity tag `etag` (weak comparison).
fn none_match(header: Option<&str>, etag: &str) -> bool {
    header.is_some_and(|h| {
        h.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag)
    })
}

/// `Content-Disposition: inline` with an ASCII fallback and the UTF-8 name (RFC 6266).
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("inline"))
}

/// `GET /files/{sha256}`: 404 unless the user may read a document that references the file.
pub async fn download(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    ApiPath(sha256): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let row = files::readable(state.hub(), state.store(), &identity.principal, &sha256)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let etag = format!("\"{}\"", row.sha256);
    let mut common = HeaderMap::new();
    let value = |s: &str| HeaderValue::from_str(s).map_err(|e| ApiError::internal(&e));
    common.insert(header::ETAG, value(&etag)?);
    common.insert(header::CACHE_CONTROL, HeaderValue::from_static(FILE_CACHE));
    common.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    if none_match(text(header::IF_NONE_MATCH), &etag) {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let path = state.blobs().path_of(&row.sha256).ok_or_else(ApiError::not_found)?;
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(sha256 = %row.sha256, error = %e, "a recorded file is missing");
            return Err(ApiError::not_found());
        }
    };
    let size = file.metadata().await.map_err(|e| ApiError::internal(&e))?.len();
    // `If-Range` with another validator: the client's part is stale, send the whole file.
    let range_header = match text(header::IF_RANGE) {
        Some(tag) if tag != etag => None,
        _ => text(header::RANGE),
    };
    let (status, start, len) = match byte_range(range_header, size) {
        ByteRange::Whole => (StatusCode::OK, 0, size),
        ByteRange::Part(start, end) => {
            common.insert(header::CONTENT_RANGE, value(&format!("bytes {start}-{end}/{size}"))?);
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        ByteRange::Unsatisfiable => {
            common.insert(header::CONTENT_RANGE, value(&format!("bytes */{size}"))?);
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, common).into_response());
        }
    };
    if start > 0 {
        file.seek(std::io::SeekFrom::Start(start)).await.map_err(|e| ApiError::internal(&e))?;
    }
    common.insert(header::CONTENT_TYPE, value(&row.mime)?);
    common.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    common.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    common.insert(header::CONTENT_DISPOSITION, disposition(&row.name));
    let stream = futures_util::stream::unfold((file, len), |(mut file, left)| async move {
        if left == 0 {
            return None;
        }
        let mut buf = vec![0u8; CHUNK.min(left as usize)];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(bytes::Bytes::from(buf)), (file, left - n as u64)))
            }
            Err(e) => Some((Err(e), (file, 0))),
        }
    });
    Ok((status, common, Body::from_stream(stream)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(byte_range(None, 100), ByteRange::Whole);
        assert_eq!(byte_range(Some("bytes=0-9"), 100), ByteRange::Part(0, 9));
        assert_eq!(byte_range(Some("bytes=90-"), 100), ByteRange::Part(90, 99));
        assert_eq!(byte_range(Some("bytes=-10"), 100), ByteRange::Part(90, 99));
        assert_eq!(byte_range(Some("bytes=-500"), 100), ByteRange::Part(0, 99));
        assert_eq!(byte_range(Some("bytes=50-1000"), 100), ByteRange::Part(50, 99));
        assert_eq!(byte_range(Some("bytes=100-"), 100), ByteRange::Unsatisfiable);
        assert_eq!(byte_range(Some("bytes=0-1,5-6"), 100), ByteRange::Whole);
        assert_eq!(byte_range(Some("bytes=9-3"), 100), ByteRange::Whole);
        assert_eq!(byte_range(Some("items=0-1"), 100), ByteRange::Whole);
    }

    #[test]
    fn content_disposition_is_safe_and_keeps_the_utf8_name() {
        let v = disposition("Cours \"n°1\"\r\n.pdf");
        assert_eq!(
            v.to_str().unwrap(),
            "inline; filename=\"Cours _n_1___.pdf\"; filename*=UTF-8''Cours%20%22n%C2%B01%22%0D%0A.pdf"
        );
        assert!(none_match(Some("\"x\", W/\"abc\""), "\"abc\""));
        assert!(!none_match(Some("\"x\""), "\"abc\""));
    }
}
