//! Files in the app (DESIGN §4), the pure part: course documents by subject, the trip pack's
//! plan (what the next days need offline), sizes as people read them, and the state of pinned
//! files, the viewer and the trip pack. Tested natively; the Cache API work is in
//! `hooks/files.rs`.

use cartable_shared::library::{Library, LibraryItem};
use cartable_shared::timetable::{SessionStatus, Timetable};

use crate::i18n::Lang;
use crate::views::{HomeworkView, sort_small};

/// A `library:<group>` view as the UI keeps it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LibraryView {
    /// The group.
    pub group: String,
    /// Course documents with their ids.
    pub items: Vec<(String, LibraryItem)>,
}

impl From<Library> for LibraryView {
    fn from(l: Library) -> Self {
        Self { group: l.group, items: l.items.into_iter().collect() }
    }
}

/// A file the app can open or pin: a course document or an attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// Lower-case hex SHA-256: the file is `/files/<sha256>`.
    pub sha256: String,
    /// The name to show.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
}

impl FileRef {
    /// The URL of the file.
    pub fn url(&self) -> String {
        url_of(&self.sha256)
    }
}

/// `/files/<sha256>`.
pub fn url_of(sha256: &str) -> String {
    format!("/files/{sha256}")
}

/// The file of a course document.
pub fn library_file(item: &LibraryItem) -> FileRef {
    FileRef { sha256: item.sha256.clone(), name: item.title.clone(), size: item.size }
}

/// The course documents of one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseDocs<'a> {
    /// The subject.
    pub subject: &'a str,
    /// Its documents (id, entry), newest first.
    pub items: Vec<(&'a str, &'a LibraryItem)>,
}

/// Course documents grouped by subject (subjects in alphabetical order).
pub fn by_course<'a>(libraries: impl IntoIterator<Item = &'a LibraryView>) -> Vec<CourseDocs<'a>> {
    let mut out: Vec<CourseDocs<'a>> = Vec::new();
    for lib in libraries {
        for (id, item) in &lib.items {
            match out.iter_mut().find(|c| c.subject == item.subject) {
                Some(c) => c.items.push((id, item)),
                None => out.push(CourseDocs { subject: &item.subject, items: vec![(id, item)] }),
            }
        }
    }
    sort_small(&mut out, |c| c.subject);
    for c in &mut out {
        sort_small(&mut c.items, |(id, i)| (-i.added_ms, *id));
    }
    out
}

/// What the trip pack brings offline for the next days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TripPlan {
    /// How many days, from now.
    pub days: u32,
    /// Classes in the window (not cancelled).
    pub sessions: u32,
    /// Assignments due in the window.
    pub assignments: u32,
    /// Subjects of those classes (their course documents are included).
    pub subjects: Vec<String>,
    /// Every file needed (attachments of those assignments, documents of those subjects), once.
    pub files: Vec<FileRef>,
    /// Their total size.
    pub bytes: u64,
    /// The size of those not pinned yet: what the download costs.
    pub missing_bytes: u64,
}

/// The trip pack for `days` days from `now_ms`: the timetable and homework are kept offline by
/// the engine already; what is added are the attachments of homework due in the window and
/// the course documents of the subjects that have classes in it.
pub fn trip_plan<'a>(
    timetables: impl IntoIterator<Item = &'a Timetable>,
    homework: impl IntoIterator<Item = &'a HomeworkView>,
    libraries: impl IntoIterator<Item = &'a LibraryView> + Clone,
    pinned: &[(String, u64)],
    now_ms: i64,
    days: u32,
) -> TripPlan {
    let end = now_ms + i64::from(days) * 86_400_000;
    let mut plan = TripPlan { days, ..TripPlan::default() };
    for t in timetables {
        for s in t.sessions.values() {
            if s.end_ms > now_ms && s.start_ms < end && s.status != SessionStatus::Cancelled {
                plan.sessions += 1;
                if !plan.subjects.contains(&s.subject) {
                    plan.subjects.push(s.subject.clone());
                }
            }
        }
    }
    sort_small(&mut plan.subjects, |s| s.clone());
    let add = |f: FileRef, plan: &mut TripPlan| {
        if plan.files.iter().all(|x| x.sha256 != f.sha256) {
            plan.bytes += f.size;
            if !pinned.iter().any(|(sha, _)| *sha == f.sha256) {
                plan.missing_bytes += f.size;
            }
            plan.files.push(f);
        }
    };
    for h in homework {
        for (_, a) in &h.assignments {
            if a.due_ms >= now_ms && a.due_ms < end {
                plan.assignments += 1;
                for b in &a.attachments {
                    let f =
                        FileRef { sha256: b.sha256.clone(), name: b.name.clone(), size: b.size };
                    add(f, &mut plan);
                }
            }
        }
    }
    for lib in libraries {
        for (_, item) in &lib.items {
            if plan.subjects.contains(&item.subject) {
                add(library_file(item), &mut plan);
            }
        }
    }
    plan
}

/// A size as people read it: `512 o`, `12 ko`, `1,2 Mo` / `512 B`, `12 kB`, `1.2 MB`.
pub fn format_size(bytes: u64, lang: Lang) -> String {
    let (b, k, m, g) = match lang {
        Lang::Fr => ("o", "ko", "Mo", "Go"),
        Lang::En => ("B", "kB", "MB", "GB"),
    };
    let one = |value: u64, unit: u64, name: &str| {
        let tenths = (value * 10 + unit / 2) / unit;
        let text = if tenths >= 100 || tenths.is_multiple_of(10) {
            format!("{}", (tenths + 5) / 10)
        } else {
            format!("{}.{}", tenths / 10, tenths % 10)
        };
        let text = if lang == Lang::Fr { text.replace('.', ",") } else { text };
        format!("{text} {name}")
    };
    match bytes {
        n if n < 1_000 => format!("{n} {b}"),
        n if n < 1_000_000 => one(n, 1_000, k),
        n if n < 1_000_000_000 => one(n, 1_000_000, m),
        n => one(n, 1_000_000_000, g),
    }
}

/// A file shown in the viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The name shown.
    pub name: String,
    /// The media type the server gave it.
    pub mime: String,
    /// A `blob:` URL of its bytes (revoked when the viewer closes).
    pub url: String,
    /// Its size in bytes.
    pub size: u64,
}

/// Where the trip pack is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Trip {
    /// Nothing asked.
    #[default]
    Idle,
    /// Its size is shown, waiting for a confirmation.
    Planned(TripPlan),
    /// Downloading: files and bytes done so far.
    Downloading {
        /// The plan.
        plan: TripPlan,
        /// Files handled.
        done: u32,
        /// Bytes handled.
        bytes: u64,
        /// Files that could not be downloaded so far.
        failed: u32,
    },
    /// Finished.
    Done {
        /// The plan.
        plan: TripPlan,
        /// Files that could not be downloaded.
        failed: u32,
    },
}

/// What went wrong with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFailure {
    /// No network and the file is not pinned.
    Offline,
    /// The server refused or failed.
    Server,
}

/// The files part of the UI state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilesState {
    /// Pinned files: SHA-256 and size.
    pub pinned: Vec<(String, u64)>,
    /// What the app's origin uses on the device, and its quota, in bytes (if the browser says).
    pub usage: Option<(u64, u64)>,
    /// Files being pinned.
    pub busy: Vec<String>,
    /// The file shown.
    pub viewer: Option<Viewer>,
    /// The last failure, with the file's name.
    pub failure: Option<(FileFailure, String)>,
    /// The trip pack.
    pub trip: Trip,
    /// The number of days the trip pack covers.
    pub trip_days: u32,
    /// The last publication of a course document (teachers).
    pub publish: Option<Publish>,
}

/// Where a teacher's publication of a course document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publish {
    /// Uploading and adding it.
    Sending,
    /// Added to the library.
    Done,
    /// It failed.
    Failed(PublishError),
}

/// Why a publication failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishError {
    /// No file, title or subject.
    Missing,
    /// Larger than the server accepts (413).
    TooLarge,
    /// Not an accepted type, or its name does not match its content (415).
    BadType,
    /// No answer.
    Network,
    /// Another refusal.
    Server,
}

impl PublishError {
    /// The error for the HTTP status of an upload.
    pub fn from_status(status: u16) -> Self {
        match status {
            413 => PublishError::TooLarge,
            415 => PublishError::BadType,
            _ => PublishError::Server,
        }
    }
}

impl FilesState {
    /// The pinned size of a file, if pinned.
    pub fn pinned_size(&self, sha256: &str) -> Option<u64> {
        self.pinned.iter().find(|(s, _)| s == sha256).map(|(_, n)| *n)
    }

    /// The total size of pinned files.
    pub fn pinned_total(&self) -> u64 {
        self.pinned.iter().map(|(_, n)| n).sum()
    }
}

/// A file operation the UI asks of its effects (`hooks/files.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileCmd {
    /// Show a file (from the pinned copy if there is one, else the network).
    Open(FileRef),
    /// Keep a file on the device.
    Pin(FileRef),
    /// Forget a pinned file.
    Unpin(String),
    /// Download the trip pack's files.
    Pack(Vec<FileRef>),
    /// Close the viewer.
    Close,
    /// Upload the file chosen in `#publish-file` and add it to a group's library.
    Publish {
        /// The group.
        group: String,
        /// Title.
        title: String,
        /// Subject.
        subject: String,
        /// Kind.
        kind: String,
    },
}

/// The groups a user may publish course documents for: the groups a teacher teaches; every
/// group an admin belongs to or teaches; none for anyone else (the server decides anyway).
pub fn publish_groups(me: &cartable_shared::api::Me) -> Vec<String> {
    use cartable_shared::roles::Role;
    let groups = match me.role {
        Role::Teacher => me.teaches.iter().collect::<Vec<_>>(),
        Role::Admin => me.teaches.iter().chain(&me.groups).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    for g in groups {
        if !out.iter().any(|x| x == g.as_str()) {
            out.push(g.to_string());
        }
    }
    out
}

/// The trip pack's length options, in days.
pub const TRIP_DAYS: [u32; 3] = [3, 7, 14];

#[cfg(test)]
mod tests {
    use super::*;
    use cartable_shared::homework::{Assignment, BlobRef};
    use cartable_shared::timetable::{Session, SessionKind};

    const DAY: i64 = 86_400_000;

    fn item(title: &str, subject: &str, sha: &str, size: u64, added_ms: i64) -> LibraryItem {
        LibraryItem {
            title: title.into(),
            subject: subject.into(),
            kind: "fiche".into(),
            language: "fr".into(),
            size,
            sha256: sha.into(),
            added_ms,
            author: "prof".into(),
        }
    }

    fn session(subject: &str, start_ms: i64, status: SessionStatus) -> Session {
        Session {
            start_ms,
            end_ms: start_ms + 7_200_000,
            zone: "Europe/Paris".into(),
            subject: subject.into(),
            kind: SessionKind::Cm,
            rooms: vec![],
            teachers: vec![],
            status,
            probably: false,
            previous: None,
            note: None,
            source: "manual".into(),
        }
    }

    fn assignment(due_ms: i64, attachments: Vec<BlobRef>) -> Assignment {
        Assignment {
            subject: "Réseaux".into(),
            title: "TP".into(),
            text: String::new(),
            set_on_ms: 0,
            due_ms,
            attachments,
            hand_in: false,
            author: "prof".into(),
        }
    }

    fn blob(sha: &str, size: u64) -> BlobRef {
        BlobRef {
            sha256: sha.into(),
            name: format!("{sha}.pdf"),
            size,
            mime: "application/pdf".into(),
        }
    }

    fn library() -> LibraryView {
        LibraryView {
            group: "g".into(),
            items: vec![
                ("a".into(), item("Poly", "Algo", "s1", 1_000, 1)),
                ("b".into(), item("CM 7", "Algo", "s2", 2_000, 5)),
                ("c".into(), item("Mémo", "BDD", "s3", 3_000, 3)),
                ("d".into(), item("RFC", "Réseaux", "s4", 4_000, 2)),
            ],
        }
    }

    #[test]
    fn documents_are_grouped_by_course_newest_first() {
        let lib = library();
        let courses = by_course([&lib]);
        let subjects: Vec<_> = courses.iter().map(|c| c.subject).collect();
        assert_eq!(subjects, ["Algo", "BDD", "Réseaux"]);
        let algo: Vec<_> = courses[0].items.iter().map(|(id, _)| *id).collect();
        assert_eq!(algo, ["b", "a"]);
    }

    #[test]
    fn the_trip_pack_takes_attachments_due_and_documents_of_courses_in_the_window() {
        let now = 100 * DAY;
        let mut t = Timetable::new("g");
        t.sessions.insert("1".into(), session("Algo", now + DAY, SessionStatus::Scheduled));
        t.sessions.insert("2".into(), session("BDD", now + 2 * DAY, SessionStatus::Cancelled));
        t.sessions.insert("3".into(), session("Réseaux", now + 10 * DAY, SessionStatus::Scheduled));
        t.sessions.insert("4".into(), session("Algo", now - DAY, SessionStatus::Scheduled));
        let hw = HomeworkView {
            group: "g".into(),
            assignments: vec![
                ("due".into(), assignment(now + 2 * DAY, vec![blob("h1", 500), blob("s2", 2_000)])),
                ("later".into(), assignment(now + 9 * DAY, vec![blob("h2", 700)])),
                ("past".into(), assignment(now - DAY, vec![blob("h3", 900)])),
            ],
        };
        let lib = library();
        let pinned = vec![("s1".to_string(), 1_000)];
        let plan = trip_plan([&t], [&hw], [&lib], &pinned, now, 3);
        assert_eq!(
            plan.sessions, 1,
            "the cancelled class and those outside the window are left out"
        );
        assert_eq!(plan.assignments, 1);
        assert_eq!(plan.subjects, ["Algo"]);
        let shas: Vec<_> = plan.files.iter().map(|f| f.sha256.as_str()).collect();
        assert_eq!(shas, ["h1", "s2", "s1"], "each file once");
        assert_eq!(plan.bytes, 3_500);
        assert_eq!(plan.missing_bytes, 2_500, "the pinned document costs nothing");

        let week = trip_plan([&t], [&hw], [&lib], &pinned, now, 14);
        assert_eq!((week.sessions, week.assignments), (2, 2));
        assert_eq!(week.subjects, ["Algo", "Réseaux"]);
        assert_eq!(week.bytes, 500 + 2_000 + 700 + 1_000 + 4_000);
    }

    #[test]
    fn only_teachers_and_admins_get_a_publishing_form_for_their_groups() {
        use cartable_shared::api::Me;
        use cartable_shared::roles::Role;
        let me = |role, groups: &[&str], teaches: &[&str]| Me {
            user: "u".parse().unwrap(),
            display_name: "U".into(),
            role,
            groups: groups.iter().map(|g| g.parse().unwrap()).collect(),
            teaches: teaches.iter().map(|g| g.parse().unwrap()).collect(),
            blocked: None,
            expires_at_ms: None,
        };
        assert!(publish_groups(&me(Role::Student, &["a"], &[])).is_empty());
        assert!(publish_groups(&me(Role::Guardian, &["a"], &[])).is_empty());
        assert!(publish_groups(&me(Role::Staff, &["a"], &["b"])).is_empty());
        assert_eq!(publish_groups(&me(Role::Teacher, &["a"], &["b", "c"])), ["b", "c"]);
        assert_eq!(publish_groups(&me(Role::Admin, &["a", "b"], &["b"])), ["b", "a"]);
    }

    #[test]
    fn sizes_read_naturally_in_both_languages() {
        assert_eq!(format_size(512, Lang::Fr), "512 o");
        assert_eq!(format_size(1_234, Lang::Fr), "1,2 ko");
        assert_eq!(format_size(1_234, Lang::En), "1.2 kB");
        assert_eq!(format_size(12_345, Lang::En), "12 kB");
        assert_eq!(format_size(2_000_000, Lang::Fr), "2 Mo");
        assert_eq!(format_size(20_971_520, Lang::En), "21 MB");
        assert_eq!(format_size(999_999, Lang::En), "1000 kB");
    }
}
