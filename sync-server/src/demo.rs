//! The demo institution that `--demo` puts into an empty database: one group of a French
//! university (« L2 Informatique — groupe A »), its students and teachers, a parent, the
//! school-life office, an administrator, a full semester of timetable around the current date,
//! and a document of every other kind: homework, grades of every student, the course library,
//! announcements, and a conversation between a student and a teacher.
//!
//! Every seeded account is flagged `demo`: the fixed passwords below are refused by a server
//! that runs without `--demo`. Students and teachers other than those of [`ACCOUNTS`] have no
//! usable password at all (nobody can sign in as them).

mod files;

use std::collections::BTreeMap;

use automerge::Automerge;
use cartable_shared::announcements::{ANNOUNCEMENTS_SCHEMA, Announcement, Announcements, Severity};
use cartable_shared::api::SessionChange;
use cartable_shared::gradebook::{Gradebook, GradebookAssessment, Score};
use cartable_shared::grades::{Assessment, GRADES_SCHEMA, Grades};
use cartable_shared::homework::{Assignment, BlobRef, HOMEWORK_SCHEMA, Homework};
use cartable_shared::ids::{DocId, DocKind, GroupId, UserId};
use cartable_shared::library::{LIBRARY_SCHEMA, Library, LibraryItem};
use cartable_shared::roles::{ANNOUNCEMENTS_EVERYONE, Role};
use cartable_shared::thread::{THREAD_SCHEMA, Thread, ThreadMessage};
use cartable_shared::timetable::{Session, SessionKind, SessionStatus, Timetable};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Europe::Paris;

use crate::services::password::{self, NO_PASSWORD};
use crate::store::blobs::Blobs;
use crate::store::{FileRow, NewUser, Store, StoreError, StoredChange};
use cartable_shared::edits::apply_session_change;

pub use files::DemoFile;

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
        login: "parent.martin",
        password: "parent-demo",
        role: Role::Guardian,
        display_name: "Nathalie Martin",
    },
    DemoAccount {
        login: "vie.scolaire",
        password: "scolarite-demo",
        role: Role::Staff,
        display_name: "Vie scolaire",
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
        probably: false,
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
        apply_session_change(s, &change).map_err(|e| e.to_string())?;
    }
    cartable_shared::sync::write(&mut doc, &t).map_err(|e| e.to_string())?;
    Ok(doc)
}

/// The guardian of `lea.martin`.
pub const GUARDIAN: (&str, &str) = ("parent.martin", "lea.martin");
/// The demo conversation: its id and participants.
pub const THREAD: &str = "lea-paul-projet";
/// Participants of [`THREAD`].
pub const THREAD_PARTICIPANTS: [&str; 2] = ["lea.martin", "paul.durand"];

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The attachment `name` of an assignment titled `title` (a real file, see [`demo_files`]).
fn blob(name: &str, title: &str) -> BlobRef {
    let f = DemoFile::new(name, name, title);
    BlobRef { sha256: f.sha256(), name: f.name, size: f.bytes.len() as u64, mime: f.mime.into() }
}

/// The file of the library entry `id` titled `title` (a PNG for a `schéma`).
fn library_file(id: &str, title: &str, subject: &str, kind: &str) -> DemoFile {
    let ext = if kind == "schéma" { "png" } else { "pdf" };
    DemoFile::new(&format!("{id}.{ext}"), title, subject)
}

/// Every file the demo library and homework reference, with who uploaded it.
pub fn demo_files(today: NaiveDate) -> Vec<(DemoFile, String)> {
    let mut out = Vec::new();
    for (id, i) in library(today).items {
        out.push((library_file(&id, &i.title, &i.subject, &i.kind), i.author));
    }
    for (_, a) in homework(today).assignments {
        for b in &a.attachments {
            out.push((DemoFile::new(&b.name, &b.name, &a.title), a.author.clone()));
        }
    }
    out
}

/// The group's homework: some due this week, some later, one past.
pub fn homework(today: NaiveDate) -> Homework {
    let monday = monday_of(today);
    let at = |days: i64, hm: (u32, u32)| paris_ms(monday + Duration::days(days), hm);
    let mut h = Homework { schema: HOMEWORK_SCHEMA, group: GROUP.into(), ..Homework::default() };
    let mut add = |id: &str,
                   subject: &str,
                   title: &str,
                   text: &str,
                   set: i64,
                   due: i64,
                   attachments: Vec<BlobRef>,
                   hand_in: bool,
                   author: &str| {
        h.assignments.insert(
            id.into(),
            Assignment {
                subject: subject.into(),
                title: title.into(),
                text: text.into(),
                set_on_ms: set,
                due_ms: due,
                attachments,
                hand_in,
                author: author.into(),
            },
        );
    };
    add(
        "algo-tri-fusion",
        ALGO,
        "TD 7 — tri fusion",
        "Implémenter le tri fusion et mesurer sa complexité sur des tableaux de 10⁶ entiers.",
        at(-4, (10, 45)),
        at(1, (10, 45)),
        vec![blob("td7-tri-fusion.pdf", "TD 7 — tri fusion")],
        true,
        "paul.durand",
    );
    add(
        "bdd-normalisation",
        BDD,
        "Normalisation jusqu'en 3FN",
        "Exercices 1 à 4 de la feuille 5 : décomposer les relations et justifier chaque étape.",
        at(-3, (8, 30)),
        at(3, (8, 30)),
        vec![blob("feuille5-normalisation.pdf", "Normalisation jusqu'en 3FN")],
        false,
        "sophie.bernard",
    );
    add(
        "anglais-oral",
        EN,
        "Oral presentation: open source",
        "Prepare a five-minute talk on an open-source project you use.",
        at(-6, (14, 0)),
        at(8, (14, 0)),
        vec![],
        false,
        "sarah.thompson",
    );
    add(
        "reseaux-tp-wireshark",
        NET,
        "Compte rendu TP Wireshark",
        "Rendre le compte rendu du TP de capture (handshake TCP, requêtes DNS).",
        at(-2, (15, 45)),
        at(4, (23, 59)),
        vec![
            blob("tp-wireshark-consignes.pdf", "Compte rendu TP Wireshark"),
            blob("capture-exemple.png", "Compte rendu TP Wireshark"),
        ],
        true,
        "julien.lefevre",
    );
    add(
        "pf-ocaml-listes",
        PF,
        "Fonctions sur les listes en OCaml",
        "Écrire map, filter et fold_left sans utiliser le module List.",
        at(-1, (14, 0)),
        at(10, (14, 0)),
        vec![blob("squelette-listes.pdf", "Fonctions sur les listes en OCaml")],
        true,
        "paul.durand",
    );
    add(
        "maths-graphes",
        MATHS,
        "Feuille 6 — graphes",
        "Exercices 2, 5 et 7 : parcours, arbres couvrants.",
        at(-11, (10, 45)),
        at(-4, (10, 45)),
        vec![],
        false,
        "claire.moreau",
    );
    h
}

/// Grades of one student: two or three assessments in several subjects, all published.
pub fn grades(student: &str, index: usize, today: NaiveDate) -> Grades {
    let monday = monday_of(today);
    let mut g = Grades { schema: GRADES_SCHEMA, student: student.into(), ..Grades::default() };
    let assessments: [(&str, &str, &str, i64, f64, f64, &str); 7] = [
        ("algo-partiel", ALGO, "Partiel d'algorithmique", -21, 20.0, 2.0, "paul.durand"),
        ("algo-tp2", ALGO, "TP 2 — piles et files", -35, 20.0, 1.0, "paul.durand"),
        ("bdd-cc1", BDD, "Contrôle continu 1 — SQL", -28, 20.0, 1.0, "sophie.bernard"),
        ("reseaux-qcm", NET, "QCM couches OSI", -14, 10.0, 0.5, "julien.lefevre"),
        (
            "maths-partiel",
            MATHS,
            "Partiel de mathématiques discrètes",
            -21,
            20.0,
            2.0,
            "claire.moreau",
        ),
        ("anglais-ecrit", EN, "Written test: tenses", -10, 20.0, 1.0, "sarah.thompson"),
        ("pf-projet", PF, "Projet OCaml — étape 1", -7, 20.0, 1.5, "paul.durand"),
    ];
    for (n, (id, subject, title, days, out_of, coefficient, author)) in
        assessments.iter().enumerate()
    {
        // A spread of plausible scores, different per student and per assessment.
        let raw = ((index * 7 + n * 5) % 13) as f64 + 7.0;
        let score = (raw * out_of / 20.0 * 2.0).round() / 2.0;
        let date_ms = paris_ms(monday + Duration::days(*days), (9, 0));
        let comment = match n % 3 {
            0 => Some("Bon travail, raisonnement clair.".to_owned()),
            1 => Some("Des imprécisions ; revoir le cours.".to_owned()),
            _ => None,
        };
        g.assessments.insert(
            (*id).into(),
            Assessment {
                subject: (*subject).into(),
                title: (*title).into(),
                date_ms,
                score: if index % 11 == 3 && n == 3 { None } else { Some(score) },
                out_of: *out_of,
                coefficient: *coefficient,
                comment,
                author: (*author).into(),
                published_ms: Some(date_ms + 5 * DAY_MS),
            },
        );
    }
    g
}

/// The group's gradebook: its students, and a draft of Paul's with some scores entered (the
/// server keeps the roster from then on).
pub fn gradebook(today: NaiveDate) -> Gradebook {
    let mut book = Gradebook::new(GROUP);
    let students = std::iter::once(("lea.martin", "Léa Martin")).chain(STUDENTS.iter().copied());
    for (login, name) in students {
        book.roster.insert(login.into(), name.into());
    }
    let scores = book
        .roster
        .keys()
        .take(5)
        .enumerate()
        .map(|(n, s)| {
            let score = Score { score: Some(8.0 + 2.5 * n as f64), comment: String::new() };
            (s.clone(), score)
        })
        .collect();
    book.assessments.insert(
        "algo-controle-3".into(),
        GradebookAssessment {
            subject: ALGO.into(),
            title: "Contrôle 3 — graphes".into(),
            date_ms: paris_ms(monday_of(today) - Duration::days(2), (9, 0)),
            out_of: 20.0,
            coefficient: 1.0,
            author: "paul.durand".into(),
            publish_at_ms: None,
            published_ms: None,
            scores,
        },
    );
    book
}

/// The group's course library.
pub fn library(today: NaiveDate) -> Library {
    let monday = monday_of(today);
    let mut l = Library { schema: LIBRARY_SCHEMA, group: GROUP.into(), ..Library::default() };
    // id, title, subject, kind, language, added (days from this Monday), author
    type Row =
        (&'static str, &'static str, &'static str, &'static str, &'static str, i64, &'static str);
    let items: [Row; 7] = [
        ("algo-poly", "Polycopié d'algorithmique", ALGO, "polycopié", "fr", -60, "paul.durand"),
        ("algo-cm7", "Diapositives CM 7 — tris", ALGO, "diapositives", "fr", -4, "paul.durand"),
        ("bdd-sql-memo", "Mémo SQL", BDD, "fiche", "fr", -40, "sophie.bernard"),
        ("reseaux-rfc793", "RFC 793 — TCP (annotée)", NET, "article", "en", -20, "julien.lefevre"),
        (
            "reseaux-schema-tcp",
            "Schéma : poignée de main TCP",
            NET,
            "schéma",
            "fr",
            -6,
            "julien.lefevre",
        ),
        (
            "maths-annales",
            "Annales de partiels 2021–2024",
            MATHS,
            "annales",
            "fr",
            -30,
            "claire.moreau",
        ),
        ("pf-ocaml-manuel", "Introduction à OCaml", PF, "livre", "fr", -55, "paul.durand"),
    ];
    for (id, title, subject, kind, language, days, author) in items {
        let file = library_file(id, title, subject, kind);
        l.items.insert(
            id.into(),
            LibraryItem {
                title: title.into(),
                subject: subject.into(),
                kind: kind.into(),
                language: language.into(),
                size: file.size(),
                sha256: file.sha256(),
                added_ms: paris_ms(monday + Duration::days(days), (18, 0)),
                author: author.into(),
            },
        );
    }
    l
}

/// Announcements for everyone and for the group, of each severity; one to acknowledge.
pub fn announcements(audience: &str, today: NaiveDate) -> Announcements {
    let monday = monday_of(today);
    let at = |days: i64| paris_ms(monday + Duration::days(days), (8, 0));
    let mut a = Announcements {
        schema: ANNOUNCEMENTS_SCHEMA,
        audience: audience.into(),
        ..Announcements::default()
    };
    let mut add = |id: &str,
                   title: &str,
                   body: &str,
                   severity: Severity,
                   from: i64,
                   until: Option<i64>,
                   ack: bool,
                   author: &str| {
        a.items.insert(
            id.into(),
            Announcement {
                title: title.into(),
                body: body.into(),
                severity,
                visible_from_ms: from,
                visible_until_ms: until,
                ack_required: ack,
                author: author.into(),
            },
        );
    };
    if audience == ANNOUNCEMENTS_EVERYONE {
        add(
            "bibliotheque-horaires",
            "Horaires de la bibliothèque universitaire",
            "La BU est ouverte jusqu'à 22 h du lundi au jeudi pendant la période des partiels.",
            Severity::Information,
            at(-3),
            Some(at(30)),
            false,
            "vie.scolaire",
        );
        add(
            "chauffage-batiment-b",
            "Travaux de chauffage — bâtiment B",
            "Des coupures de chauffage sont possibles jeudi et vendredi dans le bâtiment B. Prévoyez une tenue adaptée.",
            Severity::Warning,
            at(-1),
            Some(at(5)),
            false,
            "vie.scolaire",
        );
        add(
            "exercice-evacuation",
            "Exercice d'évacuation incendie",
            "Un exercice d'évacuation aura lieu mardi à 10 h. Merci de confirmer avoir lu les consignes d'évacuation de votre bâtiment.",
            Severity::Alert,
            at(-2),
            Some(at(2)),
            true,
            "admin",
        );
    } else {
        add(
            "delegues",
            "Élection des délégués",
            "L'élection des délégués du groupe A aura lieu lundi prochain en fin de CM d'algorithmique.",
            Severity::Information,
            at(-5),
            Some(at(8)),
            false,
            "vie.scolaire",
        );
        add(
            "salle-tp1",
            "Salle TP 1 indisponible",
            "La salle TP 1 est en maintenance cette semaine : les TP de bases de données ont lieu en salle TP 4.",
            Severity::Warning,
            at(0),
            Some(at(7)),
            false,
            "vie.scolaire",
        );
    }
    a
}

/// The conversation between Léa Martin and Paul Durand about her project.
pub fn thread(today: NaiveDate) -> Thread {
    let monday = monday_of(today);
    let at = |days: i64, hm: (u32, u32)| paris_ms(monday + Duration::days(days), hm);
    let msg = |id: &str, author: &str, sent_ms: i64, body: &str| ThreadMessage {
        id: id.into(),
        author: author.into(),
        sent_ms,
        body: body.into(),
    };
    Thread {
        schema: THREAD_SCHEMA,
        subject: "Projet OCaml — étape 2".into(),
        participants: THREAD_PARTICIPANTS.iter().map(|s| (*s).to_owned()).collect(),
        messages: vec![
            msg(
                "m1",
                "lea.martin",
                at(-3, (18, 12)),
                "Bonjour Monsieur, pour l'étape 2 du projet, faut-il gérer les listes infinies (Seq) ou seulement les listes finies ?",
            ),
            msg(
                "m2",
                "paul.durand",
                at(-2, (9, 40)),
                "Bonjour Léa, seulement les listes finies. Les Seq sont un bonus que je valoriserai, mais ce n'est pas attendu.",
            ),
            msg(
                "m3",
                "lea.martin",
                at(-2, (12, 5)),
                "Merci ! Et le rendu se fait bien sur Moodle avant vendredi 23 h 59 ?",
            ),
            msg(
                "m4",
                "paul.durand",
                at(-1, (8, 15)),
                "Oui, une archive .tar.gz avec un README. Bon courage.",
            ),
        ],
    }
}

/// Every demo document besides the timetable, as (id, document).
pub fn other_documents(today: NaiveDate) -> Result<Vec<(DocId, Automerge)>, String> {
    fn doc_of<T: autosurgeon::Reconcile>(value: &T) -> Result<Automerge, String> {
        let mut doc = Automerge::new();
        cartable_shared::sync::write(&mut doc, value).map_err(|e| e.to_string())?;
        Ok(doc)
    }
    let id = |kind: DocKind, scope: &str| DocId::new(kind, scope).map_err(|e| e.to_string());
    let mut docs = vec![
        (id(DocKind::Homework, GROUP)?, doc_of(&homework(today))?),
        (id(DocKind::Library, GROUP)?, doc_of(&library(today))?),
        (
            id(DocKind::Announcements, ANNOUNCEMENTS_EVERYONE)?,
            doc_of(&announcements(ANNOUNCEMENTS_EVERYONE, today))?,
        ),
        (id(DocKind::Announcements, GROUP)?, doc_of(&announcements(GROUP, today))?),
        (id(DocKind::Thread, THREAD)?, doc_of(&thread(today))?),
        (id(DocKind::Gradebook, GROUP)?, doc_of(&gradebook(today))?),
    ];
    let students = std::iter::once("lea.martin").chain(STUDENTS.iter().map(|(login, _)| *login));
    for (i, student) in students.enumerate() {
        docs.push((id(DocKind::Grades, student)?, doc_of(&grades(student, i, today))?));
    }
    Ok(docs)
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
pub async fn seed(store: &Store, blobs: &Blobs, now_ms: i64) -> Result<bool, SeedError> {
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
    let file_dir = blobs.clone();
    let (doc, others, files) = tokio::task::spawn_blocking(move || {
        let mut rows = Vec::new();
        for (file, author) in demo_files(today) {
            let sha256 = file_dir.put_blocking(&file.bytes).map_err(|e| e.to_string())?;
            rows.push(FileRow {
                sha256,
                size: file.size(),
                mime: file.mime.into(),
                name: file.name,
                uploaded_by: author,
                uploaded_ms: now_ms,
            });
        }
        Ok::<_, String>((timetable_document(today)?, other_documents(today)?, rows))
    })
    .await
    .map_err(|e| SeedError::Data(e.to_string()))?
    .map_err(SeedError::Data)?;
    let stored = crate::services::hub::stored_history;
    let changes = stored(&doc);
    let others: Vec<(DocId, Vec<StoredChange>)> =
        others.iter().map(|(id, doc)| (id.clone(), stored(doc))).collect();
    let thread_id =
        DocId::new(DocKind::Thread, THREAD).map_err(|e| SeedError::Data(e.to_string()))?;
    let participants: Vec<UserId> =
        THREAD_PARTICIPANTS.iter().map(|p| id(p)).collect::<Result<_, _>>()?;
    let (guardian, ward): (UserId, UserId) = (id(GUARDIAN.0)?, id(GUARDIAN.1)?);

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
            dao.add_guardian(&guardian, &ward)?;
            dao.create_document(&doc_id, now_ms)?;
            dao.append_changes(&doc_id, &changes)?;
            for (id, changes) in &others {
                dao.create_document(id, now_ms)?;
                dao.append_changes(id, changes)?;
            }
            dao.add_thread_participants(&thread_id, &participants)?;
            for f in &files {
                dao.insert_file(f)?;
            }
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
        let blobs = Blobs::open(dir.path()).unwrap();
        assert!(seed(&store, &blobs, 1_764_000_000_000).await.unwrap());
        assert!(!seed(&store, &blobs, 1_764_000_000_000).await.unwrap());
        let today = paris_date(1_764_000_000_000);
        let referenced: Vec<String> =
            library(today)
                .items
                .values()
                .map(|i| i.sha256.clone())
                .chain(homework(today).assignments.values().flat_map(|a| {
                    a.attachments.iter().map(|b| b.sha256.clone()).collect::<Vec<_>>()
                }))
                .collect();
        assert_eq!(referenced.len(), 7 + 5, "seven course documents, five attachments");
        for sha in &referenced {
            let row = store.read_blocking(|dao| dao.file(sha)).unwrap().expect("a file row");
            let bytes = std::fs::read(blobs.path_of(sha).unwrap()).unwrap();
            assert_eq!(bytes.len() as u64, row.size, "{}", row.name);
            use sha2::Digest;
            assert_eq!(&hex::encode(sha2::Sha256::digest(&bytes)), sha, "{}", row.name);
        }
        let (lea, row) = store
            .read_blocking(|dao| dao.principal(&"lea.martin".parse().unwrap()))
            .unwrap()
            .unwrap();
        assert_eq!(row.display_name, "Léa Martin");
        assert!(row.demo);
        assert_eq!(lea.groups, vec![GROUP.parse().unwrap()]);
        let count = store.read_blocking(|dao| dao.user_count()).unwrap();
        // paul.durand is both a demo account and a teacher of the list.
        assert_eq!(count as usize, ACCOUNTS.len() + STUDENTS.len() + TEACHERS.len() - 1);
        let docs = store.read_blocking(|dao| dao.document_ids()).unwrap();
        assert!(docs.contains(&DocId::timetable(&GROUP.parse().unwrap())));
        for kind in DocKind::ALL {
            if kind != DocKind::Me {
                assert!(docs.iter().any(|d| d.kind() == kind), "a demo document of {kind:?}");
            }
        }
        let grades = docs.iter().filter(|d| d.kind() == DocKind::Grades).count();
        assert_eq!(grades, 1 + STUDENTS.len(), "grades for every student");
        let (parent, _) = store
            .read_blocking(|dao| dao.principal(&"parent.martin".parse().unwrap()))
            .unwrap()
            .unwrap();
        assert_eq!(parent.wards, vec!["lea.martin".parse().unwrap()]);
        assert_eq!(parent.groups, vec![GROUP.parse().unwrap()]);
        let subjects =
            store.read_blocking(|dao| dao.subjects(&"paul.durand".parse().unwrap())).unwrap();
        assert_eq!(
            subjects,
            vec!["Algorithmique".to_string(), "Programmation fonctionnelle".into()]
        );
    }
}
