//! Who acknowledged an announcement: the audience's members, each with the acknowledgement
//! their `me` document holds (`acknowledged["<audience>/<id>"]`), or pending.
//!
//! Open to the announcement's author, staff, admins and the teachers of the audience's group;
//! anyone else is refused, and an unknown audience or announcement is not found.

use automerge::ReadDoc;
use cartable_shared::announcements::Announcements;
use cartable_shared::api::{Acknowledged, Acknowledgements, Person};
use cartable_shared::ids::{DocId, DocKind, GroupId, UserId};
use cartable_shared::roles::{ANNOUNCEMENTS_EVERYONE, ANNOUNCEMENTS_TEACHERS, Principal, Role};

use super::hub::build_document;
use crate::store::{Dao, Store, StoreError};

/// Why the list cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum AckError {
    /// The principal may not see who acknowledged it.
    #[error("only its author, staff, admins and the group's teachers see who acknowledged it")]
    Forbidden,
    /// No such audience or announcement.
    #[error("no such announcement")]
    NotFound,
    /// The store failed, or a document could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `p` may see the list of every announcement of `audience`, whoever wrote it.
fn oversees(p: &Principal, audience: &str) -> bool {
    matches!(p.role, Role::Staff | Role::Admin)
        || (p.role == Role::Teacher && p.teaches.iter().any(|g| g.as_str() == audience))
}

/// Who of `audience` acknowledged announcement `id`, and who has not yet.
pub async fn acknowledgements(
    store: &Store,
    principal: &Principal,
    audience: &str,
    id: &str,
) -> Result<Acknowledgements, AckError> {
    let doc = DocId::new(DocKind::Announcements, audience).map_err(|_| AckError::NotFound)?;
    let oversees = oversees(principal, audience);
    if !oversees && !principal.access(&doc, &[]).can_read() {
        // Not even a reader: whether it exists is not revealed.
        return Err(AckError::Forbidden);
    }
    let (principal, audience, id) = (principal.clone(), audience.to_owned(), id.to_owned());
    store
        .read(move |dao| {
            let Some(stored) = dao.load_document(&doc)? else { return Ok(Err(AckError::NotFound)) };
            let corrupt = |e: String| StoreError::Corrupt(format!("{doc}: {e}"));
            let mut am = build_document(&doc, &stored).map_err(|e| corrupt(e.to_string()))?;
            cartable_shared::upgrade::upgrade(&doc, &mut am).map_err(|e| corrupt(e.to_string()))?;
            let items: Announcements = cartable_shared::sync::read(&am)
                .map_err(|e| corrupt(e.to_string()))?
                .unwrap_or_default();
            let Some(item) = items.items.get(&id) else { return Ok(Err(AckError::NotFound)) };
            if !oversees && item.author != principal.user.as_str() {
                return Ok(Err(AckError::Forbidden));
            }
            let Some(members) = audience_members(dao, &audience)? else {
                return Ok(Err(AckError::NotFound));
            };
            let key = format!("{audience}/{id}");
            let mut answer = Acknowledgements { acknowledged: Vec::new(), pending: Vec::new() };
            for (user, name) in members {
                if user.as_str() == item.author {
                    continue;
                }
                match acknowledged_at(dao, &user, &key)? {
                    Some(at_ms) => answer.acknowledged.push(Acknowledged { user, name, at_ms }),
                    None => answer.pending.push(Person { user, name }),
                }
            }
            answer.acknowledged.sort_by_key(|a| a.at_ms);
            Ok::<_, StoreError>(Ok(answer))
        })
        .await?
}

/// The accounts an audience addresses: a group's students, every student for `everyone`,
/// every teacher for `teachers`; `None` for an unknown group.
fn audience_members(
    dao: &Dao<'_>,
    audience: &str,
) -> Result<Option<Vec<(UserId, String)>>, StoreError> {
    match audience {
        ANNOUNCEMENTS_EVERYONE => dao.accounts_of_role(Role::Student).map(Some),
        ANNOUNCEMENTS_TEACHERS => dao.accounts_of_role(Role::Teacher).map(Some),
        group => match group.parse::<GroupId>() {
            Ok(g) => dao.group_students(&g),
            Err(_) => Ok(None),
        },
    }
}

/// When `user` acknowledged `key` in their `me` document, if they did. A `me` document that
/// cannot be read counts as no acknowledgement (and is logged).
fn acknowledged_at(dao: &Dao<'_>, user: &UserId, key: &str) -> Result<Option<i64>, StoreError> {
    let me = DocId::me(user);
    let Some(stored) = dao.load_document(&me)? else { return Ok(None) };
    let am = match build_document(&me, &stored) {
        Ok(am) => am,
        Err(e) => {
            tracing::warn!(doc = %me, error = %e, "unreadable me document");
            return Ok(None);
        }
    };
    let Ok(Some((_, map))) = am.get(automerge::ROOT, "acknowledged") else { return Ok(None) };
    Ok(match am.get(&map, key) {
        Ok(Some((automerge::Value::Scalar(s), _))) => match s.as_ref() {
            automerge::ScalarValue::Int(n) => Some(*n),
            automerge::ScalarValue::Uint(n) => i64::try_from(*n).ok(),
            automerge::ScalarValue::Timestamp(n) => Some(*n),
            _ => None,
        },
        _ => None,
    })
}
