//! Notification categories, levels and the per-user rules of DESIGN §5: which events reach a
//! user's devices, which wait for the end of quiet hours, and how urgent each push is.
//!
//! Pure logic: the server's push sender and the app's settings view both use it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "crdt")]
use autosurgeon::{Hydrate, Reconcile};

/// How much a user wants to be told.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub enum Level {
    /// Grades, cancellations and moves, alerts.
    Essential,
    /// The above, plus messages, reminders, room changes, homework due tomorrow, warnings.
    #[default]
    Intermediate,
    /// Everything.
    Complete,
}

/// What an event is about. Each category belongs to the lowest level that includes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A grade was published.
    GradePublished,
    /// A class was cancelled.
    ClassCancelled,
    /// A class was moved to another time.
    ClassMoved,
    /// An announcement of severity *alert*.
    AnnouncementAlert,
    /// A new message in a thread.
    NewMessage,
    /// A reminder from the library, posted through the API.
    LibraryReminder,
    /// A class changed room.
    RoomChanged,
    /// Homework due tomorrow and not marked done.
    HomeworkDueTomorrow,
    /// An announcement of severity *warning*.
    AnnouncementWarning,
    /// New homework was set.
    NewHomework,
    /// Homework was changed.
    HomeworkChanged,
    /// A new course document.
    NewDocument,
    /// An announcement of severity *information*.
    AnnouncementInformation,
}

impl Category {
    /// Every category, in the order of DESIGN §5.
    pub const ALL: [Category; 13] = [
        Category::GradePublished,
        Category::ClassCancelled,
        Category::ClassMoved,
        Category::AnnouncementAlert,
        Category::NewMessage,
        Category::LibraryReminder,
        Category::RoomChanged,
        Category::HomeworkDueTomorrow,
        Category::AnnouncementWarning,
        Category::NewHomework,
        Category::HomeworkChanged,
        Category::NewDocument,
        Category::AnnouncementInformation,
    ];

    /// The lowest level that includes this category.
    pub fn level(self) -> Level {
        use Category::*;
        match self {
            GradePublished | ClassCancelled | ClassMoved | AnnouncementAlert => Level::Essential,
            NewMessage | LibraryReminder | RoomChanged | HomeworkDueTomorrow
            | AnnouncementWarning => Level::Intermediate,
            NewHomework | HomeworkChanged | NewDocument | AnnouncementInformation => {
                Level::Complete
            }
        }
    }

    /// The category's stable name (as stored in settings overrides and sent in payloads).
    pub fn as_str(self) -> &'static str {
        use Category::*;
        match self {
            GradePublished => "grade_published",
            ClassCancelled => "class_cancelled",
            ClassMoved => "class_moved",
            AnnouncementAlert => "announcement_alert",
            NewMessage => "new_message",
            LibraryReminder => "library_reminder",
            RoomChanged => "room_changed",
            HomeworkDueTomorrow => "homework_due_tomorrow",
            AnnouncementWarning => "announcement_warning",
            NewHomework => "new_homework",
            HomeworkChanged => "homework_changed",
            NewDocument => "new_document",
            AnnouncementInformation => "announcement_information",
        }
    }

    /// The category of a stable name.
    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The Web Push `Urgency` header for this category (RFC 8030 §5.3).
    pub fn urgency(self) -> &'static str {
        match self.level() {
            Level::Essential => "high",
            Level::Intermediate => "normal",
            Level::Complete => "low",
        }
    }
}

/// Quiet hours, in minutes after local midnight in `zone`. `start > end` spans midnight
/// (22:00 → 07:00 is `start_min = 1320, end_min = 420`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct QuietHours {
    /// Start, minutes after midnight (0–1439).
    pub start_min: u64,
    /// End, minutes after midnight (0–1439).
    pub end_min: u64,
    /// IANA zone the minutes are counted in.
    pub zone: String,
}

impl QuietHours {
    /// Whether `minute` (after local midnight) falls inside the quiet hours.
    pub fn contains(&self, minute: u64) -> bool {
        let (s, e) = (self.start_min, self.end_min);
        match s.cmp(&e) {
            std::cmp::Ordering::Less => (s..e).contains(&minute),
            std::cmp::Ordering::Greater => minute >= s || minute < e,
            std::cmp::Ordering::Equal => false,
        }
    }
}

/// A user's notification settings, kept in their `me` document so that they follow the user
/// across devices and can be changed offline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "crdt", derive(Reconcile, Hydrate))]
pub struct NotificationSettings {
    /// The chosen level (intermediate by default).
    pub level: Level,
    /// Per-category exceptions to the level: category name → on / off.
    pub overrides: BTreeMap<String, bool>,
    /// Quiet hours, if any.
    pub quiet_hours: Option<QuietHours>,
}

/// What to do with one event for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Push it now.
    Send,
    /// Keep it for the summary sent when quiet hours end.
    Hold,
    /// The user does not want this category.
    Drop,
}

/// A cancellation or move of a class starting within this many milliseconds is urgent: it
/// passes quiet hours.
pub const URGENT_WINDOW_MS: i64 = 12 * 3_600_000;

impl NotificationSettings {
    /// Whether the user wants `category` at all (level, then override).
    pub fn wants(&self, category: Category) -> bool {
        self.overrides.get(category.as_str()).copied().unwrap_or(category.level() <= self.level)
    }

    /// The decision for an event of `category`, `urgent` or not, when it is `local_minute`
    /// after midnight in the quiet hours' zone.
    pub fn decide(&self, category: Category, urgent: bool, local_minute: u64) -> Decision {
        if !self.wants(category) {
            Decision::Drop
        } else if !urgent && self.quiet_hours.as_ref().is_some_and(|q| q.contains(local_minute)) {
            Decision::Hold
        } else {
            Decision::Send
        }
    }
}

/// Whether a cancellation or move is urgent: the class starts within [`URGENT_WINDOW_MS`] of
/// `now_ms` (and has not ended).
pub fn is_urgent(category: Category, class_start_ms: i64, class_end_ms: i64, now_ms: i64) -> bool {
    matches!(category, Category::ClassCancelled | Category::ClassMoved)
        && class_end_ms > now_ms
        && class_start_ms - now_ms <= URGENT_WINDOW_MS
}

/// What a push message carries (JSON, encrypted end to end). Never more than the lock screen
/// of that level would show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPayload {
    /// The category's stable name.
    pub category: String,
    /// Title line.
    pub title: String,
    /// Body text.
    pub body: String,
    /// Replaces an earlier notification with the same tag (the same session, the same grade).
    pub tag: String,
    /// The app view to open when tapped, e.g. `/?view=week&session=<id>`.
    pub url: String,
    /// When the event happened, UTC milliseconds.
    pub at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_is_wanted_exactly_from_its_level() {
        // DESIGN §5, row by row.
        let table: [(Category, Level); 13] = [
            (Category::GradePublished, Level::Essential),
            (Category::ClassCancelled, Level::Essential),
            (Category::ClassMoved, Level::Essential),
            (Category::AnnouncementAlert, Level::Essential),
            (Category::NewMessage, Level::Intermediate),
            (Category::LibraryReminder, Level::Intermediate),
            (Category::RoomChanged, Level::Intermediate),
            (Category::HomeworkDueTomorrow, Level::Intermediate),
            (Category::AnnouncementWarning, Level::Intermediate),
            (Category::NewHomework, Level::Complete),
            (Category::HomeworkChanged, Level::Complete),
            (Category::NewDocument, Level::Complete),
            (Category::AnnouncementInformation, Level::Complete),
        ];
        for (category, from) in table {
            for level in [Level::Essential, Level::Intermediate, Level::Complete] {
                let s = NotificationSettings { level, ..Default::default() };
                assert_eq!(s.wants(category), level >= from, "{category:?} at {level:?}");
                let expected = if level >= from { Decision::Send } else { Decision::Drop };
                assert_eq!(s.decide(category, false, 600), expected);
            }
            assert_eq!(Category::from_name(category.as_str()), Some(category));
        }
        assert_eq!(NotificationSettings::default().level, Level::Intermediate);
    }

    #[test]
    fn overrides_win_over_the_level() {
        let mut s = NotificationSettings { level: Level::Essential, ..Default::default() };
        s.overrides.insert("new_homework".into(), true);
        s.overrides.insert("grade_published".into(), false);
        assert_eq!(s.decide(Category::NewHomework, false, 600), Decision::Send);
        assert_eq!(s.decide(Category::GradePublished, false, 600), Decision::Drop);
        assert_eq!(s.decide(Category::NewMessage, false, 600), Decision::Drop);
    }

    #[test]
    fn quiet_hours_hold_what_is_not_urgent_for_every_category() {
        let s = NotificationSettings {
            level: Level::Complete,
            overrides: BTreeMap::new(),
            quiet_hours: Some(QuietHours {
                start_min: 22 * 60,
                end_min: 7 * 60,
                zone: "Europe/Paris".into(),
            }),
        };
        for category in Category::ALL {
            assert_eq!(s.decide(category, false, 23 * 60), Decision::Hold, "{category:?}");
            assert_eq!(s.decide(category, false, 3 * 60), Decision::Hold, "{category:?}");
            assert_eq!(s.decide(category, false, 7 * 60), Decision::Send, "{category:?} at 07:00");
            assert_eq!(s.decide(category, true, 23 * 60), Decision::Send, "urgent {category:?}");
        }
        let day = QuietHours { start_min: 12 * 60, end_min: 14 * 60, zone: "UTC".into() };
        assert!(day.contains(13 * 60) && !day.contains(14 * 60) && !day.contains(11 * 60));
    }

    #[test]
    fn an_override_decides_for_its_category_at_every_level_and_nothing_else_moves() {
        for category in Category::ALL {
            for level in [Level::Essential, Level::Intermediate, Level::Complete] {
                for on in [true, false] {
                    let mut s = NotificationSettings { level, ..Default::default() };
                    s.overrides.insert(category.as_str().into(), on);
                    assert_eq!(s.wants(category), on, "{category:?} {level:?} override {on}");
                    let expected = if on { Decision::Send } else { Decision::Drop };
                    assert_eq!(s.decide(category, false, 600), expected);
                    assert_eq!(s.decide(category, true, 600), expected, "urgent too");
                    for other in Category::ALL.into_iter().filter(|c| *c != category) {
                        assert_eq!(s.wants(other), other.level() <= level, "{other:?} untouched");
                    }
                }
            }
        }
        // An unknown name in the overrides (a newer app's category) changes nothing.
        let mut s = NotificationSettings::default();
        s.overrides.insert("a_future_category".into(), true);
        assert!(Category::ALL.iter().all(|c| s.wants(*c) == (c.level() <= Level::Intermediate)));
    }

    #[test]
    fn quiet_hours_never_bring_back_what_is_not_wanted_and_urgency_only_skips_the_wait() {
        let quiet = QuietHours { start_min: 22 * 60, end_min: 7 * 60, zone: "UTC".into() };
        for level in [Level::Essential, Level::Intermediate, Level::Complete] {
            for category in Category::ALL {
                let mut s = NotificationSettings {
                    level,
                    quiet_hours: Some(quiet.clone()),
                    ..Default::default()
                };
                let wanted = category.level() <= level;
                let (night, day) = (23 * 60, 12 * 60);
                let expect = |d: Decision| if wanted { d } else { Decision::Drop };
                assert_eq!(
                    s.decide(category, false, night),
                    expect(Decision::Hold),
                    "{category:?}"
                );
                assert_eq!(s.decide(category, true, night), expect(Decision::Send), "{category:?}");
                assert_eq!(s.decide(category, false, day), expect(Decision::Send), "{category:?}");
                // Turned on by an override: held at night like the others.
                s.overrides.insert(category.as_str().into(), true);
                assert_eq!(s.decide(category, false, night), Decision::Hold);
                s.overrides.insert(category.as_str().into(), false);
                assert_eq!(s.decide(category, true, night), Decision::Drop);
            }
        }
        // Empty quiet hours (start = end) hold nothing.
        let none = QuietHours { start_min: 600, end_min: 600, zone: "UTC".into() };
        assert!((0..1440).all(|m| !none.contains(m)));
    }

    #[test]
    fn urgency_headers_follow_the_levels() {
        for category in Category::ALL {
            let expected = match category.level() {
                Level::Essential => "high",
                Level::Intermediate => "normal",
                Level::Complete => "low",
            };
            assert_eq!(category.urgency(), expected, "{category:?}");
        }
    }

    #[test]
    fn only_cancellations_and_moves_within_twelve_hours_are_urgent() {
        let now = 1_000_000_000_000;
        let h = 3_600_000;
        assert!(is_urgent(Category::ClassCancelled, now + 11 * h, now + 13 * h, now));
        assert!(is_urgent(Category::ClassMoved, now + 12 * h, now + 14 * h, now));
        assert!(!is_urgent(Category::ClassCancelled, now + 13 * h, now + 15 * h, now));
        assert!(!is_urgent(Category::ClassCancelled, now - 3 * h, now - h, now), "already over");
        assert!(!is_urgent(Category::GradePublished, now + h, now + 2 * h, now));
    }
}
