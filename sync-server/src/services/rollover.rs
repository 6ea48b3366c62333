//! The year rollover (`POST /api/admin/rollover`): closes a school year. For each group, its
//! class documents (course documents `library:<group>` and homework `homework:<group>`) are
//! saved in an archive named by the year's label, then emptied through the hub (devices get
//! the change live, so the documents leave students' phones), and its students leave the group
//! (its teachers stay, the timetable and announcements stay, each student's grades stay in
//! their own `grades:` document). Archives stay readable by administrators
//! (`GET /api/admin/archives/{label}`), with the files they reference.
//!
//! Each group goes through three durable steps: archived (its documents saved), emptied, done
//! (students removed, in the same transaction as the state). A rollover interrupted part-way
//! (a crash, a failed edit) is finished by running it again with the same label: the groups
//! already done are skipped, an archived group is emptied of exactly what was archived (what
//! was added since stays). A label whose rollover completed is refused (conflict).

use cartable_shared::admin::{
    AdminField, AdminProblem, GroupArchive, GroupRollover, LineProblem, RolloverReport,
    RolloverRequest,
};
use cartable_shared::homework::Homework;
use cartable_shared::ids::{DocId, UserId};
use cartable_shared::library::Library;
use cartable_shared::roles::{Principal, Role};

use super::admin::{AdminError, require_admin};
use super::entries::EntryError;
use super::hub::Hub;
use super::presence::Control;
use crate::store::{ArchiveState, Store, StoreError};

/// Longest archive label.
pub const MAX_LABEL_LEN: usize = 64;

/// A label as typed, checked: letters, digits, `.`, `_`, `-`.
pub fn parse_label(label: &str) -> Result<String, AdminError> {
    let label = label.trim();
    if super::entries::plain_name(label, MAX_LABEL_LEN) {
        Ok(label.to_owned())
    } else {
        Err(AdminError::field(
            AdminField::Label,
            LineProblem::Invalid { value: label.to_owned() },
            format!(
                "invalid label {label:?}: 1 to {MAX_LABEL_LEN} letters, digits, '.', '_' or '-'"
            ),
        ))
    }
}

/// A document's typed content now (the default when it does not exist).
async fn current<T>(hub: &Hub, id: &DocId) -> Result<T, AdminError>
where
    T: autosurgeon::Hydrate + Default + Send + 'static,
{
    let read =
        hub.peek(id, |am| cartable_shared::sync::read::<T>(am).map_err(|e| e.to_string())).await?;
    match read {
        None => Ok(T::default()),
        Some(Ok(v)) => Ok(v.unwrap_or_default()),
        Some(Err(e)) => Err(AdminError::Store(StoreError::Corrupt(format!("{id}: {e}")))),
    }
}

/// Deletes the entries `keys` of the map `field` of a document (those still there).
async fn remove_entries(
    hub: &Hub,
    id: &DocId,
    by: &UserId,
    field: &'static str,
    keys: Vec<String>,
) -> Result<(), AdminError> {
    match super::entries::delete_entries(hub, by, id, field, keys).await {
        Ok(_) => Ok(()),
        Err(EntryError::Hub(e)) => Err(e.into()),
        Err(EntryError::Store(e)) => Err(AdminError::Store(e)),
        Err(e) => Err(AdminError::Store(StoreError::Task(e.to_string()))),
    }
}

/// Closes the school year `req.label` on behalf of `admin` (see the module's description).
pub async fn rollover(
    store: &Store,
    hub: &Hub,
    admin: &Principal,
    now_ms: i64,
    req: RolloverRequest,
) -> Result<RolloverReport, AdminError> {
    require_admin(admin)?;
    let label = parse_label(&req.label)?;
    let (l, by) = (label.clone(), admin.user.clone());
    let groups = store
        .write(move |dao| {
            if dao.archive_completed(&l)? == Some(true) {
                return Err(AdminError::refused(
                    AdminProblem::YearClosed { value: l.clone() },
                    format!("the year {l} was already closed"),
                ));
            }
            dao.start_archive(&l, &by, now_ms)?;
            Ok(dao.groups_with_members()?)
        })
        .await?;
    let mut report = Vec::new();
    for group in groups {
        report.push(roll_group(store, hub, admin, &label, group).await?);
    }
    let l = label.clone();
    store.write(move |dao| dao.complete_archive(&l, now_ms)).await?;
    tracing::info!(by = %admin.user, label = %label, groups = report.len(), "school year closed");
    Ok(RolloverReport { label, created_ms: now_ms, groups: report })
}

async fn roll_group(
    store: &Store,
    hub: &Hub,
    admin: &Principal,
    label: &str,
    group: cartable_shared::admin::GroupSummary,
) -> Result<GroupRollover, AdminError> {
    let (l, g) = (label.to_owned(), group.id.clone());
    let found = store.read(move |dao| dao.archived_group(&l, &g)).await?;
    let archive = match found {
        Some((ArchiveState::Done, archive)) => return Ok(summary(&archive)),
        Some((ArchiveState::Archived, archive)) => archive,
        None => {
            let library: Library = current(hub, &DocId::library(&group.id)).await?;
            let homework: Homework = current(hub, &DocId::homework(&group.id)).await?;
            let members = group.members.clone();
            let students = store
                .read(move |dao| {
                    let mut out = Vec::new();
                    for u in members {
                        if dao.user(&u)?.is_some_and(|r| r.role == Role::Student) {
                            out.push(u);
                        }
                    }
                    Ok::<_, StoreError>(out)
                })
                .await?;
            let archive = GroupArchive {
                group: group.id.clone(),
                name: group.name.clone(),
                students,
                teachers: group.teachers.clone(),
                library,
                homework,
            };
            let (l, a) = (label.to_owned(), archive.clone());
            store.write(move |dao| dao.put_archived_group(&l, ArchiveState::Archived, &a)).await?;
            archive
        }
    };
    let items = archive.library.items.keys().cloned().collect();
    remove_entries(hub, &DocId::library(&group.id), &admin.user, "items", items).await?;
    let assignments = archive.homework.assignments.keys().cloned().collect();
    remove_entries(hub, &DocId::homework(&group.id), &admin.user, "assignments", assignments)
        .await?;
    let (l, a) = (label.to_owned(), archive.clone());
    let guardians = store
        .write(move |dao| {
            let mut told = Vec::new();
            for s in &a.students {
                dao.remove_membership(s, &a.group)?;
                told.push(s.clone());
                told.extend(dao.guardians_of(s)?);
            }
            dao.put_archived_group(&l, ArchiveState::Done, &a)?;
            Ok::<_, StoreError>(told)
        })
        .await?;
    for who in &guardians {
        hub.presence().notify(who, Control::Reevaluate);
    }
    // The gradebook's roster follows.
    hub.roster_wake().notify_one();
    tracing::info!(label, group = %group.id, students = archive.students.len(), "group archived");
    Ok(summary(&archive))
}

fn summary(archive: &GroupArchive) -> GroupRollover {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    GroupRollover {
        group: archive.group.clone(),
        library_items: count(archive.library.items.len()),
        assignments: count(archive.homework.assignments.len()),
        students_removed: archive.students.clone(),
    }
}

/// Every complete archive, for an administrator.
pub async fn list(
    store: &Store,
    admin: &Principal,
) -> Result<cartable_shared::admin::ArchiveList, AdminError> {
    require_admin(admin)?;
    Ok(cartable_shared::admin::ArchiveList { archives: store.read(|dao| dao.archives()).await? })
}

/// One archive, for an administrator.
pub async fn get(
    store: &Store,
    admin: &Principal,
    label: &str,
) -> Result<cartable_shared::admin::Archive, AdminError> {
    require_admin(admin)?;
    let l = label.to_owned();
    store
        .read(move |dao| dao.archive(&l))
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("no archive {label}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_short_plain_names() {
        assert_eq!(parse_label(" 2025-2026 ").unwrap(), "2025-2026");
        for bad in ["", "a/b", "../x", "année 1", &"x".repeat(65)] {
            assert!(parse_label(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_groups_class_documents_are_named_by_its_id() {
        let g: cartable_shared::ids::GroupId = "g".parse().unwrap();
        assert_eq!(DocId::library(&g).to_string(), "library:g");
        assert_eq!(DocId::homework(&g).to_string(), "homework:g");
    }
}
