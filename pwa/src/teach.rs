//! The publishing side of the app (teachers, staff, admins): what the forms turn into
//! (`DocEdit`s for the engine, which work offline, and the few HTTP calls that need the
//! network), and the state of the publishing views. Pure and tested natively; the effects are
//! in `hooks/teach.rs`.

use cartable_shared::announcements::{Announcement, Severity};
use cartable_shared::api::{Acknowledgements, Me, Person, SessionChange};
use cartable_shared::edits::DocEdit;
use cartable_shared::engine::EngineCommand;
use cartable_shared::homework::{Assignment, BlobRef};
use cartable_shared::roles::{ANNOUNCEMENTS_EVERYONE, Role};

use crate::calendar::CivilDate;
use crate::files::publish_groups;

/// Which change of a session the dialog makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAction {
    /// Cancel it.
    Cancel,
    /// Move it to another date and time.
    Move,
    /// Change its rooms.
    Room,
}

impl SessionAction {
    /// The id used in the page (`session-<id>` buttons, `data-action`).
    pub fn id(self) -> &'static str {
        match self {
            SessionAction::Cancel => "cancel",
            SessionAction::Move => "move",
            SessionAction::Room => "room",
        }
    }
}

/// The session dialog: one session, one action, and the values it opens with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDialog {
    /// The group whose timetable it is.
    pub group: String,
    /// The session id.
    pub session: String,
    /// What the dialog does.
    pub action: SessionAction,
    /// The session's date, `YYYY-MM-DD`.
    pub date: String,
    /// Its start, `HH:MM`.
    pub start: String,
    /// Its end, `HH:MM`.
    pub end: String,
    /// Its rooms, comma separated.
    pub rooms: String,
    /// The last confirmation was refused as invalid.
    pub invalid: bool,
}

/// What a form last did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormStatus {
    /// Saved on the device (sent now or once online).
    Saved,
    /// Something required is missing or wrong.
    Invalid,
    /// Attachments are being uploaded.
    Uploading,
    /// Attachments need the network, and there is none.
    NeedsNetwork,
    /// An attachment upload failed: nothing was saved.
    UploadFailed,
}

/// The acknowledgement list of one announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckList {
    /// Asked.
    Loading,
    /// The server's answer.
    Loaded(Acknowledgements),
    /// No answer (offline) or refused.
    Failed,
}

/// Where a message to a group or a student stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendState {
    /// In flight.
    Sending,
    /// Sent, to this many threads.
    Sent(u32),
    /// Not sent.
    Failed,
}

/// The state of the publishing views.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeachState {
    /// The open session dialog.
    pub dialog: Option<SessionDialog>,
    /// The homework form's last outcome.
    pub homework: Option<FormStatus>,
    /// The assignment being edited: group and id.
    pub editing: Option<(String, String)>,
    /// The announcement form's last outcome.
    pub announce: Option<FormStatus>,
    /// The announcement being edited: audience and id.
    pub editing_announcement: Option<(String, String)>,
    /// The acknowledgement list shown: audience, id, list.
    pub acks: Option<(String, String, AckList)>,
    /// The message form's last outcome.
    pub send: Option<SendState>,
    /// Students of the groups, as the server listed them (for writing to one).
    pub students: Vec<(String, Vec<Person>)>,
}

/// A change of the publishing views' state.
#[derive(Debug, Clone, PartialEq)]
pub enum TeachAction {
    /// Open the session dialog.
    OpenDialog(SessionDialog),
    /// Close it.
    CloseDialog,
    /// The dialog's values were invalid.
    DialogInvalid,
    /// The homework form's outcome.
    Homework(Option<FormStatus>),
    /// Edit an assignment (group, id), or stop editing.
    EditHomework(Option<(String, String)>),
    /// The announcement form's outcome.
    Announce(Option<FormStatus>),
    /// Edit an announcement (audience, id), or stop editing.
    EditAnnouncement(Option<(String, String)>),
    /// The acknowledgement list (audience, id, list), or close it.
    Acks(Option<(String, String, AckList)>),
    /// The message form's outcome.
    Send(Option<SendState>),
    /// The students of a group.
    Students(String, Vec<Person>),
}

impl TeachState {
    /// Applies an action.
    pub fn reduce(mut self, action: TeachAction) -> Self {
        match action {
            TeachAction::OpenDialog(d) => self.dialog = Some(d),
            TeachAction::CloseDialog => self.dialog = None,
            TeachAction::DialogInvalid => {
                if let Some(d) = &mut self.dialog {
                    d.invalid = true;
                }
            }
            TeachAction::Homework(s) => {
                if s == Some(FormStatus::Saved) {
                    self.editing = None;
                }
                self.homework = s;
            }
            TeachAction::EditHomework(e) => {
                self.editing = e;
                self.homework = None;
            }
            TeachAction::Announce(s) => {
                if s == Some(FormStatus::Saved) {
                    self.editing_announcement = None;
                }
                self.announce = s;
            }
            TeachAction::EditAnnouncement(e) => {
                self.editing_announcement = e;
                self.announce = None;
            }
            TeachAction::Acks(a) => self.acks = a,
            TeachAction::Send(s) => self.send = s,
            TeachAction::Students(group, list) => {
                self.students.retain(|(g, _)| *g != group);
                self.students.push((group, list));
            }
        }
        self
    }
}

/// A command of the publishing views, run by `hooks/teach.rs`.
#[derive(Debug, Clone, PartialEq)]
pub enum TeachCmd {
    /// Confirm the session dialog with the values typed (read from the page) and a note.
    Session {
        /// The dialog as it was opened.
        dialog: SessionDialog,
        /// Date typed.
        date: String,
        /// Start typed.
        start: String,
        /// End typed.
        end: String,
        /// Rooms typed.
        rooms: String,
        /// The note.
        note: String,
    },
    /// Save the homework form (new, or the assignment being edited).
    SaveHomework(HomeworkForm),
    /// Remove an assignment one wrote.
    RemoveHomework {
        /// Its group.
        group: String,
        /// Its id.
        id: String,
    },
    /// Publish the announcement form (new, or the announcement being edited).
    SaveAnnouncement(AnnouncementForm),
    /// Remove an announcement (one's own; any for staff and admins).
    RemoveAnnouncement {
        /// Its audience.
        audience: String,
        /// Its id.
        id: String,
    },
    /// Ask who acknowledged an announcement.
    LoadAcks {
        /// Its audience.
        audience: String,
        /// Its id.
        id: String,
    },
    /// Ask the students of a group (to write to one).
    LoadStudents(String),
    /// Write to a group, or one student of it.
    Send {
        /// The group.
        group: String,
        /// One student, or the whole group.
        student: Option<String>,
        /// Subject.
        subject: String,
        /// Message.
        body: String,
    },
}

/// The homework form as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeworkForm {
    /// The group.
    pub group: String,
    /// The assignment id when editing one.
    pub id: Option<String>,
    /// Subject.
    pub subject: String,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// Due date, `YYYY-MM-DD`.
    pub due: String,
    /// Something to hand in.
    pub hand_in: bool,
    /// Attachments already on the assignment (kept when editing).
    pub kept: Vec<BlobRef>,
}

/// The announcement form as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementForm {
    /// The audience (a group taught, or `everyone`).
    pub audience: String,
    /// Severity, 0 to 2 (information, warning, alert).
    pub severity: u8,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Visible from, `YYYY-MM-DD` (empty: now).
    pub from: String,
    /// Visible until, `YYYY-MM-DD` (empty: no end).
    pub until: String,
    /// Ask for an acknowledgement.
    pub ack_required: bool,
    /// When editing an announcement: what the change keeps.
    pub editing: Option<KeptAnnouncement>,
}

/// What a change of an existing announcement keeps: its id and author always, its visibility
/// window unless the form changes its days (an announcement posted through the API may start or
/// end at any minute; the form only shows days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAnnouncement {
    /// Its id.
    pub id: String,
    /// Its author.
    pub author: String,
    /// The day the form shows for its start (`YYYY-MM-DD`), and its `visible_from_ms`.
    pub from: (String, i64),
    /// The day the form shows for its end, and its `visible_until_ms`, if it has one.
    pub until: Option<(String, i64)>,
}

/// The groups whose sessions and homework `me` may change (the server decides anyway).
pub fn teaching_groups(me: &Me) -> Vec<String> {
    publish_groups(me)
}

/// The audiences `me` may write announcements to: the groups taught, and `everyone` for
/// staff and admins.
pub fn audiences(me: &Me) -> Vec<String> {
    let mut out = publish_groups(me);
    if matches!(me.role, Role::Staff | Role::Admin) {
        out.insert(0, ANNOUNCEMENTS_EVERYONE.to_owned());
    }
    out
}

/// Whether `me` manages announcements others wrote (staff run them as a team; admins may
/// write anything): the server's rules decide anyway.
pub fn manages_all_announcements(me: &Me) -> bool {
    matches!(me.role, Role::Staff | Role::Admin)
}

/// The groups `me` may write to as a whole: those taught (every group of an admin), none for
/// staff without groups, students or guardians.
pub fn message_groups(me: &Me) -> Vec<String> {
    publish_groups(me)
}

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<CivilDate> {
    let mut parts = text.trim().splitn(3, '-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    CivilDate::new(y, m, d)
}

/// `HH:MM` as minutes after midnight.
pub fn parse_time(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn note(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The engine command a confirmed session dialog makes; `None` when the values are invalid.
/// `instant(date, minutes)` turns a wall-clock time on the device into UTC milliseconds.
pub fn session_edit(
    cmd: &TeachCmd,
    instant: impl Fn(CivilDate, u32) -> i64,
) -> Option<EngineCommand> {
    let TeachCmd::Session { dialog, date, start, end, rooms, note: text } = cmd else {
        return None;
    };
    let note = note(text);
    let change = match dialog.action {
        SessionAction::Cancel => SessionChange::Cancel { note },
        SessionAction::Room => {
            let rooms: Vec<String> = rooms
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect();
            if rooms.is_empty() {
                return None;
            }
            SessionChange::ChangeRoom { rooms, note }
        }
        SessionAction::Move => {
            let day = parse_date(date)?;
            let (from, to) = (parse_time(start)?, parse_time(end)?);
            if to <= from {
                return None;
            }
            SessionChange::Move { start_ms: instant(day, from), end_ms: instant(day, to), note }
        }
    };
    Some(EngineCommand::Edit {
        doc: format!("timetable:{}", dialog.group),
        edit: DocEdit::Session { session: dialog.session.clone(), change },
    })
}

/// The engine command saving the homework form, with `attachments` uploaded; `None` when
/// something required is missing. Due at 23:59 of the due date on the device.
pub fn homework_edit(
    form: &HomeworkForm,
    attachments: Vec<BlobRef>,
    author: &str,
    new_id: &str,
    now_ms: i64,
    instant: impl Fn(CivilDate, u32) -> i64,
) -> Option<EngineCommand> {
    let due = parse_date(&form.due)?;
    if form.group.is_empty() || form.subject.trim().is_empty() || form.title.trim().is_empty() {
        return None;
    }
    let mut all = form.kept.clone();
    all.extend(attachments);
    Some(EngineCommand::Edit {
        doc: format!("homework:{}", form.group),
        edit: DocEdit::PutAssignment {
            id: form.id.clone().unwrap_or_else(|| new_id.to_owned()),
            assignment: Assignment {
                subject: form.subject.trim().to_owned(),
                title: form.title.trim().to_owned(),
                text: form.text.trim().to_owned(),
                set_on_ms: now_ms,
                due_ms: instant(due, 23 * 60 + 59),
                attachments: all,
                hand_in: form.hand_in,
                author: author.to_owned(),
            },
        },
    })
}

/// The engine command publishing the announcement form, as `author`'s new announcement
/// `new_id`, or as a change of the one being edited (which keeps its id and its author); `None`
/// when something required is missing or the dates are the wrong way round. Visible from the
/// start of its first day (today if none: readers whose clock is a little behind see it at
/// once too) to the end of its last.
pub fn announcement_edit(
    form: &AnnouncementForm,
    author: &str,
    new_id: &str,
    today: CivilDate,
    instant: impl Fn(CivilDate, u32) -> i64,
) -> Option<EngineCommand> {
    if form.audience.is_empty() || form.title.trim().is_empty() {
        return None;
    }
    // A day left as the form showed it keeps the announcement's own instant.
    let kept = |typed: &str, shown: Option<&(String, i64)>| {
        shown.filter(|(day, _)| day == typed.trim()).map(|(_, ms)| *ms)
    };
    let editing = form.editing.as_ref();
    let from = match (kept(&form.from, editing.map(|k| &k.from)), form.from.trim()) {
        (Some(ms), _) => ms,
        (None, "") => instant(today, 0),
        (None, d) => instant(parse_date(d)?, 0),
    };
    let until = match (kept(&form.until, editing.and_then(|k| k.until.as_ref())), form.until.trim())
    {
        (Some(ms), _) => Some(ms),
        (None, "") => None,
        (None, d) => Some(instant(parse_date(d)?, 23 * 60 + 59)),
    };
    if until.is_some_and(|u| u <= from) {
        return None;
    }
    let severity = match form.severity {
        0 => Severity::Information,
        1 => Severity::Warning,
        _ => Severity::Alert,
    };
    let (id, author) = match editing {
        Some(k) => (k.id.as_str(), k.author.as_str()),
        None => (new_id, author),
    };
    Some(EngineCommand::Edit {
        doc: format!("announcements:{}", form.audience),
        edit: DocEdit::PutAnnouncement {
            id: id.to_owned(),
            announcement: Announcement {
                title: form.title.trim().to_owned(),
                body: form.body.trim().to_owned(),
                severity,
                visible_from_ms: from,
                visible_until_ms: until,
                ack_required: form.ack_required,
                author: author.to_owned(),
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartable_shared::ids::GroupId;

    /// Minutes since the epoch of a day, as if the device were on UTC.
    fn utc(day: CivilDate, minutes: u32) -> i64 {
        day.utc_midnight_ms() + i64::from(minutes) * 60_000
    }

    fn today() -> CivilDate {
        CivilDate::new(2026, 11, 26).unwrap()
    }

    fn dialog(action: SessionAction) -> SessionDialog {
        SessionDialog {
            group: "l2-info-a".into(),
            session: "s1".into(),
            action,
            date: "2026-11-23".into(),
            start: "08:00".into(),
            end: "10:00".into(),
            rooms: "A1".into(),
            invalid: false,
        }
    }

    fn confirm(action: SessionAction, date: &str, start: &str, end: &str, rooms: &str) -> TeachCmd {
        TeachCmd::Session {
            dialog: dialog(action),
            date: date.into(),
            start: start.into(),
            end: end.into(),
            rooms: rooms.into(),
            note: "  Grève  ".into(),
        }
    }

    fn change_of(cmd: Option<EngineCommand>) -> SessionChange {
        match cmd {
            Some(EngineCommand::Edit { doc, edit: DocEdit::Session { session, change } }) => {
                assert_eq!(doc, "timetable:l2-info-a");
                assert_eq!(session, "s1");
                change
            }
            other => panic!("not a session edit: {other:?}"),
        }
    }

    #[test]
    fn the_session_dialog_makes_the_change_of_its_action() {
        let c = change_of(session_edit(&confirm(SessionAction::Cancel, "", "", "", ""), utc));
        assert_eq!(c, SessionChange::Cancel { note: Some("Grève".into()) });
        let c =
            change_of(session_edit(&confirm(SessionAction::Room, "", "", "", " B12 , ,C3"), utc));
        assert_eq!(
            c,
            SessionChange::ChangeRoom {
                rooms: vec!["B12".into(), "C3".into()],
                note: Some("Grève".into())
            }
        );
        let c = change_of(session_edit(
            &confirm(SessionAction::Move, "2026-11-24", "14:00", "15:30", ""),
            utc,
        ));
        let day = CivilDate::new(2026, 11, 24).unwrap().utc_midnight_ms();
        assert_eq!(
            c,
            SessionChange::Move {
                start_ms: day + 14 * 3_600_000,
                end_ms: day + 15 * 3_600_000 + 30 * 60_000,
                note: Some("Grève".into())
            }
        );
    }

    #[test]
    fn an_invalid_session_dialog_makes_no_change() {
        for cmd in [
            confirm(SessionAction::Room, "", "", "", " , "),
            confirm(SessionAction::Move, "2026-11-24", "15:00", "14:00", ""),
            confirm(SessionAction::Move, "24/11/2026", "14:00", "15:00", ""),
            confirm(SessionAction::Move, "2026-11-24", "25:00", "26:00", ""),
        ] {
            assert_eq!(session_edit(&cmd, utc), None, "{cmd:?}");
        }
    }

    fn homework_form() -> HomeworkForm {
        HomeworkForm {
            group: "l2-info-a".into(),
            id: None,
            subject: "Algorithmique".into(),
            title: " TD 4 ".into(),
            text: "Exercices".into(),
            due: "2026-11-27".into(),
            hand_in: true,
            kept: vec![],
        }
    }

    #[test]
    fn the_homework_form_makes_an_assignment_due_at_the_end_of_its_day() {
        let blob = BlobRef {
            sha256: "ab".repeat(32),
            name: "td4.pdf".into(),
            size: 3,
            mime: "application/pdf".into(),
        };
        let cmd = homework_edit(&homework_form(), vec![blob.clone()], "paul", "hw-new", 5, utc);
        let Some(EngineCommand::Edit { doc, edit: DocEdit::PutAssignment { id, assignment } }) =
            cmd
        else {
            panic!("not an assignment")
        };
        assert_eq!((doc.as_str(), id.as_str()), ("homework:l2-info-a", "hw-new"));
        assert_eq!(assignment.title, "TD 4");
        assert_eq!(assignment.author, "paul");
        assert_eq!(assignment.attachments, vec![blob]);
        let day = CivilDate::new(2026, 11, 27).unwrap().utc_midnight_ms();
        assert_eq!(assignment.due_ms, day + (23 * 60 + 59) * 60_000);
        // Editing keeps the id and the attachments already there.
        let mut form = homework_form();
        form.id = Some("hw-1".into());
        form.kept = assignment.attachments.clone();
        let Some(EngineCommand::Edit {
            edit: DocEdit::PutAssignment { id, assignment: a }, ..
        }) = homework_edit(&form, vec![], "paul", "unused", 5, utc)
        else {
            panic!()
        };
        assert_eq!(id, "hw-1");
        assert_eq!(a.attachments.len(), 1);
        let mut blank = homework_form();
        blank.title = " ".into();
        assert_eq!(homework_edit(&blank, vec![], "paul", "x", 5, utc), None);
        let mut no_due = homework_form();
        no_due.due = String::new();
        assert_eq!(homework_edit(&no_due, vec![], "paul", "x", 5, utc), None);
    }

    #[test]
    fn the_announcement_form_makes_an_announcement_with_its_window() {
        let form = AnnouncementForm {
            audience: "l2-info-a".into(),
            severity: 1,
            title: "Sortie".into(),
            body: "Départ 8 h".into(),
            from: String::new(),
            until: "2026-11-30".into(),
            ack_required: true,
            editing: None,
        };
        let Some(EngineCommand::Edit { doc, edit: DocEdit::PutAnnouncement { id, announcement } }) =
            announcement_edit(&form, "paul", "an-1", today(), utc)
        else {
            panic!()
        };
        assert_eq!((doc.as_str(), id.as_str()), ("announcements:l2-info-a", "an-1"));
        assert_eq!(announcement.severity, Severity::Warning);
        assert_eq!(announcement.visible_from_ms, today().utc_midnight_ms(), "from today");
        assert!(announcement.ack_required);
        assert_eq!(announcement.author, "paul", "a new one names the writer");
        // A staff member correcting a colleague's: same id, same author, and the window it had
        // (posted through the API from 10:30 to 14:00) where the form's days are unchanged.
        let day = CivilDate::new(2026, 11, 27).unwrap();
        let mut correction = form.clone();
        correction.from = "2026-11-27".into();
        correction.until = "2026-11-27".into();
        correction.editing = Some(KeptAnnouncement {
            id: "an-0".into(),
            author: "vie.scolaire".into(),
            from: ("2026-11-27".into(), utc(day, 10 * 60 + 30)),
            until: Some(("2026-11-27".into(), utc(day, 14 * 60))),
        });
        let put = |form: &AnnouncementForm| match announcement_edit(form, "cpe", "x", today(), utc)
        {
            Some(EngineCommand::Edit {
                edit: DocEdit::PutAnnouncement { id, announcement },
                ..
            }) => (id, announcement),
            other => panic!("{other:?}"),
        };
        let (id, announcement) = put(&correction);
        assert_eq!((id.as_str(), announcement.author.as_str()), ("an-0", "vie.scolaire"));
        assert_eq!(
            (announcement.visible_from_ms, announcement.visible_until_ms),
            (utc(day, 10 * 60 + 30), Some(utc(day, 14 * 60))),
            "unchanged days keep their instants"
        );
        // A day changed in the form: from the start of that day, to the end of the other.
        correction.until = "2026-11-28".into();
        let (_, announcement) = put(&correction);
        assert_eq!(announcement.visible_from_ms, utc(day, 10 * 60 + 30));
        let next = CivilDate::new(2026, 11, 28).unwrap();
        assert_eq!(announcement.visible_until_ms, Some(utc(next, 23 * 60 + 59)));
        let mut backwards = form.clone();
        backwards.from = "2026-12-01".into();
        assert_eq!(announcement_edit(&backwards, "paul", "an-1", today(), utc), None);
        let mut untitled = form;
        untitled.title = String::new();
        assert_eq!(announcement_edit(&untitled, "paul", "an-1", today(), utc), None);
    }

    #[test]
    fn only_staff_and_admins_address_everyone() {
        let me = |role| Me {
            user: "u".parse().unwrap(),
            display_name: "U".into(),
            role,
            groups: vec![],
            teaches: vec!["g1".parse::<GroupId>().unwrap()],
            blocked: None,
            expires_at_ms: None,
        };
        assert_eq!(audiences(&me(Role::Teacher)), ["g1"]);
        assert_eq!(audiences(&me(Role::Staff)), ["everyone"]);
        assert_eq!(audiences(&me(Role::Admin)), ["everyone", "g1"]);
        assert!(audiences(&me(Role::Student)).is_empty());
        assert_eq!(teaching_groups(&me(Role::Teacher)), ["g1"]);
        assert!(!manages_all_announcements(&me(Role::Teacher)));
        assert!(manages_all_announcements(&me(Role::Staff)));
        assert!(manages_all_announcements(&me(Role::Admin)));
    }

    #[test]
    fn the_reducer_tracks_the_dialog_and_the_forms() {
        let s = TeachState::default().reduce(TeachAction::OpenDialog(dialog(SessionAction::Move)));
        let s = s.reduce(TeachAction::DialogInvalid);
        assert!(s.dialog.as_ref().unwrap().invalid);
        let s = s.reduce(TeachAction::CloseDialog);
        assert_eq!(s.dialog, None);
        let s = s.reduce(TeachAction::EditHomework(Some(("g".into(), "hw".into()))));
        let s = s.reduce(TeachAction::Homework(Some(FormStatus::Saved)));
        assert_eq!(s.editing, None, "saving ends the edit");
        let s = s.reduce(TeachAction::EditAnnouncement(Some(("g".into(), "an".into()))));
        assert_eq!(s.editing_announcement, Some(("g".into(), "an".into())));
        let s = s.reduce(TeachAction::Announce(Some(FormStatus::Invalid)));
        assert!(s.editing_announcement.is_some(), "an invalid form stays in the edit");
        let s = s.reduce(TeachAction::Announce(Some(FormStatus::Saved)));
        assert_eq!(s.editing_announcement, None, "saving ends the edit");
        let s = s.reduce(TeachAction::Students("g".into(), vec![]));
        let s = s.reduce(TeachAction::Students("g".into(), vec![]));
        assert_eq!(s.students.len(), 1);
    }
}
