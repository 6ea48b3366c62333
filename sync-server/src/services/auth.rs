//! Accounts and sessions: login with rate limiting, logout, and who is behind a session token.

use cartable_shared::api::{ConnectionInfo, ConnectionList, LoginRequest, Me, RECENT_CONNECTIONS};
use cartable_shared::ids::UserId;
use cartable_shared::roles::Principal;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::Clock;
use super::password::{self, NO_PASSWORD};
use crate::store::{Store, StoreError, UserRow};

/// Failures counted for the rate limit are those of this window.
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// An account with this many failures in the window is refused until the oldest ages out.
pub const MAX_FAILURES: usize = 5;
/// A client address with this many failures in the window (whatever logins were tried) is
/// refused until the oldest ages out.
pub const MAX_ADDRESS_FAILURES: usize = 20;
/// How long a session lasts.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Password verifications running at once. Each Argon2id run takes ~19 MiB and a core for tens
/// of milliseconds: a burst of logins waits here instead of exhausting memory. Static: one
/// budget for the process; permits are returned when each verification ends.
static VERIFYING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Why authentication failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown account, wrong password, or a demo password outside demo mode.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failures recently; retry after this many seconds.
    #[error("too many failed attempts; retry in {retry_after_s} s")]
    TooManyAttempts {
        /// Seconds until an attempt is accepted again.
        retry_after_s: u64,
    },
    /// The password is right but the guest account expired at this time (UTC milliseconds).
    #[error("this guest account has expired")]
    Expired {
        /// When it expired.
        at_ms: i64,
    },
    /// No session, or an expired or unknown one.
    #[error("not signed in")]
    Unauthenticated,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A session token as held by the browser (64 hex digits of 32 random bytes). The server keeps
/// only its SHA-256 ([`SessionToken::hash`]).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

impl SessionToken {
    /// A new random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    /// A token as received in a cookie.
    pub fn from_cookie(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The value to put in the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored: the SHA-256 of the token.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// Where a login comes from, recorded with the session.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// The peer address.
    pub address: Option<String>,
}

/// Who is signed in: the principal used for access decisions and the account row.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Role and memberships.
    pub principal: Principal,
    /// The account.
    pub user: UserRow,
}

impl Identity {
    /// The `Me` body of this identity, with the block period that applies to it.
    pub fn me(&self, blocked: Option<cartable_shared::api::BlockNotice>) -> Me {
        Me {
            user: self.principal.user.clone(),
            display_name: self.user.display_name.clone(),
            role: self.principal.role,
            groups: self.principal.groups.clone(),
            teaches: self.principal.teaches.clone(),
            blocked,
            expires_at_ms: self.user.expires_at_ms,
        }
    }
}

/// The authentication service.
#[derive(Debug, Clone)]
pub struct Auth<'a> {
    /// The store.
    pub store: &'a Store,
    /// The clock.
    pub clock: &'a dyn Clock,
    /// The server runs with `--demo`: demo accounts may sign in.
    pub demo_mode: bool,
}

fn normalise_login(login: &str) -> String {
    login.trim().to_lowercase()
}

/// The address a rate limit counts: the IP of `ip:port` (the port changes per connection).
fn client_ip(address: Option<&str>) -> Option<String> {
    let a = address?;
    Some(
        a.parse::<std::net::SocketAddr>()
            .map(|s| s.ip().to_string())
            .unwrap_or_else(|_| a.to_owned()),
    )
}

/// The refusal for `failures` (times, oldest first) when they reach `max` in the window.
fn too_many(failures: &[i64], max: usize, now: i64) -> Option<AuthError> {
    if failures.len() < max {
        return None;
    }
    // Free again once the oldest of the last `max` failures leaves the window.
    let oldest = failures[failures.len() - max];
    let wait_ms = (oldest + FAILURE_WINDOW_MS - now).max(1000);
    Some(AuthError::TooManyAttempts { retry_after_s: (wait_ms as u64).div_ceil(1000) })
}

impl Auth<'_> {
    /// Checks a login and opens a session.
    pub async fn login(
        &self,
        req: LoginRequest,
        client: ClientInfo,
    ) -> Result<(Identity, SessionToken), AuthError> {
        let login = normalise_login(&req.login);
        let now = self.clock.now_ms();
        let key = login.clone();
        let ip = client_ip(client.address.as_deref());
        let from = ip.clone();
        let (failures, address_failures) = self
            .store
            .read(move |dao| {
                let since = now - FAILURE_WINDOW_MS;
                let by_address = match &from {
                    Some(a) => dao.address_failures_since(a, since)?,
                    None => Vec::new(),
                };
                Ok::<_, StoreError>((dao.login_failures_since(&key, since)?, by_address))
            })
            .await?;
        if let Some(refusal) = too_many(&address_failures, MAX_ADDRESS_FAILURES, now) {
            tracing::warn!(address = ?ip, "login refused: too many failed attempts from this address");
            return Err(refusal);
        }
        if let Some(refusal) = too_many(&failures, MAX_FAILURES, now) {
            tracing::warn!(login = %login, "login refused: too many failed attempts");
            return Err(refusal);
        }

        let identity = match login.parse::<UserId>() {
            Ok(id) => self.store.read(move |dao| dao.principal(&id)).await?,
            Err(_) => None,
        };
        let stored = identity.as_ref().map(|(_, row)| row.password_hash.clone());
        let password = req.password;
        let permit = VERIFYING.acquire().await.map_err(|e| StoreError::Task(e.to_string()))?;
        let verified = tokio::task::spawn_blocking(move || match stored {
            Some(hash) if hash != NO_PASSWORD => password::verify_password(&password, &hash),
            _ => {
                password::burn(&password);
                false
            }
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?;
        drop(permit);

        let accepted = match &identity {
            Some((_, row)) => verified && (!row.demo || self.demo_mode),
            None => false,
        };
        if let Some(at_ms) = identity
            .as_ref()
            .filter(|(_, row)| accepted && row.expired(now))
            .and_then(|(_, row)| row.expires_at_ms)
        {
            tracing::info!(login = %login, "login refused: guest account expired");
            return Err(AuthError::Expired { at_ms });
        }
        let Some((principal, user)) = identity.filter(|_| accepted) else {
            let key = login.clone();
            self.store
                .write(move |dao| {
                    let forget = now - 2 * FAILURE_WINDOW_MS;
                    if let Some(ip) = &ip {
                        dao.record_address_failure(ip, now, forget)?;
                    }
                    dao.record_login_failure(&key, now, forget)
                })
                .await?;
            tracing::info!(login = %login, "login failed");
            return Err(AuthError::InvalidCredentials);
        };

        let token = SessionToken::generate();
        let hash = token.hash();
        let user_id = principal.user.clone();
        self.store
            .write(move |dao| {
                dao.clear_login_failures(&login)?;
                dao.delete_expired_sessions(now)?;
                dao.insert_session(
                    &hash,
                    &user_id,
                    now,
                    now + SESSION_TTL_MS,
                    client.user_agent.as_deref(),
                    client.address.as_deref(),
                )?;
                dao.record_login(
                    &user_id,
                    &hash,
                    now,
                    client.user_agent.as_deref(),
                    client.address.as_deref(),
                )
            })
            .await?;
        tracing::info!(user = %principal.user, role = principal.role.as_str(), "signed in");
        Ok((Identity { principal, user }, token))
    }

    /// Who is behind a session token.
    pub async fn identify(&self, token: &SessionToken) -> Result<Identity, AuthError> {
        let hash = token.hash();
        let now = self.clock.now_ms();
        let found = self
            .store
            .read(move |dao| match dao.session_user(&hash, now)? {
                Some(user) => dao.principal(&user),
                None => Ok(None),
            })
            .await?;
        // An expired guest's sessions stop at once; the clean-up job deletes them later.
        let (principal, user) =
            found.filter(|(_, row)| !row.expired(now)).ok_or(AuthError::Unauthenticated)?;
        Ok(Identity { principal, user })
    }

    /// The last connections (sign-ins) of `user`, newest first; `current` marks the one of
    /// the request.
    pub async fn recent_connections(
        &self,
        user: &UserId,
        current: &SessionToken,
    ) -> Result<ConnectionList, AuthError> {
        let (user, now, current) = (user.clone(), self.clock.now_ms(), current.hash());
        let rows =
            self.store.read(move |dao| dao.recent_logins(&user, RECENT_CONNECTIONS, now)).await?;
        let connections = rows
            .into_iter()
            .map(|r| ConnectionInfo {
                at_ms: r.at_ms,
                device: r.user_agent,
                address: r.address,
                current: r.token_hash == current,
                active: r.active,
            })
            .collect();
        Ok(ConnectionList { connections })
    }

    /// Ends every session of `user` (sign out everywhere) and deletes their push
    /// subscriptions in the same transaction (a lost phone must stop showing their
    /// notifications too); returns how many sessions there were. The caller closes the user's
    /// live connections.
    pub async fn revoke_all(&self, user: &UserId) -> Result<u32, AuthError> {
        let user = user.clone();
        let n = self
            .store
            .write(move |dao| {
                let n = dao.delete_sessions_of(&user)?;
                dao.delete_push_subscriptions_of(&user)?;
                Ok::<_, StoreError>(n)
            })
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Ends a session (nothing happens for an unknown token).
    pub async fn logout(&self, token: &SessionToken) -> Result<(), AuthError> {
        let hash = token.hash();
        self.store.write(move |dao| dao.delete_session(&hash)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::ManualClock;
    use crate::store::NewUser;
    use cartable_shared::roles::Role;

    fn store_with(accounts: &[(&str, &str, bool)]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        for (login, pw, demo) in accounts {
            let id: UserId = login.parse().unwrap();
            let hash = password::hash_password(pw).unwrap();
            store
                .write_blocking(|dao| {
                    dao.insert_user(&NewUser {
                        id: &id,
                        display_name: login,
                        role: Role::Student,
                        password_hash: &hash,
                        demo: *demo,
                        created_ms: 0,
                    })
                })
                .unwrap();
        }
        (dir, store)
    }

    fn req(login: &str, password: &str) -> LoginRequest {
        LoginRequest { login: login.into(), password: password.into() }
    }

    #[test]
    fn session_tokens_are_random_and_stored_only_as_their_sha256() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 64);
        let expected: [u8; 32] = Sha256::digest(a.as_str().as_bytes()).into();
        assert_eq!(a.hash(), expected);
        assert_ne!(hex::encode(a.hash()), a.as_str());
        assert_eq!(SessionToken::from_cookie(a.as_str()).hash(), a.hash());
    }

    #[tokio::test]
    async fn demo_password_is_refused_unless_the_server_runs_in_demo_mode() {
        let (_dir, store) = store_with(&[("lea.martin", "etudiant-demo", true)]);
        let clock = ManualClock::new(1_000_000);
        let strict = Auth { store: &store, clock: &clock, demo_mode: false };
        let err = strict.login(req("lea.martin", "etudiant-demo"), ClientInfo::default()).await;
        assert!(matches!(err, Err(AuthError::InvalidCredentials)));
        let demo = Auth { store: &store, clock: &clock, demo_mode: true };
        let (who, _) =
            demo.login(req("lea.martin", "etudiant-demo"), ClientInfo::default()).await.unwrap();
        assert_eq!(who.principal.user.as_str(), "lea.martin");
    }

    #[tokio::test]
    async fn a_session_identifies_its_user_until_logout_and_records_its_client() {
        let (_dir, store) = store_with(&[("tom", "secret-1", false)]);
        let clock = ManualClock::new(1_000_000);
        let auth = Auth { store: &store, clock: &clock, demo_mode: false };
        let client = ClientInfo {
            user_agent: Some("Firefox".into()),
            address: Some("127.0.0.1:5555".into()),
        };
        let (_, token) = auth.login(req(" Tom ", "secret-1"), client).await.unwrap();
        assert_eq!(auth.identify(&token).await.unwrap().principal.user.as_str(), "tom");
        let sessions = store.read_blocking(|dao| dao.sessions_of(&"tom".parse().unwrap())).unwrap();
        assert_eq!(
            sessions,
            vec![crate::store::SessionRecord {
                created_ms: 1_000_000,
                user_agent: Some("Firefox".to_string()),
                address: Some("127.0.0.1:5555".to_string())
            }]
        );
        auth.logout(&token).await.unwrap();
        assert!(matches!(auth.identify(&token).await, Err(AuthError::Unauthenticated)));
    }

    #[tokio::test]
    async fn a_session_expires() {
        let (_dir, store) = store_with(&[("tom", "secret-1", false)]);
        let clock = ManualClock::new(1_000_000);
        let auth = Auth { store: &store, clock: &clock, demo_mode: false };
        let (_, token) = auth.login(req("tom", "secret-1"), ClientInfo::default()).await.unwrap();
        clock.advance(SESSION_TTL_MS);
        assert!(matches!(auth.identify(&token).await, Err(AuthError::Unauthenticated)));
    }

    #[tokio::test]
    async fn five_failures_lock_the_account_for_the_rest_of_the_window() {
        let (_dir, store) = store_with(&[("tom", "secret-1", false)]);
        let clock = ManualClock::new(10_000_000);
        let auth = Auth { store: &store, clock: &clock, demo_mode: false };
        for _ in 0..MAX_FAILURES {
            let r = auth.login(req("tom", "wrong"), ClientInfo::default()).await;
            assert!(matches!(r, Err(AuthError::InvalidCredentials)));
            clock.advance(1000);
        }
        // Even the right password is refused while locked.
        let r = auth.login(req("tom", "secret-1"), ClientInfo::default()).await;
        let Err(AuthError::TooManyAttempts { retry_after_s }) = r else {
            panic!("expected a lock, got {r:?}")
        };
        assert!(retry_after_s > 0 && retry_after_s <= 15 * 60);
        clock.advance(FAILURE_WINDOW_MS);
        assert!(auth.login(req("tom", "secret-1"), ClientInfo::default()).await.is_ok());
    }

    #[tokio::test]
    async fn twenty_failures_from_one_address_lock_that_address_only() {
        let (_dir, store) = store_with(&[("tom", "secret-1", false)]);
        let clock = ManualClock::new(10_000_000);
        let auth = Auth { store: &store, clock: &clock, demo_mode: false };
        let from = |ip: &str| ClientInfo { user_agent: None, address: Some(format!("{ip}:4242")) };
        for i in 0..MAX_ADDRESS_FAILURES {
            let r = auth.login(req(&format!("nobody{i}"), "x"), from("10.0.0.9")).await;
            assert!(matches!(r, Err(AuthError::InvalidCredentials)));
        }
        let r = auth.login(req("tom", "secret-1"), from("10.0.0.9")).await;
        assert!(matches!(r, Err(AuthError::TooManyAttempts { .. })), "{r:?}");
        assert!(auth.login(req("tom", "secret-1"), from("10.0.0.10")).await.is_ok());
        clock.advance(FAILURE_WINDOW_MS + 1);
        assert!(auth.login(req("tom", "secret-1"), from("10.0.0.9")).await.is_ok());
    }

    #[tokio::test]
    async fn unknown_accounts_are_answered_like_wrong_passwords() {
        let (_dir, store) = store_with(&[("tom", "secret-1", false)]);
        let clock = ManualClock::new(1_000_000);
        let auth = Auth { store: &store, clock: &clock, demo_mode: false };
        let unknown = auth.login(req("nobody", "x"), ClientInfo::default()).await;
        let invalid_id = auth.login(req("no body/", "x"), ClientInfo::default()).await;
        let wrong = auth.login(req("tom", "x"), ClientInfo::default()).await;
        for r in [unknown, invalid_id, wrong] {
            assert!(matches!(r, Err(AuthError::InvalidCredentials)));
        }
    }
}
