//! The effects of the publishing views: edits go to the engine (saved on the device and synced,
//! offline too); attachments are uploaded first (online only); the acknowledgement list, the
//! students of a group and messages to a group are HTTP calls.

use cartable_shared::engine::EngineCommand;
use cartable_shared::homework::BlobRef;
use wasm_bindgen::JsCast;
use yew::Callback;

use crate::files::PublishError;
use crate::gradebook::{Refusal, import_refusal};
use crate::teach::{
    AckList, FormStatus, SendState, TeachAction, TeachCmd, announcement_edit, homework_edit,
    session_edit,
};
use crate::{json, web};

/// Where the publishing views' effects report: their state, and the engine (in the UI, its
/// engine link; in the publishing module, the UI's bridge).
#[derive(Debug, Clone)]
pub(crate) struct TeachSinks {
    /// Changes of the publishing views' state.
    pub(crate) state: Callback<TeachAction>,
    /// Edits for the engine.
    pub(crate) engine: Callback<EngineCommand>,
}

fn send(sinks: &TeachSinks, a: TeachAction) {
    sinks.state.emit(a);
}

/// The session dialog's command (the one publishing command the UI module runs itself).
pub(crate) fn run_session(sinks: &TeachSinks, cmd: &TeachCmd) {
    match session_edit(cmd, web::device_instant) {
        Some(edit) => {
            sinks.engine.emit(edit);
            send(sinks, TeachAction::CloseDialog);
        }
        None => send(sinks, TeachAction::DialogInvalid),
    }
}

/// A new id for an entry written on this device: time and randomness.
fn new_id(prefix: &str) -> String {
    let random = (js_sys::Math::random() * 1e9) as u64;
    format!("{prefix}-{:x}-{random:x}", web::now_ms())
}

/// `s` encoded for a URL path segment or query value.
pub(crate) fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// The files chosen in `<input type=file id={id}>`.
fn chosen_files(id: &str) -> Vec<web_sys::File> {
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
    let Some(files) = input.and_then(|i| i.files()) else { return Vec::new() };
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}

fn clear_input(id: &str) {
    if let Some(i) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        i.set_value("");
    }
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Runs one command of the publishing views for `author` (the signed-in user).
pub(crate) async fn run(sinks: TeachSinks, author: String, cmd: TeachCmd) {
    let now = web::now_ms();
    let instant = web::device_instant;
    match cmd {
        TeachCmd::Session { .. } => run_session(&sinks, &cmd),
        TeachCmd::SaveHomework(form) => {
            let files = chosen_files("hw-files");
            let mut uploaded: Vec<BlobRef> = Vec::new();
            if !files.is_empty() {
                if !online() {
                    send(&sinks, TeachAction::Homework(Some(FormStatus::NeedsNetwork)));
                    return;
                }
                send(&sinks, TeachAction::Homework(Some(FormStatus::Uploading)));
                for f in &files {
                    match super::files::upload(&form.group, f).await {
                        Ok(b) => uploaded.push(b),
                        Err(e) => {
                            web::warn(&format!("attachment upload failed: {e:?}"));
                            let status = if e == PublishError::Network {
                                FormStatus::NeedsNetwork
                            } else {
                                FormStatus::UploadFailed
                            };
                            send(&sinks, TeachAction::Homework(Some(status)));
                            return;
                        }
                    }
                }
            }
            match homework_edit(&form, uploaded, &author, &new_id("hw"), now, instant) {
                Some(edit) => {
                    sinks.engine.emit(edit);
                    clear_input("hw-files");
                    reset_form("homework-form");
                    send(&sinks, TeachAction::Homework(Some(FormStatus::Saved)));
                }
                None => send(&sinks, TeachAction::Homework(Some(FormStatus::Invalid))),
            }
        }
        TeachCmd::RemoveHomework { group, id } => {
            sinks.engine.emit(EngineCommand::Edit {
                doc: format!("homework:{group}"),
                edit: cartable_shared::edits::DocEdit::RemoveAssignment { id },
            });
        }
        TeachCmd::SaveAnnouncement(form) => {
            match announcement_edit(&form, &author, &new_id("an"), web::today(), instant) {
                Some(edit) => {
                    sinks.engine.emit(edit);
                    reset_form("announce-form");
                    send(&sinks, TeachAction::Announce(Some(FormStatus::Saved)));
                }
                None => send(&sinks, TeachAction::Announce(Some(FormStatus::Invalid))),
            }
        }
        TeachCmd::RemoveAnnouncement { audience, id } => {
            sinks.engine.emit(EngineCommand::Edit {
                doc: format!("announcements:{audience}"),
                edit: cartable_shared::edits::DocEdit::RemoveAnnouncement { id },
            });
        }
        TeachCmd::LoadAcks { audience, id } => {
            send(&sinks, TeachAction::Acks(Some((audience.clone(), id.clone(), AckList::Loading))));
            let path =
                format!("/api/announcements/{}/{}/acknowledgements", enc(&audience), enc(&id));
            let list = match web::api("GET", &path, None).await {
                Ok(a) if a.status == 200 => web::parse_json(&a.body)
                    .as_ref()
                    .and_then(json::acknowledgements)
                    .map_or(AckList::Failed, AckList::Loaded),
                _ => AckList::Failed,
            };
            send(&sinks, TeachAction::Acks(Some((audience, id, list))));
        }
        TeachCmd::LoadStudents(group) => {
            let path = format!("/api/groups/{}/students", enc(&group));
            if let Ok(a) = web::api("GET", &path, None).await
                && a.status == 200
                && let Some(list) = web::parse_json(&a.body).as_ref().and_then(json::group_students)
            {
                send(&sinks, TeachAction::Students(group, list));
            }
        }
        TeachCmd::Send { group, student, subject, body } => {
            send(&sinks, TeachAction::Send(Some(SendState::Sending)));
            let q = json::quote;
            let answer = match &student {
                Some(s) => {
                    let req = format!(
                        r#"{{"subject":{},"participants":[{}],"body":{}}}"#,
                        q(&subject),
                        q(s),
                        q(&body)
                    );
                    web::api("POST", "/api/threads", Some(&req)).await.map(|a| (a, 1))
                }
                None => {
                    let req = format!(r#"{{"subject":{},"body":{}}}"#, q(&subject), q(&body));
                    let path = format!("/api/groups/{}/threads", enc(&group));
                    web::api("POST", &path, Some(&req)).await.map(|a| {
                        let n = web::parse_json(&a.body)
                            .and_then(|v| {
                                use crate::json::JsonValue;
                                v.field("threads")?.items()
                            })
                            .map_or(0, |t| t.len() as u32);
                        (a, n)
                    })
                }
            };
            let state = match answer {
                Ok((a, n)) if a.status == 201 => {
                    reset_form("message-form");
                    SendState::Sent(n)
                }
                _ => SendState::Failed,
            };
            send(&sinks, TeachAction::Send(Some(state)));
        }
    }
}

fn reset_form(id: &str) {
    if let Some(f) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok())
    {
        f.reset();
    }
}

/// Why a grades CSV preview could not be shown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ImportFailure {
    /// No network (or no answer).
    Offline,
    /// The file could not be read, or the answer not understood.
    Unreadable,
    /// The server refused the file as a whole: why, as data when the answer says it so.
    Refused(Refusal),
}

/// Sends `file` to the server's grades import of `group` with `query` (a dry run: nothing is
/// written) and returns its report of valid and refused lines.
pub(crate) async fn preview_grades_import(
    group: &str,
    query: &str,
    file: web_sys::File,
) -> Result<cartable_shared::admin::GradesReport, ImportFailure> {
    if !online() {
        return Err(ImportFailure::Offline);
    }
    let csv = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or(ImportFailure::Unreadable)?;
    let path = format!("/api/groups/{}/assessments/import?{query}", enc(group));
    match web::api_body("POST", &path, Some((&csv, "text/csv; charset=utf-8"))).await {
        Err(_) => Err(ImportFailure::Offline),
        Ok(a) if a.status == 200 => {
            serde_json::from_str(&a.body).map_err(|_| ImportFailure::Unreadable)
        }
        Ok(a) => Err(ImportFailure::Refused(import_refusal(a.status, &a.body))),
    }
}
