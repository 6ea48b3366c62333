//! The web side: static app files with their cache policy, the SPA fallback, `/healthz`, the
//! `Origin` check and the security headers.

use std::path::Path;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::error::ApiError;
use crate::AppState;

/// `Content-Security-Policy` of every response.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
frame-src 'self' blob:; \
frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// `GET /healthz`.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Any unknown `/api/...` path.
pub async fn api_not_found() -> ApiError {
    ApiError::not_found()
}

/// Static files from the dist directory: hashed assets are immutable, everything else
/// (`/`, `index.html`, `sw.js`, the manifest, the SPA fallback) is revalidated each time.
pub async fn static_files(State(state): State<AppState>, req: Request) -> Response {
    let dist = state.config().dist_dir.clone();
    let is_asset = req.uri().path().starts_with("/assets/");
    let res = if is_asset {
        let assets = ServeDir::new(dist.join("assets")).precompressed_br().precompressed_gzip();
        let (mut parts, body) = req.into_parts();
        // Serve `/assets/x` as `x` from the assets directory: a missing asset is a 404, never
        // the index page.
        let path = parts.uri.path().trim_start_matches("/assets").to_owned();
        let query = parts.uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        parts.uri = format!("{path}{query}").parse().unwrap_or_default();
        assets.oneshot(Request::from_parts(parts, body)).await.map(|r| r.map(Body::new))
    } else {
        let index = dist.join("index.html");
        if !index.is_file() {
            return app_missing(&dist);
        }
        let fallback = ServeFile::new(&index).precompressed_br().precompressed_gzip();
        let files = ServeDir::new(&dist)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(true)
            .fallback(fallback);
        match files.oneshot(req).await {
            Ok(res) => Ok(res.map(Body::new)),
            Err(e) => return ApiError::internal(&e).into_response(),
        }
    };
    let Ok(mut res) = res;
    let ok = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    let policy = if is_asset && ok { IMMUTABLE } else { NO_CACHE };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    // The same URL may be answered with a brotli, gzip or plain body.
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

/// `GET /admin`: the administration page (`admin.html`, its own wasm module), revalidated each
/// time like `index.html`. Who may use it is decided by the API it calls, not here.
pub async fn admin_page(State(state): State<AppState>, req: Request) -> Response {
    let dist = state.config().dist_dir.clone();
    let page = dist.join("admin.html");
    if !page.is_file() {
        return app_missing(&dist);
    }
    let file = ServeFile::new(&page).precompressed_br().precompressed_gzip();
    let mut res = match file.oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(e) => return ApiError::internal(&e).into_response(),
    };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

fn app_missing(dist: &Path) -> Response {
    tracing::warn!(dist = %dist.display(), "no index.html in the dist directory");
    let body = "Cartable's app is not built on this server: run `cargo xtask build`, or start \
                the server with --dist pointing at a built app. The API is available.\n";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE)),
        ],
        body,
    )
        .into_response()
}

/// Whether `origin` is this server's own origin: the public URL's, or the one the request was
/// addressed to (`Host`).
pub fn origin_allowed(origin: &str, headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    if public_origin.is_some_and(|p| p.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let Some(authority) =
        origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| !authority.is_empty() && host.eq_ignore_ascii_case(authority))
}

/// Refuses, with 403 `forbidden_origin`, writes and `/sync` upgrades whose `Origin` is another
/// site's. Requests without `Origin` (native clients) pass: browsers always send it on these.
pub async fn check_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if (unsafe_method || req.uri().path() == "/sync")
        && let Some(origin) = req.headers().get(header::ORIGIN)
    {
        let ok =
            origin.to_str().is_ok_and(|o| origin_allowed(o, req.headers(), state.public_origin()));
        if !ok {
            tracing::warn!(origin = ?origin, path = req.uri().path(), "foreign origin refused");
            return ApiError::forbidden_origin().into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(h: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        m
    }

    #[test]
    fn only_the_servers_own_origin_is_allowed() {
        let h = host("127.0.0.1:8080");
        assert!(origin_allowed("http://127.0.0.1:8080", &h, None));
        assert!(!origin_allowed("http://127.0.0.1:9999", &h, None));
        assert!(!origin_allowed("https://evil.example", &h, None));
        assert!(!origin_allowed("null", &h, None));
        let proxied = host("internal:8080");
        assert!(origin_allowed("https://ent.example.fr", &proxied, Some("https://ent.example.fr")));
        assert!(!origin_allowed("https://evil.example", &proxied, Some("https://ent.example.fr")));
    }
}
