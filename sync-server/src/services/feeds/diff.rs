//! What an import changes in a timetable: the difference between the previous good import of
//! a feed and the new one, applied field by field to the timetable's sessions (never "replace
//! the whole timetable").
//!
//! Rules:
//! - only sessions that start in the future (by their old or new start) change; the past is
//!   kept as it was;
//! - a session gone from the feed is marked cancelled ("probably cancelled") if it was to start
//!   within the period the new feed still covers (up to its last session); one that comes back
//!   is restored;
//! - a new time is a move (`status: moved`, the first slot kept in `previous`); new rooms are a
//!   room change; subject, kind, teachers and description are updated silently;
//! - manual edits: the feed writes a field only when the feed's own value of it changed since
//!   the previous import, so a teacher's change stays until the feed changes that same field,
//!   and a session a teacher cancelled stays cancelled (a feed move or room change still
//!   updates its time and rooms).

use std::collections::{BTreeMap, BTreeSet};

use cartable_shared::calendar::ImportSummary;
use cartable_shared::ids::FeedId;
use cartable_shared::timetable::{PreviousSlot, Session, SessionStatus};
use sha2::{Digest, Sha256};

use super::parse::FeedSession;

/// The timetable session id of a feed session: the feed id and a hash of its key.
pub fn session_id(feed: &FeedId, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("{feed}.{}", hex::encode(&digest[..8]))
}

fn new_session(feed: &FeedId, f: &FeedSession) -> Session {
    Session {
        start_ms: f.start_ms,
        end_ms: f.end_ms,
        zone: f.zone.clone(),
        subject: f.subject.clone(),
        kind: f.kind,
        rooms: f.rooms.clone(),
        teachers: f.teachers.clone(),
        status: if f.cancelled { SessionStatus::Cancelled } else { SessionStatus::Scheduled },
        probably: false,
        previous: None,
        note: f.note.clone(),
        source: feed.to_string(),
    }
}

fn remember(s: &mut Session) {
    if s.previous.is_none() {
        s.previous =
            Some(PreviousSlot { start_ms: s.start_ms, end_ms: s.end_ms, rooms: s.rooms.clone() });
    }
}

/// Applies the change from `previous` (the last good import, empty for the first) to `next`
/// to `sessions` (a timetable's), at `now_ms`; says what it changed.
pub fn apply(
    feed: &FeedId,
    previous: &BTreeMap<String, FeedSession>,
    next: &BTreeMap<String, FeedSession>,
    sessions: &mut BTreeMap<String, Session>,
    now_ms: i64,
) -> ImportSummary {
    let mut summary = ImportSummary::default();
    let covered_until = next.values().map(|s| s.start_ms).max().unwrap_or(i64::MIN);
    let keys: BTreeSet<&String> = previous.keys().chain(next.keys()).collect();
    for key in keys {
        let id = session_id(feed, key);
        match (previous.get(key), next.get(key)) {
            (None, Some(n)) => match sessions.get_mut(&id) {
                None => {
                    sessions.insert(id, new_session(feed, n));
                    summary.added += 1;
                }
                Some(cur) => {
                    // Gone from an earlier import (so cancelled by the importer), now back.
                    if n.start_ms < now_ms {
                        continue;
                    }
                    let restored = cur.status == SessionStatus::Cancelled && !n.cancelled;
                    let mut fresh = new_session(feed, n);
                    if !restored {
                        fresh.status = cur.status;
                        fresh.previous = cur.previous.clone();
                    }
                    if *cur != fresh {
                        *cur = fresh;
                        if restored {
                            summary.restored += 1;
                        } else {
                            summary.updated += 1;
                        }
                    }
                }
            },
            (Some(p), None) => {
                if p.start_ms < now_ms || p.start_ms > covered_until {
                    continue;
                }
                if let Some(cur) = sessions.get_mut(&id)
                    && cur.status != SessionStatus::Cancelled
                {
                    remember(cur);
                    cur.status = SessionStatus::Cancelled;
                    // Nobody said so: it is only gone from the feed.
                    cur.probably = true;
                    summary.cancelled += 1;
                }
            }
            (Some(p), Some(n)) => {
                if p == n || (p.start_ms < now_ms && n.start_ms < now_ms) {
                    continue;
                }
                let Some(cur) = sessions.get_mut(&id) else {
                    sessions.insert(id, new_session(feed, n));
                    summary.added += 1;
                    continue;
                };
                update(cur, p, n, &mut summary);
            }
            (None, None) => {}
        }
    }
    summary
}

/// One session the feed still has, changed since the previous import.
fn update(cur: &mut Session, p: &FeedSession, n: &FeedSession, summary: &mut ImportSummary) {
    if n.cancelled && !p.cancelled {
        if cur.status != SessionStatus::Cancelled {
            remember(cur);
            cur.status = SessionStatus::Cancelled;
            summary.cancelled += 1;
        }
        cur.probably = false;
    } else if !n.cancelled && p.cancelled && cur.status == SessionStatus::Cancelled {
        cur.status =
            if cur.previous.is_some() { SessionStatus::Moved } else { SessionStatus::Scheduled };
        cur.probably = false;
        summary.restored += 1;
    }
    if (p.start_ms, p.end_ms) != (n.start_ms, n.end_ms) {
        remember(cur);
        cur.start_ms = n.start_ms;
        cur.end_ms = n.end_ms;
        if cur.status != SessionStatus::Cancelled {
            cur.status = SessionStatus::Moved;
        }
        summary.moved += 1;
    }
    if p.rooms != n.rooms {
        remember(cur);
        cur.rooms = n.rooms.clone();
        summary.room_changed += 1;
    }
    // Back to exactly the original slot: nothing changed after all.
    if let Some(prev) = &cur.previous
        && prev.start_ms == cur.start_ms
        && prev.end_ms == cur.end_ms
        && prev.rooms == cur.rooms
    {
        cur.previous = None;
        if cur.status == SessionStatus::Moved {
            cur.status = SessionStatus::Scheduled;
        }
    }
    let mut updated = false;
    if p.subject != n.subject {
        cur.subject = n.subject.clone();
        updated = true;
    }
    if p.kind != n.kind {
        cur.kind = n.kind;
        updated = true;
    }
    if p.teachers != n.teachers {
        cur.teachers = n.teachers.clone();
        updated = true;
    }
    if p.note != n.note {
        cur.note = n.note.clone();
        updated = true;
    }
    if p.zone != n.zone {
        cur.zone = n.zone.clone();
        updated = true;
    }
    if updated {
        summary.updated += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartable_shared::timetable::SessionKind;

    const H: i64 = 3_600_000;
    const NOW: i64 = 1_000 * H;

    fn feed() -> FeedId {
        "feed-test".parse().unwrap()
    }

    fn fs(key: &str, start_ms: i64, room: &str) -> FeedSession {
        FeedSession {
            key: key.into(),
            start_ms,
            end_ms: start_ms + 2 * H,
            zone: "Europe/Paris".into(),
            subject: "Réseaux".into(),
            kind: SessionKind::Cm,
            rooms: vec![room.into()],
            teachers: vec![],
            note: None,
            cancelled: false,
        }
    }

    fn import(items: &[FeedSession]) -> BTreeMap<String, FeedSession> {
        items.iter().map(|s| (s.key.clone(), s.clone())).collect()
    }

    fn get<'a>(t: &'a BTreeMap<String, Session>, key: &str) -> &'a Session {
        &t[&session_id(&feed(), key)]
    }

    fn first(items: &[FeedSession]) -> BTreeMap<String, Session> {
        let mut t = BTreeMap::new();
        let s = apply(&feed(), &BTreeMap::new(), &import(items), &mut t, NOW);
        assert_eq!(s.added as usize, items.len());
        t
    }

    #[test]
    fn the_same_feed_twice_changes_nothing() {
        let v1 = [fs("a", NOW + H, "A1"), fs("b", NOW + 30 * H, "B2")];
        let mut t = first(&v1);
        let before = t.clone();
        let s = apply(&feed(), &import(&v1), &import(&v1), &mut t, NOW);
        assert_eq!(s, ImportSummary::default());
        assert_eq!(t, before);
    }

    #[test]
    fn a_session_gone_from_the_feed_is_probably_cancelled_and_restored_when_it_comes_back() {
        let v1 = [fs("a", NOW + H, "A1"), fs("b", NOW + 30 * H, "B2")];
        let mut t = first(&v1);
        let v2 = [fs("b", NOW + 30 * H, "B2")];
        let s = apply(&feed(), &import(&v1), &import(&v2), &mut t, NOW);
        assert_eq!(s.cancelled, 1);
        assert_eq!(get(&t, "a").status, SessionStatus::Cancelled);
        assert!(get(&t, "a").probably_cancelled(), "only gone from the feed");
        assert!(!get(&t, "b").probably_cancelled());
        let s = apply(&feed(), &import(&v2), &import(&v1), &mut t, NOW);
        assert_eq!(s.restored, 1);
        assert_eq!(get(&t, "a").status, SessionStatus::Scheduled);
        assert!(!get(&t, "a").probably);
        assert_eq!(get(&t, "a").previous, None);
    }

    #[test]
    fn a_cancellation_the_feed_states_is_not_a_guess() {
        let v1 = [fs("a", NOW + H, "A1"), fs("b", NOW + 30 * H, "B2")];
        let mut t = first(&v1);
        let mut cancelled = fs("a", NOW + H, "A1");
        cancelled.cancelled = true;
        let v2 = [cancelled, fs("b", NOW + 30 * H, "B2")];
        apply(&feed(), &import(&v1), &import(&v2), &mut t, NOW);
        assert_eq!(get(&t, "a").status, SessionStatus::Cancelled);
        assert!(!get(&t, "a").probably_cancelled());
    }

    #[test]
    fn past_sessions_and_sessions_beyond_the_feed_window_are_kept() {
        let v1 =
            [fs("old", NOW - 5 * H, "A1"), fs("a", NOW + H, "A1"), fs("far", NOW + 900 * H, "F")];
        let mut t = first(&v1);
        let v2 = [fs("a", NOW + H, "A1")];
        let s = apply(&feed(), &import(&v1), &import(&v2), &mut t, NOW);
        assert_eq!(s, ImportSummary::default(), "past and uncovered sessions are not touched");
        assert_eq!(get(&t, "old").status, SessionStatus::Scheduled);
        assert_eq!(get(&t, "far").status, SessionStatus::Scheduled);
    }

    #[test]
    fn a_new_time_is_a_move_and_new_rooms_a_room_change() {
        let v1 = [fs("a", NOW + H, "A1"), fs("b", NOW + 30 * H, "B2")];
        let mut t = first(&v1);
        let v2 = [fs("a", NOW + 50 * H, "A1"), fs("b", NOW + 30 * H, "C3")];
        let s = apply(&feed(), &import(&v1), &import(&v2), &mut t, NOW);
        assert_eq!((s.moved, s.room_changed, s.cancelled, s.added), (1, 1, 0, 0));
        let a = get(&t, "a");
        assert_eq!((a.status, a.start_ms), (SessionStatus::Moved, NOW + 50 * H));
        assert_eq!(a.previous.as_ref().unwrap().start_ms, NOW + H);
        let b = get(&t, "b");
        assert_eq!(b.status, SessionStatus::Scheduled);
        assert!(b.room_changed());
        assert_eq!(b.previous.as_ref().unwrap().rooms, ["B2"]);
        // Moved back: the session is as planned again.
        let s = apply(&feed(), &import(&v2), &import(&v1), &mut t, NOW);
        assert_eq!(s.moved, 1);
        assert_eq!(get(&t, "a").status, SessionStatus::Scheduled);
        assert_eq!(get(&t, "a").previous, None);
    }

    #[test]
    fn a_teachers_cancellation_and_room_change_survive_imports_that_do_not_touch_them() {
        let v1 = [fs("a", NOW + H, "A1"), fs("b", NOW + 30 * H, "B2")];
        let mut t = first(&v1);
        let id_a = session_id(&feed(), "a");
        let id_b = session_id(&feed(), "b");
        t.get_mut(&id_a).unwrap().status = SessionStatus::Cancelled;
        remember(t.get_mut(&id_b).unwrap());
        t.get_mut(&id_b).unwrap().rooms = vec!["Teacher's room".into()];
        // The feed changes only the subject of b and the time of a.
        let mut b2 = fs("b", NOW + 30 * H, "B2");
        b2.subject = "Réseaux avancés".into();
        let v2 = [fs("a", NOW + 3 * H, "A1"), b2];
        apply(&feed(), &import(&v1), &import(&v2), &mut t, NOW);
        assert_eq!(t[&id_a].status, SessionStatus::Cancelled, "the teacher's cancellation is kept");
        assert_eq!(t[&id_a].start_ms, NOW + 3 * H);
        assert_eq!(t[&id_b].rooms, ["Teacher's room"], "the teacher's room is kept");
        assert_eq!(t[&id_b].subject, "Réseaux avancés");
    }

    #[test]
    fn applying_the_same_difference_twice_changes_the_timetable_once() {
        let v1 = [fs("a", NOW + H, "A1"), fs("b", NOW + 30 * H, "B2"), fs("c", NOW + 40 * H, "C")];
        let mut t = first(&v1);
        let v2 =
            [fs("a", NOW + 50 * H, "A1"), fs("b", NOW + 30 * H, "C3"), fs("d", NOW + 45 * H, "D")];
        apply(&feed(), &import(&v1), &import(&v2), &mut t, NOW);
        let once = t.clone();
        apply(&feed(), &import(&v1), &import(&v2), &mut t, NOW);
        assert_eq!(t, once);
    }

    #[test]
    fn a_cancellation_in_the_feed_cancels() {
        let v1 = [fs("a", NOW + H, "A1")];
        let mut t = first(&v1);
        let mut a = fs("a", NOW + H, "A1");
        a.cancelled = true;
        let s = apply(&feed(), &import(&v1), &import(&[a]), &mut t, NOW);
        assert_eq!(s.cancelled, 1);
        assert_eq!(get(&t, "a").status, SessionStatus::Cancelled);
    }
}
