//! The live `/sync` connections of each user, so that a change of memberships or a sign-out
//! everywhere reaches connections that are already open.

use std::collections::HashMap;
use std::sync::Mutex;

use cartable_shared::ids::UserId;
use tokio::sync::mpsc;

use super::hub::PeerId;

/// What a live connection is told to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// The user's memberships changed: recompute what the device may read.
    Reevaluate,
    /// The user signed out everywhere: close the connection.
    SignedOut,
    /// A block period started: a student's or guardian's connection closes with its message
    /// (other connections carry on).
    Blocked,
    /// The account was deleted: close the connection; the device should wipe its data.
    Deleted,
}

/// A registered connection's end of its control channel.
pub type ControlReceiver = mpsc::UnboundedReceiver<Control>;

/// The registry. Lives in the hub.
#[derive(Debug, Default)]
pub struct Presence {
    /// Live connections by user. A std mutex: held only to insert, remove or copy senders,
    /// never across an await. Each sender is unbounded because control messages are rare
    /// (admin actions) and must never be lost; its receiver is owned by the connection's
    /// socket task, which unregisters when it ends.
    live: Mutex<HashMap<UserId, HashMap<PeerId, mpsc::UnboundedSender<Control>>>>,
}

impl Presence {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<UserId, HashMap<PeerId, mpsc::UnboundedSender<Control>>>>
    {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a connection of `user`; the receiver gets its control messages.
    pub fn register(&self, user: &UserId, peer: PeerId) -> ControlReceiver {
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().entry(user.clone()).or_default().insert(peer, tx);
        rx
    }

    /// Forgets a connection.
    pub fn unregister(&self, user: &UserId, peer: PeerId) {
        let mut live = self.lock();
        if let Some(conns) = live.get_mut(user) {
            conns.remove(&peer);
            if conns.is_empty() {
                live.remove(user);
            }
        }
    }

    /// Tells every live connection of `user`; returns how many were told.
    pub fn notify(&self, user: &UserId, control: Control) -> usize {
        let live = self.lock();
        live.get(user)
            .map(|conns| conns.values().filter(|tx| tx.send(control).is_ok()).count())
            .unwrap_or(0)
    }

    /// Tells every live connection of every user; returns how many were told.
    pub fn notify_all(&self, control: Control) -> usize {
        let live = self.lock();
        live.values().flat_map(HashMap::values).filter(|tx| tx.send(control).is_ok()).count()
    }

    /// Number of live connections of `user`.
    pub fn count(&self, user: &UserId) -> usize {
        self.lock().get(user).map_or(0, HashMap::len)
    }
}
