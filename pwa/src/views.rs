//! Pure view logic for the homework, grades and announcements screens: what to list, in which
//! order, the averages. Tested natively.

use cartable_shared::announcements::{Announcement, Announcements, Severity};
use cartable_shared::grades::{Assessment, Grades};
use cartable_shared::homework::{Assignment, Homework};
use cartable_shared::me::{MyLayer, PersonalEvent};

use crate::calendar::CivilDate;
use crate::intents::{ack_key, homework_key};

// The UI keeps the documents' maps as plain lists: their JSON is the shared structs', but a
// `BTreeMap` per entry type would add its code to the first-paint download (several KB each).

/// A `homework:<group>` view as the UI keeps it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HomeworkView {
    /// The group.
    pub group: String,
    /// Assignments with their ids.
    pub assignments: Vec<(String, Assignment)>,
}

/// A `grades:<student>` view as the UI keeps it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GradesView {
    /// Assessments with their ids.
    pub assessments: Vec<(String, Assessment)>,
}

/// An `announcements:<audience>` view as the UI keeps it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnnouncementsView {
    /// The audience.
    pub audience: String,
    /// Announcements with their ids.
    pub items: Vec<(String, Announcement)>,
}

/// The user's `me:<user>` layer as the UI keeps it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeView {
    /// Homework done flags by `<group>/<assignment>`.
    pub homework_done: Vec<(String, bool)>,
    /// Personal events with their ids.
    pub events: Vec<(String, PersonalEvent)>,
    /// Acknowledgements by `<audience>/<id>`.
    pub acknowledged: Vec<(String, i64)>,
    /// Subjects hidden from the timetable, each once, in the order they were hidden.
    pub hidden_courses: Vec<String>,
    /// Notification settings.
    pub notifications: cartable_shared::notify::NotificationSettings,
}

impl MeView {
    /// Whether an assignment is marked done.
    pub fn done(&self, key: &str) -> bool {
        self.homework_done.iter().any(|(k, d)| k == key && *d)
    }

    /// When an announcement was acknowledged.
    pub fn acked(&self, key: &str) -> Option<i64> {
        self.acknowledged.iter().find(|(k, _)| k == key).map(|(_, at)| *at)
    }
}

impl From<Homework> for HomeworkView {
    fn from(h: Homework) -> Self {
        Self { group: h.group, assignments: h.assignments.into_iter().collect() }
    }
}

impl From<Grades> for GradesView {
    fn from(g: Grades) -> Self {
        Self { assessments: g.assessments.into_iter().collect() }
    }
}

impl From<Announcements> for AnnouncementsView {
    fn from(a: Announcements) -> Self {
        Self { audience: a.audience, items: a.items.into_iter().collect() }
    }
}

impl From<MyLayer> for MeView {
    fn from(m: MyLayer) -> Self {
        Self {
            homework_done: m.homework_done.into_iter().collect(),
            events: m.events.into_iter().collect(),
            acknowledged: m.acknowledged.into_iter().collect(),
            hidden_courses: distinct(m.hidden_courses),
            notifications: m.notifications,
        }
    }
}

/// The items of a list each once, in the order of their first appearance (a list in a
/// document merged from two devices can hold the same item twice).
pub fn distinct(items: Vec<String>) -> Vec<String> {
    let mut seen = Vec::with_capacity(items.len());
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// Sorts a short list by a key, stably, with an insertion sort: a few hundred bytes of code,
/// where each instance of the standard library's sorts costs kilobytes in the UI module.
pub fn sort_small<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && key(&v[j - 1]) > key(&v[j]) {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// One assignment as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct HomeworkItem<'a> {
    /// The group (scope of its document).
    pub group: &'a str,
    /// The assignment id.
    pub id: &'a str,
    /// The assignment.
    pub assignment: &'a Assignment,
    /// Marked done in the user's layer.
    pub done: bool,
    /// Due before now and not done.
    pub overdue: bool,
}

/// Every assignment of the given homework documents, by due date (then subject, then id).
pub fn homework_items<'a>(
    docs: impl IntoIterator<Item = &'a HomeworkView>,
    mine: Option<&MeView>,
    now_ms: i64,
) -> Vec<HomeworkItem<'a>> {
    let mut items: Vec<HomeworkItem<'a>> = docs
        .into_iter()
        .flat_map(|h| {
            h.assignments.iter().map(move |(id, a)| {
                let done = mine.is_some_and(|m| m.done(&homework_key(&h.group, id)));
                HomeworkItem {
                    group: &h.group,
                    id,
                    assignment: a,
                    done,
                    overdue: !done && a.due_ms < now_ms,
                }
            })
        })
        .collect();
    sort_small(&mut items, |i| (i.assignment.due_ms, &i.assignment.subject, i.id));
    items
}

/// The workload per day: how many assignments not done yet are due on each day from `from`
/// on (days without any are left out), in date order. `day_of` gives the device's date of an
/// instant.
pub fn workload(
    items: &[HomeworkItem<'_>],
    from: CivilDate,
    day_of: impl Fn(i64) -> CivilDate,
) -> Vec<(CivilDate, u32)> {
    let mut days: Vec<(CivilDate, u32)> = Vec::new();
    // Work still ahead: an assignment whose due time has passed (earlier today) is overdue,
    // shown as such, and not counted in the load of its day.
    for i in items.iter().filter(|i| !i.done && !i.overdue) {
        let day = day_of(i.assignment.due_ms);
        if day < from {
            continue;
        }
        match days.iter_mut().find(|(d, _)| *d == day) {
            Some((_, n)) => *n += 1,
            None => days.push((day, 1)),
        }
    }
    sort_small(&mut days, |(d, _)| *d);
    days
}

/// Whether a grade was published after `seen_ms`, the newest publication this device has
/// marked as seen (grades are "new" until then; the mark is kept per device).
pub fn is_new(a: &Assessment, seen_ms: i64) -> bool {
    a.published_ms.is_some_and(|p| p > seen_ms)
}

/// The newest publication time among the grades shown.
pub fn newest_published(subjects: &[SubjectGrades<'_>]) -> Option<i64> {
    subjects.iter().flat_map(|s| s.items.iter().filter_map(|(_, a)| a.published_ms)).max()
}

/// The grades of one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectGrades<'a> {
    /// The subject.
    pub subject: &'a str,
    /// Its published assessments, by date.
    pub items: Vec<(&'a str, &'a Assessment)>,
    /// The weighted average out of 20 (`None` without any scored assessment).
    pub average: Option<f64>,
    /// The sum of the coefficients of its scored assessments.
    pub weight: f64,
}

/// A score out of 20.
pub fn out_of_20(a: &Assessment) -> Option<f64> {
    let score = a.score?;
    (a.out_of > 0.0).then(|| score / a.out_of * 20.0)
}

/// Published assessments grouped by subject (subjects in alphabetical order), each with its
/// average out of 20 weighted by the coefficients; absences (no score) and zero coefficients
/// do not count.
pub fn by_subject(grades: &GradesView) -> Vec<SubjectGrades<'_>> {
    let mut out: Vec<SubjectGrades<'_>> = Vec::new();
    for (id, a) in &grades.assessments {
        if a.published_ms.is_none() {
            continue;
        }
        let i = match out.iter().position(|s| s.subject == a.subject) {
            Some(i) => i,
            None => {
                out.push(SubjectGrades {
                    subject: &a.subject,
                    items: Vec::new(),
                    average: None,
                    weight: 0.0,
                });
                out.len() - 1
            }
        };
        out[i].items.push((id, a));
    }
    for s in &mut out {
        sort_small(&mut s.items, |(id, a)| (a.date_ms, *id));
        let (mut sum, mut weight) = (0.0, 0.0);
        for (_, a) in &s.items {
            if let Some(g) = out_of_20(a)
                && a.coefficient > 0.0
            {
                sum += g * a.coefficient;
                weight += a.coefficient;
            }
        }
        s.weight = weight;
        s.average = (weight > 0.0).then(|| sum / weight);
    }
    sort_small(&mut out, |s| s.subject);
    out
}

/// The overall average out of 20: the subjects' averages weighted by their total coefficients
/// (the same as every scored assessment weighted by its coefficient).
pub fn overall_average(subjects: &[SubjectGrades<'_>]) -> Option<f64> {
    let (mut sum, mut weight) = (0.0, 0.0);
    for s in subjects {
        if let Some(avg) = s.average {
            sum += avg * s.weight;
            weight += s.weight;
        }
    }
    (weight > 0.0).then(|| sum / weight)
}

/// One announcement as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnouncementItem<'a> {
    /// The audience (scope of its document).
    pub audience: &'a str,
    /// The id.
    pub id: &'a str,
    /// The announcement.
    pub item: &'a Announcement,
    /// When the user acknowledged it.
    pub acknowledged: Option<i64>,
}

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Alert => 0,
        Severity::Warning => 1,
        Severity::Information => 2,
    }
}

/// The announcements visible now (from ≤ now < until), most severe first, then newest first.
pub fn visible_announcements<'a>(
    docs: impl IntoIterator<Item = &'a AnnouncementsView>,
    mine: Option<&MeView>,
    now_ms: i64,
) -> Vec<AnnouncementItem<'a>> {
    let mut items: Vec<AnnouncementItem<'a>> = docs
        .into_iter()
        .flat_map(|d| {
            d.items.iter().map(move |(id, item)| AnnouncementItem {
                audience: &d.audience,
                id,
                item,
                acknowledged: mine.and_then(|m| m.acked(&ack_key(&d.audience, id))),
            })
        })
        .filter(|a| {
            a.item.visible_from_ms <= now_ms && a.item.visible_until_ms.is_none_or(|u| now_ms < u)
        })
        .collect();
    sort_small(&mut items, |a| (rank(a.item.severity), -a.item.visible_from_ms, a.id));
    items
}

/// A grade for display: `14,5` / `14.5`, at most two decimals. Integer arithmetic only: float
/// formatting would add its whole machinery to the UI module.
pub fn format_grade(value: f64, decimal_comma: bool) -> String {
    let hundredths = (value * 100.0).round() as i64;
    let (int, frac) = (hundredths.abs() / 100, hundredths.abs() % 100);
    let sign = if hundredths < 0 { "-" } else { "" };
    let sep = if decimal_comma { ',' } else { '.' };
    match frac {
        0 => format!("{sign}{int}"),
        f if f % 10 == 0 => format!("{sign}{int}{sep}{}", f / 10),
        f => format!("{sign}{int}{sep}{f:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(subject: &str, due_ms: i64) -> Assignment {
        Assignment {
            subject: subject.into(),
            title: "t".into(),
            text: "x".into(),
            set_on_ms: 0,
            due_ms,
            attachments: vec![],
            hand_in: false,
            author: "paul.durand".into(),
        }
    }

    #[test]
    fn homework_is_listed_by_due_date_with_done_and_overdue() {
        let mut h = Homework { schema: 1, group: "g".into(), ..Default::default() };
        h.assignments.insert("late".into(), assignment("Maths", 10));
        h.assignments.insert("done-late".into(), assignment("Maths", 5));
        h.assignments.insert("later".into(), assignment("Réseaux", 100));
        let mut mine = MyLayer::default();
        mine.homework_done.insert("g/done-late".into(), true);
        let (h, mine) = (HomeworkView::from(h), MeView::from(mine));
        let items = homework_items([&h], Some(&mine), 50);
        let ids: Vec<&str> = items.iter().map(|i| i.id).collect();
        assert_eq!(ids, ["done-late", "late", "later"]);
        assert!(items[0].done && !items[0].overdue, "done work is never overdue");
        assert!(!items[1].done && items[1].overdue);
        assert!(!items[2].overdue);
    }

    fn grade(subject: &str, score: Option<f64>, out_of: f64, coefficient: f64) -> Assessment {
        Assessment {
            subject: subject.into(),
            title: "t".into(),
            date_ms: 0,
            score,
            out_of,
            coefficient,
            comment: None,
            author: "paul.durand".into(),
            published_ms: Some(0),
        }
    }

    #[test]
    fn averages_are_weighted_by_coefficients_out_of_20() {
        let mut g = Grades { schema: 1, student: "lea.martin".into(), ..Default::default() };
        g.assessments.insert("a".into(), grade("Maths", Some(10.0), 20.0, 1.0));
        g.assessments.insert("b".into(), grade("Maths", Some(8.0), 10.0, 2.0)); // 16/20
        g.assessments.insert("c".into(), grade("Maths", None, 20.0, 5.0)); // absent
        g.assessments.insert("d".into(), grade("Anglais", Some(12.0), 20.0, 1.0));
        let mut draft = grade("Anglais", Some(0.0), 20.0, 1.0);
        draft.published_ms = None;
        g.assessments.insert("e".into(), draft);
        let g = GradesView::from(g);
        let subjects = by_subject(&g);
        assert_eq!(subjects[0].subject, "Anglais");
        assert_eq!(subjects[0].items.len(), 1, "drafts are not shown");
        assert_eq!(subjects[0].average, Some(12.0));
        assert_eq!(subjects[1].items.len(), 3);
        assert!((subjects[1].average.unwrap() - 14.0).abs() < 1e-9); // (10 + 16*2) / 3
        // (12*1 + 14*3) / 4
        assert!((overall_average(&subjects).unwrap() - 13.5).abs() < 1e-9);
        assert_eq!(overall_average(&[]), None);
    }

    #[test]
    fn workload_counts_what_is_not_done_per_due_day_from_today() {
        let mut h = Homework { schema: 1, group: "g".into(), ..Default::default() };
        let day = |n: i64| n * 86_400_000 + 3_600_000;
        h.assignments.insert("past".into(), assignment("Maths", day(1)));
        h.assignments.insert("a".into(), assignment("Maths", day(3)));
        h.assignments.insert("b".into(), assignment("Réseaux", day(3)));
        h.assignments.insert("done".into(), assignment("Réseaux", day(3)));
        h.assignments.insert("c".into(), assignment("Anglais", day(5)));
        h.assignments.insert("earlier-today".into(), assignment("Anglais", day(2)));
        let mut mine = MyLayer::default();
        mine.homework_done.insert("g/done".into(), true);
        let (h, mine) = (HomeworkView::from(h), MeView::from(mine));
        // Now: day 2, after the due time of "earlier-today".
        let items = homework_items([&h], Some(&mine), day(2) + 1);
        let from = CivilDate::from_days(2);
        let load = workload(&items, from, |ms| CivilDate::from_days(ms.div_euclid(86_400_000)));
        assert_eq!(load, [(CivilDate::from_days(3), 2), (CivilDate::from_days(5), 1)]);
        assert!(workload(&[], from, |_| from).is_empty());
    }

    #[test]
    fn grades_are_new_until_seen_on_this_device() {
        let mut a = grade("Maths", Some(10.0), 20.0, 1.0);
        a.published_ms = Some(100);
        assert!(is_new(&a, 0));
        assert!(is_new(&a, 99));
        assert!(!is_new(&a, 100), "seen up to its publication");
        a.published_ms = None;
        assert!(!is_new(&a, 0), "a draft is never shown, never new");
        let mut g = Grades { schema: 1, student: "s".into(), ..Default::default() };
        for (id, at) in [("x", 5), ("y", 50), ("z", 7)] {
            let mut a = grade("Maths", Some(1.0), 20.0, 1.0);
            a.published_ms = Some(at);
            g.assessments.insert(id.into(), a);
        }
        let g = GradesView::from(g);
        assert_eq!(newest_published(&by_subject(&g)), Some(50));
        assert_eq!(newest_published(&[]), None);
    }

    #[test]
    fn small_sort_is_stable_and_ordered() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_small(&mut v, |p| p.0);
        assert_eq!(v, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
    }

    #[test]
    fn grades_format_with_at_most_two_decimals() {
        assert_eq!(format_grade(13.5, true), "13,5");
        assert_eq!(format_grade(14.0, false), "14");
        assert_eq!(format_grade(2.0 / 3.0 * 20.0, false), "13.33");
        assert_eq!(format_grade(7.05, true), "7,05");
        assert_eq!(format_grade(-0.5, false), "-0.5");
    }

    fn announcement(severity: Severity, from: i64, until: Option<i64>) -> Announcement {
        Announcement {
            title: "t".into(),
            body: "b".into(),
            severity,
            visible_from_ms: from,
            visible_until_ms: until,
            ack_required: true,
            author: "admin".into(),
        }
    }

    #[test]
    fn announcements_respect_their_window_and_put_alerts_first() {
        let mut d = Announcements { schema: 1, audience: "everyone".into(), ..Default::default() };
        d.items.insert("info".into(), announcement(Severity::Information, 0, None));
        d.items.insert("alert".into(), announcement(Severity::Alert, 0, Some(100)));
        d.items.insert("future".into(), announcement(Severity::Alert, 60, None));
        d.items.insert("expired".into(), announcement(Severity::Warning, 0, Some(50)));
        let mut mine = MyLayer::default();
        mine.acknowledged.insert("everyone/info".into(), 7);
        let (d, mine) = (AnnouncementsView::from(d), MeView::from(mine));
        let items = visible_announcements([&d], Some(&mine), 50);
        let ids: Vec<&str> = items.iter().map(|i| i.id).collect();
        assert_eq!(ids, ["alert", "info"]);
        assert_eq!(items[1].acknowledged, Some(7));
    }
}
