//! The schema ladder. `PRAGMA user_version` holds the version of a database file; each step
//! of [`upgrade_from`] takes a file from one version to the next. A shipped step is never
//! edited: a change of schema is a new step, with its own upgrade test.

use rusqlite::Connection;

use super::StoreError;

/// The schema version this build writes.
pub(crate) const VERSION: u32 = 11;

/// Version 1: accounts, memberships, sessions, login failures, documents and their changes.
const SQL_V1: &str = r#"
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,      -- PHC string (Argon2id), or '!' for no usable password
    demo          INTEGER NOT NULL DEFAULT 0,
    created_ms    INTEGER NOT NULL
);

CREATE TABLE groups (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- A student (or guardian) belongs to a group.
CREATE TABLE memberships (
    user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);

-- A teacher teaches a group.
CREATE TABLE teaching (
    user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);

-- The subjects a teacher teaches.
CREATE TABLE teacher_subjects (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    PRIMARY KEY (user_id, subject)
);

-- Signed-in sessions. Only the SHA-256 of the cookie token is kept.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    user_agent TEXT,
    address    TEXT
);
CREATE INDEX sessions_by_user ON sessions(user_id, created_ms);

-- Failed logins, by the login that was tried (known account or not).
CREATE TABLE login_failures (
    login TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX login_failures_by_login ON login_failures(login, at_ms);

-- Automerge documents known to the server.
CREATE TABLE documents (
    id         TEXT PRIMARY KEY,
    created_ms INTEGER NOT NULL
);

-- A compacted document: `Automerge::save()` covering every change up to `upto_seq`.
CREATE TABLE doc_snapshots (
    doc_id   TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    bytes    BLOB NOT NULL,
    upto_seq INTEGER NOT NULL
);

-- Changes appended since the snapshot, raw Automerge change bytes in arrival order.
CREATE TABLE doc_changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    hash   BLOB NOT NULL,
    bytes  BLOB NOT NULL
);
CREATE INDEX doc_changes_by_doc ON doc_changes(doc_id, seq);
"#;

/// Version 2: guardians and their wards, thread participants, per-device sync states, the
/// history of sign-ins (kept after sessions end) and failed logins by client address.
const SQL_V2: &str = r#"
-- A guardian (parent) is responsible for a student.
CREATE TABLE guardians (
    guardian_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ward_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (guardian_id, ward_id)
);
CREATE INDEX guardians_by_ward ON guardians(ward_id);

-- Who takes part in a `thread:` document (fixed when the thread is created).
CREATE TABLE thread_participants (
    doc_id  TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (doc_id, user_id)
);
CREATE INDEX thread_participants_by_user ON thread_participants(user_id);

-- The server's Automerge `sync::State::encode()` per signed-in device and document, so that a
-- reconnecting device resumes where it left. Gone with its session.
CREATE TABLE sync_states (
    token_hash BLOB NOT NULL REFERENCES sessions(token_hash) ON DELETE CASCADE,
    doc_id     TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    state      BLOB NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (token_hash, doc_id)
);

-- Sign-ins of each account, shown to its owner (the last few are kept).
CREATE TABLE login_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL,
    at_ms      INTEGER NOT NULL,
    user_agent TEXT,
    address    TEXT
);
CREATE INDEX login_history_by_user ON login_history(user_id, at_ms);

-- Failed logins by client address (IP), whatever login was tried.
CREATE TABLE address_failures (
    address TEXT NOT NULL,
    at_ms   INTEGER NOT NULL
);
CREATE INDEX address_failures_by_address ON address_failures(address, at_ms);
"#;

/// Version 3: the Web Push subscriptions of each user's devices.
const SQL_V3: &str = r#"
CREATE TABLE push_subscriptions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     BLOB NOT NULL,     -- uncompressed P-256 point, 65 bytes
    auth       BLOB NOT NULL,     -- 16 bytes
    label      TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions(user_id, created_ms);
"#;

/// Version 4: metadata of uploaded files (course documents, attachments). The content lives
/// on disk under the data directory, named by its SHA-256 (see `store::blobs`).
const SQL_V4: &str = r#"
CREATE TABLE files (
    sha256      TEXT PRIMARY KEY,  -- lower-case hex of the content's SHA-256
    size        INTEGER NOT NULL,
    mime        TEXT NOT NULL,     -- sniffed from the content, never the client's header
    name        TEXT NOT NULL,     -- the file name of the first upload
    uploaded_by TEXT NOT NULL,     -- user id (kept if the account goes)
    uploaded_ms INTEGER NOT NULL
);
"#;

/// Version 5: calendar feeds imported into group timetables (with their last good import, the
/// diff base of the next one), and each user's private export feed token.
const SQL_V5: &str = r#"
CREATE TABLE feeds (
    id              TEXT PRIMARY KEY,
    group_id        TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    etag            TEXT,
    last_modified   TEXT,
    last_attempt_ms INTEGER,
    last_success_ms INTEGER,
    last_error      TEXT,
    last_error_ms   INTEGER,
    imported        TEXT,             -- JSON: the sessions of the last good import, by key
    sessions        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feeds_by_group ON feeds(group_id);

-- A user's private iCalendar export. Only the SHA-256 of the token is kept.
CREATE TABLE calendar_tokens (
    user_id      TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    created_ms   INTEGER NOT NULL,
    last_used_ms INTEGER
);
"#;

/// Version 6: the push outbox. Events are written in the same transaction as the change that
/// caused them; the expander turns each into one delivery per (event, device), the sender
/// marks each delivery durably before and after its request. `push_settings` caches each
/// user's notification settings from their `me` document (written with the `me` change).
const SQL_V6: &str = r#"
CREATE TABLE push_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    doc        TEXT NOT NULL,        -- the document whose readers are told
    author     TEXT,                 -- the user whose change it was: never notified
    event      TEXT NOT NULL,        -- JSON: category, text, about, url, class times, at_ms
    recipients TEXT,                 -- JSON array of user ids, when not the document's readers
    dedup      TEXT UNIQUE,          -- once-only key of scheduled events (due tomorrow)
    created_ms INTEGER NOT NULL,
    expanded   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX push_events_to_expand ON push_events(id) WHERE expanded = 0;

CREATE TABLE push_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        INTEGER NOT NULL REFERENCES push_events(id) ON DELETE CASCADE,
    subscription_id TEXT NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    -- pending: to send at due_ms; held: for the quiet-hours summary at due_ms; sending: the
    -- request may have left (never sent again); sent; summarised; failed
    state           TEXT NOT NULL,
    due_ms          INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    updated_ms      INTEGER NOT NULL,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX push_deliveries_due ON push_deliveries(state, due_ms);
CREATE INDEX push_deliveries_by_subscription ON push_deliveries(subscription_id, state);

CREATE TABLE push_settings (
    user_id  TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    settings TEXT NOT NULL         -- JSON of shared::notify::NotificationSettings
);
"#;

/// Version 7: API tokens of the school's systems, created by administrators. Only the SHA-256
/// of a token is kept; `scopes` is a space-separated list.
const SQL_V7: &str = r#"
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_ms   INTEGER NOT NULL,
    last_used_ms INTEGER
);
"#;

/// Version 8: the administration of a school year. Guest accounts expire (`expires_at_ms`);
/// the block period (at most one row); the archives of year rollovers, one row per group
/// archived (`state` is `archived` once its documents are saved, `done` once they are emptied
/// and its students removed; an archive is complete when `archives.completed_ms` is set).
const SQL_V8: &str = r#"
ALTER TABLE users ADD COLUMN expires_at_ms INTEGER;
CREATE INDEX users_expiring ON users(expires_at_ms) WHERE expires_at_ms IS NOT NULL;

CREATE TABLE block_period (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    message  TEXT NOT NULL,
    until_ms INTEGER,
    set_by   TEXT NOT NULL,
    set_ms   INTEGER NOT NULL
);

CREATE TABLE archives (
    label        TEXT PRIMARY KEY,
    created_by   TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    completed_ms INTEGER
);

CREATE TABLE archive_groups (
    label    TEXT NOT NULL REFERENCES archives(label) ON DELETE CASCADE,
    group_id TEXT NOT NULL,
    state    TEXT NOT NULL,      -- archived | done
    body     TEXT NOT NULL,      -- JSON of shared::admin::GroupArchive
    PRIMARY KEY (label, group_id)
);
"#;

/// Version 9: the epoch of each document. A document rebuilt without its history (the
/// erasure of a deleted account) starts a new epoch; devices holding an earlier one drop their
/// copy (`Reset` frame of the sync protocol).
const SQL_V9: &str = r#"
ALTER TABLE documents ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
"#;

/// Version 10: an index of the rebuilt documents (epoch above 0), which every new sync
/// connection lists after its `Welcome`; without it that is a scan of every document.
const SQL_V10: &str = r#"
CREATE INDEX documents_rebuilt ON documents(id, epoch) WHERE epoch > 0;
"#;

/// Version 11: when each file was last uploaded or attached (`used_ms`), so that files nothing
/// references any more are deleted after a while, never one that is about to be referenced.
const SQL_V11: &str = r#"
ALTER TABLE files ADD COLUMN used_ms INTEGER NOT NULL DEFAULT 0;
UPDATE files SET used_ms = uploaded_ms;
CREATE INDEX files_used ON files(used_ms);
"#;

/// Takes a database at version `from` to version `from + 1`.
fn upgrade_from(conn: &Connection, from: u32) -> Result<(), StoreError> {
    match from {
        0 => conn.execute_batch(SQL_V1)?,
        1 => conn.execute_batch(SQL_V2)?,
        2 => conn.execute_batch(SQL_V3)?,
        3 => conn.execute_batch(SQL_V4)?,
        4 => conn.execute_batch(SQL_V5)?,
        5 => conn.execute_batch(SQL_V6)?,
        6 => conn.execute_batch(SQL_V7)?,
        7 => conn.execute_batch(SQL_V8)?,
        8 => conn.execute_batch(SQL_V9)?,
        9 => conn.execute_batch(SQL_V10)?,
        10 => conn.execute_batch(SQL_V11)?,
        other => {
            return Err(StoreError::TooNew { found: other, supported: VERSION });
        }
    }
    Ok(())
}

/// The schema version of a database.
pub(crate) fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Brings a database up to [`VERSION`], one step per transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > VERSION {
        return Err(StoreError::TooNew { found, supported: VERSION });
    }
    for from in found..VERSION {
        let tx = conn.transaction()?;
        upgrade_from(&tx, from)?;
        tx.pragma_update(None, "user_version", from + 1)?;
        tx.commit()?;
        tracing::info!(from, to = from + 1, "database schema upgraded");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SQL of each version, in order.
    const LADDER: [&str; 10] =
        [SQL_V1, SQL_V2, SQL_V3, SQL_V4, SQL_V5, SQL_V6, SQL_V7, SQL_V8, SQL_V9, SQL_V10];

    /// A database file in `dir` as version `v` of the schema left it.
    fn database_at(dir: &tempfile::TempDir, v: u32) -> Connection {
        let conn = Connection::open(dir.path().join(format!("v{v}.sqlite3"))).unwrap();
        for sql in &LADDER[..v as usize] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", v).unwrap();
        conn
    }

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn upgrade_from_an_empty_database_reaches_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("empty.sqlite3")).unwrap();
        assert_eq!(version(&conn).unwrap(), 0);
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for t in ["users", "groups", "sessions", "documents", "doc_changes", "doc_snapshots"] {
            assert!(tables.iter().any(|x| x == t), "table {t} exists");
        }
        // Running the ladder again is a no-op.
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
    }

    #[test]
    fn a_version_1_database_is_upgraded_keeping_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 1);
        conn.execute(
            "INSERT INTO users (id, display_name, role, password_hash, created_ms)
             VALUES ('lea', 'Léa', 'student', '!', 0)",
            [],
        )
        .unwrap();
        conn.execute("INSERT INTO documents (id, created_ms) VALUES ('thread:t1', 0)", []).unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        let name: String =
            conn.query_row("SELECT display_name FROM users", [], |r| r.get(0)).unwrap();
        assert_eq!(name, "Léa");
        conn.execute("INSERT INTO thread_participants VALUES ('thread:t1', 'lea')", []).unwrap();
        for t in ["guardians", "sync_states", "login_history", "address_failures"] {
            let n: i64 = count(&conn, t);
            assert_eq!(n, 0, "table {t} exists and is empty");
        }
    }

    #[test]
    fn a_version_2_database_is_upgraded_with_an_empty_subscription_table() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 2);
        conn.execute(
            "INSERT INTO users (id, display_name, role, password_hash, created_ms)
             VALUES ('lea', 'Léa', 'student', '!', 0)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        conn.execute(
            "INSERT INTO push_subscriptions VALUES ('s1', 'lea', 'https://x', x'04', x'00', 'tel', 0)",
            [],
        )
        .unwrap();
        let users: i64 = count(&conn, "users");
        assert_eq!(users, 1, "rows of version 2 are kept");
    }

    #[test]
    fn a_version_3_database_is_upgraded_with_an_empty_file_table() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 3);
        conn.execute(
            "INSERT INTO users (id, display_name, role, password_hash, created_ms)
             VALUES ('paul', 'Paul', 'teacher', '!', 0)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        let files: i64 = count(&conn, "files");
        assert_eq!(files, 0);
        conn.execute(
            "INSERT INTO files (sha256, size, mime, name, uploaded_by, uploaded_ms)
             VALUES ('ab', 1, 'application/pdf', 'a.pdf', 'paul', 0)",
            [],
        )
        .unwrap();
        let users: i64 = count(&conn, "users");
        assert_eq!(users, 1, "rows of version 3 are kept");
    }

    #[test]
    fn a_version_4_database_is_upgraded_with_empty_feed_and_token_tables() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 4);
        conn.execute("INSERT INTO groups (id, name) VALUES ('g1', 'Groupe 1')", []).unwrap();
        conn.execute(
            "INSERT INTO users (id, display_name, role, password_hash, created_ms)
             VALUES ('lea', 'Léa', 'student', '!', 0)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        conn.execute(
            "INSERT INTO feeds (id, group_id, url, created_ms, created_by)
             VALUES ('feed-1', 'g1', 'https://ade.example/x.ics', 0, 'admin')",
            [],
        )
        .unwrap();
        conn.execute("INSERT INTO calendar_tokens VALUES ('lea', x'00', 0, NULL)", []).unwrap();
        let groups: i64 = count(&conn, "groups");
        assert_eq!(groups, 1, "rows of version 4 are kept");
    }

    #[test]
    fn a_version_5_database_gets_the_push_outbox_keeping_its_subscriptions() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 5);
        conn.execute_batch(
            "INSERT INTO users VALUES ('lea', 'Léa', 'student', '!', 0, 0);
             INSERT INTO push_subscriptions VALUES ('s1', 'lea', 'https://x', x'04', x'00', 'tel', 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        conn.execute_batch(
            "INSERT INTO push_events (id, doc, event, created_ms) VALUES (1, 'grades:lea', '{}', 0);
             INSERT INTO push_deliveries (event_id, subscription_id, state, due_ms, updated_ms)
             VALUES (1, 's1', 'pending', 0, 0);",
        )
        .unwrap();
        let again = conn.execute(
            "INSERT OR IGNORE INTO push_deliveries (event_id, subscription_id, state, due_ms, updated_ms)
             VALUES (1, 's1', 'pending', 0, 0)",
            [],
        );
        assert_eq!(again.unwrap(), 0, "one delivery per (event, subscription)");
        let subs: i64 = count(&conn, "push_subscriptions");
        assert_eq!(subs, 1);
    }

    #[test]
    fn a_version_6_database_gets_api_tokens_keeping_its_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 6);
        conn.execute_batch("INSERT INTO users VALUES ('chef', 'Chef', 'admin', '!', 0, 0);")
            .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        conn.execute_batch(
            "INSERT INTO api_tokens VALUES ('t1', 'SIS', x'01', 'accounts:read', 'chef', 0, NULL);",
        )
        .unwrap();
        let dup = conn.execute(
            "INSERT INTO api_tokens VALUES ('t2', 'SIS', x'01', 'accounts:read', 'chef', 0, NULL)",
            [],
        );
        assert!(dup.is_err(), "a token hash is unique");
    }

    #[test]
    fn a_version_7_database_gets_guest_expiry_block_and_archives_keeping_its_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 7);
        conn.execute_batch("INSERT INTO users VALUES ('chef', 'Chef', 'admin', '!', 0, 0);")
            .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        let expires: Option<i64> = conn
            .query_row("SELECT expires_at_ms FROM users WHERE id = 'chef'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(expires, None, "existing accounts do not expire");
        conn.execute_batch("INSERT INTO block_period VALUES (1, 'Rentrée', NULL, 'chef', 0);")
            .unwrap();
        let second = conn.execute("INSERT INTO block_period VALUES (2, 'x', NULL, 'chef', 0)", []);
        assert!(second.is_err(), "one block period at most");
        conn.execute_batch(
            "INSERT INTO archives VALUES ('2025-2026', 'chef', 0, NULL);
             INSERT INTO archive_groups VALUES ('2025-2026', 'g1', 'archived', '{}');",
        )
        .unwrap();
        assert_eq!(count(&conn, "archive_groups"), 1);
    }

    #[test]
    fn a_version_8_database_gets_document_epochs_at_zero_keeping_its_documents() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 8);
        conn.execute_batch(
            "INSERT INTO documents (id, created_ms) VALUES ('thread:t1', 5);
             INSERT INTO doc_changes (doc_id, hash, bytes) VALUES ('thread:t1', x'01', x'02');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        let (created, epoch): (i64, i64) = conn
            .query_row("SELECT created_ms, epoch FROM documents WHERE id = 'thread:t1'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((created, epoch), (5, 0), "existing documents are at epoch 0");
        assert_eq!(count(&conn, "doc_changes"), 1);
        conn.execute("INSERT INTO documents (id, created_ms) VALUES ('thread:t2', 0)", []).unwrap();
    }

    #[test]
    fn a_version_9_database_lists_its_rebuilt_documents_through_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 9);
        conn.execute_batch(
            "INSERT INTO documents (id, created_ms, epoch) VALUES ('thread:t1', 0, 2);
             INSERT INTO documents (id, created_ms) VALUES ('me:lea', 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT id, epoch FROM documents WHERE epoch > 0 ORDER BY id",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("documents_rebuilt"), "{plan}");
        let rebuilt: String =
            conn.query_row("SELECT id FROM documents WHERE epoch > 0", [], |r| r.get(0)).unwrap();
        assert_eq!(rebuilt, "thread:t1");
    }

    #[test]
    fn a_version_10_database_counts_its_files_used_when_they_were_uploaded() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = database_at(&dir, 10);
        conn.execute_batch(
            "INSERT INTO files VALUES ('ab', 1, 'application/pdf', 'a.pdf', 'paul', 1000);
             INSERT INTO files VALUES ('cd', 2, 'image/png', 'b.png', 'paul', 2000);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), VERSION);
        let used: Vec<(String, i64)> = conn
            .prepare("SELECT sha256, used_ms FROM files ORDER BY sha256")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(used, [("ab".to_owned(), 1000), ("cd".to_owned(), 2000)]);
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT sha256 FROM files WHERE used_ms < 1500",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("files_used"), "{plan}");
    }

    #[test]
    fn a_database_from_a_newer_server_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("new.sqlite3")).unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1).unwrap();
        assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { .. })));
    }
}
