//! The week view model: which sessions fall on which day of a week, as wall-clock times of
//! their own zone, and which session comes next today. Pure, so tested natively.

use cartable_shared::timetable::{Session, SessionKind, SessionStatus, Timetable};

use crate::calendar::{CivilDate, DAY_MS, LocalDateTime, ZoneClock};

/// No zone is more than 14 hours from UTC: the margin of the first, coarse filter.
const ZONE_MARGIN_MS: i64 = 14 * 3_600_000;

/// One session as the week view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCard {
    /// The group whose timetable lists it (the first, for a session shared by groups).
    pub group: String,
    /// The session's id in its timetable.
    pub id: String,
    /// Scheduled, cancelled or moved.
    pub status: SessionStatus,
    /// Cancelled only because it vanished from its calendar feed ("probably cancelled").
    pub probably: bool,
    /// Lecture, tutorial, lab or exam.
    pub kind: SessionKind,
    /// The subject.
    pub subject: String,
    /// Start, in the session's zone.
    pub start: LocalDateTime,
    /// End, in the session's zone.
    pub end: LocalDateTime,
    /// Start instant, UTC milliseconds.
    pub start_ms: i64,
    /// End instant, UTC milliseconds.
    pub end_ms: i64,
    /// Rooms now.
    pub rooms: Vec<String>,
    /// Rooms before a room change, when the rooms changed.
    pub old_rooms: Option<Vec<String>>,
    /// Former time, when the session was moved.
    pub moved_from: Option<(LocalDateTime, LocalDateTime)>,
    /// Teachers.
    pub teachers: Vec<String>,
    /// A note to the students.
    pub note: Option<String>,
    /// The user hid its subject (shown only while they look at what they hid).
    pub hidden: bool,
}

impl SessionCard {
    fn new(group: &str, id: &str, s: &Session, clock: &impl ZoneClock) -> Self {
        let moved_from = (s.status == SessionStatus::Moved || s.time_changed())
            .then_some(s.previous.as_ref())
            .flatten()
            .map(|p| (clock.local(p.start_ms, &s.zone), clock.local(p.end_ms, &s.zone)));
        Self {
            group: group.to_owned(),
            id: id.to_owned(),
            status: s.status,
            probably: s.probably_cancelled(),
            kind: s.kind,
            subject: s.subject.clone(),
            start: clock.local(s.start_ms, &s.zone),
            end: clock.local(s.end_ms, &s.zone),
            start_ms: s.start_ms,
            end_ms: s.end_ms,
            rooms: s.rooms.clone(),
            old_rooms: s
                .room_changed()
                .then(|| s.previous.as_ref().map(|p| p.rooms.clone()))
                .flatten(),
            moved_from,
            teachers: s.teachers.clone(),
            note: s.note.clone().filter(|n| !n.trim().is_empty()),
            hidden: false,
        }
    }

    /// `scheduled`, `cancelled` or `moved`: the `data-status` attribute.
    pub fn status_attr(&self) -> &'static str {
        status_attr(self.status)
    }
}

/// `scheduled`, `cancelled` or `moved`.
pub fn status_attr(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Scheduled => "scheduled",
        SessionStatus::Cancelled => "cancelled",
        SessionStatus::Moved => "moved",
    }
}

/// One day of a week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPlan {
    /// The date.
    pub date: CivilDate,
    /// Its sessions, by start time.
    pub sessions: Vec<SessionCard>,
}

/// A week, Monday to Sunday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekPlan {
    /// Its Monday.
    pub monday: CivilDate,
    /// Seven days, Monday first.
    pub days: Vec<DayPlan>,
}

impl WeekPlan {
    /// Whether no day has a session.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(|d| d.sessions.is_empty())
    }

    /// Applies the subjects the user hid (`hidden`): their sessions are taken out, or with
    /// `reveal` kept and marked [`SessionCard::hidden`], so that the user can show them again.
    pub fn hide(&mut self, hidden: &[String], reveal: bool) {
        if hidden.is_empty() {
            return;
        }
        for day in &mut self.days {
            if reveal {
                for card in &mut day.sessions {
                    card.hidden = hidden.contains(&card.subject);
                }
            } else {
                day.sessions.retain(|card| !hidden.contains(&card.subject));
            }
        }
    }

    /// The days to show: Monday to Friday always, Saturday and Sunday when they have sessions.
    pub fn visible_days(&self) -> impl Iterator<Item = &DayPlan> {
        self.days.iter().filter(|d| d.date.weekday() < 5 || !d.sessions.is_empty())
    }
}

/// Sessions overlapping `[from, to)`, in no particular order (callers sort what they keep).
fn overlapping(t: &Timetable, from: i64, to: i64) -> impl Iterator<Item = (&str, &Session)> {
    t.sessions
        .iter()
        .filter(move |(_, s)| s.end_ms > from && s.start_ms < to)
        .map(|(id, s)| (id.as_str(), s))
}

/// Sessions of all `timetables` in the week starting on `monday`, grouped by their day in
/// their own zone. A session listed in several timetables (a lecture shared by groups) appears
/// once.
pub fn plan_week<'a>(
    timetables: impl IntoIterator<Item = &'a Timetable>,
    monday: CivilDate,
    clock: &impl ZoneClock,
) -> WeekPlan {
    let monday = monday.monday();
    let from = monday.utc_midnight_ms() - ZONE_MARGIN_MS;
    let to = monday.utc_midnight_ms() + 7 * DAY_MS + ZONE_MARGIN_MS;
    let mut days: Vec<DayPlan> =
        (0..7).map(|i| DayPlan { date: monday.add_days(i), sessions: Vec::new() }).collect();
    // A week holds a few dozen sessions: a list is enough to see repeats.
    let mut seen: Vec<&str> = Vec::new();
    for t in timetables {
        for (id, s) in overlapping(t, from, to) {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            let card = SessionCard::new(&t.group, id, s, clock);
            let offset = card.start.date.to_days() - monday.to_days();
            if let Ok(i) = usize::try_from(offset)
                && let Some(day) = days.get_mut(i)
            {
                day.sessions.push(card);
            }
        }
    }
    for d in &mut days {
        d.sessions.sort_unstable_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    }
    WeekPlan { monday, days }
}

/// The session of `today` (in its own zone) that has not ended at `now_ms`, is not cancelled
/// and is not of a subject the user hid (`hidden`), earliest first.
pub fn next_today<'a>(
    timetables: impl IntoIterator<Item = &'a Timetable>,
    today: CivilDate,
    now_ms: i64,
    hidden: &[String],
    clock: &impl ZoneClock,
) -> Option<SessionCard> {
    let until = today.utc_midnight_ms() + DAY_MS + ZONE_MARGIN_MS;
    timetables
        .into_iter()
        .flat_map(|t| overlapping(t, now_ms, until).map(move |(id, s)| (t.group.as_str(), id, s)))
        .filter(|(_, _, s)| {
            s.status != SessionStatus::Cancelled
                && s.end_ms > now_ms
                && !hidden.contains(&s.subject)
        })
        .map(|(group, id, s)| SessionCard::new(group, id, s, clock))
        .filter(|c| c.start.date == today)
        .min_by(|a, b| (a.start_ms, &a.id).cmp(&(b.start_ms, &b.id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::FixedOffset;
    use cartable_shared::timetable::PreviousSlot;

    const H: i64 = 3_600_000;
    const PARIS_WINTER: FixedOffset = FixedOffset { minutes: 60 };

    fn monday() -> CivilDate {
        CivilDate::new(2026, 11, 23).unwrap()
    }

    /// A session on `day` (0 = Monday of the test week) at `hour` Paris time, for an hour.
    fn session(day: i64, hour: i64) -> Session {
        let start_ms = monday().add_days(day).utc_midnight_ms() + (hour - 1) * H;
        Session {
            start_ms,
            end_ms: start_ms + 2 * H,
            zone: "Europe/Paris".into(),
            subject: "Algorithmique".into(),
            kind: SessionKind::Cm,
            rooms: vec!["Amphi A".into()],
            teachers: vec!["M. Durand".into()],
            status: SessionStatus::Scheduled,
            probably: false,
            previous: None,
            note: None,
            source: "manual".into(),
        }
    }

    fn timetable(sessions: Vec<(&str, Session)>) -> Timetable {
        let mut t = Timetable::new("g");
        for (id, s) in sessions {
            t.sessions.insert(id.into(), s);
        }
        t
    }

    #[test]
    fn sessions_land_on_their_local_day_in_time_order() {
        let t = timetable(vec![
            ("b", session(0, 14)),
            ("a", session(0, 8)),
            ("c", session(2, 10)),
            ("late", session(3, 0)), // 00:00 Paris Thursday = 23:00 UTC Wednesday
            ("next-week", session(7, 8)),
            ("last-week", session(-1, 8)),
        ]);
        let plan = plan_week([&t], monday(), &PARIS_WINTER);
        assert_eq!(plan.days.len(), 7);
        let ids =
            |i: usize| plan.days[i].sessions.iter().map(|c| c.id.as_str()).collect::<Vec<_>>();
        assert_eq!(ids(0), ["a", "b"]);
        assert_eq!(ids(2), ["c"]);
        assert_eq!(ids(3), ["late"]);
        assert_eq!(plan.days[0].sessions[0].start.hm(), "08:00");
        assert_eq!(plan.days[0].sessions[0].end.hm(), "10:00");
        assert!(plan.days.iter().all(|d| d.sessions.iter().all(|c| !c.id.contains("week"))));
    }

    #[test]
    fn any_day_of_the_week_gives_the_same_plan() {
        let t = timetable(vec![("a", session(4, 9))]);
        let from_thursday = plan_week([&t], monday().add_days(3), &PARIS_WINTER);
        assert_eq!(from_thursday, plan_week([&t], monday(), &PARIS_WINTER));
        assert_eq!(from_thursday.monday, monday());
    }

    #[test]
    fn weekend_days_are_shown_only_with_sessions() {
        let t = timetable(vec![("sat", session(5, 9))]);
        let plan = plan_week([&t], monday(), &PARIS_WINTER);
        let shown: Vec<u8> = plan.visible_days().map(|d| d.date.weekday()).collect();
        assert_eq!(shown, [0, 1, 2, 3, 4, 5]);
        assert!(!plan.is_empty());
        assert!(plan_week([&Timetable::new("g")], monday(), &PARIS_WINTER).is_empty());
    }

    #[test]
    fn changes_are_carried_to_the_card() {
        let mut moved = session(1, 10);
        moved.status = SessionStatus::Moved;
        moved.previous = Some(PreviousSlot {
            start_ms: moved.start_ms - 24 * H,
            end_ms: moved.end_ms - 24 * H,
            rooms: moved.rooms.clone(),
        });
        let mut room = session(1, 14);
        room.previous = Some(PreviousSlot {
            start_ms: room.start_ms,
            end_ms: room.end_ms,
            rooms: vec!["B12".into()],
        });
        let mut cancelled = session(1, 16);
        cancelled.status = SessionStatus::Cancelled;
        cancelled.note = Some("Enseignant absent".into());
        let mut guess = session(1, 18);
        guess.status = SessionStatus::Cancelled;
        guess.probably = true;
        let t = timetable(vec![("m", moved), ("r", room), ("x", cancelled), ("y", guess)]);
        let plan = plan_week([&t], monday(), &PARIS_WINTER);
        let day = &plan.days[1].sessions;
        let (m, r, x) = (&day[0], &day[1], &day[2]);
        assert!(!x.probably && day[3].probably, "only the session gone from its feed");
        assert_eq!(m.status_attr(), "moved");
        let (from, _) = m.moved_from.unwrap();
        assert_eq!((from.date, from.hm().as_str()), (monday(), "10:00"));
        assert!(m.old_rooms.is_none());
        assert_eq!(r.old_rooms.as_deref(), Some(&["B12".to_string()][..]));
        assert!(r.moved_from.is_none());
        assert_eq!(x.status_attr(), "cancelled");
        assert_eq!(x.note.as_deref(), Some("Enseignant absent"));
    }

    #[test]
    fn a_session_shared_by_two_timetables_appears_once() {
        let a = timetable(vec![("cm-1", session(0, 8))]);
        let b = timetable(vec![("cm-1", session(0, 8))]);
        let plan = plan_week([&a, &b], monday(), &PARIS_WINTER);
        assert_eq!(plan.days[0].sessions.len(), 1);
    }

    #[test]
    fn next_session_skips_ended_and_cancelled_ones() {
        let mut cancelled = session(0, 12);
        cancelled.status = SessionStatus::Cancelled;
        let t = timetable(vec![
            ("early", session(0, 8)),
            ("x", cancelled),
            ("later", session(0, 14)),
            ("tomorrow", session(1, 8)),
        ]);
        let now = monday().utc_midnight_ms() + 10 * H; // 11:00 Paris: "early" ended at 10:00
        let next = next_today([&t], monday(), now, &[], &PARIS_WINTER).unwrap();
        assert_eq!(next.id, "later");
        let evening = monday().utc_midnight_ms() + 20 * H;
        assert!(next_today([&t], monday(), evening, &[], &PARIS_WINTER).is_none());
        // A session in progress is still the next one.
        let during = monday().utc_midnight_ms() + 7 * H + 30 * 60_000;
        assert_eq!(next_today([&t], monday(), during, &[], &PARIS_WINTER).unwrap().id, "early");
    }

    #[test]
    fn hidden_subjects_leave_the_week_and_the_next_session_unless_revealed() {
        let mut sport = session(0, 8);
        sport.subject = "Sport".into();
        let mut english = session(0, 14);
        english.subject = "Anglais".into();
        let t = timetable(vec![("sport", sport), ("algo", session(0, 10)), ("en", english)]);
        let hidden = vec!["Sport".to_string(), "Anglais".to_string()];
        let ids =
            |p: &WeekPlan| p.days[0].sessions.iter().map(|c| c.id.clone()).collect::<Vec<_>>();

        let mut plan = plan_week([&t], monday(), &PARIS_WINTER);
        plan.hide(&hidden, false);
        assert_eq!(ids(&plan), ["algo"]);

        let mut revealed = plan_week([&t], monday(), &PARIS_WINTER);
        revealed.hide(&hidden, true);
        assert_eq!(ids(&revealed), ["sport", "algo", "en"]);
        let marks: Vec<bool> = revealed.days[0].sessions.iter().map(|c| c.hidden).collect();
        assert_eq!(marks, [true, false, true]);

        let mut untouched = plan_week([&t], monday(), &PARIS_WINTER);
        untouched.hide(&[], false);
        assert_eq!(untouched, plan_week([&t], monday(), &PARIS_WINTER));

        let at_7 = monday().utc_midnight_ms() + 6 * H; // 07:00 Paris, before everything
        assert_eq!(next_today([&t], monday(), at_7, &[], &PARIS_WINTER).unwrap().id, "sport");
        assert_eq!(next_today([&t], monday(), at_7, &hidden, &PARIS_WINTER).unwrap().id, "algo");
        let at_13 = monday().utc_midnight_ms() + 12 * H; // algo ended at 12:00
        assert!(next_today([&t], monday(), at_13, &hidden, &PARIS_WINTER).is_none());
    }
}
