//! Reading the JSON of `shared`'s types without serde in the UI module.
//!
//! The UI parses JSON with the browser's own `JSON.parse` and reads the result through
//! [`JsonValue`]; this keeps serde_json's parser and the serde visitors of every type out of
//! the first-paint download. The decoders are generic so that the tests below run them
//! natively over `serde_json::Value`, against what serde itself writes for the same values:
//! the two encodings cannot drift apart unnoticed.

use std::collections::BTreeMap;

use cartable_shared::announcements::{Announcement, Severity};
use cartable_shared::api::{
    Acknowledged, Acknowledgements, BlockNotice, ConnectionInfo, Me, Person, PushSubscriptionInfo,
    SessionChange,
};
use cartable_shared::edits::DocEdit;
use cartable_shared::engine::{
    Connection, EngineCommand, EngineEvent, NotificationChange, SyncStatus,
};
use cartable_shared::gradebook::{Gradebook, GradebookAssessment, GradebookEdit, Score};
use cartable_shared::grades::Assessment;
use cartable_shared::homework::{Assignment, BlobRef};
use cartable_shared::ids::DocKind;
use cartable_shared::library::LibraryItem;
use cartable_shared::me::PersonalEvent;
use cartable_shared::notify::{Level, NotificationSettings, PushPayload, QuietHours};
use cartable_shared::thread::{Thread, ThreadMessage};
use cartable_shared::timetable::{PreviousSlot, Session, SessionKind, SessionStatus, Timetable};

use crate::files::LibraryView;
use crate::settings::CalendarLink;
use crate::state::View;
use crate::views::{AnnouncementsView, GradesView, HomeworkView, MeView};

/// A parsed JSON value: `JsValue` in the browser, `serde_json::Value` in tests.
pub trait JsonValue: Sized {
    /// The member `key` of an object; `None` if absent or `null`.
    fn field(&self, key: &str) -> Option<Self>;
    /// The value as a string.
    fn string(&self) -> Option<String>;
    /// The value as a number.
    fn number(&self) -> Option<f64>;
    /// The value as a boolean.
    fn boolean(&self) -> Option<bool>;
    /// The items of an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// The members of an object.
    fn entries(&self) -> Option<Vec<(String, Self)>>;
}

fn s<J: JsonValue>(v: &J, key: &str) -> Option<String> {
    v.field(key)?.string()
}

fn int<J: JsonValue>(v: &J, key: &str) -> Option<i64> {
    let n = v.field(key)?.number()?;
    (n.fract() == 0.0).then_some(n as i64)
}

fn strings<J: JsonValue>(v: &J, key: &str) -> Option<Vec<String>> {
    v.field(key)?.items()?.iter().map(J::string).collect()
}

fn parsed<J: JsonValue, T: std::str::FromStr>(v: &J, key: &str) -> Option<T> {
    s(v, key)?.parse().ok()
}

fn parsed_list<J: JsonValue, T: std::str::FromStr>(v: &J, key: &str) -> Option<Vec<T>> {
    v.field(key)?.items()?.iter().map(|i| i.string()?.parse().ok()).collect()
}

/// `api::Me`.
pub fn me<J: JsonValue>(v: &J) -> Option<Me> {
    Some(Me {
        user: parsed(v, "user")?,
        display_name: s(v, "display_name")?,
        role: parsed(v, "role")?,
        groups: parsed_list(v, "groups")?,
        teaches: parsed_list(v, "teaches")?,
        blocked: v.field("blocked").and_then(|b| {
            Some(BlockNotice { message: s(&b, "message")?, until_ms: int(&b, "until_ms") })
        }),
        expires_at_ms: int(v, "expires_at_ms"),
    })
}

fn connection(name: &str) -> Option<Connection> {
    Some(match name {
        "online" => Connection::Online,
        "offline" => Connection::Offline,
        "syncing" => Connection::Syncing,
        _ => return None,
    })
}

/// `engine::SyncStatus`.
pub fn sync_status<J: JsonValue>(v: &J) -> Option<SyncStatus> {
    Some(SyncStatus {
        connection: connection(&s(v, "connection")?)?,
        last_sync_ms: match v.field("last_sync_ms") {
            Some(n) => Some(n.number()? as i64),
            None => None,
        },
        pending: u32::try_from(int(v, "pending")?).ok()?,
    })
}

/// `engine::EngineEvent`.
pub fn engine_event<J: JsonValue>(v: &J) -> Option<EngineEvent> {
    Some(match s(v, "type")?.as_str() {
        "status" => EngineEvent::Status(sync_status(v)?),
        "view_updated" => EngineEvent::ViewUpdated { doc: parsed(v, "doc")? },
        "view_dropped" => EngineEvent::ViewDropped { doc: parsed(v, "doc")? },
        "signed_out" => EngineEvent::SignedOut,
        "blocked" => EngineEvent::Blocked,
        "edit_refused" => {
            EngineEvent::EditRefused { doc: parsed(v, "doc")?, message: s(v, "message")? }
        }
        "ready" => EngineEvent::Ready,
        _ => return None,
    })
}

/// The JSON of an `engine::EngineCommand`.
pub fn engine_command(cmd: &EngineCommand) -> String {
    let q = |t: &str| quote(t);
    let opt = |t: &Option<String>| t.as_deref().map_or_else(|| "null".to_owned(), quote);
    match cmd {
        EngineCommand::Start => r#"{"type":"start"}"#.into(),
        EngineCommand::Reconnect => r#"{"type":"reconnect"}"#.into(),
        EngineCommand::NetworkLost => r#"{"type":"network_lost"}"#.into(),
        EngineCommand::Stop { clear } => format!(r#"{{"type":"stop","clear":{clear}}}"#),
        EngineCommand::SetHomeworkDone { group, assignment, done } => format!(
            r#"{{"type":"set_homework_done","group":{},"assignment":{},"done":{done}}}"#,
            q(group),
            q(assignment)
        ),
        EngineCommand::AddPersonalEvent { id, event } => format!(
            r#"{{"type":"add_personal_event","id":{},"event":{{"title":{},"start_ms":{},"end_ms":{},"zone":{},"note":{}}}}}"#,
            q(id),
            q(&event.title),
            event.start_ms,
            event.end_ms,
            q(&event.zone),
            opt(&event.note)
        ),
        EngineCommand::RemovePersonalEvent { id } => {
            format!(r#"{{"type":"remove_personal_event","id":{}}}"#, q(id))
        }
        EngineCommand::SetNote { key, text } => {
            format!(r#"{{"type":"set_note","key":{},"text":{}}}"#, q(key), opt(text))
        }
        EngineCommand::Acknowledge { audience, id, at_ms } => format!(
            r#"{{"type":"acknowledge","audience":{},"id":{},"at_ms":{at_ms}}}"#,
            q(audience),
            q(id)
        ),
        EngineCommand::SetNotifications { change } => {
            format!(
                r#"{{"type":"set_notifications","change":{}}}"#,
                notification_change_json(change)
            )
        }
        EngineCommand::SetCourseHidden { subject, hidden } => {
            format!(r#"{{"type":"set_course_hidden","subject":{},"hidden":{hidden}}}"#, q(subject))
        }
        EngineCommand::Reply { thread, id, author, sent_ms, body } => format!(
            r#"{{"type":"reply","thread":{},"id":{},"author":{},"sent_ms":{sent_ms},"body":{}}}"#,
            q(thread),
            q(id),
            q(author),
            q(body)
        ),
        EngineCommand::Edit { doc, edit } => {
            format!(r#"{{"type":"edit","doc":{},"edit":{}}}"#, q(doc), doc_edit_json(edit))
        }
    }
}

/// The JSON of an `edits::DocEdit`.
fn doc_edit_json(edit: &DocEdit) -> String {
    let q = |t: &str| quote(t);
    let opt = |t: &Option<String>| t.as_deref().map_or_else(|| "null".to_owned(), quote);
    match edit {
        DocEdit::Session { session, change } => {
            let change = match change {
                SessionChange::Cancel { note } => {
                    format!(r#"{{"action":"cancel","note":{}}}"#, opt(note))
                }
                SessionChange::ChangeRoom { rooms, note } => format!(
                    r#"{{"action":"change_room","rooms":[{}],"note":{}}}"#,
                    rooms.iter().map(|r| q(r)).collect::<Vec<_>>().join(","),
                    opt(note)
                ),
                SessionChange::Move { start_ms, end_ms, note } => format!(
                    r#"{{"action":"move","start_ms":{start_ms},"end_ms":{end_ms},"note":{}}}"#,
                    opt(note)
                ),
            };
            format!(r#"{{"session":{{"session":{},"change":{change}}}}}"#, q(session))
        }
        DocEdit::PutAssignment { id, assignment: a } => {
            let attachments: Vec<String> = a
                .attachments
                .iter()
                .map(|b| {
                    format!(
                        r#"{{"sha256":{},"name":{},"size":{},"mime":{}}}"#,
                        q(&b.sha256),
                        q(&b.name),
                        b.size,
                        q(&b.mime)
                    )
                })
                .collect();
            format!(
                r#"{{"put_assignment":{{"id":{},"assignment":{{"subject":{},"title":{},"text":{},"set_on_ms":{},"due_ms":{},"attachments":[{}],"hand_in":{},"author":{}}}}}}}"#,
                q(id),
                q(&a.subject),
                q(&a.title),
                q(&a.text),
                a.set_on_ms,
                a.due_ms,
                attachments.join(","),
                a.hand_in,
                q(&a.author)
            )
        }
        DocEdit::RemoveAssignment { id } => {
            format!(r#"{{"remove_assignment":{{"id":{}}}}}"#, q(id))
        }
        DocEdit::PutAnnouncement { id, announcement: n } => format!(
            r#"{{"put_announcement":{{"id":{},"announcement":{{"title":{},"body":{},"severity":"{}","visible_from_ms":{},"visible_until_ms":{},"ack_required":{},"author":{}}}}}}}"#,
            q(id),
            q(&n.title),
            q(&n.body),
            severity_name(n.severity),
            n.visible_from_ms,
            n.visible_until_ms.map_or_else(|| "null".to_owned(), |u| u.to_string()),
            n.ack_required,
            q(&n.author)
        ),
        DocEdit::RemoveAnnouncement { id } => {
            format!(r#"{{"remove_announcement":{{"id":{}}}}}"#, q(id))
        }
        DocEdit::Gradebook(e) => format!(r#"{{"gradebook":{}}}"#, gradebook_edit_json(e)),
    }
}

/// The JSON of a `gradebook::GradebookEdit`.
fn gradebook_edit_json(edit: &GradebookEdit) -> String {
    let q = |t: &str| quote(t);
    let num = |n: Option<f64>| {
        n.filter(|n| n.is_finite()).map_or_else(|| "null".into(), |n| format!("{n:?}"))
    };
    match edit {
        GradebookEdit::Create { id, subject, title, date_ms, out_of, coefficient, author } => {
            format!(
                r#"{{"create":{{"id":{},"subject":{},"title":{},"date_ms":{date_ms},"out_of":{},"coefficient":{},"author":{}}}}}"#,
                q(id),
                q(subject),
                q(title),
                num(Some(*out_of)),
                num(Some(*coefficient)),
                q(author)
            )
        }
        GradebookEdit::SetScores { id, scores } => {
            let scores: Vec<String> = scores
                .iter()
                .map(|(k, v)| {
                    format!(r#"{}:{{"score":{},"comment":{}}}"#, q(k), num(v.score), q(&v.comment))
                })
                .collect();
            format!(r#"{{"set_scores":{{"id":{},"scores":{{{}}}}}}}"#, q(id), scores.join(","))
        }
        GradebookEdit::Schedule { id, publish_at_ms } => format!(
            r#"{{"schedule":{{"id":{},"publish_at_ms":{}}}}}"#,
            q(id),
            publish_at_ms.map_or_else(|| "null".to_owned(), |t| t.to_string())
        ),
        GradebookEdit::DeleteDraft { id } => format!(r#"{{"delete_draft":{{"id":{}}}}}"#, q(id)),
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Essential => "Essential",
        Level::Intermediate => "Intermediate",
        Level::Complete => "Complete",
    }
}

/// The JSON of an `engine::NotificationChange`.
fn notification_change_json(change: &NotificationChange) -> String {
    match change {
        NotificationChange::Level(level) => format!(r#"{{"level":"{}"}}"#, level_name(*level)),
        NotificationChange::Category { category, on } => {
            format!(r#"{{"category":{{"category":"{}","on":{on}}}}}"#, category.as_str())
        }
        NotificationChange::QuietHours(None) => r#"{"quiet_hours":null}"#.into(),
        NotificationChange::QuietHours(Some(q)) => format!(
            r#"{{"quiet_hours":{{"start_min":{},"end_min":{},"zone":{}}}}}"#,
            q.start_min,
            q.end_min,
            quote(&q.zone)
        ),
    }
}

/// `notify::NotificationSettings`; absent or unreadable parts take their default (a `me`
/// view written before schema 2 has none).
pub fn notification_settings<J: JsonValue>(v: &J) -> NotificationSettings {
    let level = s(v, "level")
        .and_then(|name| {
            [Level::Essential, Level::Intermediate, Level::Complete]
                .into_iter()
                .find(|l| level_name(*l) == name)
        })
        .unwrap_or_default();
    let quiet_hours = v.field("quiet_hours").and_then(|q| {
        Some(QuietHours {
            start_min: u64::try_from(int(&q, "start_min")?).ok()?,
            end_min: u64::try_from(int(&q, "end_min")?).ok()?,
            zone: s(&q, "zone")?,
        })
    });
    NotificationSettings {
        level,
        overrides: map_of(v, "overrides", J::boolean).into_iter().collect(),
        quiet_hours,
    }
}

/// `calendar::CalendarTokenInfo` (`url: None`) or `calendar::CalendarTokenCreated`.
pub fn calendar_link<J: JsonValue>(v: &J) -> Option<CalendarLink> {
    Some(CalendarLink::On {
        created_ms: int(v, "created_ms")?,
        last_used_ms: v.field("last_used_ms").and_then(|n| n.number()).map(|n| n as i64),
        url: s(v, "url"),
    })
}

/// `api::ConnectionList`, as its list.
pub fn connections<J: JsonValue>(v: &J) -> Option<Vec<ConnectionInfo>> {
    v.field("connections")?
        .items()?
        .iter()
        .map(|c| {
            Some(ConnectionInfo {
                at_ms: int(c, "at_ms")?,
                device: opt_string(c, "device")?,
                address: opt_string(c, "address")?,
                current: c.field("current")?.boolean()?,
                active: c.field("active")?.boolean()?,
            })
        })
        .collect()
}

/// `api::PushSubscriptionList`, as its list.
pub fn push_subscriptions<J: JsonValue>(v: &J) -> Option<Vec<PushSubscriptionInfo>> {
    v.field("subscriptions")?
        .items()?
        .iter()
        .map(|p| {
            Some(PushSubscriptionInfo {
                id: parsed(p, "id")?,
                label: s(p, "label")?,
                created_ms: int(p, "created_ms")?,
                endpoint_host: s(p, "endpoint_host")?,
            })
        })
        .collect()
}

/// `api::Acknowledgements`.
pub fn acknowledgements<J: JsonValue>(v: &J) -> Option<Acknowledgements> {
    Some(Acknowledgements {
        acknowledged: v
            .field("acknowledged")?
            .items()?
            .iter()
            .map(|a| {
                Some(Acknowledged {
                    user: parsed(a, "user")?,
                    name: s(a, "name")?,
                    at_ms: int(a, "at_ms")?,
                })
            })
            .collect::<Option<_>>()?,
        pending: people(v, "pending")?,
    })
}

fn people<J: JsonValue>(v: &J, key: &str) -> Option<Vec<Person>> {
    v.field(key)?
        .items()?
        .iter()
        .map(|p| Some(Person { user: parsed(p, "user")?, name: s(p, "name")? }))
        .collect()
}

/// `api::GroupStudents`, as its list.
pub fn group_students<J: JsonValue>(v: &J) -> Option<Vec<Person>> {
    people(v, "students")
}

/// `notify::PushPayload`, as the service worker recorded it.
pub fn push_payload<J: JsonValue>(v: &J) -> Option<PushPayload> {
    Some(PushPayload {
        category: s(v, "category")?,
        title: s(v, "title")?,
        body: s(v, "body").unwrap_or_default(),
        tag: s(v, "tag").unwrap_or_default(),
        url: s(v, "url").unwrap_or_else(|| "/".into()),
        at_ms: int(v, "at_ms")?,
    })
}

/// A JSON string literal.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The JSON of an `api::LoginRequest`.
pub fn login_request(login: &str, password: &str) -> String {
    format!(r#"{{"login":{},"password":{}}}"#, quote(login), quote(password))
}

fn kind(name: &str) -> Option<SessionKind> {
    Some(match name {
        "Cm" => SessionKind::Cm,
        "Td" => SessionKind::Td,
        "Tp" => SessionKind::Tp,
        "Exam" => SessionKind::Exam,
        _ => return None,
    })
}

fn status(name: &str) -> Option<SessionStatus> {
    Some(match name {
        "Scheduled" => SessionStatus::Scheduled,
        "Cancelled" => SessionStatus::Cancelled,
        "Moved" => SessionStatus::Moved,
        _ => return None,
    })
}

fn session<J: JsonValue>(v: &J) -> Option<Session> {
    let previous = match v.field("previous") {
        Some(p) => Some(PreviousSlot {
            start_ms: int(&p, "start_ms")?,
            end_ms: int(&p, "end_ms")?,
            rooms: strings(&p, "rooms")?,
        }),
        None => None,
    };
    Some(Session {
        start_ms: int(v, "start_ms")?,
        end_ms: int(v, "end_ms")?,
        zone: s(v, "zone")?,
        subject: s(v, "subject")?,
        kind: kind(&s(v, "kind")?)?,
        rooms: strings(v, "rooms")?,
        teachers: strings(v, "teachers")?,
        status: status(&s(v, "status")?)?,
        probably: v.field("probably").and_then(|b| b.boolean()).unwrap_or(false),
        previous,
        note: match v.field("note") {
            Some(n) => Some(n.string()?),
            None => None,
        },
        source: s(v, "source").unwrap_or_default(),
    })
}

/// `timetable::Timetable`. A session that does not read is left out (and reported in the
/// second value) rather than losing the whole timetable.
pub fn timetable<J: JsonValue>(v: &J) -> Option<(Timetable, usize)> {
    let mut sessions = BTreeMap::new();
    let mut skipped = 0;
    for (id, value) in v.field("sessions")?.entries()? {
        match session(&value) {
            Some(sess) => {
                sessions.insert(id, sess);
            }
            None => skipped += 1,
        }
    }
    let t = Timetable {
        schema: u64::try_from(int(v, "schema")?).ok()?,
        group: s(v, "group")?,
        sessions,
    };
    Some((t, skipped))
}

fn opt_string<J: JsonValue>(v: &J, key: &str) -> Option<Option<String>> {
    match v.field(key) {
        Some(n) => Some(Some(n.string()?)),
        None => Some(None),
    }
}

fn opt_number<J: JsonValue>(v: &J, key: &str) -> Option<Option<f64>> {
    match v.field(key) {
        Some(n) => Some(Some(n.number()?)),
        None => Some(None),
    }
}

fn schema<J: JsonValue>(v: &J) -> Option<u64> {
    u64::try_from(int(v, "schema")?).ok()
}

/// The entries of the map `key` read with `f`, as a list; entries that do not read are left
/// out.
fn map_of<J: JsonValue, T>(v: &J, key: &str, f: impl Fn(&J) -> Option<T>) -> Vec<(String, T)> {
    v.field(key)
        .and_then(|m| m.entries())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, e)| Some((k, f(&e)?)))
        .collect()
}

/// `homework::Homework`, as a [`HomeworkView`].
pub fn homework<J: JsonValue>(v: &J) -> Option<HomeworkView> {
    schema(v)?;
    Some(HomeworkView {
        group: s(v, "group")?,
        assignments: map_of(v, "assignments", |a| {
            Some(Assignment {
                subject: s(a, "subject")?,
                title: s(a, "title")?,
                text: s(a, "text")?,
                set_on_ms: int(a, "set_on_ms")?,
                due_ms: int(a, "due_ms")?,
                attachments: a
                    .field("attachments")?
                    .items()?
                    .iter()
                    .map(|b| {
                        Some(BlobRef {
                            sha256: s(b, "sha256")?,
                            name: s(b, "name")?,
                            size: u64::try_from(int(b, "size")?).ok()?,
                            mime: s(b, "mime")?,
                        })
                    })
                    .collect::<Option<_>>()?,
                hand_in: a.field("hand_in")?.boolean()?,
                author: s(a, "author")?,
            })
        }),
    })
}

/// `grades::Grades`, as a [`GradesView`].
pub fn grades<J: JsonValue>(v: &J) -> Option<GradesView> {
    schema(v)?;
    Some(GradesView {
        assessments: map_of(v, "assessments", |a| {
            Some(Assessment {
                subject: s(a, "subject")?,
                title: s(a, "title")?,
                date_ms: int(a, "date_ms")?,
                score: opt_number(a, "score")?,
                out_of: a.field("out_of")?.number()?,
                coefficient: a.field("coefficient")?.number()?,
                comment: opt_string(a, "comment")?,
                author: s(a, "author")?,
                published_ms: opt_number(a, "published_ms")?.map(|n| n as i64),
            })
        }),
    })
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Information => "Information",
        Severity::Warning => "Warning",
        Severity::Alert => "Alert",
    }
}

/// `gradebook::Gradebook` (a group's gradebook, teachers and admins only).
pub fn gradebook<J: JsonValue>(v: &J) -> Option<Gradebook> {
    Some(Gradebook {
        schema: schema(v)?,
        group: s(v, "group")?,
        roster: map_of(v, "roster", J::string).into_iter().collect(),
        assessments: map_of(v, "assessments", |a| {
            Some(GradebookAssessment {
                subject: s(a, "subject")?,
                title: s(a, "title")?,
                date_ms: int(a, "date_ms")?,
                out_of: a.field("out_of")?.number()?,
                coefficient: a.field("coefficient")?.number()?,
                author: s(a, "author")?,
                publish_at_ms: opt_number(a, "publish_at_ms")?.map(|n| n as i64),
                published_ms: opt_number(a, "published_ms")?.map(|n| n as i64),
                scores: map_of(a, "scores", |sc| {
                    Some(Score { score: opt_number(sc, "score")?, comment: s(sc, "comment")? })
                })
                .into_iter()
                .collect(),
            })
        })
        .into_iter()
        .collect(),
    })
}

fn severity(name: &str) -> Option<Severity> {
    Some(match name {
        "Information" => Severity::Information,
        "Warning" => Severity::Warning,
        "Alert" => Severity::Alert,
        _ => return None,
    })
}

/// `announcements::Announcements`, as an [`AnnouncementsView`].
pub fn announcements<J: JsonValue>(v: &J) -> Option<AnnouncementsView> {
    schema(v)?;
    Some(AnnouncementsView {
        audience: s(v, "audience")?,
        items: map_of(v, "items", |a| {
            Some(Announcement {
                title: s(a, "title")?,
                body: s(a, "body")?,
                severity: severity(&s(a, "severity")?)?,
                visible_from_ms: int(a, "visible_from_ms")?,
                visible_until_ms: opt_number(a, "visible_until_ms")?.map(|n| n as i64),
                ack_required: a.field("ack_required")?.boolean()?,
                author: s(a, "author")?,
            })
        }),
    })
}

/// `thread::Thread`.
pub fn thread<J: JsonValue>(v: &J) -> Option<Thread> {
    Some(Thread {
        schema: schema(v)?,
        subject: s(v, "subject")?,
        participants: strings(v, "participants")?,
        messages: v
            .field("messages")?
            .items()?
            .iter()
            .filter_map(|m| {
                Some(ThreadMessage {
                    id: s(m, "id")?,
                    author: s(m, "author")?,
                    sent_ms: int(m, "sent_ms")?,
                    body: s(m, "body")?,
                })
            })
            .collect(),
    })
}

/// `me::MyLayer`, as a [`MeView`].
pub fn my_layer<J: JsonValue>(v: &J) -> Option<MeView> {
    schema(v)?;
    Some(MeView {
        homework_done: map_of(v, "homework_done", J::boolean),
        events: map_of(v, "events", |e| {
            Some(PersonalEvent {
                title: s(e, "title")?,
                start_ms: int(e, "start_ms")?,
                end_ms: int(e, "end_ms")?,
                zone: s(e, "zone")?,
                note: opt_string(e, "note")?,
            })
        }),
        acknowledged: map_of(v, "acknowledged", |n| n.number().map(|n| n as i64)),
        hidden_courses: crate::views::distinct(strings(v, "hidden_courses").unwrap_or_default()),
        notifications: v
            .field("notifications")
            .map(|n| notification_settings(&n))
            .unwrap_or_default(),
    })
}

/// Whether the UI shows documents of `kind` (all kinds now; kept for kinds to come).
pub fn shown(_kind: DocKind) -> bool {
    true
}

/// `library::Library`, as a [`LibraryView`].
pub fn library<J: JsonValue>(v: &J) -> Option<LibraryView> {
    schema(v)?;
    Some(LibraryView {
        group: s(v, "group")?,
        items: map_of(v, "items", |i| {
            Some(LibraryItem {
                title: s(i, "title")?,
                subject: s(i, "subject")?,
                kind: s(i, "kind")?,
                language: s(i, "language")?,
                size: u64::try_from(int(i, "size")?).ok()?,
                sha256: s(i, "sha256")?,
                added_ms: int(i, "added_ms")?,
                author: s(i, "author")?,
            })
        }),
    })
}

/// The view model of a document of `kind`, with the number of entries that could not be read
/// (timetable sessions).
pub fn view<J: JsonValue>(kind: DocKind, v: &J) -> Option<(View, usize)> {
    Some(match kind {
        DocKind::Timetable => {
            let (t, skipped) = timetable(v)?;
            (View::Timetable(t), skipped)
        }
        DocKind::Homework => (View::Homework(homework(v)?), 0),
        DocKind::Grades => (View::Grades(grades(v)?), 0),
        DocKind::Announcements => (View::Announcements(announcements(v)?), 0),
        DocKind::Thread => (View::Thread(thread(v)?), 0),
        DocKind::Me => (View::Me(my_layer(v)?), 0),
        DocKind::Library => (View::Library(library(v)?), 0),
        DocKind::Gradebook => (View::Gradebook(gradebook(v)?), 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartable_shared::api::LoginRequest;
    use cartable_shared::roles::Role;
    use serde_json::Value;

    impl JsonValue for Value {
        fn field(&self, key: &str) -> Option<Self> {
            self.get(key).filter(|v| !v.is_null()).cloned()
        }
        fn string(&self) -> Option<String> {
            self.as_str().map(str::to_owned)
        }
        fn number(&self) -> Option<f64> {
            self.as_f64()
        }
        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }
        fn items(&self) -> Option<Vec<Self>> {
            self.as_array().cloned()
        }
        fn entries(&self) -> Option<Vec<(String, Self)>> {
            self.as_object().map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        }
    }

    fn via_serde<T: serde::Serialize>(value: &T) -> Value {
        serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
    }

    fn session(kind: SessionKind, status: SessionStatus) -> Session {
        Session {
            start_ms: 1_764_000_000_000,
            end_ms: 1_764_007_200_000,
            zone: "Europe/Paris".into(),
            subject: "Réseaux \"avancés\"".into(),
            kind,
            rooms: vec!["B12".into(), "B13".into()],
            teachers: vec!["Mme Petit".into()],
            status,
            probably: false,
            previous: None,
            note: None,
            source: "manual".into(),
        }
    }

    #[test]
    fn timetables_read_back_exactly_what_serde_wrote() {
        let mut t = Timetable::new("l2-info-a");
        let kinds = [SessionKind::Cm, SessionKind::Td, SessionKind::Tp, SessionKind::Exam];
        let statuses = [SessionStatus::Scheduled, SessionStatus::Cancelled, SessionStatus::Moved];
        for (i, k) in kinds.into_iter().enumerate() {
            for (j, st) in statuses.into_iter().enumerate() {
                let mut s = session(k, st);
                if j > 0 {
                    s.previous = Some(PreviousSlot {
                        start_ms: 1,
                        end_ms: 2,
                        rooms: vec!["Amphi A".into()],
                    });
                    s.note = Some("Enseignant absent".into());
                }
                t.sessions.insert(format!("s{i}{j}"), s);
            }
        }
        let (back, skipped) = timetable(&via_serde(&t)).unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(back, t);
    }

    #[test]
    fn an_unreadable_session_is_skipped_not_fatal() {
        let mut t = Timetable::new("g");
        t.sessions.insert("ok".into(), session(SessionKind::Cm, SessionStatus::Scheduled));
        let mut v = via_serde(&t);
        v["sessions"]["bad"] = serde_json::json!({ "start_ms": "soon" });
        let (back, skipped) = timetable(&v).unwrap();
        assert_eq!((back.sessions.len(), skipped), (1, 1));
        assert!(timetable(&serde_json::json!({ "group": "g" })).is_none());
    }

    #[test]
    fn me_and_statuses_read_back() {
        let me_value = Me {
            user: "lea.martin".parse().unwrap(),
            display_name: "Léa Martin".into(),
            role: Role::Teacher,
            groups: vec!["l2-info-a".parse().unwrap()],
            teaches: vec!["l1-a".parse().unwrap(), "l1-b".parse().unwrap()],
            blocked: None,
            expires_at_ms: None,
        };
        assert_eq!(me(&via_serde(&me_value)), Some(me_value.clone()));
        let blocked = Me {
            blocked: Some(BlockNotice { message: "Rentrée le 1er".into(), until_ms: Some(5) }),
            expires_at_ms: Some(7),
            ..me_value
        };
        assert_eq!(me(&via_serde(&blocked)), Some(blocked));
        for connection in [Connection::Online, Connection::Offline, Connection::Syncing] {
            for last_sync_ms in [None, Some(1_764_000_000_123)] {
                let st = SyncStatus { connection, last_sync_ms, pending: 3 };
                assert_eq!(sync_status(&via_serde(&st)), Some(st));
                let ev = EngineEvent::Status(st);
                assert_eq!(engine_event(&via_serde(&ev)), Some(ev));
            }
        }
    }

    #[test]
    fn engine_messages_match_serde() {
        let doc = "timetable:l2-info-a".parse().unwrap();
        for ev in [
            EngineEvent::ViewUpdated { doc: "timetable:l2-info-a".parse().unwrap() },
            EngineEvent::ViewDropped { doc },
            EngineEvent::SignedOut,
            EngineEvent::Blocked,
            EngineEvent::Ready,
            EngineEvent::EditRefused {
                doc: "homework:g".parse().unwrap(),
                message: "you may not \"write\"".into(),
            },
        ] {
            assert_eq!(engine_event(&via_serde(&ev)), Some(ev));
        }
        for cmd in [
            EngineCommand::Start,
            EngineCommand::Reconnect,
            EngineCommand::NetworkLost,
            EngineCommand::Stop { clear: true },
            EngineCommand::Stop { clear: false },
            EngineCommand::SetHomeworkDone {
                group: "l2-info-a".into(),
                assignment: "hw\"1".into(),
                done: true,
            },
            EngineCommand::AddPersonalEvent {
                id: "e1".into(),
                event: cartable_shared::me::PersonalEvent {
                    title: "Dentiste é".into(),
                    start_ms: -5,
                    end_ms: 1_800_000_000_000,
                    zone: "Europe/Paris".into(),
                    note: None,
                },
            },
            EngineCommand::RemovePersonalEvent { id: "e1".into() },
            EngineCommand::SetNote { key: "s1".into(), text: Some("a\nb".into()) },
            EngineCommand::SetNote { key: "s1".into(), text: None },
            EngineCommand::Acknowledge { audience: "everyone".into(), id: "a1".into(), at_ms: 7 },
            EngineCommand::Reply {
                thread: "t1".into(),
                id: "m1".into(),
                author: "lea.martin".into(),
                sent_ms: 9,
                body: "Merci\t!".into(),
            },
            EngineCommand::SetNotifications { change: NotificationChange::Level(Level::Essential) },
            EngineCommand::SetNotifications {
                change: NotificationChange::Category {
                    category: cartable_shared::notify::Category::AnnouncementInformation,
                    on: true,
                },
            },
            EngineCommand::SetNotifications { change: NotificationChange::QuietHours(None) },
            EngineCommand::SetCourseHidden { subject: "Anglais \"LV1\"".into(), hidden: true },
            EngineCommand::SetCourseHidden { subject: "Sport".into(), hidden: false },
            EngineCommand::SetNotifications {
                change: NotificationChange::QuietHours(some_settings().quiet_hours),
            },
            edit(DocEdit::Session {
                session: "s\"1".into(),
                change: SessionChange::Cancel { note: Some("Grève\n".into()) },
            }),
            edit(DocEdit::Session {
                session: "s1".into(),
                change: SessionChange::ChangeRoom {
                    rooms: vec!["B1".into(), "B2".into()],
                    note: None,
                },
            }),
            edit(DocEdit::Session {
                session: "s1".into(),
                change: SessionChange::Move { start_ms: -1, end_ms: 1_800_000_000_000, note: None },
            }),
            edit(DocEdit::PutAssignment {
                id: "hw-1".into(),
                assignment: Assignment {
                    subject: "Réseaux".into(),
                    title: "TD \"3\"".into(),
                    text: "Lire\tle chapitre".into(),
                    set_on_ms: 1,
                    due_ms: 2,
                    attachments: vec![BlobRef {
                        sha256: "ab".repeat(32),
                        name: "td3.pdf".into(),
                        size: 12_345_678_901,
                        mime: "application/pdf".into(),
                    }],
                    hand_in: true,
                    author: "prof".into(),
                },
            }),
            edit(DocEdit::RemoveAssignment { id: "hw-1".into() }),
            edit(DocEdit::PutAnnouncement {
                id: "an-1".into(),
                announcement: Announcement {
                    title: "Sortie".into(),
                    body: "Départ 8 h".into(),
                    severity: Severity::Alert,
                    visible_from_ms: 3,
                    visible_until_ms: Some(4),
                    ack_required: true,
                    author: "prof".into(),
                },
            }),
            edit(DocEdit::PutAnnouncement {
                id: "an-2".into(),
                announcement: Announcement {
                    title: "Info".into(),
                    body: String::new(),
                    severity: Severity::Information,
                    visible_from_ms: 3,
                    visible_until_ms: None,
                    ack_required: false,
                    author: "prof".into(),
                },
            }),
            edit(DocEdit::RemoveAnnouncement { id: "an-1".into() }),
            edit(DocEdit::Gradebook(GradebookEdit::Create {
                id: "gb-1".into(),
                subject: "Algorithmique".into(),
                title: "Contrôle \"3\"".into(),
                date_ms: 1_764_000_000_000,
                out_of: 20.0,
                coefficient: 1.5,
                author: "paul.durand".into(),
            })),
            edit(DocEdit::Gradebook(GradebookEdit::SetScores {
                id: "gb-1".into(),
                scores: [
                    ("lea.martin".to_owned(), Score { score: Some(12.25), comment: "Bien".into() }),
                    ("tom".to_owned(), Score { score: None, comment: String::new() }),
                ]
                .into_iter()
                .collect(),
            })),
            edit(DocEdit::Gradebook(GradebookEdit::Schedule {
                id: "gb-1".into(),
                publish_at_ms: Some(1_764_100_000_000),
            })),
            edit(DocEdit::Gradebook(GradebookEdit::Schedule {
                id: "gb-1".into(),
                publish_at_ms: None,
            })),
            edit(DocEdit::Gradebook(GradebookEdit::DeleteDraft { id: "gb-1".into() })),
        ] {
            assert_eq!(engine_command(&cmd), serde_json::to_string(&cmd).unwrap());
        }
    }

    #[test]
    fn acknowledgement_lists_and_students_read_as_serde_writes_them() {
        let person = |u: &str, n: &str| Person { user: u.parse().unwrap(), name: n.into() };
        let list = Acknowledgements {
            acknowledged: vec![Acknowledged {
                user: "lea.martin".parse().unwrap(),
                name: "Léa \"M\"".into(),
                at_ms: 1_800_000_000_000,
            }],
            pending: vec![person("tom", "Tom"), person("zoe", "Zoé")],
        };
        assert_eq!(acknowledgements(&via_serde(&list)), Some(list));
        let students = cartable_shared::api::GroupStudents { students: vec![person("a", "A")] };
        assert_eq!(group_students(&via_serde(&students)), Some(students.students));
    }

    fn edit(edit: DocEdit) -> EngineCommand {
        EngineCommand::Edit { doc: "timetable:l2-info-a".into(), edit }
    }

    fn some_settings() -> NotificationSettings {
        let mut n = NotificationSettings { level: Level::Complete, ..Default::default() };
        n.overrides.insert("new_message".into(), false);
        n.overrides.insert("grade_\"published".into(), true);
        n.quiet_hours =
            Some(QuietHours { start_min: 1320, end_min: 420, zone: "Europe/Paris".into() });
        n
    }

    #[test]
    fn notification_settings_read_back_and_default_when_absent() {
        for n in [
            NotificationSettings::default(),
            some_settings(),
            NotificationSettings { level: Level::Essential, ..Default::default() },
        ] {
            assert_eq!(notification_settings(&via_serde(&n)), n);
        }
        let odd = serde_json::json!({ "level": "Loud", "overrides": { "x": "yes" } });
        assert_eq!(notification_settings(&odd), NotificationSettings::default());
    }

    #[test]
    fn settings_lists_read_what_the_server_writes() {
        use cartable_shared::api::{ConnectionList, PushSubscriptionList};
        let list = ConnectionList {
            connections: vec![
                ConnectionInfo {
                    at_ms: 9,
                    device: Some("Mozilla/5.0 (iPhone)".into()),
                    address: Some("127.0.0.1".into()),
                    current: true,
                    active: true,
                },
                ConnectionInfo {
                    at_ms: 3,
                    device: None,
                    address: None,
                    current: false,
                    active: false,
                },
            ],
        };
        assert_eq!(connections(&via_serde(&list)), Some(list.connections));
        let subs = PushSubscriptionList {
            subscriptions: vec![PushSubscriptionInfo {
                id: "ab12".parse().unwrap(),
                label: "Téléphone".into(),
                created_ms: 5,
                endpoint_host: "fcm.googleapis.com".into(),
            }],
        };
        assert_eq!(push_subscriptions(&via_serde(&subs)), Some(subs.subscriptions));
        assert_eq!(connections(&serde_json::json!({ "connections": [{ "at_ms": 1 }] })), None);
        let payload = PushPayload {
            category: "class_cancelled".into(),
            title: "Cours annulé".into(),
            body: "Réseaux, jeudi 8:00".into(),
            tag: "session:s1".into(),
            url: "/?view=week&session=s1".into(),
            at_ms: 1_764_000_000_000,
        };
        assert_eq!(push_payload(&via_serde(&payload)), Some(payload));
    }

    #[test]
    fn calendar_links_read_what_the_server_writes() {
        use cartable_shared::calendar::{CalendarTokenCreated, CalendarTokenInfo};
        let created =
            CalendarTokenCreated { url: "https://e.example/calendar/t.ics".into(), created_ms: 7 };
        assert_eq!(
            calendar_link(&via_serde(&created)),
            Some(CalendarLink::On { created_ms: 7, last_used_ms: None, url: Some(created.url) })
        );
        for last_used_ms in [None, Some(9)] {
            let info = CalendarTokenInfo { created_ms: 7, last_used_ms };
            assert_eq!(
                calendar_link(&via_serde(&info)),
                Some(CalendarLink::On { created_ms: 7, last_used_ms, url: None })
            );
        }
        assert_eq!(calendar_link(&serde_json::json!({ "url": "x" })), None);
    }

    #[test]
    fn every_view_model_reads_what_serde_writes() {
        use cartable_shared::announcements::Announcements;
        use cartable_shared::grades::Grades;
        use cartable_shared::homework::Homework;
        use cartable_shared::me::MyLayer;
        let mut h = Homework { schema: 1, group: "g".into(), ..Default::default() };
        h.assignments.insert(
            "a1".into(),
            Assignment {
                subject: "Maths".into(),
                title: "Ex. 3".into(),
                text: "p. 12".into(),
                set_on_ms: 1,
                due_ms: 2,
                attachments: vec![BlobRef {
                    sha256: "ab".into(),
                    name: "f.pdf".into(),
                    size: 3,
                    mime: "application/pdf".into(),
                }],
                hand_in: true,
                author: "paul.durand".into(),
            },
        );
        assert_eq!(homework(&serde_json::to_value(&h).unwrap()), Some(h.into()));
        let mut l = cartable_shared::library::Library {
            schema: 1,
            group: "g".into(),
            ..Default::default()
        };
        l.items.insert(
            "i1".into(),
            LibraryItem {
                title: "Mémo \"SQL\"".into(),
                subject: "BDD".into(),
                kind: "fiche".into(),
                language: "fr".into(),
                size: 20_971_520,
                sha256: "ab".repeat(32),
                added_ms: 1_764_000_000_000,
                author: "sophie.bernard".into(),
            },
        );
        assert_eq!(library(&serde_json::to_value(&l).unwrap()), Some(l.into()));
        let mut g = Grades { schema: 1, student: "lea.martin".into(), ..Default::default() };
        for (id, score, published_ms) in [("x", Some(13.5), Some(4)), ("y", None, None)] {
            g.assessments.insert(
                id.into(),
                Assessment {
                    subject: "Maths".into(),
                    title: "DS".into(),
                    date_ms: 3,
                    score,
                    out_of: 20.0,
                    coefficient: 2.0,
                    comment: Some("Bien".into()),
                    author: "paul.durand".into(),
                    published_ms,
                },
            );
        }
        assert_eq!(grades(&serde_json::to_value(&g).unwrap()), Some(g.into()));
        let mut a = Announcements { schema: 1, audience: "everyone".into(), ..Default::default() };
        a.items.insert(
            "n1".into(),
            Announcement {
                title: "Grève".into(),
                body: "b".into(),
                severity: Severity::Alert,
                visible_from_ms: 1,
                visible_until_ms: Some(9),
                ack_required: true,
                author: "admin".into(),
            },
        );
        assert_eq!(announcements(&serde_json::to_value(&a).unwrap()), Some(a.into()));
        let t = Thread {
            schema: 1,
            subject: "Stage".into(),
            participants: vec!["lea.martin".into(), "paul.durand".into()],
            messages: vec![ThreadMessage {
                id: "m1".into(),
                author: "paul.durand".into(),
                sent_ms: 5,
                body: "Bonjour".into(),
            }],
        };
        assert_eq!(thread(&serde_json::to_value(&t).unwrap()), Some(t));
        let mut m = MyLayer { schema: 1, user: "lea.martin".into(), ..Default::default() };
        m.homework_done.insert("g/a1".into(), true);
        m.notes.insert("s1".into(), "n".into());
        m.acknowledged.insert("everyone/n1".into(), 8);
        m.hidden_courses.push("Sport".into());
        m.hidden_courses.push("Anglais".into());
        m.hidden_courses.push("Sport".into());
        m.notifications = some_settings();
        m.events.insert(
            "e1".into(),
            PersonalEvent {
                title: "Dentiste".into(),
                start_ms: 1,
                end_ms: 2,
                zone: "Europe/Paris".into(),
                note: Some("x".into()),
            },
        );
        assert_eq!(my_layer(&serde_json::to_value(&m).unwrap()), Some(m.into()));
    }

    #[test]
    fn a_gradebook_reads_what_serde_writes() {
        let mut book = Gradebook::new("l2-info-a");
        book.roster.insert("lea.martin".into(), "Léa Martin".into());
        book.roster.insert("tom".into(), "Tom".into());
        let scores = [
            ("lea.martin".to_owned(), Score { score: Some(12.5), comment: "Bien".into() }),
            ("tom".to_owned(), Score { score: None, comment: String::new() }),
        ];
        let a = GradebookAssessment {
            subject: "Algorithmique".into(),
            title: "Contrôle".into(),
            date_ms: 1_764_000_000_000,
            out_of: 20.0,
            coefficient: 1.5,
            author: "paul.durand".into(),
            publish_at_ms: Some(1_764_100_000_000),
            published_ms: None,
            scores: scores.into_iter().collect(),
        };
        book.assessments.insert("a1".into(), a.clone());
        book.assessments.insert(
            "a2".into(),
            GradebookAssessment { publish_at_ms: None, published_ms: Some(5), ..a },
        );
        assert_eq!(gradebook(&via_serde(&book)), Some(book));
    }

    #[test]
    fn login_requests_escape_like_serde() {
        for (login, password) in [("lea.martin", "etudiant-demo"), ("a\"b", "c\\d\n\u{1}é€")] {
            let req = LoginRequest { login: login.into(), password: password.into() };
            assert_eq!(login_request(login, password), serde_json::to_string(&req).unwrap());
        }
    }
}
