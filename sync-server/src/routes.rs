//! The HTTP edge: short axum handlers that extract, call a service, and map the answer.

pub mod acknowledgements;
pub mod admin;
pub mod api_v1;
pub mod auth;
pub mod error;
pub mod feeds;
pub mod files;
pub mod groups;
pub mod push;
pub mod sync;
pub mod threads;
pub mod timetable;
pub mod web;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::routing::{any, delete, get, post, put};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;

/// The whole router.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/api/sessions", get(auth::sessions))
        .route("/api/threads", post(threads::create))
        .route("/api/groups/{group}/threads", post(threads::create_for_group))
        .route("/api/groups/{group}/students", get(threads::students))
        .route("/api/announcements/{audience}/{id}/acknowledgements", get(acknowledgements::list))
        .route("/api/push/key", get(push::key))
        .route("/api/push/subscriptions", post(push::subscribe).get(push::list))
        .route("/api/push/subscriptions/{id}", delete(push::unsubscribe))
        .route("/api/reminders", post(push::remind))
        .route("/api/sessions/revoke-all", post(auth::revoke_all))
        .route(
            "/api/groups/{group}/members/{user}",
            put(groups::add_member).delete(groups::remove_member),
        )
        .route("/api/timetable/{group}/sessions/{session}", post(timetable::change_session))
        .route("/api/groups/{group}/assessments/import", post(admin::import_grades))
        .route("/api/groups/{group}/files", post(files::upload))
        .route("/api/groups/{group}/library", post(files::add_library_item))
        .route("/api/groups/{group}/homework/{assignment}/attachments", post(files::attach))
        .route("/api/admin/accounts", get(admin::list_accounts).post(admin::create_account))
        .route("/api/admin/accounts/{user}", delete(admin::delete_account))
        .route(
            "/api/admin/block",
            get(admin::get_block).put(admin::set_block).delete(admin::clear_block),
        )
        .route("/api/admin/rollover", post(admin::rollover))
        .route("/api/admin/archives", get(admin::archives))
        .route("/api/admin/archives/{label}", get(admin::archive))
        .route("/api/me/export", get(admin::export_me))
        .route("/api/me/export.ics", get(admin::export_me_ics))
        .route(
            "/api/admin/accounts/{student}/guardians/{guardian}",
            put(admin::add_guardian).delete(admin::remove_guardian),
        )
        .route("/api/admin/groups", get(admin::list_groups).post(admin::create_group))
        .route(
            "/api/admin/groups/{group}/members/{user}",
            put(groups::add_member).delete(groups::remove_member),
        )
        .route("/api/admin/import/roster", post(admin::import_roster))
        .route("/api/admin/tokens", get(api_v1::list_tokens).post(api_v1::create_token))
        .route("/api/admin/tokens/{id}", delete(api_v1::revoke_token))
        .route("/api/v1/accounts", get(api_v1::accounts))
        .route("/api/v1/groups", get(api_v1::groups))
        .route("/api/v1/import/roster", post(api_v1::import_roster))
        .route("/api/v1/groups/{group}/sessions", get(api_v1::sessions))
        .route("/api/v1/groups/{group}/sessions/{session}", post(api_v1::change_session))
        .route("/api/v1/groups/{group}/homework", get(api_v1::homework))
        .route(
            "/api/v1/groups/{group}/homework/{id}",
            put(api_v1::put_assignment).delete(api_v1::delete_assignment),
        )
        .route("/api/v1/groups/{group}/assessments/import", post(api_v1::import_grades))
        .route("/api/v1/students/{student}/grades", get(api_v1::grades))
        .route("/api/v1/announcements/{audience}", get(api_v1::announcements))
        .route(
            "/api/v1/announcements/{audience}/{id}",
            put(api_v1::put_announcement).delete(api_v1::delete_announcement),
        )
        .route("/api/v1/reminders", post(api_v1::remind))
        .route("/api/v1/openapi.json", get(api_v1::openapi))
        .route("/api/admin/feeds", get(feeds::list).post(feeds::register))
        .route("/api/admin/feeds/{id}", delete(feeds::delete))
        .route("/api/admin/feeds/{id}/refresh", post(feeds::refresh))
        .route(
            "/api/calendar/token",
            post(feeds::create_token).get(feeds::show_token).delete(feeds::revoke_token),
        )
        .route("/api", any(web::api_not_found))
        .route("/api/{*rest}", any(web::api_not_found));
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    Router::new()
        .merge(api)
        .route("/sync", get(sync::upgrade))
        .route("/calendar/{file}", get(feeds::export_feed))
        .route("/healthz", get(web::healthz))
        .route("/admin", get(web::admin_page))
        .route("/files/{sha256}", get(files::download))
        .fallback(web::static_files)
        .layer(middleware::from_fn_with_state(state.clone(), web::check_origin))
        .layer(header(header::CONTENT_SECURITY_POLICY, web::CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
