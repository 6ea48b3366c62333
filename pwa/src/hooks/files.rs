//! The effects of files (DESIGN §4): pinned files live in the Cache API cache
//! [`FILES_CACHE`], keyed by `/files/<sha256>`, which the service worker answers from first
//! (files never change) and never fills itself; opening a file fetches it (the pinned copy
//! when there is one) and shows it from a `blob:` URL; pinning asks for persistent storage.

use std::cell::RefCell;

use cartable_shared::homework::BlobRef;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Cache, Request, Response, Url};

use super::Dispatch;
use crate::files::{FileCmd, FileFailure, FileRef, Publish, PublishError, Viewer, url_of};
use crate::json::JsonValue;
use crate::state::Action;
use crate::{json, web};

/// The Cache API cache of pinned files (the service worker reads it under the same name).
pub(crate) const FILES_CACHE: &str = "cartable-files";

thread_local! {
    /// The `blob:` URL the viewer shows, revoked when another file is opened or it closes.
    static SHOWN: RefCell<Option<String>> = const { RefCell::new(None) };
}

async fn cache() -> Result<Cache, JsValue> {
    let caches = web_sys::window().ok_or("no window")?.caches()?;
    Ok(JsFuture::from(caches.open(FILES_CACHE)).await?.unchecked_into())
}

fn number(v: &JsValue, key: &str) -> Option<u64> {
    Reflect::get(v, &JsValue::from_str(key)).ok()?.as_f64().map(|n| n as u64)
}

/// Reads the pinned files (and their sizes) and the storage the app uses.
pub(crate) async fn refresh(dispatch: &Dispatch) {
    let mut files = Vec::new();
    if let Ok(cache) = cache().await
        && let Ok(keys) = JsFuture::from(cache.keys()).await
    {
        for request in Array::from(&keys).iter() {
            let request: Request = request.unchecked_into();
            let url = request.url();
            let Some(sha) = url.rsplit('/').next().map(str::to_owned) else { continue };
            let size = match JsFuture::from(cache.match_with_request(&request)).await {
                Ok(r) if r.is_object() => r
                    .unchecked_into::<Response>()
                    .headers()
                    .get("content-length")
                    .ok()
                    .flatten()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0),
                _ => 0,
            };
            files.push((sha, size));
        }
    }
    let mut usage = None;
    if let Some(w) = web_sys::window()
        && let Ok(p) = w.navigator().storage().estimate()
        && let Ok(e) = JsFuture::from(p).await
    {
        usage = number(&e, "usage").zip(number(&e, "quota"));
    }
    dispatch.dispatch(Action::Pinned { files, usage });
}

/// Asks the browser to keep the app's storage under pressure (it may say no).
async fn persist() {
    if let Some(w) = web_sys::window()
        && let Ok(p) = w.navigator().storage().persist()
    {
        let _ = JsFuture::from(p).await;
    }
}

fn failure_of(e: &JsValue) -> FileFailure {
    // A fetch that got no answer rejects with a TypeError.
    if e.is_instance_of::<js_sys::TypeError>() { FileFailure::Offline } else { FileFailure::Server }
}

async fn pin_one(cache: &Cache, f: &FileRef) -> Result<(), JsValue> {
    JsFuture::from(cache.add_with_str(&f.url())).await.map(|_| ())
}

async fn open(dispatch: &Dispatch, f: &FileRef) -> Result<(), FileFailure> {
    let window = web_sys::window().ok_or(FileFailure::Server)?;
    let response: Response = JsFuture::from(window.fetch_with_str(&f.url()))
        .await
        .map_err(|e| failure_of(&e))?
        .unchecked_into();
    if !response.ok() {
        return Err(FileFailure::Server);
    }
    let mime = response.headers().get("content-type").ok().flatten().unwrap_or_default();
    let blob: Blob = JsFuture::from(response.blob().map_err(|_| FileFailure::Server)?)
        .await
        .map_err(|e| failure_of(&e))?
        .unchecked_into();
    let url = Url::create_object_url_with_blob(&blob).map_err(|_| FileFailure::Server)?;
    if let Some(old) = SHOWN.with(|s| s.borrow_mut().replace(url.clone())) {
        let _ = Url::revoke_object_url(&old);
    }
    let size = blob.size() as u64;
    dispatch.dispatch(Action::ViewerOpened(Viewer { name: f.name.clone(), mime, url, size }));
    Ok(())
}

/// Deletes every pinned file (at sign-out).
pub(crate) async fn forget() {
    if let Some(Ok(caches)) = web_sys::window().map(|w| w.caches()) {
        let _ = JsFuture::from(caches.delete(FILES_CACHE)).await;
    }
}

/// The file chosen in `#publish-file`, and the input (to clear it once published).
fn chosen_file() -> Option<(web_sys::File, web_sys::HtmlInputElement)> {
    let input: web_sys::HtmlInputElement =
        web_sys::window()?.document()?.get_element_by_id("publish-file")?.dyn_into().ok()?;
    Some((input.files()?.get(0)?, input))
}

/// Uploads `file` for `group` (`POST /api/groups/{group}/files`): the stored file's reference.
pub(crate) async fn upload(group: &str, file: &web_sys::File) -> Result<BlobRef, PublishError> {
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_body(file);
    let path = format!("/api/groups/{}/files?name={}", enc(group), enc(&file.name()));
    let window = web_sys::window().ok_or(PublishError::Server)?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(&path, &init))
        .await
        .map_err(|_| PublishError::Network)?
        .unchecked_into();
    if !response.ok() {
        return Err(PublishError::from_status(response.status()));
    }
    let body = JsFuture::from(response.text().map_err(|_| PublishError::Server)?)
        .await
        .map_err(|_| PublishError::Network)?
        .as_string()
        .unwrap_or_default();
    let v = web::parse_json(&body).ok_or(PublishError::Server)?;
    let blob = || {
        Some(BlobRef {
            sha256: v.field("sha256")?.string()?,
            name: v.field("name")?.string()?,
            size: v.field("size")?.number()? as u64,
            mime: v.field("mime")?.string()?,
        })
    };
    blob().ok_or(PublishError::Server)
}

/// Runs the document form's `Publish` command (in the publishing module): reports `Sending`,
/// then `Done` or why it failed.
pub(crate) async fn publish_document(cmd: FileCmd, report: yew::Callback<Publish>) {
    let FileCmd::Publish { group, title, subject, kind } = cmd else { return };
    report.emit(Publish::Sending);
    report.emit(match publish(&group, &title, &subject, &kind).await {
        Ok(()) => Publish::Done,
        Err(e) => Publish::Failed(e),
    });
}

/// Uploads the chosen file for `group`, then adds it to the group's library.
async fn publish(group: &str, title: &str, subject: &str, kind: &str) -> Result<(), PublishError> {
    let (file, input) = chosen_file().ok_or(PublishError::Missing)?;
    if title.is_empty() || subject.is_empty() || group.is_empty() {
        return Err(PublishError::Missing);
    }
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    let sha256 = upload(group, &file).await?.sha256;
    let q = json::quote;
    let kind = if kind.is_empty() { "document" } else { kind };
    let entry = format!(
        r#"{{"title":{},"subject":{},"kind":{},"language":"fr","sha256":{}}}"#,
        q(title),
        q(subject),
        q(kind),
        q(&sha256)
    );
    let path = format!("/api/groups/{}/library", enc(group));
    match web::api("POST", &path, Some(&entry)).await {
        Ok(a) if a.status == 201 => {
            input.set_value("");
            Ok(())
        }
        Ok(a) => Err(PublishError::from_status(a.status)),
        Err(_) => Err(PublishError::Network),
    }
}

/// Runs one file command.
pub(crate) async fn run(dispatch: Dispatch, cmd: FileCmd) {
    match cmd {
        FileCmd::Open(f) => {
            if let Err(why) = open(&dispatch, &f).await {
                dispatch.dispatch(Action::FileFailed(why, f.sha256, f.name));
            }
        }
        FileCmd::Pin(f) => {
            dispatch.dispatch(Action::PinStarted(f.sha256.clone()));
            persist().await;
            let pinned = match cache().await {
                Ok(cache) => pin_one(&cache, &f).await,
                Err(e) => Err(e),
            };
            if let Err(e) = pinned {
                dispatch.dispatch(Action::FileFailed(failure_of(&e), f.sha256, f.name));
            }
            refresh(&dispatch).await;
        }
        FileCmd::Unpin(sha) => {
            if let Ok(cache) = cache().await {
                let _ = JsFuture::from(cache.delete_with_str(&url_of(&sha))).await;
            }
            refresh(&dispatch).await;
        }
        FileCmd::Pack(files) => {
            dispatch.dispatch(Action::TripStarted);
            persist().await;
            let cache = cache().await.ok();
            for f in files {
                let ok = match &cache {
                    Some(c) => {
                        let held = JsFuture::from(c.match_with_str(&f.url()))
                            .await
                            .is_ok_and(|r| r.is_object());
                        held || pin_one(c, &f).await.is_ok()
                    }
                    None => false,
                };
                dispatch.dispatch(Action::TripProgress { bytes: f.size, ok });
            }
            refresh(&dispatch).await;
        }
        // The publishing module's form runs it ([`publish_document`]).
        FileCmd::Publish { .. } => {}
        FileCmd::Close => {
            if let Some(old) = SHOWN.with(|s| s.borrow_mut().take()) {
                let _ = Url::revoke_object_url(&old);
            }
            dispatch.dispatch(Action::ViewerClosed);
        }
    }
}
