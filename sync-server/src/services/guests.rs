//! Guest accounts (a visiting examiner…) expire on their own. From `expires_at_ms` on, their
//! login is refused and their sessions no longer identify them (checked on every request,
//! see [`super::auth`]); this job then cleans up what is left: it deletes their sessions and
//! push subscriptions and closes their live connections. The account itself stays, listed as
//! expired, until an administrator deletes it (its data may still be owed to its owner).

use std::time::Duration;

use cartable_shared::ids::UserId;
use tokio_util::sync::CancellationToken;

use super::hub::Hub;
use super::presence::Control;
use crate::AppState;
use crate::store::{Store, StoreError};

/// How often the job looks for expired accounts (real time; what counts as expired is
/// decided by the server's clock). The query is indexed and cheap.
pub const SWEEP_EVERY: Duration = Duration::from_secs(2);

/// Cleans up the accounts expired at `now_ms`; returns them.
pub async fn expire(store: &Store, hub: &Hub, now_ms: i64) -> Result<Vec<UserId>, StoreError> {
    let expired = store
        .write(move |dao| {
            let users = dao.expired_with_leftovers(now_ms)?;
            for u in &users {
                dao.delete_sessions_of(u)?;
                dao.delete_push_subscriptions_of(u)?;
            }
            Ok::<_, StoreError>(users)
        })
        .await?;
    for user in &expired {
        let closed = hub.presence().notify(user, Control::SignedOut);
        tracing::info!(user = %user, closed, "guest account expired: sessions and push ended");
    }
    Ok(expired)
}

/// The job: runs [`expire`] every [`SWEEP_EVERY`] until `stop` is cancelled.
pub async fn schedule(state: AppState, stop: CancellationToken) {
    let state = &state;
    super::every(SWEEP_EVERY, stop, || async move {
        if let Err(e) = expire(state.store(), state.hub(), state.clock().now_ms()).await {
            tracing::error!(error = %e, "guest account clean-up failed");
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewUser;
    use cartable_shared::roles::Role;

    #[tokio::test]
    async fn only_expired_accounts_lose_their_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let hub = Hub::new(store.clone(), CancellationToken::new());
        let (guest, staff): (UserId, UserId) = ("guest".parse().unwrap(), "staff".parse().unwrap());
        store
            .write_blocking(|dao| {
                for (n, u, expiry) in [(1u8, &guest, Some(1_000)), (2, &staff, None)] {
                    dao.insert_user(&NewUser {
                        id: u,
                        display_name: "X",
                        role: Role::Staff,
                        password_hash: "!",
                        demo: false,
                        created_ms: 0,
                    })?;
                    dao.set_user_expiry(u, expiry)?;
                    dao.insert_session(&[n; 32], u, 0, 10_000, None, None)?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert!(expire(&store, &hub, 999).await.unwrap().is_empty(), "not yet");
        assert_eq!(expire(&store, &hub, 1_000).await.unwrap(), vec![guest.clone()]);
        let left = |u: UserId| store.read_blocking(move |dao| dao.sessions_of(&u)).unwrap().len();
        assert_eq!((left(guest), left(staff)), (0, 1));
        assert!(expire(&store, &hub, 5_000).await.unwrap().is_empty(), "done once");
    }
}
