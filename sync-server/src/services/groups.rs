//! Memberships, changed by administrators. A change takes effect at once on the user's live
//! connections (and on those of their guardians, whose groups follow their wards').

use cartable_shared::ids::{GroupId, UserId};
use cartable_shared::roles::{Principal, Role};

use super::hub::Hub;
use super::presence::Control;
use crate::store::{Store, StoreError};

/// Why a membership change failed.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    /// Only administrators change memberships.
    #[error("only administrators may change memberships")]
    Forbidden,
    /// No such group or account.
    #[error("no such group or account")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adds (`member`) or removes `user` to or from `group` on behalf of `admin`: a teacher's
/// membership is the teaching of the group, anyone else's is belonging to it. Returns whether
/// anything changed; live connections are told when it did.
pub async fn set_membership(
    store: &Store,
    hub: &Hub,
    admin: &Principal,
    group: &GroupId,
    user: &UserId,
    member: bool,
) -> Result<bool, GroupError> {
    if admin.role != Role::Admin {
        return Err(GroupError::Forbidden);
    }
    let (g, u) = (group.clone(), user.clone());
    let outcome = store
        .write(move |dao| {
            let Some(row) = dao.user(&u)? else { return Ok(None) };
            if dao.group_name(&g)?.is_none() {
                return Ok(None);
            }
            let changed = match (row.role, member) {
                (Role::Teacher, true) => {
                    let was = dao.principal(&u)?.is_some_and(|(p, _)| p.teaches.contains(&g));
                    dao.add_teaching(&u, &g)?;
                    !was
                }
                (Role::Teacher, false) => dao.remove_teaching(&u, &g)?,
                (_, true) => {
                    let was = dao.principal(&u)?.is_some_and(|(p, _)| p.groups.contains(&g));
                    dao.add_membership(&u, &g)?;
                    !was
                }
                (_, false) => dao.remove_membership(&u, &g)?,
            };
            Ok::<_, StoreError>(Some((changed, dao.guardians_of(&u)?)))
        })
        .await?;
    let Some((changed, guardians)) = outcome else { return Err(GroupError::NotFound) };
    if changed {
        tracing::info!(by = %admin.user, user = %user, group = %group, member, "membership changed");
        for who in std::iter::once(user).chain(guardians.iter()) {
            hub.presence().notify(who, Control::Reevaluate);
        }
        hub.roster_wake().notify_one();
    }
    Ok(changed)
}
