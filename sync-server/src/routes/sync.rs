//! `GET /sync`: the WebSocket of the sync protocol. Authentication happens before the upgrade
//! (401 without a session; the `Origin` check is the router's middleware). After it, the
//! socket task pumps frames between the socket and a [`Connection`].

use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use cartable_shared::api::BlockNotice;
use cartable_shared::protocol::MAX_FRAME_LEN;
use futures_util::SinkExt;
use futures_util::stream::{SplitSink, SplitStream, StreamExt};

use super::auth::{Authenticated, session_token};
use super::error::ApiError;
use crate::AppState;
use crate::services::block;
use crate::services::sync::{self, Connection, Flow, Outbox};

/// Longest wait for the socket to accept one outbound frame.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for the device's answer to our close frame.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The upgrade.
pub async fn upgrade(
    State(state): State<AppState>,
    Authenticated(identity): Authenticated,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => {
            let err = ApiError::new(e.status(), "upgrade_required", e.body_text());
            return err.into_response();
        }
    };
    if state.shutdown_token().is_cancelled() {
        return ApiError::unavailable("the server is shutting down").into_response();
    }
    let now = state.clock().now_ms();
    let blocked = match block::notice_for(state.store(), &identity.principal, now).await {
        Ok(blocked) => blocked,
        Err(e) => return ApiError::internal(&e).into_response(),
    };
    let session = session_token(&headers).map(|t| t.hash());
    let (conn, outbox) =
        Connection::open_session(state.hub(), state.store(), identity.principal, session);
    let sockets = state.sockets().clone();
    // Small buffers: most devices sit idle, and each byte here is multiplied by every
    // connected device. A device's frames are small (a sync message of a few changes); a
    // larger one grows the read buffer for itself. Frames are written out as soon as they
    // are sent.
    ws.max_message_size(MAX_FRAME_LEN)
        .max_frame_size(MAX_FRAME_LEN)
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| sockets.track_future(serve(socket, conn, outbox, blocked)))
}

type Sink = SplitSink<WebSocket, Message>;
type Stream = SplitStream<WebSocket>;

async fn send(sink: &mut Sink, msg: Message) -> bool {
    matches!(tokio::time::timeout(SEND_TIMEOUT, sink.send(msg)).await, Ok(Ok(())))
}

/// Closes the connection with the WebSocket closing handshake (RFC 6455 §7.1.1): sends a close
/// frame, then reads (and drops) what the device still sends until its own close frame, for at
/// most [`CLOSE_TIMEOUT`]. Dropping the socket at once would reset the TCP connection while the
/// device's frames are still arriving, and a reset can discard the frames we sent just before
/// it (the error telling the device why it is being closed).
async fn close(sink: &mut Sink, stream: &mut Stream, code: u16, reason: &'static str) {
    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
    let sent =
        tokio::time::timeout(Duration::from_secs(5), sink.send(Message::Close(Some(frame)))).await;
    if !matches!(sent, Ok(Ok(()))) {
        return;
    }
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
        while let Some(Ok(msg)) = stream.next().await {
            if matches!(msg, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// The socket task: one per connected device; ends when the device or the server closes the
/// connection, or when the device is kicked for lagging. A device kept out by a block period
/// gets the `Blocked` error frame and is closed before any document is listed.
async fn serve(
    socket: WebSocket,
    mut conn: Connection,
    mut outbox: Outbox,
    blocked: Option<BlockNotice>,
) {
    let user = conn.principal().user.clone();
    tracing::info!(user = %user, "sync connection opened");
    let (mut sink, mut stream) = socket.split();
    if let Some(Flow::CloseWith { last, code, reason }) = blocked.as_ref().map(sync::blocked) {
        if let Some(last) = last {
            send(&mut sink, Message::Binary(last)).await;
        }
        close(&mut sink, &mut stream, code, reason).await;
        conn.close().await;
        tracing::info!(user = %user, "sync connection refused: block period");
        return;
    }
    // The connection's handlers are boxed where they are awaited: the task of an idle
    // connection then holds only the loop's small state, not room for the largest of them.
    match Box::pin(conn.welcome()).await {
        Ok(frame) => {
            if !send(&mut sink, Message::Binary(frame)).await {
                conn.close().await;
                return;
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "could not list documents");
            close(&mut sink, &mut stream, close_code::ERROR, "server error").await;
            conn.close().await;
            return;
        }
    }
    loop {
        tokio::select! {
            biased;
            () = outbox.kick.cancelled() => {
                close(&mut sink, &mut stream, close_code::AWAY, "server shutting down or connection too slow").await;
                break;
            }
            Some(control) = outbox.control.recv() => {
                if let Flow::CloseWith { last, code, reason } = Box::pin(conn.on_control(control)).await {
                    if let Some(last) = last {
                        send(&mut sink, Message::Binary(last)).await;
                    }
                    close(&mut sink, &mut stream, code, reason).await;
                    break;
                }
            }
            out = outbox.frames.recv() => match out {
                Some(frame) => {
                    if !send(&mut sink, Message::Binary(frame)).await {
                        break;
                    }
                }
                None => break,
            },
            msg = stream.next() => {
                let flow = match msg {
                    Some(Ok(Message::Binary(data))) => Box::pin(conn.on_binary(&data)).await,
                    Some(Ok(Message::Text(_))) => conn.on_text(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Flow::Continue,
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Err(e)) => {
                        tracing::debug!(user = %user, error = %e, "sync socket error");
                        close(&mut sink, &mut stream, close_code::SIZE, "frame refused").await;
                        break;
                    }
                };
                match flow {
                    Flow::Continue => {}
                    Flow::Close(last) => {
                        send(&mut sink, Message::Binary(last)).await;
                        close(&mut sink, &mut stream, close_code::PROTOCOL, "malformed frame").await;
                        break;
                    }
                    Flow::CloseWith { last, code, reason } => {
                        if let Some(last) = last {
                            send(&mut sink, Message::Binary(last)).await;
                        }
                        close(&mut sink, &mut stream, code, reason).await;
                        break;
                    }
                }
            }
        }
    }
    conn.close().await;
    tracing::info!(user = %user, "sync connection closed");
}
