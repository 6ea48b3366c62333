//! Registering, listing and deleting the push subscriptions of a user's own devices.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cartable_shared::api::{NewPushSubscription, PushSubscriptionInfo};
use cartable_shared::ids::{SubscriptionId, UserId};
use rand::RngCore;

use super::endpoint::{self, EndpointRefused};
use crate::store::{PushSubscriptionRow, Store, StoreError};

/// Longest device label, in characters.
pub const MAX_LABEL: usize = 80;

/// Why a subscription request failed.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The endpoint is not one the server may call.
    #[error(transparent)]
    Refused(#[from] EndpointRefused),
    /// The keys or the label are malformed.
    #[error("{0}")]
    Invalid(String),
    /// No such subscription of this user.
    #[error("no such subscription")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn key(name: &str, b64: &str, len: usize) -> Result<Vec<u8>, PushError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|_| PushError::Invalid(format!("keys.{name} is not base64url")))?;
    if bytes.len() != len {
        return Err(PushError::Invalid(format!("keys.{name} must be {len} bytes")));
    }
    Ok(bytes)
}

/// Registers a device of `user`; `allowed` are the extra origins of `--push-allow`.
pub async fn register(
    store: &Store,
    allowed: &[String],
    user: &UserId,
    req: NewPushSubscription,
    now_ms: i64,
) -> Result<SubscriptionId, PushError> {
    endpoint::check(&req.endpoint, allowed)?;
    let p256dh = key("p256dh", &req.keys.p256dh, 65)?;
    if p256dh[0] != 4 {
        return Err(PushError::Invalid("keys.p256dh must be an uncompressed point".into()));
    }
    let auth = key("auth", &req.keys.auth, 16)?;
    let label = req.label.trim().to_owned();
    if label.chars().count() > MAX_LABEL || label.chars().any(char::is_control) {
        return Err(PushError::Invalid(format!("label: at most {MAX_LABEL} printable characters")));
    }
    let mut raw = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut raw);
    let id: SubscriptionId =
        hex::encode(raw).parse().map_err(|_| PushError::Invalid("id".into()))?;
    let row = PushSubscriptionRow {
        id: id.clone(),
        user: user.clone(),
        endpoint: req.endpoint,
        p256dh,
        auth,
        label,
        created_ms: now_ms,
    };
    store.write(move |dao| dao.insert_push_subscription(&row)).await?;
    tracing::info!(user = %user, subscription = %id, "push subscription registered");
    Ok(id)
}

/// The devices of `user`, without their endpoints' secret paths.
pub async fn list(store: &Store, user: &UserId) -> Result<Vec<PushSubscriptionInfo>, PushError> {
    let user = user.clone();
    let rows = store.read(move |dao| dao.push_subscriptions_of(&user)).await?;
    Ok(rows
        .into_iter()
        .map(|r| PushSubscriptionInfo {
            endpoint_host: r
                .endpoint
                .parse::<http::Uri>()
                .ok()
                .and_then(|u| u.host().map(str::to_owned))
                .unwrap_or_default(),
            id: r.id,
            label: r.label,
            created_ms: r.created_ms,
        })
        .collect())
}

/// Deletes a device of `user`; [`PushError::NotFound`] if it is not theirs.
pub async fn delete(store: &Store, user: &UserId, id: SubscriptionId) -> Result<(), PushError> {
    let user = user.clone();
    let deleted = store.write(move |dao| dao.delete_push_subscription(&id, Some(&user))).await?;
    if deleted { Ok(()) } else { Err(PushError::NotFound) }
}
