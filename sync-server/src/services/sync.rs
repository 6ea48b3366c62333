//! One `/sync` connection, independent of the WebSocket library: it decodes the device's
//! frames, decides access, and hands sync messages to the document actors of the hub, which
//! answer on the device's queue.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use cartable_shared::ids::DocId;
use cartable_shared::protocol::{ClientFrame, ErrorCode, ServerFrame};
use cartable_shared::roles::Principal;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::hub::{Hub, HubError, Peer};
use crate::store::{Store, StoreError};

/// What the socket should do after a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// Send this last frame, then close the connection.
    Close(Bytes),
}

/// The server side of one device's connection.
#[derive(Debug)]
pub struct Connection {
    hub: Hub,
    store: Store,
    principal: Principal,
    peer: Arc<Peer>,
    /// Handles of the documents this device has synced, to tell them when it leaves.
    docs: HashMap<DocId, super::hub::DocHandle>,
}

/// The two ends a socket task drives: frames to send, and the token that asks it to close.
#[derive(Debug)]
pub struct Outbox {
    /// Frames for the device, from the document actors and the connection itself.
    pub frames: mpsc::Receiver<Bytes>,
    /// Cancelled when the connection must close (lagging device, server shutdown).
    pub kick: CancellationToken,
}

fn error_frame(doc: Option<&DocId>, code: ErrorCode, message: &str) -> Bytes {
    Bytes::from(
        ServerFrame::Error { doc: doc.cloned(), code, message: message.to_owned() }.encode(),
    )
}

impl Connection {
    /// A new connection for `principal`.
    pub fn open(hub: &Hub, store: &Store, principal: Principal) -> (Connection, Outbox) {
        let (peer, frames, kick) = hub.connect();
        let conn = Connection {
            hub: hub.clone(),
            store: store.clone(),
            principal,
            peer,
            docs: HashMap::new(),
        };
        (conn, Outbox { frames, kick })
    }

    /// The principal behind the connection.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The documents this device may read that exist on the server.
    pub async fn readable_documents(&self) -> Result<Vec<DocId>, StoreError> {
        let all = self.store.read(|dao| dao.document_ids()).await?;
        Ok(all.into_iter().filter(|d| self.principal.access(d, &[]).can_read()).collect())
    }

    /// The `Welcome` frame to send first.
    pub async fn welcome(&self) -> Result<Bytes, StoreError> {
        let docs = self.readable_documents().await?;
        Ok(Bytes::from(ServerFrame::Welcome { docs }.encode()))
    }

    /// Handles a binary frame from the device.
    pub async fn on_binary(&mut self, data: &[u8]) -> Flow {
        let frame = match ClientFrame::decode(data) {
            Ok(frame) => frame,
            Err(e) => {
                tracing::debug!(peer = self.peer.id(), error = %e, "malformed frame");
                return Flow::Close(error_frame(None, ErrorCode::Malformed, &e.to_string()));
            }
        };
        let ClientFrame::Sync { doc, data } = frame;
        let access = self.principal.access(&doc, &[]);
        if !access.can_read() {
            self.not_found(&doc);
            return Flow::Continue;
        }
        let handle = match self.docs.get(&doc) {
            Some(h) => h.clone(),
            None => match self.hub.open(&doc).await {
                Ok(Some(h)) => {
                    self.docs.insert(doc.clone(), h.clone());
                    h
                }
                Ok(None) => {
                    self.not_found(&doc);
                    return Flow::Continue;
                }
                Err(e) => return self.internal(&doc, &e),
            },
        };
        if let Err(e) = handle.sync(self.peer.clone(), access, Bytes::from(data)).await {
            self.docs.remove(&doc);
            return self.internal(&doc, &e);
        }
        Flow::Continue
    }

    /// Handles a text frame: the protocol has none.
    pub fn on_text(&self) -> Flow {
        Flow::Close(error_frame(
            None,
            ErrorCode::Malformed,
            "text frames are not part of the protocol",
        ))
    }

    fn not_found(&self, doc: &DocId) {
        self.peer.send_error(Some(doc), ErrorCode::NotFound, "no such document");
    }

    fn internal(&self, doc: &DocId, e: &HubError) -> Flow {
        match e {
            HubError::Closed => {
                tracing::debug!(doc = %doc, "document closed while syncing")
            }
            other => tracing::error!(doc = %doc, error = %other, "sync failed"),
        }
        self.peer.send_error(Some(doc), ErrorCode::Internal, "the server failed; retry later");
        Flow::Continue
    }

    /// The device left: every document forgets its sync state.
    pub async fn close(self) {
        for handle in self.docs.values() {
            handle.leave(self.peer.id()).await;
        }
    }
}
