//! Gradebooks: the teachers' `gradebook:<group>` documents and their publication into the
//! students' `grades:<student>` documents at the time the teacher chose.
//!
//! A student reads all of their grades document, so nothing may be written there before its
//! time: drafts and scheduled assessments stay in the gradebook, which only the group's teachers
//! and the administrators read. The [`Publisher`] task copies an assessment whose
//! `publish_at_ms` has come into each scored student's grades document, through the hub (so the
//! change is checked, stored, fanned out to connected devices and turned into a
//! `grade_published` notification), then sets the assessment's `published_ms` in the gradebook.
//! A score corrected after publication is copied again (the student's entry keeps its first
//! publication time, so nobody is notified twice).
//!
//! Order and crash safety: the grades documents are written first, the gradebook's
//! `published_ms` last. A crash in between leaves an assessment that looks unpublished; the next
//! pass (every start runs one) writes each student's entry again, finds it already there with
//! its publication time, so the write changes nothing and raises no notification, and then
//! sets `published_ms`. Notifications come only from the grades documents' changes (an entry's
//! `published_ms` going from none to a time), so none is ever raised twice.
//!
//! The publication time written is when the server published (not the `publish_at_ms` asked
//! for): a grade scheduled for 10:00 by a phone that was offline until noon becomes visible at
//! noon, and the app marks it new from then.
//!
//! The roster (the group's students) is written by the server: when a gradebook is created
//! (one per group, at start and when groups appear), when memberships change (see
//! [`Hub::roster_wake`]: the admin API, roster imports, the year rollover, an account's
//! deletion), and at every safety tick. A deleted account's scores leave the gradebooks then.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use automerge::{Automerge, ChangeHash, ObjType, ReadDoc, Value};
use cartable_shared::gradebook::{Gradebook, GradebookAssessment, grade_key};
use cartable_shared::grades::{Assessment, GRADES_SCHEMA, Grades};
use cartable_shared::ids::{DocId, DocKind, GroupId, UserId};
use cartable_shared::roles::Role;
use cartable_shared::sync::read;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Clock;
use super::hub::{DocHandle, Hub, HubError};
use super::presence::Control;
use crate::store::{Store, StoreError};

/// How often the publisher looks at the clock for a scheduled publication that has come.
pub const POLL: Duration = Duration::from_secs(1);
/// How often every gradebook is read again and every roster refreshed, whatever happened.
pub const SAFETY_TICK: Duration = Duration::from_secs(60);

/// Why a gradebook could not be refreshed or published.
#[derive(Debug, thiserror::Error)]
pub enum GradebookError {
    /// The hub failed.
    #[error(transparent)]
    Hub(#[from] HubError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A document does not match its schema.
    #[error("{doc} is unreadable: {reason}")]
    Unreadable {
        /// The document.
        doc: DocId,
        /// Why.
        reason: String,
    },
}

/// The gradebook of a group.
pub fn gradebook_id(group: &GroupId) -> DocId {
    DocId::new(DocKind::Gradebook, group.as_str()).expect("group ids are valid scopes")
}

fn typed<T: autosurgeon::Hydrate + Default>(doc: &DocId, am: &Automerge) -> Result<T, String> {
    read::<T>(am).map(Option::unwrap_or_default).map_err(|e| format!("{doc}: {e}"))
}

/// One group as the rosters need it: its students (id → name) and its teachers.
struct GroupRoster {
    group: GroupId,
    students: BTreeMap<String, String>,
    teachers: Vec<UserId>,
}

/// Every group's roster, and every account that exists.
async fn rosters(store: &Store) -> Result<(Vec<GroupRoster>, BTreeSet<String>), StoreError> {
    store
        .read(|dao| {
            let mut out = Vec::new();
            for g in dao.groups_with_members()? {
                let mut students = BTreeMap::new();
                for m in &g.members {
                    if let Some(row) = dao.user(m)?
                        && row.role == Role::Student
                    {
                        students.insert(m.to_string(), row.display_name);
                    }
                }
                out.push(GroupRoster { group: g.id, students, teachers: g.teachers });
            }
            let users = dao.user_ids()?.iter().map(ToString::to_string).collect();
            Ok((out, users))
        })
        .await
}

/// Creates the gradebook of every group that has none and brings every roster up to date;
/// the scores of deleted accounts are removed with them (personal data). Returns how many
/// gradebooks were created. The teachers of a new gradebook who are connected are sent a new
/// `Welcome` listing it.
pub async fn refresh_rosters(hub: &Hub, store: &Store, now_ms: i64) -> Result<u32, GradebookError> {
    let mut created = 0;
    let (groups, users) = rosters(store).await?;
    let users = Arc::new(users);
    for r in groups {
        let id = gradebook_id(&r.group);
        let mut initial = Gradebook::new(r.group.as_str());
        initial.roster = r.students.clone();
        let (handle, new) = hub.open_or_create(&id, &initial, now_ms).await?;
        if new {
            created += 1;
            for t in &r.teachers {
                hub.presence().notify(t, Control::Reevaluate);
            }
            continue;
        }
        let (students, users) = (r.students, users.clone());
        let doc = id.clone();
        let written = handle
            .edit(move |am| {
                let mut book: Gradebook = typed(&doc, am)?;
                let before = book.clone();
                book.roster = students;
                for a in book.assessments.values_mut() {
                    a.scores.retain(|student, _| users.contains(student));
                }
                if book == before {
                    return Err(String::new());
                }
                cartable_shared::sync::write(am, &book).map_err(|e| e.to_string())
            })
            .await?;
        match written {
            Ok(()) => tracing::info!(doc = %id, "gradebook roster updated"),
            Err(reason) if reason.is_empty() => {}
            Err(reason) => return Err(GradebookError::Unreadable { doc: id, reason }),
        }
    }
    Ok(created)
}

/// What writing one student's grade found.
enum GradeWrite {
    /// Written (or rewritten); the entry's publication time.
    Written(i64),
    /// Already there as it should be; its publication time.
    Unchanged(i64),
}

/// Writes `grade` under `key` into `student`'s grades document (created if missing) on behalf
/// of `author`, keeping the publication time of an entry that is there already.
async fn write_grade(
    hub: &Hub,
    author: Option<UserId>,
    student: &UserId,
    key: String,
    mut grade: Assessment,
    now_ms: i64,
) -> Result<GradeWrite, GradebookError> {
    let doc = DocId::new(DocKind::Grades, student.as_str()).expect("user ids are valid scopes");
    let empty = Grades { schema: GRADES_SCHEMA, student: student.to_string(), ..Grades::default() };
    let (handle, _) = hub.open_or_create(&doc, &empty, now_ms).await?;
    let id = doc.clone();
    let edit = move |am: &mut Automerge| -> Result<i64, Result<i64, String>> {
        let grades: Grades = typed(&id, am).map_err(Err)?;
        let existing = grades.assessments.get(&key);
        if let Some(first) = existing.and_then(|e| e.published_ms) {
            grade.published_ms = Some(first);
        }
        let published = grade.published_ms.unwrap_or(now_ms);
        if existing == Some(&grade) {
            return Err(Ok(published));
        }
        let assessments = match am.get(automerge::ROOT, "assessments") {
            Ok(Some((Value::Object(ObjType::Map), obj))) => obj,
            _ => return Err(Err(format!("{id} has no assessments map"))),
        };
        let mut tx = am.transaction();
        autosurgeon::reconcile_prop(&mut tx, &assessments, key.as_str(), &grade)
            .map_err(|e| Err(e.to_string()))?;
        tx.commit();
        Ok(published)
    };
    let out = match author {
        Some(author) => handle.edit_by(author, edit).await?,
        None => handle.edit(edit).await?,
    };
    match out {
        Ok(p) => Ok(GradeWrite::Written(p)),
        Err(Ok(p)) => Ok(GradeWrite::Unchanged(p)),
        Err(Err(reason)) => Err(GradebookError::Unreadable { doc, reason }),
    }
}

/// Publishes one assessment (first time or again): every scored student of the roster gets
/// their entry; then the gradebook records the publication time if it had none.
async fn publish_assessment(
    hub: &Hub,
    book_handle: &DocHandle,
    book: &Gradebook,
    id: &str,
    a: &GradebookAssessment,
    now_ms: i64,
) -> Result<(), GradebookError> {
    let first = a.published_ms.unwrap_or(now_ms);
    let mut published: Option<i64> = None;
    let mut written = 0;
    for student in a.scores.keys().filter(|s| book.roster.contains_key(*s)) {
        let Ok(user) = student.parse::<UserId>() else { continue };
        let Some(grade) = a.grade_of(student, first) else { continue };
        let author = a.author.parse::<UserId>().ok();
        let key = grade_key(&book.group, id);
        let p = match write_grade(hub, author, &user, key, grade, now_ms).await? {
            GradeWrite::Written(p) => {
                written += 1;
                p
            }
            GradeWrite::Unchanged(p) => p,
        };
        published = Some(published.map_or(p, |q| q.min(p)));
    }
    if written > 0 {
        tracing::info!(
            doc = %book_handle.id(), assessment = id, students = written,
            again = a.published_ms.is_some(), "grades published"
        );
    }
    if a.published_ms.is_some() {
        return Ok(());
    }
    let at = published.unwrap_or(now_ms);
    let key = id.to_owned();
    let doc = book_handle.id().clone();
    let out = book_handle
        .edit(move |am| {
            let Ok(Some((Value::Object(ObjType::Map), all))) =
                am.get(automerge::ROOT, "assessments")
            else {
                return Err(format!("{doc} has no assessments map"));
            };
            let Ok(Some((Value::Object(ObjType::Map), entry))) = am.get(&all, key.as_str()) else {
                // Removed meanwhile (a draft cannot be removed once published; nothing to do).
                return Err(String::new());
            };
            let mut tx = am.transaction();
            autosurgeon::reconcile_prop(&mut tx, &entry, "published_ms", Some(at))
                .map_err(|e| e.to_string())?;
            tx.commit();
            Ok(())
        })
        .await?;
    match out {
        Ok(()) => Ok(()),
        Err(reason) if reason.is_empty() => Ok(()),
        Err(reason) => Err(GradebookError::Unreadable { doc: book_handle.id().clone(), reason }),
    }
}

/// Publishes what is due in one gradebook at `now_ms`. Returns the earliest publication time
/// still to come in it.
pub async fn publish_book(
    hub: &Hub,
    handle: &DocHandle,
    now_ms: i64,
) -> Result<Option<i64>, GradebookError> {
    let doc = handle.id().clone();
    let book = hub
        .peek(&doc.clone(), move |am| typed::<Gradebook>(&doc, am))
        .await?
        .ok_or(HubError::Closed)?
        .map_err(|reason| GradebookError::Unreadable { doc: handle.id().clone(), reason })?;
    let mut next: Option<i64> = None;
    for (id, a) in &book.assessments {
        if a.published_ms.is_none() && !a.due(now_ms) {
            if let Some(t) = a.publish_at_ms {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
            continue;
        }
        publish_assessment(hub, handle, &book, id, a, now_ms).await?;
    }
    Ok(next)
}

/// What the publisher remembers of a gradebook it has processed.
#[derive(Debug)]
struct Seen {
    /// Its heads after processing: unchanged heads mean nothing to do but what falls due.
    heads: Vec<ChangeHash>,
    /// Its earliest publication still to come.
    next_due: Option<i64>,
}

/// The task that publishes gradebooks (see the module documentation).
#[derive(Debug)]
pub struct Publisher {
    hub: Hub,
    store: Store,
    clock: Arc<dyn Clock>,
    shutdown: CancellationToken,
    seen: HashMap<DocId, Seen>,
}

impl Publisher {
    /// A publisher over the hub and store, ended by `shutdown`.
    pub fn new(hub: Hub, store: Store, clock: Arc<dyn Clock>, shutdown: CancellationToken) -> Self {
        Publisher { hub, store, clock, shutdown, seen: HashMap::new() }
    }

    /// One pass over every gradebook: those that changed since they were last processed, or
    /// have a publication due, or all of them if `all`. Returns the earliest publication to
    /// come.
    pub async fn pass(&mut self, all: bool) -> Result<Option<i64>, GradebookError> {
        let now = self.clock.now_ms();
        let books = self
            .store
            .read(|dao| dao.document_ids())
            .await?
            .into_iter()
            .filter(|d| d.kind() == DocKind::Gradebook);
        let mut next: Option<i64> = None;
        let earliest = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for id in books {
            let Some(handle) = self.hub.open(&id).await? else { continue };
            let (heads, _) = handle.inspect().await?;
            if !all
                && let Some(seen) = self.seen.get(&id)
                && seen.heads == heads
                && seen.next_due.is_none_or(|t| t > now)
            {
                next = earliest(next, seen.next_due);
                continue;
            }
            match publish_book(&self.hub, &handle, now).await {
                Ok(due) => {
                    let (heads, _) = handle.inspect().await?;
                    self.seen.insert(id, Seen { heads, next_due: due });
                    next = earliest(next, due);
                }
                Err(e) => {
                    // Tried again at the next pass; the other gradebooks go on.
                    self.seen.remove(&id);
                    tracing::error!(doc = %id, error = %e, "gradebook publication failed");
                }
            }
        }
        Ok(next)
    }

    /// Runs until shutdown: a pass when a gradebook changed, when a publication falls due
    /// (the clock is read every [`POLL`]), and every [`SAFETY_TICK`] over all gradebooks with
    /// the rosters refreshed; rosters also when memberships changed.
    pub async fn run(mut self) {
        let book_wake = self.hub.gradebook_wake().clone();
        let roster_wake = self.hub.roster_wake().clone();
        let mut tick_at = Instant::now();
        let (mut changed, mut rosters) = (true, false);
        let mut next_due: Option<i64> = None;
        loop {
            let tick = Instant::now() >= tick_at;
            if tick {
                tick_at = Instant::now() + SAFETY_TICK;
            }
            if tick || rosters {
                let now = self.clock.now_ms();
                if let Err(e) = refresh_rosters(&self.hub, &self.store, now).await {
                    tracing::error!(error = %e, "gradebook rosters could not be refreshed");
                }
            }
            let due = next_due.is_some_and(|t| t <= self.clock.now_ms());
            if tick || changed || due {
                match self.pass(tick).await {
                    Ok(next) => next_due = next,
                    Err(e) => tracing::error!(error = %e, "gradebook pass failed"),
                }
            }
            (changed, rosters) = tokio::select! {
                () = self.shutdown.cancelled() => return,
                () = book_wake.notified() => (true, false),
                () = roster_wake.notified() => (false, true),
                () = tokio::time::sleep(POLL) => (false, false),
            };
        }
    }
}
