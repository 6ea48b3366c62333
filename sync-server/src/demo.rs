//! The demo institution that `--demo` puts into an empty database: one group of a French
//! university (« L2 Informatique — groupe A »), its students and teachers, an administrator,
//! and a full semester of timetable around the current date.
//!
//! Every seeded account is flagged `demo`: the fixed passwords below are refused by a server
//! that runs without `--demo`. Students and teachers other than those of [`ACCOUNTS`] have no
//! usable password at all (nobody can sign in as them).

use std::collections::BTreeMap;

use automerge::Automerge;
use cartable_shared::api::SessionChange;
use cartable_shared::ids::{DocId, GroupId, UserId};
use cartable_shared::roles::Role;
use cartable_shared::timetable::{Session, SessionKind, SessionStatus, Timetable};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Europe::Paris;

use crate::services::password::{self, NO_PASSWORD};
use crate::services::timetable::apply_change;
use crate::store::{NewUser, Store, StoreError, StoredChange};

/// A demo account whose password is printed at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAccount {
    /// Login.
    pub login: &'static str,
    /// Password (refused unless the server runs with `--demo`).
    pub password: &'static str,
    /// Role.
    pub role: Role,
    /// Name shown in the app.
    pub display_name: &'static str,
}

/// The demo accounts one can sign in with.
pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        login: "lea.martin",
        password: "etudiant-demo",
        role: Role::Student,
        display_name: "Léa Martin",
    },
    DemoAccount {
        login: "paul.durand",
        password: "enseignant-demo",
        role: Role::Teacher,
        display_name: "Paul Durand",
    },
    DemoAccount {
        login: "admin",
        password: "admin-demo",
        role: Role::Admin,
        display_name: "Administration Cartable",
    },
];

/// The demo group.
pub const GROUP: &str = "l2-info-a";
/// Its name.
pub const GROUP_NAME: &str = "L2 Informatique — groupe A";
/// The zone of the demo timetable.
pub const ZONE: &str = "Europe/Paris";

/// Teachers: login, name, subjects. The first is the demo account `paul.durand`.
const TEACHERS: &[(&str, &str, &[&str])] = &[
    ("paul.durand", "Paul Durand", &["Algorithmique", "Programmation fonctionnelle"]),
    ("sophie.bernard", "Sophie Bernard", &["Bases de données"]),
    ("julien.lefevre", "Julien Lefèvre", &["Réseaux"]),
    ("claire.moreau", "Claire Moreau", &["Mathématiques discrètes"]),
    ("sarah.thompson", "Sarah Thompson", &["Anglais"]),
];

/// Students of the group besides `lea.martin`: login and name.
const STUDENTS: &[(&str, &str)] = &[
    ("lucas.petit", "Lucas Petit"),
    ("emma.dubois", "Emma Dubois"),
    ("gabriel.robert", "Gabriel Robert"),
    ("chloe.richard", "Chloé Richard"),
    ("louis.simon", "Louis Simon"),
    ("jade.laurent", "Jade Laurent"),
    ("arthur.michel", "Arthur Michel"),
    ("manon.garcia", "Manon Garcia"),
    ("raphael.david", "Raphaël David"),
    ("camille.bertrand", "Camille Bertrand"),
    ("jules.roux", "Jules Roux"),
    ("ines.vincent", "Inès Vincent"),
    ("adam.fournier", "Adam Fournier"),
    ("sarah.morel", "Sarah Morel"),
    ("nathan.girard", "Nathan Girard"),
    ("zoe.andre", "Zoé André"),
    ("tom.mercier", "Tom Mercier"),
    ("lina.dupont", "Lina Dupont"),
    ("hugo.lambert", "Hugo Lambert"),
    ("clara.bonnet", "Clara Bonnet"),
    ("enzo.francois", "Enzo François"),
    ("alice.martinez", "Alice Martinez"),
    ("noah.legrand", "Noah Legrand"),
    ("juliette.garnier", "Juliette Garnier"),
    ("theo.faure", "Théo Faure"),
    ("louise.rousseau", "Louise Rousseau"),
    ("mael.blanc", "Maël Blanc"),
    ("ambre.guerin", "Ambre Guérin"),
    ("yanis.muller", "Yanis Muller"),
];

/// One weekly class: weekday (0 = Monday), start (hour, minute), length in minutes, subject,
/// short code for ids, kind, room, teacher.
struct Slot {
    day: i64,
    start: (u32, u32),
    minutes: i64,
    subject: &'static str,
    code: &'static str,
    kind: SessionKind,
    room: &'static str,
    teacher: &'static str,
}

#[allow(clippy::too_many_arguments)] // a table row, read positionally
const fn slot(
    day: i64,
    start: (u32, u32),
    minutes: i64,
    subject: &'static str,
    code: &'static str,
    kind: SessionKind,
    room: &'static str,
    teacher: &'static str,
) -> Slot {
    Slot { day, start, minutes, subject, code, kind, room, teacher }
}

const ALGO: &str = "Algorithmique";
const PF: &str = "Programmation fonctionnelle";
const BDD: &str = "Bases de données";
const NET: &str = "Réseaux";
const MATHS: &str = "Mathématiques discrètes";
const EN: &str = "Anglais";
use SessionKind::{Cm, Exam, Td, Tp};

const WEEK: &[Slot] = &[
    slot(0, (8, 30), 120, ALGO, "algo", Cm, "Amphi A", "Paul Durand"),
    slot(0, (10, 45), 120, MATHS, "maths", Td, "B012", "Claire Moreau"),
    slot(0, (14, 0), 180, PF, "pf", Tp, "Salle TP 3", "Paul Durand"),
    slot(1, (8, 30), 120, BDD, "bdd", Cm, "Amphi B", "Sophie Bernard"),
    slot(1, (10, 45), 120, ALGO, "algo", Td, "B014", "Paul Durand"),
    slot(1, (14, 0), 120, EN, "anglais", Td, "C203", "Sarah Thompson"),
    slot(2, (8, 30), 120, NET, "reseaux", Cm, "Amphi A", "Julien Lefèvre"),
    slot(2, (10, 45), 120, MATHS, "maths", Cm, "Amphi B", "Claire Moreau"),
    slot(3, (8, 30), 180, BDD, "bdd", Tp, "Salle TP 1", "Sophie Bernard"),
    slot(3, (13, 30), 120, PF, "pf", Cm, "Amphi A", "Paul Durand"),
    slot(3, (15, 45), 120, NET, "reseaux", Tp, "Salle TP 2", "Julien Lefèvre"),
    slot(4, (9, 0), 120, NET, "reseaux", Td, "B012", "Julien Lefèvre"),
    slot(4, (11, 15), 90, BDD, "bdd", Td, "B110", "Sophie Bernard"),
    slot(4, (14, 0), 120, PF, "pf", Td, "B014", "Paul Durand"),
];

/// Index in [`WEEK`] of the class cancelled this week (Wednesday's Réseaux lecture).
const CANCELLED_THIS_WEEK: usize = 6;
/// Index in [`WEEK`] of the class that changed rooms this week (Thursday's database lab).
const ROOM_CHANGED_THIS_WEEK: usize = 8;
/// Index in [`WEEK`] of next week's class moved to another time (Monday's maths tutorial).
const MOVED_NEXT_WEEK: usize = 1;
/// Weeks of the semester, relative to the current one.
const FIRST_WEEK: i64 = -10;
const LAST_WEEK: i64 = 10;
/// A week without classes (holidays), relative to the current one.
const HOLIDAY_WEEK: i64 = -5;

fn kind_code(kind: SessionKind) -> &'static str {
    match kind {
        Cm => "cm",
        Td => "td",
        Tp => "tp",
        Exam => "exam",
    }
}

/// UTC milliseconds of a local Paris time.
fn paris_ms(date: NaiveDate, (h, m): (u32, u32)) -> i64 {
    let local = date.and_hms_opt(h, m, 0).unwrap_or_default();
    Paris
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(|| local.and_utc().timestamp_millis())
}

fn session_id(code: &str, kind: SessionKind, date: NaiveDate, (h, m): (u32, u32)) -> String {
    format!("{code}-{}-{}-{h:02}{m:02}", kind_code(kind), date.format("%Y-%m-%d"))
}

fn make_session(date: NaiveDate, s: &Slot, note: Option<&str>) -> Session {
    let start_ms = paris_ms(date, s.start);
    Session {
        start_ms,
        end_ms: start_ms + s.minutes * 60_000,
        zone: ZONE.to_owned(),
        subject: s.subject.to_owned(),
        kind: s.kind,
        rooms: vec![s.room.to_owned()],
        teachers: vec![s.teacher.to_owned()],
        status: SessionStatus::Scheduled,
        previous: None,
        note: note.map(str::to_owned),
        source: "manual".to_owned(),
    }
}

/// The Monday of the week (Monday to Sunday) containing `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Today in Paris, for a UTC instant in milliseconds.
pub fn paris_date(now_ms: i64) -> NaiveDate {
    DateTime::from_timestamp_millis(now_ms).unwrap_or_default().with_timezone(&Paris).date_naive()
}

/// The changes made to the planned semester: (session id, change), in order.
pub fn planned_changes(today: NaiveDate) -> Vec<(String, SessionChange)> {
    let monday = monday_of(today);
    let this_week = |i: usize| {
        let s = &WEEK[i];
        session_id(s.code, s.kind, monday + Duration::days(s.day), s.start)
    };
    let moved = &WEEK[MOVED_NEXT_WEEK];
    let moved_date = monday + Duration::days(7 + moved.day);
    let new_date = monday + Duration::days(7 + 2);
    let new_start = paris_ms(new_date, (14, 0));
    vec![
        (
            this_week(CANCELLED_THIS_WEEK),
            SessionChange::Cancel { note: Some("Enseignant absent".into()) },
        ),
        (
            this_week(ROOM_CHANGED_THIS_WEEK),
            SessionChange::ChangeRoom {
                rooms: vec!["Salle TP 4".into()],
                note: Some("Salle TP 1 en maintenance".into()),
            },
        ),
        (
            session_id(moved.code, moved.kind, moved_date, moved.start),
            SessionChange::Move {
                start_ms: new_start,
                end_ms: new_start + moved.minutes * 60_000,
                note: Some("Séance déplacée au mercredi après-midi".into()),
            },
        ),
    ]
}

/// The semester as planned (before any change), from the Monday ten weeks before the current
/// week to the Sunday ten weeks after it.
pub fn planned_semester(today: NaiveDate) -> Timetable {
    let monday = monday_of(today);
    let mut sessions = BTreeMap::new();
    for week in FIRST_WEEK..=LAST_WEEK {
        if week == HOLIDAY_WEEK {
            continue;
        }
        let week_monday = monday + Duration::weeks(week);
        for s in WEEK {
            let date = week_monday + Duration::days(s.day);
            sessions.insert(session_id(s.code, s.kind, date, s.start), make_session(date, s, None));
        }
    }
    let exams = [
        (
            -3,
            slot(2, (14, 0), 120, MATHS, "maths", Exam, "Amphi B", "Claire Moreau"),
            "Partiel — calculatrice interdite",
        ),
        (
            9,
            slot(2, (14, 0), 180, ALGO, "algo", Exam, "Amphi A", "Paul Durand"),
            "Examen terminal — documents interdits",
        ),
    ];
    for (week, s, note) in &exams {
        let date = monday + Duration::weeks(*week) + Duration::days(s.day);
        sessions
            .insert(session_id(s.code, s.kind, date, s.start), make_session(date, s, Some(note)));
    }
    Timetable { sessions, ..Timetable::new(GROUP) }
}

/// The demo timetable as an Automerge document: the planned semester in one change, then the
/// changes of [`planned_changes`] in a second one.
pub fn timetable_document(today: NaiveDate) -> Result<Automerge, String> {
    let mut doc = Automerge::new();
    let mut t = planned_semester(today);
    cartable_shared::sync::write(&mut doc, &t).map_err(|e| e.to_string())?;
    for (id, change) in planned_changes(today) {
        let s = t.sessions.get_mut(&id).ok_or_else(|| format!("no session {id}"))?;
        apply_change(s, &change).map_err(|e| e.to_string())?;
    }
    cartable_shared::sync::write(&mut doc, &t).map_err(|e| e.to_string())?;
    Ok(doc)
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Building the demo data failed.
    #[error("demo data: {0}")]
    Data(String),
}

fn id<T: std::str::FromStr>(s: &str) -> Result<T, SeedError>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| SeedError::Data(format!("{s:?}: {e}")))
}

/// Fills an empty database with the demo institution. Does nothing if any account exists.
/// Returns whether it seeded.
pub async fn seed(store: &Store, now_ms: i64) -> Result<bool, SeedError> {
    if store.read(|dao| dao.user_count()).await? > 0 {
        return Ok(false);
    }
    // Hash the printed passwords in parallel on the blocking pool.
    let mut hashes = Vec::new();
    for account in ACCOUNTS {
        let pw = account.password;
        hashes.push(tokio::task::spawn_blocking(move || password::hash_password(pw)));
    }
    let mut fixed = BTreeMap::new();
    for (account, hash) in ACCOUNTS.iter().zip(hashes) {
        let hash = hash
            .await
            .map_err(|e| SeedError::Data(e.to_string()))?
            .map_err(|e| SeedError::Data(e.to_string()))?;
        fixed.insert(account.login, hash);
    }

    let today = paris_date(now_ms);
    let doc = tokio::task::spawn_blocking(move || timetable_document(today))
        .await
        .map_err(|e| SeedError::Data(e.to_string()))?
        .map_err(SeedError::Data)?;
    let changes: Vec<StoredChange> = doc
        .get_changes(&[])
        .iter()
        .map(|c| StoredChange { hash: c.hash().0, bytes: c.raw_bytes().to_vec() })
        .collect();

    let group: GroupId = id(GROUP)?;
    let doc_id = DocId::timetable(&group);
    let mut users: Vec<(UserId, &'static str, Role, String)> = Vec::new();
    let hash_of = |login: &str| fixed.get(login).cloned().unwrap_or_else(|| NO_PASSWORD.into());
    for a in ACCOUNTS {
        users.push((id(a.login)?, a.display_name, a.role, hash_of(a.login)));
    }
    for (login, name) in STUDENTS {
        users.push((id(login)?, name, Role::Student, hash_of(login)));
    }
    for (login, name, _) in TEACHERS {
        if !ACCOUNTS.iter().any(|a| a.login == *login) {
            users.push((id(login)?, name, Role::Teacher, hash_of(login)));
        }
    }
    let teachers: Vec<(UserId, Vec<String>)> = TEACHERS
        .iter()
        .map(|(login, _, subjects)| {
            Ok((id(login)?, subjects.iter().map(|s| (*s).to_owned()).collect()))
        })
        .collect::<Result<_, SeedError>>()?;

    store
        .write(move |dao| {
            dao.insert_group(&group, GROUP_NAME)?;
            for (user, name, role, hash) in &users {
                dao.insert_user(&NewUser {
                    id: user,
                    display_name: name,
                    role: *role,
                    password_hash: hash,
                    demo: true,
                    created_ms: now_ms,
                })?;
                if *role == Role::Student {
                    dao.add_membership(user, &group)?;
                }
            }
            for (teacher, subjects) in &teachers {
                dao.add_teaching(teacher, &group)?;
                for s in subjects {
                    dao.add_subject(teacher, s)?;
                }
            }
            dao.create_document(&doc_id, now_ms)?;
            dao.append_changes(&doc_id, &changes)?;
            Ok::<_, SeedError>(())
        })
        .await?;
    tracing::info!(group = GROUP, "demo institution created");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn this_week(t: &Timetable, today: NaiveDate) -> Vec<&Session> {
        let monday = monday_of(today);
        let from = paris_ms(monday, (0, 0));
        let to = paris_ms(monday + Duration::days(7), (0, 0));
        t.between(from, to).into_iter().map(|(_, s)| s).collect()
    }

    fn final_timetable(today: NaiveDate) -> Timetable {
        cartable_shared::sync::read(&timetable_document(today).unwrap()).unwrap().unwrap()
    }

    #[test]
    fn the_current_week_has_exactly_one_cancellation_and_one_room_change_any_day_of_the_week() {
        let start = NaiveDate::from_ymd_opt(2025, 3, 24).unwrap();
        for offset in 0..7 {
            let today = start + Duration::days(offset);
            let t = final_timetable(today);
            let week = this_week(&t, today);
            assert_eq!(week.len(), WEEK.len(), "a full week of classes");
            let cancelled: Vec<_> =
                week.iter().filter(|s| s.status == SessionStatus::Cancelled).collect();
            assert_eq!(cancelled.len(), 1);
            assert_eq!(cancelled[0].note.as_deref(), Some("Enseignant absent"));
            assert!(cancelled[0].previous.is_some());
            let moved_rooms: Vec<_> = week.iter().filter(|s| s.room_changed()).collect();
            assert_eq!(moved_rooms.len(), 1);
            assert_eq!(moved_rooms[0].status, SessionStatus::Scheduled);
            assert_eq!(moved_rooms[0].rooms, vec!["Salle TP 4".to_string()]);
        }
    }

    #[test]
    fn the_semester_spans_ten_weeks_each_side_with_exams_and_paris_times() {
        let today = NaiveDate::from_ymd_opt(2025, 11, 26).unwrap();
        let t = final_timetable(today);
        assert_eq!(t.group, GROUP);
        // 20 teaching weeks (one is a holiday) and two exams.
        assert_eq!(t.sessions.len(), 20 * WEEK.len() + 2);
        assert_eq!(t.sessions.values().filter(|s| s.kind == SessionKind::Exam).count(), 2);
        let subjects: std::collections::BTreeSet<_> =
            t.sessions.values().map(|s| s.subject.as_str()).collect();
        assert_eq!(subjects.len(), 6);
        // Monday 24 November 2025, 08:30 in Paris is 07:30 UTC (winter time).
        let algo = &t.sessions["algo-cm-2025-11-24-0830"];
        assert_eq!(algo.start_ms, 1_763_969_400_000);
        assert_eq!(algo.rooms, vec!["Amphi A".to_string()]);
        assert_eq!(t.sessions.values().filter(|s| s.status == SessionStatus::Moved).count(), 1);
        assert!(t.sessions.values().all(|s| s.source == "manual" && s.zone == ZONE));
    }

    #[test]
    fn session_ids_are_stable_for_a_given_day() {
        let today = NaiveDate::from_ymd_opt(2025, 11, 26).unwrap();
        let a: Vec<String> = planned_semester(today).sessions.into_keys().collect();
        let b: Vec<String> = planned_semester(today).sessions.into_keys().collect();
        assert_eq!(a, b);
    }

    #[tokio::test]
    async fn seeding_fills_an_empty_database_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        assert!(seed(&store, 1_764_000_000_000).await.unwrap());
        assert!(!seed(&store, 1_764_000_000_000).await.unwrap());
        let (lea, row) = store
            .read_blocking(|dao| dao.principal(&"lea.martin".parse().unwrap()))
            .unwrap()
            .unwrap();
        assert_eq!(row.display_name, "Léa Martin");
        assert!(row.demo);
        assert_eq!(lea.groups, vec![GROUP.parse().unwrap()]);
        let count = store.read_blocking(|dao| dao.user_count()).unwrap();
        assert_eq!(count as usize, 1 + STUDENTS.len() + TEACHERS.len() + 1);
        let docs = store.read_blocking(|dao| dao.document_ids()).unwrap();
        assert_eq!(docs, vec![DocId::timetable(&GROUP.parse().unwrap())]);
        let subjects =
            store.read_blocking(|dao| dao.subjects(&"paul.durand".parse().unwrap())).unwrap();
        assert_eq!(
            subjects,
            vec!["Algorithmique".to_string(), "Programmation fonctionnelle".into()]
        );
    }
}
