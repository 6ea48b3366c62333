use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/ics/", $name))
    };
}

/// 2026-11-23T00:00:00Z, a Monday, before every session of the fixtures.
const NOW: i64 = 1_795_392_000_000;

fn ms(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis()
}

#[test]
fn ade_export_with_vtimezone_folded_lines_and_escaped_commas() {
    let s = parse(fixture!("ade_vtimezone.ics"), NOW).unwrap();
    assert_eq!(s.len(), 2);
    let algo = &s["ADE60323032362d323032372d31323334352d302d30"];
    assert_eq!(algo.start_ms, ms("2026-11-30T07:15:00Z"), "08:15 in Paris (CET)");
    assert_eq!(algo.end_ms, ms("2026-11-30T09:15:00Z"));
    assert_eq!(algo.zone, "Europe/Paris");
    assert_eq!(algo.subject, "Algorithmique, structures de données");
    assert_eq!(algo.kind, SessionKind::Cm);
    assert_eq!(algo.rooms, ["Amphi A", "B012"]);
    let note = algo.note.as_deref().unwrap();
    assert!(
        note.contains("mathématiques et informatique, salle à confirmer"),
        "folded line joined: {note:?}"
    );
    assert!(!note.contains("Exporté"), "export stamp dropped: {note:?}");
    let tp = &s["ADE60323032362d323032372d31323334362d302d30"];
    assert_eq!(tp.kind, SessionKind::Tp);
    assert_eq!(tp.subject, "Réseaux");
    assert_eq!(tp.start_ms, ms("2026-12-01T13:00:00Z"));
}

#[test]
fn paris_zone_without_vtimezone_follows_summer_time() {
    let s = parse(fixture!("paris_without_vtimezone.ics"), NOW).unwrap();
    let exam = &s["hp-2027-06-07-0900-maths@univ.example"];
    assert_eq!(exam.start_ms, ms("2027-06-07T07:00:00Z"), "09:00 in Paris (CEST)");
    assert_eq!(exam.kind, SessionKind::Exam);
    assert_eq!(exam.subject, "Mathématiques discrètes");
    assert_eq!(exam.teachers, ["Martin, Sophie"]);
    let english = &s["hp-2026-12-02-1030-anglais@univ.example"];
    assert_eq!(english.start_ms, ms("2026-12-02T09:30:00Z"), "10:30 in Paris (CET)");
    assert_eq!(english.kind, SessionKind::Td);
}

#[test]
fn utc_only_feed_keeps_instants_and_reads_duration_and_cancellation() {
    let s = parse(fixture!("utc_only.ics"), NOW).unwrap();
    let cm = &s["edt-4512"];
    assert_eq!(cm.start_ms, ms("2026-12-03T07:30:00Z"));
    assert_eq!(cm.zone, DEFAULT_ZONE, "a UTC-only feed gets the institution's zone");
    assert_eq!(cm.note, None, "only the update stamp was in the description");
    assert!(!cm.cancelled);
    let td = &s["edt-4513"];
    assert_eq!(td.end_ms - td.start_ms, 90 * 60_000);
    assert!(td.cancelled);
}

#[test]
fn windows_zone_names_resolve_with_and_without_vtimezone() {
    let s = parse(fixture!("windows_zone.ics"), NOW).unwrap();
    let projet = &s["040000008200E00074C5B7101A82E00800000000"];
    assert_eq!(projet.start_ms, ms("2026-12-01T13:00:00Z"), "Romance Standard Time = Paris");
    assert_eq!(projet.zone, "Europe/Paris");
    let soutenance = &s["040000008200E00074C5B7101A82E00800000001"];
    assert_eq!(soutenance.start_ms, ms("2026-12-02T07:00:00Z"), "W. Europe = UTC+1 in winter");
}

#[test]
fn recurrence_with_exdate_and_overrides() {
    let s = parse(fixture!("recurring.ics"), NOW).unwrap();
    let uid = "weekly-algo@univ.example";
    let key = |start: &str| format!("{uid}@{}", ms(start));
    // Six Mondays from 23 November (08:15 Paris = 07:15Z); 7 December is excluded.
    assert!(s.contains_key(&key("2026-11-23T07:15:00Z")));
    assert!(s.contains_key(&key("2026-11-30T07:15:00Z")));
    assert!(!s.contains_key(&key("2026-12-07T07:15:00Z")), "EXDATE");
    // The 14 December occurrence is moved to Tuesday afternoon in another room, and keeps
    // its identity (its original start).
    let moved = &s[&key("2026-12-14T07:15:00Z")];
    assert_eq!(moved.start_ms, ms("2026-12-15T13:00:00Z"));
    assert_eq!(moved.rooms, ["Amphi C"]);
    assert!(s[&key("2026-12-21T07:15:00Z")].cancelled, "override with STATUS:CANCELLED");
    assert!(s.contains_key(&key("2026-12-28T07:15:00Z")));
    let algo: Vec<_> = s.keys().filter(|k| k.starts_with(uid)).collect();
    assert_eq!(algo.len(), 5, "{algo:?}");
    assert!(!s.keys().any(|k| k.starts_with("all-day")), "all-day events are not sessions");
}

#[test]
fn what_is_not_a_calendar_is_refused() {
    assert_eq!(parse(fixture!("broken.ics"), NOW), Err(ParseError::NotICalendar));
    assert_eq!(parse("", NOW), Err(ParseError::NotICalendar));
    let empty = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
    assert_eq!(parse(empty, NOW), Err(ParseError::NoEvents));
}

#[test]
fn a_long_running_daily_rule_still_reaches_today() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:daily@x\r\n\
               DTSTART:20150105T080000Z\r\nDTEND:20150105T090000Z\r\n\
               RRULE:FREQ=DAILY\r\nSUMMARY:Permanence\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let s = parse(ics, NOW).unwrap();
    let key = format!("daily@x@{}", ms("2026-11-23T08:00:00Z"));
    assert!(
        s.contains_key(&key),
        "{} sessions, e.g. {:?}",
        s.len(),
        s.keys().take(3).collect::<Vec<_>>()
    );
}

#[test]
fn old_sessions_are_left_out() {
    let later = ms("2027-01-10T00:00:00Z");
    let s = parse(fixture!("recurring.ics"), later).unwrap();
    assert!(s.is_empty(), "{s:?}");
}

#[test]
fn kind_is_read_from_a_word_of_the_summary_or_a_category() {
    let k = |s: &str| kind_and_subject(s, &[]);
    assert_eq!(k("TD - Anglais"), (SessionKind::Td, "Anglais".into()));
    assert_eq!(k("Partiel: Analyse"), (SessionKind::Exam, "Analyse".into()));
    assert_eq!(k("Tdah et société"), (SessionKind::Cm, "Tdah et société".into()));
    assert_eq!(kind_and_subject("Anglais", &["TP".into()]), (SessionKind::Tp, "Anglais".into()));
}

#[test]
fn oversized_fields_are_cut_and_duplicate_uids_kept_apart() {
    let long = "é".repeat(5_000);
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
         BEGIN:VEVENT\r\nUID:dup\r\nDTSTART:20261201T080000Z\r\nDTEND:20261201T090000Z\r\n\
         SUMMARY:{long}\r\nDESCRIPTION:{long}\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:dup\r\nDTSTART:20261202T080000Z\r\nDTEND:20261202T090000Z\r\n\
         SUMMARY:Anglais\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let s = parse(&ics, NOW).unwrap();
    assert_eq!(s.len(), 2, "{:?}", s.keys().collect::<Vec<_>>());
    let first = s.values().find(|x| x.start_ms == ms("2026-12-01T08:00:00Z")).unwrap();
    assert_eq!(first.subject.chars().count(), 200);
    assert_eq!(first.note.as_ref().unwrap().chars().count(), 2_000);
    assert!(s.values().any(|x| x.subject == "Anglais"));
}
