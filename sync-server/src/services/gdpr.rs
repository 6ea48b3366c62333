//! The data rights of the GDPR. A user downloads everything the server holds about them
//! (art. 15 and 20: [`export`], and their calendar as iCalendar); an administrator deletes an
//! account with its personal data (art. 17: [`delete_account`]).
//!
//! Deleting an account removes the account row and, with it, everything that references it
//! (sessions and their sync states, sign-in history, memberships and teaching, guardianships,
//! push subscriptions, push settings, calendar token, API tokens it created, thread
//! participations), and its `me:` and `grades:` documents; in the same transaction, the
//! failed sign-ins tried with its login and the push notifications it wrote or that were meant
//! for it are deleted, and its login becomes [`DELETED_AUTHOR`] where the server noted who did
//! something (uploaded a file, registered a feed, started an archive, set the block period) and
//! in the archived documents of year rollovers (`Dao::erase_traces`).
//!
//! Then the login is erased from every other document, history included. Automerge keeps
//! every change: a normal change replacing the login would leave it in the history, on the
//! server and on every device. So each document whose history names the login (as a map key
//! or a value) is **rebuilt** by its actor: a fresh document holding the current value, with
//! every string equal to the login replaced by [`DELETED_AUTHOR`] and every map entry keyed by
//! it removed, written as one change by the server's actor
//! ([`cartable_shared::erase::scrubbed_copy`]); it replaces the stored changes in the
//! transaction that starts the document's next epoch and deletes the devices' kept sync states.
//! What that covers, by kind:
//! - `thread:` — the participant list and the author of its messages (the messages stay, so
//!   that the other participants' conversation keeps its sense: the app shows "deleted
//!   account");
//! - `gradebook:` — the roster entry (login → name) and the scores keyed by the login;
//! - `homework:`, `library:`, `announcements:`, `grades:` of other students — the `author`
//!   of what the account wrote (a teacher, staff);
//! - any other value equal to the login, wherever it is.
//!
//! Free text (a message body, a note) is kept as written. `me:` documents of other users are
//! not read: they hold only their owner's data.
//!
//! The change reaches every device: the account's own live connections are closed (their next
//! `GET /api/me` answers 401, on which the app signs out and wipes its local data), its
//! guardians' connections get `Revoked` for the student's grades, and every device holding a
//! rebuilt document gets `Reset` (live, or right after its next `Welcome`): it drops its copy
//! with its history and syncs the new epoch from empty; the server merges nothing it sends for
//! the document before it confirmed the new epoch.

use cartable_shared::admin::{
    AccountDeleted, AdminProblem, DELETED_AUTHOR, ExportedAccount, ExportedAcknowledgement,
    UserExport,
};
use cartable_shared::api::ConnectionInfo;
use cartable_shared::calendar::CalendarTokenInfo;
use cartable_shared::erase::{self, history_mentions};
use cartable_shared::grades::Grades;
use cartable_shared::ids::{DocId, DocKind, UserId};
use cartable_shared::me::MyLayer;
use cartable_shared::roles::Principal;
use cartable_shared::thread::Thread;

use super::admin::{AdminError, require_admin};
use super::feeds::export::{self, ExportError};
use super::hub::{Hub, build_document};
use super::presence::Control;
use crate::store::{LOGIN_HISTORY, Store, StoreError};

impl From<ExportError> for AdminError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Store(e) => AdminError::Store(e),
            e => AdminError::Store(StoreError::Corrupt(e.to_string())),
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, AdminError> {
    serde_json::to_value(value).map_err(|e| AdminError::Store(StoreError::Corrupt(e.to_string())))
}

/// Everything held about `user` (see [`UserExport`]); `NotFound` for an unknown account.
pub async fn export(store: &Store, user: &UserId, now_ms: i64) -> Result<UserExport, AdminError> {
    let who = user.clone();
    let held = store
        .read(move |dao| {
            let Some((principal, row)) = dao.principal(&who)? else { return Ok(None) };
            let logins = dao.recent_logins(&who, LOGIN_HISTORY, now_ms)?;
            let tokens = dao.api_tokens()?.into_iter().filter(|t| t.created_by == who).collect();
            let calendar = dao.calendar_token(&who)?;
            let guardians = dao.guardians_of(&who)?;
            let threads = dao.threads_of(&who)?;
            Ok::<_, StoreError>(Some((
                principal, row, logins, tokens, calendar, guardians, threads,
            )))
        })
        .await?;
    let Some((principal, row, logins, api_tokens, calendar, guardians, thread_ids)) = held else {
        return Err(AdminError::NotFound(format!("no account {user}")));
    };
    let push_subscriptions = super::push::subscriptions::list(store, user)
        .await
        .map_err(|e| AdminError::Store(StoreError::Task(e.to_string())))?;
    let me = export::load::<MyLayer>(store, DocId::me(user)).await?;
    let grades = export::load::<Grades>(store, DocId::grades(user)).await?;
    let mut threads = Vec::new();
    for id in thread_ids {
        if let Some(t) = export::load::<Thread>(store, id).await? {
            threads.push(json(&t)?);
        }
    }
    let acknowledgements = me
        .iter()
        .flat_map(|m| &m.acknowledged)
        .map(|(k, at)| ExportedAcknowledgement { announcement: k.clone(), at_ms: *at })
        .collect();
    Ok(UserExport {
        format: 1,
        generated_ms: now_ms,
        account: ExportedAccount {
            login: row.id,
            display_name: row.display_name,
            role: row.role,
            created_ms: row.created_ms,
            expires_at_ms: row.expires_at_ms,
            subjects: principal.subjects.clone(),
        },
        groups: if principal.role == cartable_shared::roles::Role::Guardian {
            Vec::new()
        } else {
            principal.groups.clone()
        },
        teaches: principal.teaches.clone(),
        guardians,
        wards: principal.wards.clone(),
        connections: logins
            .into_iter()
            .map(|l| ConnectionInfo {
                at_ms: l.at_ms,
                device: l.user_agent,
                address: l.address,
                current: false,
                active: l.active,
            })
            .collect(),
        push_subscriptions,
        api_tokens,
        calendar_token: calendar
            .map(|(created_ms, last_used_ms)| CalendarTokenInfo { created_ms, last_used_ms }),
        acknowledgements,
        me: me.as_ref().map(json).transpose()?,
        grades: grades.as_ref().map(json).transpose()?,
        threads,
    })
}

/// `user`'s calendar (their sessions, homework due dates and personal events) as iCalendar,
/// the same feed as their private export link.
pub async fn export_ics(
    store: &Store,
    user: &UserId,
    host: &str,
    now_ms: i64,
) -> Result<String, AdminError> {
    let data = export::gather(store, user)
        .await?
        .ok_or_else(|| AdminError::NotFound(format!("no account {user}")))?;
    Ok(export::render(&data, host, now_ms))
}

/// The documents other than `me:` ones whose history names `login` (as a map key or a
/// value). Reads every stored document once: an erasure is rare, and its cost is proportional
/// to what the server stores.
async fn documents_naming(store: &Store, login: &str) -> Result<Vec<DocId>, AdminError> {
    let login = login.to_owned();
    let found = store
        .read(move |dao| {
            let mut found = Vec::new();
            for id in dao.document_ids()? {
                if id.kind() == DocKind::Me {
                    continue;
                }
                let Some(stored) = dao.load_document(&id)? else { continue };
                let doc =
                    build_document(&id, &stored).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                if history_mentions(&doc, &login) {
                    found.push(id);
                }
            }
            Ok::<_, StoreError>(found)
        })
        .await?;
    Ok(found)
}

/// Rebuilds `doc` without history and without `login` (see [`erase::scrubbed_copy`]) through
/// its actor; returns whether it was rebuilt. The rebuilt document is checked: no change of it
/// names the login.
async fn erase_from(hub: &Hub, doc: &DocId, login: &str) -> Result<bool, AdminError> {
    let Some(handle) = hub.open(doc).await? else { return Ok(false) };
    let login = login.to_owned();
    let epoch = handle
        .rebuild(move |current, epoch| {
            if !history_mentions(current, &login) {
                return Ok(None);
            }
            let fresh =
                erase::scrubbed_copy(current, &login, DELETED_AUTHOR, erase::server_actor(epoch))
                    .map_err(|e| e.to_string())?;
            if history_mentions(&fresh, &login) {
                return Err("the rebuilt document still names the account".into());
            }
            Ok(Some(fresh))
        })
        .await?;
    Ok(epoch.is_some())
}

/// Deletes `user`'s account and personal data on behalf of `admin` (see the module's
/// description). An administrator cannot delete their own account.
pub async fn delete_account(
    store: &Store,
    hub: &Hub,
    admin: &Principal,
    user: &UserId,
) -> Result<AccountDeleted, AdminError> {
    require_admin(admin)?;
    if *user == admin.user {
        return Err(AdminError::refused(
            AdminProblem::OwnAccount,
            "you cannot delete your own account",
        ));
    }
    let who = user.clone();
    let found = store
        .read(move |dao| {
            if dao.user(&who)?.is_none() {
                return Ok(None);
            }
            Ok::<_, StoreError>(Some((dao.threads_of(&who)?, dao.guardians_of(&who)?)))
        })
        .await?;
    let Some((threads, guardians)) = found else {
        return Err(AdminError::NotFound(format!("no account {user}")));
    };
    // First the account's own devices: nothing more reaches them.
    let connections = hub.presence().notify(user, Control::Deleted);
    let personal = [DocId::me(user), DocId::grades(user)];
    let (who, docs) = (user.clone(), personal.clone());
    let documents = store
        .write(move |dao| {
            let mut n = 0u32;
            for d in &docs {
                n += u32::from(dao.delete_document(d)?);
            }
            dao.erase_traces(&who, DELETED_AUTHOR)?;
            dao.delete_user(&who)?;
            Ok::<_, StoreError>(n)
        })
        .await?;
    for d in &personal {
        hub.forget(d);
    }
    for g in &guardians {
        hub.presence().notify(g, Control::Reevaluate);
    }
    // Every other document that names the account is rebuilt without it and without history.
    let mut rebuilt = 0u32;
    for doc in documents_naming(store, user.as_str()).await? {
        rebuilt += u32::from(erase_from(hub, &doc, user.as_str()).await?);
    }
    // The gradebooks' rosters follow the memberships (the account's entries are gone already).
    hub.roster_wake().notify_one();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    tracing::info!(by = %admin.user, user = %user, documents, connections, rebuilt, "account deleted");
    Ok(AccountDeleted {
        user: user.clone(),
        documents,
        connections: count(connections),
        threads: count(threads.len()),
        rebuilt,
    })
}
