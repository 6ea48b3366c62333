//! The binary envelope of the `/sync` WebSocket. `docs/protocol.md` is the specification; this
//! module is its reference implementation.
//!
//! Every binary frame is:
//!
//! ```text
//! version: u8 (= 1) | type: u8 | body
//! ```
//!
//! Strings are `u16` big-endian length + UTF-8 bytes. Automerge sync messages travel as opaque
//! bytes filling the rest of the frame. Decoding never panics: any malformed input is a
//! [`DecodeError`].

use crate::ids::{DocId, IdError};

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u8 = 1;

/// Largest frame accepted in either direction, in bytes (8 MiB). The server closes a connection
/// that sends a larger one.
pub const MAX_FRAME_LEN: usize = 8 * 1024 * 1024;

const T_CLIENT_SYNC: u8 = 0x01;
const T_CLIENT_RESET: u8 = 0x02;
const T_SERVER_WELCOME: u8 = 0x81;
const T_SERVER_SYNC: u8 = 0x82;
const T_SERVER_ACK: u8 = 0x83;
const T_SERVER_ERROR: u8 = 0x84;
const T_SERVER_REVOKED: u8 = 0x85;
const T_SERVER_RESET: u8 = 0x86;

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The frame is empty or shorter than its header.
    #[error("frame is truncated")]
    Truncated,
    /// The frame's version byte is not [`PROTOCOL_VERSION`].
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u8),
    /// The type byte is not one this direction knows.
    #[error("unknown message type 0x{0:02x}")]
    UnknownType(u8),
    /// A string is not UTF-8.
    #[error("string is not valid UTF-8")]
    InvalidUtf8,
    /// A document id is malformed.
    #[error("invalid document id: {0}")]
    InvalidDocId(#[from] IdError),
    /// The frame is longer than [`MAX_FRAME_LEN`].
    #[error("frame of {0} bytes exceeds the limit of {MAX_FRAME_LEN}")]
    TooLarge(usize),
    /// Bytes remain after a message that has no trailing payload.
    #[error("unexpected trailing bytes")]
    TrailingBytes,
}

/// Frames a device sends to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    /// Sent by a device whenever Automerge's `generate_sync_message` yields a message for `doc`:
    /// after a `Welcome`, after receiving a `Sync`, and after a local edit.
    Sync {
        /// The document.
        doc: DocId,
        /// An encoded `automerge::sync::Message`.
        data: Vec<u8>,
    },
    /// Sent by a device in answer to a [`ServerFrame::Reset`]: it now holds epoch `epoch` of
    /// `doc` (it dropped its copy, history included, or it had that epoch already). Its
    /// `Sync` frames for the document follow; the server ignores them until this arrives.
    Reset {
        /// The document.
        doc: DocId,
        /// The epoch the device holds.
        epoch: u32,
    },
}

/// Frames the server sends to a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerFrame {
    /// Sent right after the upgrade, and again whenever the set changes (a membership added or
    /// removed): every document this device may read. The device starts (or keeps) syncing
    /// exactly these and drops the others.
    Welcome {
        /// Readable documents.
        docs: Vec<DocId>,
    },
    /// Sent in answer to a device's `Sync`, and on its own when a document changes on the
    /// server (fan-out).
    Sync {
        /// The document.
        doc: DocId,
        /// An encoded `automerge::sync::Message`.
        data: Vec<u8>,
    },
    /// Sent once the changes of a device's `Sync` are durably stored: the document's heads that
    /// now include them. Everything a device wrote up to these heads is safe.
    Ack {
        /// The document.
        doc: DocId,
        /// The stored heads (32-byte change hashes).
        heads: Vec<[u8; 32]>,
    },
    /// Sent when a frame is refused. Nothing of the refused frame was stored or forwarded; the
    /// connection stays open unless the code says otherwise.
    Error {
        /// The document concerned, if any.
        doc: Option<DocId>,
        /// What went wrong.
        code: ErrorCode,
        /// A human-readable explanation (English).
        message: String,
    },
    /// Sent when the device may no longer read `doc` (membership removed): it should drop it.
    Revoked {
        /// The document.
        doc: DocId,
    },
    /// The device's copy of `doc` is from an earlier epoch (the server rebuilt the document
    /// without its history, e.g. to erase a deleted account): drop it, history included, and
    /// sync it from empty after confirming with [`ClientFrame::Reset`]. Sent live to every
    /// device holding the document when it is rebuilt, on each new connection right after
    /// `Welcome` for every readable document whose epoch is above 0, and in answer to a `Sync`
    /// for a document whose current epoch the device has not confirmed.
    Reset {
        /// The document.
        doc: DocId,
        /// The document's current epoch (0 for a document never rebuilt).
        epoch: u32,
    },
}

/// The kinds of errors a server reports in an [`ServerFrame::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ErrorCode {
    /// The frame could not be decoded. The server closes the connection after sending it.
    Malformed = 1,
    /// Unknown document, or one this user may not read (the two are not distinguished).
    NotFound = 2,
    /// The user may read the document but not write it, or the change breaks a rule.
    Forbidden = 3,
    /// The Automerge payload is invalid.
    InvalidData = 4,
    /// Too many frames too fast; the frame was dropped.
    RateLimited = 5,
    /// The server failed; the device should retry later.
    Internal = 6,
    /// A block period keeps this user out (students and guardians, e.g. before the school
    /// year): the message is the administrators' notice. Sent in answer to the first frame,
    /// then the server closes the connection; the device should not reconnect before
    /// `GET /api/me` no longer reports `blocked`.
    Blocked = 7,
}

impl ErrorCode {
    fn from_u16(v: u16) -> Option<Self> {
        Some(match v {
            1 => Self::Malformed,
            2 => Self::NotFound,
            3 => Self::Forbidden,
            4 => Self::InvalidData,
            5 => Self::RateLimited,
            6 => Self::Internal,
            7 => Self::Blocked,
            _ => return None,
        })
    }
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn str(&mut self) -> Result<&'a str, DecodeError> {
        let len = self.u16()? as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| DecodeError::InvalidUtf8)
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn doc(&mut self) -> Result<DocId, DecodeError> {
        Ok(self.str()?.parse()?)
    }

    fn rest(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf).to_vec()
    }

    fn end(&self) -> Result<(), DecodeError> {
        if self.buf.is_empty() { Ok(()) } else { Err(DecodeError::TrailingBytes) }
    }
}

fn header(input: &[u8]) -> Result<(u8, Reader<'_>), DecodeError> {
    if input.len() > MAX_FRAME_LEN {
        return Err(DecodeError::TooLarge(input.len()));
    }
    let mut r = Reader { buf: input };
    let version = r.u8()?;
    if version != PROTOCOL_VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let ty = r.u8()?;
    Ok((ty, r))
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Strings we write are document ids (≤ 128 + kind) and error messages, which we truncate.
    let bytes = &s.as_bytes()[..s.len().min(u16::MAX as usize)];
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(bytes);
}

impl ClientFrame {
    /// Encodes the frame.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![PROTOCOL_VERSION];
        match self {
            ClientFrame::Sync { doc, data } => {
                out.push(T_CLIENT_SYNC);
                put_str(&mut out, &doc.to_string());
                out.extend_from_slice(data);
            }
            ClientFrame::Reset { doc, epoch } => {
                out.push(T_CLIENT_RESET);
                put_str(&mut out, &doc.to_string());
                out.extend_from_slice(&epoch.to_be_bytes());
            }
        }
        out
    }

    /// Decodes a frame; never panics.
    pub fn decode(input: &[u8]) -> Result<Self, DecodeError> {
        let (ty, mut r) = header(input)?;
        match ty {
            T_CLIENT_SYNC => {
                let doc = r.doc()?;
                Ok(ClientFrame::Sync { doc, data: r.rest() })
            }
            T_CLIENT_RESET => {
                let frame = ClientFrame::Reset { doc: r.doc()?, epoch: r.u32()? };
                r.end()?;
                Ok(frame)
            }
            other => Err(DecodeError::UnknownType(other)),
        }
    }
}

impl ServerFrame {
    /// Encodes the frame.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![PROTOCOL_VERSION];
        match self {
            ServerFrame::Welcome { docs } => {
                out.push(T_SERVER_WELCOME);
                let n = docs.len().min(u16::MAX as usize);
                out.extend_from_slice(&(n as u16).to_be_bytes());
                for d in &docs[..n] {
                    put_str(&mut out, &d.to_string());
                }
            }
            ServerFrame::Sync { doc, data } => {
                out.push(T_SERVER_SYNC);
                put_str(&mut out, &doc.to_string());
                out.extend_from_slice(data);
            }
            ServerFrame::Ack { doc, heads } => {
                out.push(T_SERVER_ACK);
                put_str(&mut out, &doc.to_string());
                let n = heads.len().min(u16::MAX as usize);
                out.extend_from_slice(&(n as u16).to_be_bytes());
                for h in &heads[..n] {
                    out.extend_from_slice(h);
                }
            }
            ServerFrame::Error { doc, code, message } => {
                out.push(T_SERVER_ERROR);
                out.extend_from_slice(&(*code as u16).to_be_bytes());
                put_str(&mut out, &doc.as_ref().map(|d| d.to_string()).unwrap_or_default());
                put_str(&mut out, message);
            }
            ServerFrame::Revoked { doc } => {
                out.push(T_SERVER_REVOKED);
                put_str(&mut out, &doc.to_string());
            }
            ServerFrame::Reset { doc, epoch } => {
                out.push(T_SERVER_RESET);
                put_str(&mut out, &doc.to_string());
                out.extend_from_slice(&epoch.to_be_bytes());
            }
        }
        out
    }

    /// Decodes a frame; never panics.
    pub fn decode(input: &[u8]) -> Result<Self, DecodeError> {
        let (ty, mut r) = header(input)?;
        let frame = match ty {
            T_SERVER_WELCOME => {
                let n = r.u16()?;
                let docs = (0..n).map(|_| r.doc()).collect::<Result<_, _>>()?;
                ServerFrame::Welcome { docs }
            }
            T_SERVER_SYNC => {
                let doc = r.doc()?;
                return Ok(ServerFrame::Sync { doc, data: r.rest() });
            }
            T_SERVER_ACK => {
                let doc = r.doc()?;
                let n = r.u16()?;
                let heads = (0..n)
                    .map(|_| r.take(32).map(|b| <[u8; 32]>::try_from(b).expect("32 bytes")))
                    .collect::<Result<_, _>>()?;
                ServerFrame::Ack { doc, heads }
            }
            T_SERVER_ERROR => {
                let code = r.u16()?;
                let code = ErrorCode::from_u16(code).unwrap_or(ErrorCode::Internal);
                let doc = match r.str()? {
                    "" => None,
                    s => Some(s.parse()?),
                };
                let message = r.str()?.to_owned();
                ServerFrame::Error { doc, code, message }
            }
            T_SERVER_REVOKED => ServerFrame::Revoked { doc: r.doc()? },
            T_SERVER_RESET => ServerFrame::Reset { doc: r.doc()?, epoch: r.u32()? },
            other => return Err(DecodeError::UnknownType(other)),
        };
        r.end()?;
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc() -> DocId {
        "timetable:l2-info-a".parse().unwrap()
    }

    #[test]
    fn every_server_frame_round_trips() {
        let frames = [
            ServerFrame::Welcome { docs: vec![doc(), "me:lea".parse().unwrap()] },
            ServerFrame::Sync { doc: doc(), data: vec![0x42, 1, 2, 3] },
            ServerFrame::Ack { doc: doc(), heads: vec![[7; 32], [9; 32]] },
            ServerFrame::Error {
                doc: Some(doc()),
                code: ErrorCode::Forbidden,
                message: "non".into(),
            },
            ServerFrame::Error { doc: None, code: ErrorCode::Malformed, message: String::new() },
            ServerFrame::Revoked { doc: doc() },
            ServerFrame::Reset { doc: doc(), epoch: 0 },
            ServerFrame::Reset { doc: doc(), epoch: u32::MAX },
        ];
        for f in frames {
            assert_eq!(ServerFrame::decode(&f.encode()), Ok(f));
        }
    }

    #[test]
    fn client_sync_round_trips() {
        let f = ClientFrame::Sync { doc: doc(), data: vec![] };
        assert_eq!(ClientFrame::decode(&f.encode()), Ok(f));
    }

    #[test]
    fn client_reset_round_trips_and_has_a_fixed_layout() {
        let f = ClientFrame::Reset { doc: doc(), epoch: 3 };
        let bytes = f.encode();
        assert_eq!(&bytes[..2], &[PROTOCOL_VERSION, T_CLIENT_RESET]);
        assert_eq!(&bytes[bytes.len() - 4..], &[0, 0, 0, 3], "epoch: u32 big-endian, last");
        assert_eq!(ClientFrame::decode(&bytes), Ok(f));
    }

    #[test]
    fn truncated_or_padded_reset_frames_are_errors() {
        let client = ClientFrame::Reset { doc: doc(), epoch: 7 }.encode();
        let server = ServerFrame::Reset { doc: doc(), epoch: 7 }.encode();
        for full in [&client, &server] {
            // Every strict prefix past the header is truncated (inside the id or the epoch).
            for cut in 2..full.len() {
                let decoded = if full == &client {
                    ClientFrame::decode(&full[..cut]).map(|_| ())
                } else {
                    ServerFrame::decode(&full[..cut]).map(|_| ())
                };
                assert_eq!(decoded, Err(DecodeError::Truncated), "cut at {cut}");
            }
        }
        let mut padded = client.clone();
        padded.push(0);
        assert_eq!(ClientFrame::decode(&padded), Err(DecodeError::TrailingBytes));
        let mut padded = server.clone();
        padded.push(0);
        assert_eq!(ServerFrame::decode(&padded), Err(DecodeError::TrailingBytes));
        // A malformed document id in a reset is an id error, not a panic.
        assert!(matches!(
            ClientFrame::decode(&[1, 2, 0, 3, b'x', b':', b'y', 0, 0, 0, 1]),
            Err(DecodeError::InvalidDocId(_))
        ));
    }

    #[test]
    fn malformed_frames_are_errors_not_panics() {
        assert_eq!(ClientFrame::decode(&[]), Err(DecodeError::Truncated));
        assert_eq!(ClientFrame::decode(&[1]), Err(DecodeError::Truncated));
        assert_eq!(ClientFrame::decode(&[2, 1]), Err(DecodeError::UnsupportedVersion(2)));
        assert_eq!(ClientFrame::decode(&[1, 0x7f]), Err(DecodeError::UnknownType(0x7f)));
        assert_eq!(ClientFrame::decode(&[1, 1, 0, 9, b'a']), Err(DecodeError::Truncated));
        assert_eq!(ClientFrame::decode(&[1, 1, 0, 2, 0xff, 0xfe]), Err(DecodeError::InvalidUtf8));
        assert!(matches!(
            ClientFrame::decode(&[1, 1, 0, 3, b'x', b':', b'y']),
            Err(DecodeError::InvalidDocId(_))
        ));
        let huge = vec![1u8; MAX_FRAME_LEN + 1];
        assert_eq!(ClientFrame::decode(&huge), Err(DecodeError::TooLarge(MAX_FRAME_LEN + 1)));
        let mut trailing = ServerFrame::Revoked { doc: doc() }.encode();
        trailing.push(0);
        assert_eq!(ServerFrame::decode(&trailing), Err(DecodeError::TrailingBytes));
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = ClientFrame::decode(&bytes);
            let _ = ServerFrame::decode(&bytes);
        }

        #[test]
        fn sync_payloads_round_trip(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let f = ClientFrame::Sync { doc: doc(), data: data.clone() };
            prop_assert_eq!(ClientFrame::decode(&f.encode()), Ok(f));
            let s = ServerFrame::Sync { doc: doc(), data };
            prop_assert_eq!(ServerFrame::decode(&s.encode()), Ok(s));
        }
    }
}
