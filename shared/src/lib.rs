//! The domain of Cartable, shared by the server, the app and the tests.
//!
//! No I/O lives here: this crate compiles for native targets and for `wasm32-unknown-unknown`.
//!
//! Layout:
//! - [`ids`]: identifiers (users, groups, sessions, documents) as newtypes;
//! - [`roles`]: roles, the principal of a request, and who may read or write which document;
//! - [`timetable`], [`homework`], [`grades`], [`library`], [`announcements`], [`thread`], [`me`]:
//!   the schema of each kind of document (DESIGN §2), which is also its view model, and
//!   [`gradebook`], the teachers' side of grades (drafts and scheduled publication);
//! - [`notify`]: notification categories, levels, quiet hours and the push payload;
//! - [`text`]: the French order of people's names, for every list of people;
//! - [`links`]: the app's deep links (`/?view=week&session=<id>`), built by the push sender
//!   and read by the app;
//! - [`protocol`]: the binary envelope of the `/sync` WebSocket (see `docs/protocol.md`);
//! - [`api`]: the JSON bodies of the HTTP API, errors included;
//! - [`calendar`]: the JSON bodies of calendar feeds (imported feeds, the personal export);
//! - [`edits`]: the publishers' edits of group documents (sessions, homework, announcements);
//! - [`engine`]: messages between the app's UI module and its engine worker;
//! - [`rules`] (feature `crdt`): what a writer's changes may do to a document;
//! - [`upgrade`] (feature `crdt`): the schema ladder of each document kind, which brings a
//!   document written by an older version up to the current schema;
//! - [`sync`] (feature `crdt`): the sans-IO sync session that the app, the tests and the
//!   server's document code all drive, and the Automerge mapping of the schema;
//! - [`erase`] (feature `crdt`): a document rebuilt without history and without a deleted
//!   account's login (the new epoch of a [`protocol::ServerFrame::Reset`]).
//!
//! A typical flow: the server derives a user's readable documents from [`roles::Principal`],
//! sends them in a [`protocol::ServerFrame::Welcome`], and both sides exchange
//! [`protocol::ServerFrame::Sync`] / [`protocol::ClientFrame::Sync`] frames carrying standard
//! Automerge sync messages until neither has anything more to send.

pub mod admin;
pub mod announcements;
pub mod api;
pub mod calendar;
pub mod edits;
pub mod engine;
pub mod gradebook;
pub mod grades;
pub mod homework;
pub mod ids;
pub mod library;
pub mod links;
pub mod me;
pub mod notify;
pub mod protocol;
pub mod roles;
pub mod text;
pub mod thread;
pub mod timetable;

#[cfg(feature = "crdt")]
pub mod erase;
#[cfg(feature = "crdt")]
pub mod rules;
#[cfg(feature = "crdt")]
pub mod sync;
#[cfg(feature = "crdt")]
pub mod typed;
#[cfg(feature = "crdt")]
pub mod upgrade;
