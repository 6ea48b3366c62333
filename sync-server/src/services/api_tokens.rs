//! API tokens for the school's systems (an information system pushing the roster, a directory
//! reading accounts): created by administrators with scopes, sent as `Authorization: Bearer`,
//! stored only as their SHA-256. A token acts as the administrator who created it, within its
//! scopes, and stops working when that account is no longer an administrator.

use cartable_shared::admin::{
    API_SCOPES, AdminField, ApiTokenInfo, ApiTokenList, CreatedApiToken, LineProblem, NewApiToken,
};
use cartable_shared::roles::{Principal, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::admin::{AdminError, require_admin};
use crate::store::{Store, StoreError};

/// Prefix of every token secret (so that leaked ones are easy to search for).
pub const PREFIX: &str = "cartable_";

fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Creates a token on behalf of `admin`; its secret is in the answer only.
pub async fn create(
    store: &Store,
    now_ms: i64,
    admin: &Principal,
    req: NewApiToken,
) -> Result<CreatedApiToken, AdminError> {
    require_admin(admin)?;
    let name = super::admin::form_name(AdminField::Name, &req.name)?;
    let mut scopes: Vec<String> = Vec::new();
    for s in &req.scopes {
        if !API_SCOPES.contains(&s.as_str()) {
            return Err(AdminError::field(
                AdminField::Scopes,
                LineProblem::Invalid { value: s.clone() },
                format!("unknown scope {s:?} (expected {})", API_SCOPES.join(", ")),
            ));
        }
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    if scopes.is_empty() {
        return Err(AdminError::field(
            AdminField::Scopes,
            LineProblem::Missing,
            "a token needs at least one scope",
        ));
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", hex::encode(bytes));
    let row = ApiTokenInfo {
        id: super::files::random_id(),
        name,
        scopes,
        created_by: admin.user.clone(),
        created_ms: now_ms,
        last_used_ms: None,
    };
    let (stored, h) = (row.clone(), hash(&secret));
    store.write(move |dao| dao.insert_api_token(&stored, &h)).await?;
    tracing::info!(by = %admin.user, token = %row.id, scopes = ?row.scopes, "API token created");
    Ok(CreatedApiToken { token: row, secret })
}

/// Every token.
pub async fn list(store: &Store, admin: &Principal) -> Result<ApiTokenList, AdminError> {
    require_admin(admin)?;
    Ok(ApiTokenList { tokens: store.read(|dao| dao.api_tokens()).await? })
}

/// Revokes (deletes) a token.
pub async fn revoke(store: &Store, admin: &Principal, id: &str) -> Result<(), AdminError> {
    require_admin(admin)?;
    let key = id.to_owned();
    if !store.write(move |dao| dao.delete_api_token(&key)).await? {
        return Err(AdminError::NotFound(format!("no token {id}")));
    }
    tracing::info!(by = %admin.user, token = %id, "API token revoked");
    Ok(())
}

/// Who a bearer secret acts as, and its scopes; `None` for an unknown token or one whose
/// creator is no longer an administrator.
pub async fn authenticate(
    store: &Store,
    now_ms: i64,
    secret: &str,
) -> Result<Option<(Principal, Vec<String>)>, StoreError> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let h = hash(secret);
    store
        .write(move |dao| {
            let Some(token) = dao.use_api_token(&h, now_ms)? else { return Ok(None) };
            let Some((principal, _)) = dao.principal(&token.created_by)? else { return Ok(None) };
            Ok((principal.role == Role::Admin).then_some((principal, token.scopes)))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewUser;
    use cartable_shared::ids::UserId;

    fn store_with(users: &[(&str, Role)]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        for (login, role) in users {
            let id: UserId = login.parse().unwrap();
            let user = NewUser {
                id: &id,
                display_name: login,
                role: *role,
                password_hash: "!",
                demo: false,
                created_ms: 0,
            };
            store.write_blocking(|dao| dao.insert_user(&user)).unwrap();
        }
        (dir, store)
    }

    #[tokio::test]
    async fn a_token_acts_as_its_creator_only_while_they_are_an_administrator() {
        let (_dir, store) = store_with(&[("chef", Role::Admin), ("prof", Role::Teacher)]);
        let chef = store.read_blocking(|dao| dao.principal(&"chef".parse().unwrap())).unwrap();
        let chef = chef.unwrap().0;
        let req = NewApiToken { name: "SIS".into(), scopes: vec!["groups:read".into()] };
        let made = create(&store, 5, &chef, req).await.unwrap();
        assert!(made.secret.starts_with(PREFIX) && made.secret.len() == PREFIX.len() + 64);
        let (who, scopes) = authenticate(&store, 9, &made.secret).await.unwrap().unwrap();
        assert_eq!((who.user.as_str(), scopes), ("chef", vec!["groups:read".to_string()]));
        assert_eq!(list(&store, &chef).await.unwrap().tokens[0].last_used_ms, Some(9));
        // A token whose creator is (no longer) an administrator does nothing.
        let by_teacher = ApiTokenInfo {
            id: "t2".into(),
            name: "old".into(),
            scopes: vec!["accounts:read".into()],
            created_by: "prof".parse().unwrap(),
            created_ms: 0,
            last_used_ms: None,
        };
        let secret = format!("{PREFIX}{}", "ab".repeat(32));
        let h = hash(&secret);
        store.write_blocking(|dao| dao.insert_api_token(&by_teacher, &h)).unwrap();
        assert!(authenticate(&store, 9, &secret).await.unwrap().is_none());
        assert!(authenticate(&store, 9, "not-a-token").await.unwrap().is_none());
    }
}
