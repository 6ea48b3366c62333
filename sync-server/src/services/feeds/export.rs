//! A user's private iCalendar feed: the sessions of their groups' timetables (cancelled ones
//! kept, with `STATUS:CANCELLED`), the due dates of their groups' homework and their personal
//! events (from their `me` document), with a refresh interval hint for calendar applications.
//!
//! The feed's URL carries a random token (64 hex digits) of which the server keeps the SHA-256
//! only; creating a new one replaces (revokes) the old one.

use cartable_shared::homework::Homework;
use cartable_shared::ids::{DocId, DocKind, UserId};
use cartable_shared::me::MyLayer;
use cartable_shared::timetable::{SessionKind, SessionStatus, Timetable};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::services::hub::build_document;
use crate::store::{Store, StoreError};

/// How often calendar applications are asked to fetch the feed again (ISO 8601 duration).
pub const REFRESH_INTERVAL: &str = "PT1H";

/// A new export token (shown once) and its hash (stored).
pub fn new_token() -> (String, [u8; 32]) {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let token = hex::encode(raw);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Why the export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored document could not be read.
    #[error("unreadable document {0}: {1}")]
    Document(DocId, String),
}

/// Reads a document as stored (upgraded to the current schema in memory), `None` if it does
/// not exist.
pub async fn load<T: autosurgeon::Hydrate + Send + 'static>(
    store: &Store,
    id: DocId,
) -> Result<Option<T>, ExportError> {
    let key = id.clone();
    let Some(stored) = store.read(move |dao| dao.load_document(&key)).await? else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || {
        let bad = |e: String| ExportError::Document(id.clone(), e);
        let mut doc = build_document(&id, &stored).map_err(|e| bad(e.to_string()))?;
        cartable_shared::upgrade::upgrade(&id, &mut doc).map_err(|e| bad(e.to_string()))?;
        cartable_shared::sync::read::<T>(&doc).map_err(|e| bad(e.to_string()))
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?
}

/// What goes into a user's feed.
#[derive(Debug, Default)]
pub struct ExportData {
    /// The user's display name (the calendar's name).
    pub name: String,
    /// Their groups' timetables.
    pub timetables: Vec<Timetable>,
    /// Their groups' homework.
    pub homework: Vec<Homework>,
    /// Their own layer (personal events).
    pub me: Option<MyLayer>,
}

/// Gathers the documents `user` reads for their feed: every timetable and homework document
/// of their standing documents (the same ones `/sync` gives them), and their `me` layer.
pub async fn gather(store: &Store, user: &UserId) -> Result<Option<ExportData>, ExportError> {
    let who = user.clone();
    let Some((principal, row)) = store.read(move |dao| dao.principal(&who)).await? else {
        return Ok(None);
    };
    let mut data = ExportData { name: row.display_name, ..Default::default() };
    for doc in principal.standing_documents() {
        if !principal.access(&doc, &[]).can_read() {
            continue;
        }
        match doc.kind() {
            DocKind::Timetable => data.timetables.extend(load::<Timetable>(store, doc).await?),
            DocKind::Homework => data.homework.extend(load::<Homework>(store, doc).await?),
            DocKind::Me => data.me = load::<MyLayer>(store, doc).await?,
            _ => {}
        }
    }
    Ok(Some(data))
}

/// Creates (or replaces, revoking the old one) `user`'s export token; returns the token, to
/// be shown once.
pub async fn create_token(store: &Store, user: &UserId, now_ms: i64) -> Result<String, StoreError> {
    let (token, hash) = new_token();
    let user = user.clone();
    store.write(move |dao| dao.set_calendar_token(&user, &hash, now_ms)).await?;
    Ok(token)
}

/// The feed of the user holding `token` (`None`: no such token, or revoked).
pub async fn feed_for_token(
    store: &Store,
    token: &str,
    host: &str,
    now_ms: i64,
) -> Result<Option<String>, ExportError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some(user) = store.read(move |dao| dao.calendar_token_user(&hash)).await? else {
        return Ok(None);
    };
    let Some(data) = gather(store, &user).await? else { return Ok(None) };
    store.write(move |dao| dao.calendar_token_used(&hash, now_ms)).await?;
    Ok(Some(render(&data, host, now_ms)))
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets (never inside a UTF-8 character).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn kind_code(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Cm => "CM",
        SessionKind::Td => "TD",
        SessionKind::Tp => "TP",
        SessionKind::Exam => "EXAM",
    }
}

/// The iCalendar text of a user's feed, stamped `now_ms`.
pub fn render(data: &ExportData, host: &str, now_ms: i64) -> String {
    let mut out = String::new();
    let stamp = utc(now_ms);
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cartable//Cartable//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(&format!("Cartable – {}", data.name))));
    line(&mut out, &format!("REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_INTERVAL}"));
    line(&mut out, &format!("X-PUBLISHED-TTL:{REFRESH_INTERVAL}"));
    let mut event = |uid: String, start: i64, end: i64, summary: &str, fields: Vec<String>| {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape(&uid)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(&mut out, &format!("DTSTART:{}", utc(start)));
        line(&mut out, &format!("DTEND:{}", utc(end.max(start))));
        line(&mut out, &format!("SUMMARY:{}", escape(summary)));
        for f in fields {
            line(&mut out, &f);
        }
        line(&mut out, "END:VEVENT");
    };
    // A course the user hid from their timetable is left out of their calendar too.
    let hidden = |subject: &str| data.me.as_ref().is_some_and(|m| m.hides(subject));
    for t in &data.timetables {
        for (id, s) in t.sessions.iter().filter(|(_, s)| !hidden(&s.subject)) {
            let mut fields = Vec::new();
            if !s.rooms.is_empty() {
                fields.push(format!("LOCATION:{}", escape(&s.rooms.join(", "))));
            }
            let mut description: Vec<String> = s.teachers.clone();
            description.extend(s.note.clone());
            if !description.is_empty() {
                fields.push(format!("DESCRIPTION:{}", escape(&description.join("\n"))));
            }
            fields.push(format!("CATEGORIES:{}", kind_code(s.kind)));
            // A session only gone from its feed is tentative, and says so in its title.
            let (status, summary) = match s.status {
                _ if s.probably_cancelled() => {
                    ("TENTATIVE", format!("{} (probablement annulé)", s.subject))
                }
                SessionStatus::Cancelled => ("CANCELLED", s.subject.clone()),
                _ => ("CONFIRMED", s.subject.clone()),
            };
            fields.push(format!("STATUS:{status}"));
            let uid = format!("session.{}.{id}@{host}", t.group);
            event(uid, s.start_ms, s.end_ms, &summary, fields);
        }
    }
    for h in &data.homework {
        for (id, a) in &h.assignments {
            let mut fields =
                vec!["CATEGORIES:HOMEWORK".to_owned(), "TRANSP:TRANSPARENT".to_owned()];
            if !a.text.trim().is_empty() {
                fields.push(format!("DESCRIPTION:{}", escape(&a.text)));
            }
            let uid = format!("homework.{}.{id}@{host}", h.group);
            event(uid, a.due_ms, a.due_ms, &format!("{} – {}", a.subject, a.title), fields);
        }
    }
    if let Some(me) = &data.me {
        for (id, e) in &me.events {
            let mut fields = vec!["CATEGORIES:PERSONAL".to_owned()];
            if let Some(note) = e.note.as_deref().filter(|n| !n.trim().is_empty()) {
                fields.push(format!("DESCRIPTION:{}", escape(note)));
            }
            event(format!("personal.{id}@{host}"), e.start_ms, e.end_ms, &e.title, fields);
        }
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_folded_on_character_boundaries() {
        assert_eq!(
            escape("Amphi A, B012; bâtiment\\2\nétage"),
            "Amphi A\\, B012\\; bâtiment\\\\2\\nétage"
        );
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(80));
        line(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn the_export_parses_back_to_the_same_sessions() {
        use cartable_shared::timetable::Session;
        let mut t = Timetable::new("l2-a");
        for (id, status, rooms) in [
            ("s1", SessionStatus::Scheduled, vec!["Amphi A".to_owned(), "B012".to_owned()]),
            ("s2", SessionStatus::Cancelled, vec!["C204".to_owned()]),
        ] {
            t.sessions.insert(
                id.into(),
                Session {
                    start_ms: 1_796_000_000_000,
                    end_ms: 1_796_007_200_000,
                    zone: "Europe/Paris".into(),
                    subject: "Algorithmique, structures de données".into(),
                    kind: SessionKind::Td,
                    rooms,
                    teachers: vec!["Marc Durand".into()],
                    status,
                    probably: false,
                    previous: None,
                    note: Some("Apporter; un ordinateur".into()),
                    source: "manual".into(),
                },
            );
        }
        let data =
            ExportData { name: "Léa".into(), timetables: vec![t.clone()], ..Default::default() };
        let text = render(&data, "cartable.example", 1_795_000_000_000);
        assert!(text.contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
        let parsed = super::super::parse::parse(&text, 1_795_000_000_000).unwrap();
        assert_eq!(parsed.len(), 2);
        for (id, s) in &t.sessions {
            let p = &parsed[&format!("session.l2-a.{id}@cartable.example")];
            assert_eq!((p.start_ms, p.end_ms), (s.start_ms, s.end_ms));
            assert_eq!(p.rooms, s.rooms);
            assert_eq!(p.subject, s.subject);
            assert_eq!(p.kind, s.kind);
            assert_eq!(p.cancelled, s.status == SessionStatus::Cancelled);
        }

        // Hiding the course in the app takes its sessions out of the calendar; the personal
        // events stay.
        let mut me = MyLayer {
            hidden_courses: vec![t.sessions["s1"].subject.clone()],
            ..Default::default()
        };
        me.events.insert(
            "e1".into(),
            cartable_shared::me::PersonalEvent {
                title: "Dentiste".into(),
                start_ms: 1_796_000_000_000,
                end_ms: 1_796_003_600_000,
                zone: "Europe/Paris".into(),
                note: None,
            },
        );
        let hidden = ExportData { me: Some(me), ..data };
        let text = render(&hidden, "cartable.example", 1_795_000_000_000);
        let parsed = super::super::parse::parse(&text, 1_795_000_000_000).unwrap();
        let uids: Vec<&String> = parsed.keys().collect();
        assert_eq!(uids, ["personal.e1@cartable.example"], "{text}");
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), ha);
    }
}
