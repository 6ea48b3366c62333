//! From an iCalendar file (RFC 5545) to the sessions it describes, with `calcard` (the parser
//! of the Stalwart server): line unfolding, escapes, `VTIMEZONE`, Windows and Outlook zone names,
//! `RRULE` / `RDATE` / `EXDATE` expansion and `RECURRENCE-ID` overrides.
//!
//! What real exports add on every fetch is left out, so that an unchanged timetable parses to
//! the same sessions: `DTSTAMP`, `LAST-MODIFIED`, `SEQUENCE`, `CREATED` are never read, and the
//! "exported on" lines of descriptions (ADE's `(Exporté le:…)`) are dropped.

use std::collections::BTreeMap;
use std::str::FromStr;

use calcard::common::timezone::Tz;
use calcard::icalendar::dates::TimeOrDelta;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarParameterName,
    ICalendarProperty, ICalendarStatus, ICalendarValue,
};
use calcard::{Entry, Parser};
use cartable_shared::timetable::SessionKind;
use chrono::DateTime;
use serde::{Deserialize, Serialize};

/// The zone of sessions whose feed names none (floating times, UTC-only feeds).
pub const DEFAULT_ZONE: &str = "Europe/Paris";
/// Occurrences of one recurring event expanded at most, counted from its first (a daily event
/// for about 27 years).
const MAX_OCCURRENCES: usize = 10_000;
/// Occurrences expanded at most for a whole feed.
const MAX_EXPANDED: usize = 200_000;
/// Sessions one feed may hold.
pub const MAX_SESSIONS: usize = 20_000;
/// Sessions that ended more than this before now are not imported.
const PAST_MS: i64 = 7 * 86_400_000;
/// Occurrences of recurring events are expanded up to this far ahead.
const AHEAD_MS: i64 = 400 * 86_400_000;

/// One session as the feed describes it. Its `key` is its stable identity in the feed:
/// `UID`, plus the occurrence's original start (`RECURRENCE-ID`) for recurring events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedSession {
    /// `UID` or `UID@<original start ms>`.
    pub key: String,
    /// Start, UTC milliseconds.
    pub start_ms: i64,
    /// End, UTC milliseconds.
    pub end_ms: i64,
    /// IANA zone.
    pub zone: String,
    /// Subject (the summary without the kind).
    pub subject: String,
    /// Lecture, tutorial, lab or exam.
    pub kind: SessionKind,
    /// Rooms (`LOCATION`, split on commas).
    pub rooms: Vec<String>,
    /// Teachers (`ATTENDEE` / `ORGANIZER` common names).
    pub teachers: Vec<String>,
    /// The description without export noise.
    pub note: Option<String>,
    /// `STATUS:CANCELLED`.
    pub cancelled: bool,
}

/// Why a file is not a usable feed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not an iCalendar file at all (an HTML error page, a login form…).
    #[error("not an iCalendar file")]
    NotICalendar,
    /// More sessions than [`MAX_SESSIONS`] (or recurrences to expand than the budget).
    #[error("the feed holds more than {MAX_SESSIONS} sessions")]
    TooManySessions,
    /// A calendar without any event (past or future).
    #[error("the feed holds no sessions")]
    NoEvents,
}

/// The sessions of `text` that end after `now_ms - 7 days`, by key. Recurring events are
/// expanded up to 400 days ahead; all-day events (holidays) are not sessions and are skipped.
pub fn parse(text: &str, now_ms: i64) -> Result<BTreeMap<String, FeedSession>, ParseError> {
    let calendar = match Parser::new(text).entry() {
        Entry::ICalendar(cal)
            if cal
                .components
                .first()
                .is_some_and(|c| c.component_type == ICalendarComponentType::VCalendar) =>
        {
            cal
        }
        _ => return Err(ParseError::NotICalendar),
    };
    let zone = calendar_zone(&calendar);
    let mut out = BTreeMap::new();
    // Each UID is expanded on its own (with the calendar's time zones), so that one endless
    // rule cannot use up the expansion budget of the others.
    let mut by_uid: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in calendar.components.iter().enumerate() {
        if c.component_type == ICalendarComponentType::VEvent
            && let Some(uid) = c.uid()
        {
            by_uid.entry(uid).or_default().push(i);
        }
    }
    if by_uid.is_empty() {
        return Err(ParseError::NoEvents);
    }
    let zones: Vec<&ICalendarComponent> = calendar.timezones().collect();
    let mut budget = MAX_EXPANDED;
    for (uid, members) in by_uid {
        let mut part = ICalendar { components: Vec::with_capacity(members.len() + zones.len()) };
        part.components.extend(zones.iter().map(|z| (*z).clone()));
        let first_event = part.components.len();
        part.components.extend(members.iter().map(|&i| calendar.components[i].clone()));
        // calcard places the occurrences of a recurring event whose DTSTART is in UTC (no
        // TZID) in the default zone; RFC 5545 keeps them at the same UTC time, so such an event
        // is expanded with UTC (its offset) as the default.
        let default = utc_start(&part.components[first_event..]).unwrap_or(Tz::Tz(zone));
        let resolver = part.build_tz_resolver().with_default(default);
        if budget == 0 {
            return Err(ParseError::TooManySessions);
        }
        let expanded = part.expand_dates(default, MAX_OCCURRENCES.min(budget));
        budget = budget.saturating_sub(expanded.events.len());
        for ev in expanded.events {
            let Some(comp) = part.components.get(ev.comp_id as usize) else { continue };
            if (ev.comp_id as usize) < first_event || !has_time(comp) {
                continue;
            }
            let start_ms = ev.start.timestamp_millis();
            let end_ms = match ev.end {
                TimeOrDelta::Time(t) => t.timestamp_millis(),
                TimeOrDelta::Delta(d) => start_ms + d.num_milliseconds(),
            };
            if end_ms < now_ms - PAST_MS || start_ms > now_ms + AHEAD_MS && comp.is_recurrent() {
                continue;
            }
            let key = match recurrence_id(comp, &resolver) {
                Some(rid) => format!("{uid}@{rid}"),
                None if comp.is_recurrent() || has_rdate(comp) => format!("{uid}@{start_ms}"),
                None => uid.to_owned(),
            };
            // Two events under one UID and no RECURRENCE-ID (broken exporters): the later one
            // is told apart by its start rather than replacing the first.
            let key = if out.contains_key(&key) { format!("{key}#{start_ms}") } else { key };
            let session =
                session_of(comp, key.clone(), start_ms, end_ms.max(start_ms), &ev.start, zone);
            out.insert(key, session);
            if out.len() > MAX_SESSIONS {
                return Err(ParseError::TooManySessions);
            }
        }
    }
    Ok(out)
}

/// The calendar's zone: `X-WR-TIMEZONE` if it names a known zone, else [`DEFAULT_ZONE`].
fn calendar_zone(cal: &ICalendar) -> chrono_tz::Tz {
    let named = cal.components.first().and_then(|c| {
        c.entries.iter().find_map(|e| match &e.name {
            ICalendarProperty::Other(n) if n.eq_ignore_ascii_case("X-WR-TIMEZONE") => {
                e.values.first().and_then(|v| v.as_text())
            }
            _ => None,
        })
    });
    named
        .and_then(|n| chrono_tz::Tz::from_str(n.trim()).ok())
        .unwrap_or(chrono_tz::Tz::Europe__Paris)
}

fn has_time(comp: &ICalendarComponent) -> bool {
    let start = comp
        .property(&ICalendarProperty::Dtstart)
        .or_else(|| comp.property(&ICalendarProperty::RecurrenceId));
    start
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_partial_date_time())
        .is_some_and(|dt| dt.has_time())
}

/// The fixed offset of the recurring event's DTSTART, if it is written in UTC (`…Z`) with no
/// TZID.
fn utc_start(events: &[ICalendarComponent]) -> Option<Tz> {
    let master = events.iter().find(|c| c.is_recurrent())?;
    let entry = master.property(&ICalendarProperty::Dtstart)?;
    if entry.tz_id().is_some() {
        return None;
    }
    let dt = entry.values.first()?.as_partial_date_time()?.to_date_time()?;
    dt.offset.map(Tz::Fixed)
}

fn has_rdate(comp: &ICalendarComponent) -> bool {
    comp.has_property(&ICalendarProperty::Rdate)
}

/// The original start (UTC ms) of the occurrence an override replaces.
fn recurrence_id(
    comp: &ICalendarComponent,
    resolver: &calcard::icalendar::timezone::TzResolver<&str>,
) -> Option<i64> {
    let entry = comp.property(&ICalendarProperty::RecurrenceId)?;
    let dt = entry.values.first()?.as_partial_date_time()?;
    let tz = resolver.resolve_or_default(entry.tz_id());
    Some(dt.to_date_time_with_tz(tz)?.timestamp_millis())
}

/// The text values of a property, joined (a parser may split a value on unescaped commas).
fn text(comp: &ICalendarComponent, prop: &ICalendarProperty) -> Option<String> {
    let entry = comp.property(prop)?;
    let parts: Vec<&str> = entry.values.iter().filter_map(|v| v.as_text()).collect();
    let joined = parts.join(",");
    let trimmed = joined.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn session_of(
    comp: &ICalendarComponent,
    key: String,
    start_ms: i64,
    end_ms: i64,
    start: &DateTime<Tz>,
    default_zone: chrono_tz::Tz,
) -> FeedSession {
    let zone = match start.timezone() {
        Tz::Tz(tz) if tz != chrono_tz::Tz::UTC && tz != chrono_tz::Tz::Etc__UTC => tz,
        _ => default_zone,
    };
    let summary = text(comp, &ICalendarProperty::Summary).unwrap_or_default();
    let categories: Vec<String> = comp
        .properties(&ICalendarProperty::Categories)
        .flat_map(|e| e.values.iter().filter_map(|v| v.as_text().map(str::to_owned)))
        .collect();
    let (kind, subject) = kind_and_subject(&summary, &categories);
    let rooms = text(comp, &ICalendarProperty::Location)
        .map(|l| {
            l.split([',', ';']).map(str::trim).filter(|r| !r.is_empty()).map(String::from).collect()
        })
        .unwrap_or_default();
    let mut teachers: Vec<String> = Vec::new();
    for e in comp
        .properties(&ICalendarProperty::Organizer)
        .chain(comp.properties(&ICalendarProperty::Attendee))
    {
        if let Some(cn) = e.parameter(&ICalendarParameterName::Cn).and_then(|v| v.as_text()) {
            let cn = cn.trim().to_owned();
            if !cn.is_empty() && !teachers.contains(&cn) {
                teachers.push(cn);
            }
        }
    }
    let note = text(comp, &ICalendarProperty::Description).and_then(|d| clean_description(&d));
    let cancelled = matches!(comp.status(), Some(ICalendarStatus::Cancelled))
        || comp.entries.iter().any(|e| {
            e.name == ICalendarProperty::Status
                && matches!(e.values.first(), Some(ICalendarValue::Text(t)) if t.eq_ignore_ascii_case("CANCELLED"))
        });
    let short = |v: Vec<String>| -> Vec<String> {
        v.into_iter().take(MAX_NAMES).map(|x| cut(&x, MAX_NAME)).collect()
    };
    FeedSession {
        key,
        start_ms,
        end_ms,
        zone: zone.name().to_owned(),
        subject: cut(&subject, MAX_NAME),
        kind,
        rooms: short(rooms),
        teachers: short(teachers),
        note: note.map(|n| cut(&n, MAX_NOTE)),
        cancelled,
    }
}

/// Longest subject, room or teacher name kept, in characters.
const MAX_NAME: usize = 200;
/// Rooms or teachers kept per session.
const MAX_NAMES: usize = 20;
/// Longest description kept, in characters.
const MAX_NOTE: usize = 2_000;

/// `text` cut to `max` characters (a feed's strings go into every device's timetable).
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => text[..i].to_owned(),
        None => text.to_owned(),
    }
}

/// The kind named by a word of the summary or a category, and the summary without it.
pub fn kind_and_subject(summary: &str, categories: &[String]) -> (SessionKind, String) {
    let kind_of = |w: &str| match w.to_lowercase().as_str() {
        "cm" | "cours" | "amphi" => Some(SessionKind::Cm),
        "td" => Some(SessionKind::Td),
        "tp" => Some(SessionKind::Tp),
        "exam" | "examen" | "partiel" | "ds" | "contrôle" | "controle" => Some(SessionKind::Exam),
        _ => None,
    };
    let is_sep = |w: &str| !w.is_empty() && w.chars().all(|c| "-–—:/|()[]".contains(c));
    let words: Vec<&str> = summary.split_whitespace().collect();
    let trim_punct = |w: &str| w.trim_matches(|c: char| "-–—:/|()[],".contains(c)).to_owned();
    let found = words.iter().position(|w| kind_of(&trim_punct(w)).is_some());
    let from_categories = categories.iter().find_map(|c| kind_of(c.trim()));
    let (kind, kept): (SessionKind, Vec<&str>) = match found {
        Some(i) => (
            kind_of(&trim_punct(words[i])).unwrap_or(SessionKind::Cm),
            words.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, w)| *w).collect(),
        ),
        None => (from_categories.unwrap_or(SessionKind::Cm), words.clone()),
    };
    // Drop separators left at either end or doubled by the removal of the kind.
    let mut out: Vec<&str> = Vec::new();
    for w in kept {
        if is_sep(w) && out.last().is_none_or(|l| is_sep(l)) {
            continue;
        }
        out.push(w);
    }
    while out.last().is_some_and(|l| is_sep(l)) {
        out.pop();
    }
    let subject = out.join(" ");
    (kind, if subject.is_empty() { summary.trim().to_owned() } else { subject })
}

/// A description without the lines that change on every export ("Exporté le …", "Exported
/// on …", "Mis à jour le …", "Généré le …"), trimmed; `None` if nothing is left.
pub fn clean_description(text: &str) -> Option<String> {
    const NOISE: &[&str] = &[
        "exporté le",
        "exporte le",
        "exported on",
        "exported:",
        "mis à jour le",
        "généré le",
        "generated on",
        "updated on",
    ];
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| {
            let lower = l.to_lowercase();
            !NOISE.iter().any(|n| lower.contains(n))
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

#[cfg(test)]
mod tests;
