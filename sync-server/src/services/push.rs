//! Web Push (DESIGN §5), server side: the VAPID key pair ([`vapid`]) and the subscriptions of
//! each user's devices, whose endpoints must belong to a known push service ([`endpoint`]).

pub mod endpoint;
pub mod subscriptions;
pub mod vapid;
