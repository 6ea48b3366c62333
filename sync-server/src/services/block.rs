//! The block period: while it lasts, students and guardians are told the administrators'
//! message instead of getting any content (as ENTs do before the school year starts). The
//! message reaches them in `GET /api/me` (`Me::blocked`) and as an `ErrorCode::Blocked` frame
//! on `/sync`, which then closes. Teachers, staff and administrators are never blocked. A
//! period with an end (`until_ms`) ends on its own: it is compared with the server's clock
//! each time it is read, so nothing has to run at that moment.

use cartable_shared::api::{BlockNotice, MAX_BLOCK_MESSAGE_LEN};
use cartable_shared::roles::{Principal, Role};

use super::admin::{AdminError, require_admin};
use super::hub::Hub;
use super::presence::Control;
use crate::store::{Store, StoreError};
use cartable_shared::admin::{AdminField, AdminProblem, LineProblem};

/// Whether a block period applies to accounts of `role`.
pub fn applies_to(role: Role) -> bool {
    matches!(role, Role::Student | Role::Guardian)
}

/// The block period in force at `now_ms`, if any (whoever asks).
pub async fn current(store: &Store, now_ms: i64) -> Result<Option<BlockNotice>, StoreError> {
    let notice = store.read(|dao| dao.block_period()).await?;
    Ok(notice.filter(|n| n.until_ms.is_none_or(|until| until > now_ms)))
}

/// What `principal` is told at `now_ms`: the block period if one is in force and applies to
/// them.
pub async fn notice_for(
    store: &Store,
    principal: &Principal,
    now_ms: i64,
) -> Result<Option<BlockNotice>, StoreError> {
    if !applies_to(principal.role) {
        return Ok(None);
    }
    current(store, now_ms).await
}

/// The block period in force, for an administrator.
pub async fn get(
    store: &Store,
    admin: &Principal,
    now_ms: i64,
) -> Result<Option<BlockNotice>, AdminError> {
    require_admin(admin)?;
    Ok(current(store, now_ms).await?)
}

/// Sets (or replaces) the block period; the live connections of students and guardians are
/// closed with the message.
pub async fn set(
    store: &Store,
    hub: &Hub,
    admin: &Principal,
    now_ms: i64,
    notice: BlockNotice,
) -> Result<BlockNotice, AdminError> {
    require_admin(admin)?;
    let message = notice.message.trim().to_owned();
    if message.is_empty() {
        return Err(AdminError::field(
            AdminField::Message,
            LineProblem::Missing,
            "the message is empty",
        ));
    }
    if message.chars().count() > MAX_BLOCK_MESSAGE_LEN {
        return Err(AdminError::field(
            AdminField::Message,
            LineProblem::TooLong { max: MAX_BLOCK_MESSAGE_LEN as u32 },
            format!("the message is longer than {MAX_BLOCK_MESSAGE_LEN} characters"),
        ));
    }
    if notice.until_ms.is_some_and(|until| until <= now_ms) {
        return Err(AdminError::refused(
            AdminProblem::EndInThePast,
            "the end of the block period is in the past",
        ));
    }
    let notice = BlockNotice { message, until_ms: notice.until_ms };
    let (stored, by) = (notice.clone(), admin.user.clone());
    store.write(move |dao| dao.set_block_period(&stored, &by, now_ms)).await?;
    let closed = hub.presence().notify_all(Control::Blocked);
    tracing::info!(by = %admin.user, until_ms = ?notice.until_ms, closed, "block period set");
    Ok(notice)
}

/// Lifts the block period; true if there was one.
pub async fn clear(store: &Store, admin: &Principal) -> Result<bool, AdminError> {
    require_admin(admin)?;
    let lifted = store.write(|dao| dao.clear_block_period()).await?;
    tracing::info!(by = %admin.user, lifted, "block period lifted");
    Ok(lifted)
}
