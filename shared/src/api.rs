//! JSON bodies of the HTTP API (`/api/...`), shared by the server, the app and the tests.

use serde::{Deserialize, Serialize};

use crate::ids::{GroupId, SubscriptionId, UserId};
use crate::roles::Role;

/// `POST /api/login` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// The account's login.
    pub login: String,
    /// Its password.
    pub password: String,
}

/// `GET /api/me` answer (and `POST /api/login` on success): who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The account.
    pub user: UserId,
    /// The name to show.
    pub display_name: String,
    /// The account's role.
    pub role: Role,
    /// Groups the user belongs to.
    pub groups: Vec<GroupId>,
    /// Groups the user teaches.
    pub teaches: Vec<GroupId>,
    /// Set while a block period keeps students and guardians out (e.g. before the school
    /// year): the app shows the message instead of the content, and `/sync` serves no
    /// document. Never set for teachers, staff and administrators.
    #[serde(default)]
    pub blocked: Option<BlockNotice>,
    /// When a guest account expires, UTC milliseconds (`None`: it does not).
    #[serde(default)]
    pub expires_at_ms: Option<i64>,
}

/// A block period: what students and guardians are told instead of the content. The body of
/// `PUT /api/admin/block` and the answer of `GET /api/admin/block` (JSON `null` when none is
/// set), and [`Me::blocked`] while it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockNotice {
    /// The message shown (1 to [`MAX_BLOCK_MESSAGE_LEN`] characters).
    pub message: String,
    /// When the block ends on its own, UTC milliseconds; `None`: until an administrator
    /// lifts it (`DELETE /api/admin/block`).
    #[serde(default)]
    pub until_ms: Option<i64>,
}

/// Longest block message, in characters.
pub const MAX_BLOCK_MESSAGE_LEN: usize = 2000;

/// `POST /api/timetable/{group}/sessions/{id}` body: a teacher or admin changes one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SessionChange {
    /// The session will not take place.
    Cancel {
        /// A note to the students.
        note: Option<String>,
    },
    /// The session takes place in other rooms.
    ChangeRoom {
        /// The new rooms.
        rooms: Vec<String>,
        /// A note to the students.
        note: Option<String>,
    },
    /// The session takes place at another time.
    Move {
        /// New start, UTC milliseconds.
        start_ms: i64,
        /// New end, UTC milliseconds.
        end_ms: i64,
        /// A note to the students.
        note: Option<String>,
    },
}

/// The body of every error answer of the HTTP API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable machine-readable code, e.g. `invalid_credentials`.
    pub error: String,
    /// A human-readable explanation (English).
    pub message: String,
    /// What was refused, as data, when the app words it in the user's language (the
    /// administration page's forms); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<crate::admin::AdminProblem>,
}

/// One recent sign-in of an account, in `GET /api/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    /// When it happened, UTC milliseconds.
    pub at_ms: i64,
    /// The device, as its browser names itself (`User-Agent`), if known.
    pub device: Option<String>,
    /// The address it came from, if known.
    pub address: Option<String>,
    /// Whether this is the session making the request.
    pub current: bool,
    /// Whether that session is still signed in.
    pub active: bool,
}

/// `GET /api/sessions` answer: the last connections of the signed-in account, newest first
/// (at most [`RECENT_CONNECTIONS`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionList {
    /// The connections.
    pub connections: Vec<ConnectionInfo>,
}

/// How many connections `GET /api/sessions` lists.
pub const RECENT_CONNECTIONS: u32 = 5;

/// `POST /api/sessions/revoke-all` answer: every session of the account was ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedSessions {
    /// How many sessions were ended (the requesting one included).
    pub sessions: u32,
    /// How many live sync connections were closed.
    pub connections: u32,
}

/// `POST /api/threads` body: start a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewThread {
    /// What it is about.
    pub subject: String,
    /// Who else takes part (the sender is added).
    pub participants: Vec<UserId>,
    /// The first message.
    pub body: String,
}

/// `POST /api/threads` answer: the new `thread:<id>` document, already listed to every
/// participant's live connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadCreated {
    /// The document.
    pub doc: crate::ids::DocId,
}

/// `GET /api/push/key` answer: the server's VAPID public key, for `pushManager.subscribe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushKey {
    /// The uncompressed P-256 point (65 bytes), base64url without padding.
    pub public_key: String,
}

/// The keys of a `PushSubscription` (`subscription.toJSON().keys`), base64url.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushKeys {
    /// The device's P-256 public key, uncompressed (65 bytes).
    pub p256dh: String,
    /// The device's authentication secret (16 bytes).
    pub auth: String,
}

/// `POST /api/push/subscriptions` body: register this device for notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPushSubscription {
    /// The push service URL of the subscription (must belong to a known push service).
    pub endpoint: String,
    /// Its keys.
    pub keys: PushKeys,
    /// A name for the device, shown in the settings (e.g. "Téléphone").
    pub label: String,
}

/// `POST /api/push/subscriptions` answer (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSubscriptionCreated {
    /// The subscription, for `DELETE /api/push/subscriptions/{id}`.
    pub id: SubscriptionId,
}

/// One subscribed device of the signed-in user, in `GET /api/push/subscriptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSubscriptionInfo {
    /// The subscription.
    pub id: SubscriptionId,
    /// The device's name.
    pub label: String,
    /// When it was registered, UTC milliseconds.
    pub created_ms: i64,
    /// The host of the push service (never the full endpoint, which is a secret capability).
    pub endpoint_host: String,
}

/// `POST /api/reminders` body: a library reminder pushed to the readers of a group's library
/// (staff and admins for any group, teachers for the groups they teach).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReminder {
    /// The group whose students (and their guardians, and its teachers) are reminded.
    pub group: crate::ids::GroupId,
    /// The text, 1 to 200 characters (shown on the lock screen).
    pub text: String,
}

/// `POST /api/reminders` answer (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderCreated {
    /// The reminder's id.
    pub id: String,
}

/// `GET /api/push/subscriptions` answer, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSubscriptionList {
    /// The devices.
    pub subscriptions: Vec<PushSubscriptionInfo>,
}

/// `POST /api/groups/{group}/files` answer: the file as stored (201 when new, 200 when the
/// same content was stored already).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// Lower-case hex SHA-256 of the content: its name in `GET /files/{sha256}`.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type, as the server found it in the content.
    pub mime: String,
    /// The file name sent with this upload (cleaned).
    pub name: String,
}

/// `POST /api/groups/{group}/library` body: add an uploaded file to a group's course library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLibraryItem {
    /// Title.
    pub title: String,
    /// Subject (course).
    pub subject: String,
    /// Kind (slides, exercise sheet, correction…).
    pub kind: String,
    /// Language (BCP 47), e.g. `fr`.
    pub language: String,
    /// The uploaded file.
    pub sha256: String,
}

/// `POST /api/groups/{group}/library` answer (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryItemAdded {
    /// The entry's id in `library:<group>`.
    pub id: String,
    /// The entry as written.
    pub item: crate::library::LibraryItem,
}

/// `POST /api/groups/{group}/homework/{assignment}/attachments` body: attach an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAttachment {
    /// The uploaded file.
    pub sha256: String,
    /// The name to show; the uploaded file's name if absent.
    #[serde(default)]
    pub name: Option<String>,
}

/// A person named in an answer: account and display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The account.
    pub user: UserId,
    /// The name to show.
    pub name: String,
}

/// One acknowledgement of an announcement, in [`Acknowledgements`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledged {
    /// The account.
    pub user: UserId,
    /// The name to show.
    pub name: String,
    /// When they acknowledged it, UTC milliseconds (as their device recorded it).
    pub at_ms: i64,
}

/// `GET /api/announcements/{audience}/{id}/acknowledgements` answer: who of the audience
/// acknowledged the announcement (first acknowledged first) and who has not yet (by name).
/// Open to its author, staff, admins and the teachers of the audience's group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgements {
    /// Those who acknowledged it.
    pub acknowledged: Vec<Acknowledged>,
    /// Those who have not yet.
    pub pending: Vec<Person>,
}

/// `GET /api/groups/{group}/students` answer: the students of a group, by name (its
/// teachers, staff and admins only), e.g. to write to one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupStudents {
    /// The students.
    pub students: Vec<Person>,
}

/// `POST /api/groups/{group}/threads` body: a teacher (of that group), staff or an admin
/// writes to every student of a group. Each student gets a private thread with the sender, so
/// that replies go to the sender only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMessage {
    /// What it is about.
    pub subject: String,
    /// The message.
    pub body: String,
}

/// `POST /api/groups/{group}/threads` answer (201): one thread per student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupThreadsCreated {
    /// The new `thread:<id>` documents.
    pub threads: Vec<crate::ids::DocId>,
}
