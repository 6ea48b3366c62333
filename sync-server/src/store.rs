//! The SQLite store: accounts, sessions, login failures, the stored changes of every
//! Automerge document and the metadata of uploaded files (their bytes: [`blobs`], on disk).
//! No axum here, and no rules: the services decide, the store remembers.
//!
//! One writer connection and a few reader connections on the same file, in WAL mode, so that
//! readers never wait for the writer. Work runs on tokio's blocking pool through
//! [`Store::read`] and [`Store::write`]; a write commits only if its closure returns `Ok`.

mod admin;
pub mod blobs;
mod docs;
mod feeds;
mod files;
mod outbox;
mod push;
mod schema;
mod sessions;
mod tokens;
mod users;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use cartable_shared::ids::DocId;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{mpsc, oneshot};

pub use admin::ArchiveState;
pub use docs::{StoredChange, StoredDoc};
pub use feeds::FeedRow;
pub use files::FileRow;
pub use outbox::{
    ClaimedDelivery, DeliveryOutcome, HeldDelivery, NewPushEvent, OutboxWrite, StoredPushEvent,
};
pub use push::PushSubscriptionRow;
pub use sessions::{LOGIN_HISTORY, LoginRecord, SessionRecord};
pub use users::{NewUser, UserRow};

/// How many reader connections the store opens.
const READERS: usize = 4;
/// Most change appends committed in one transaction by the appender thread.
const APPEND_BATCH: usize = 512;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer version of Cartable.
    #[error("database schema version {found} is newer than this server's ({supported})")]
    TooNew {
        /// Version found in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// A stored value could not be read back (a role, an id…).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The blocking task running the query panicked or was cancelled.
    #[error("store task failed: {0}")]
    Task(String),
}

/// Access to the tables, inside one transaction. Handed to the closures of [`Store::read`] and
/// [`Store::write`].
#[derive(Debug)]
pub struct Dao<'c> {
    conn: &'c Connection,
}

/// The store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    /// The only connection that writes. A std mutex because it is only ever locked on
    /// blocking threads (the blocking pool, the appender thread), for the length of one
    /// transaction. Shared with the appender thread, which ends when the store is dropped.
    writer: Arc<Mutex<Connection>>,
    /// Appends of document changes, for the appender thread, which commits them in batches.
    /// Unbounded: the senders (document actors) each wait for their answer, so at most one
    /// append per actor is queued. Dropping the store drops it, which ends the thread.
    appends: mpsc::UnboundedSender<AppendJob>,
    /// Reader connections, each behind its own std mutex (locked only on the blocking pool,
    /// for one read transaction). Picked round robin.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic inside a closure poisons the mutex but leaves the connection usable: SQLite rolls
    // back the transaction that was open when the guard dropped.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn open_connection(path: &Path, write: bool) -> Result<Connection, StoreError> {
    let flags = if write {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    if write {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

impl Store {
    /// Opens (or creates) the database file at `path` and brings its schema up to date.
    /// Blocking: call it from a blocking context or at start-up.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut writer = open_connection(path, true)?;
        schema::migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| open_connection(path, false).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        let writer = Arc::new(Mutex::new(writer));
        let (appends, jobs) = mpsc::unbounded_channel();
        let for_thread = writer.clone();
        // The appender thread: group commit of document changes; ends when the store (and so
        // every sender of `appends`) is dropped.
        std::thread::Builder::new()
            .name("cartable-appender".into())
            .spawn(move || appender(&for_thread, jobs))
            .map_err(|e| StoreError::Task(format!("cannot start the appender thread: {e}")))?;
        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer,
                appends,
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` in a read transaction on a reader connection, on the blocking pool.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Dao<'_>) -> Result<T, E> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.read_blocking(f))
            .await
            .map_err(|e| E::from(StoreError::Task(e.to_string())))?
    }

    /// Runs `f` in a write transaction on the writer connection, on the blocking pool; commits
    /// if `f` returns `Ok`, rolls back otherwise.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Dao<'_>) -> Result<T, E> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.write_blocking(f))
            .await
            .map_err(|e| E::from(StoreError::Task(e.to_string())))?
    }

    /// Appends changes to a document, durably, before returning. Appends from concurrent
    /// callers are committed together in one transaction (group commit), so that many
    /// documents written at once cost few commits.
    pub async fn append_changes(
        &self,
        doc: &DocId,
        changes: Vec<StoredChange>,
    ) -> Result<(), StoreError> {
        self.append_changes_with(doc, changes, Vec::new()).await
    }

    /// [`Store::append_changes`], writing `outbox` (the change's notification events, a
    /// user's new settings) in the same transaction: both are stored, or neither.
    pub async fn append_changes_with(
        &self,
        doc: &DocId,
        changes: Vec<StoredChange>,
        outbox: Vec<OutboxWrite>,
    ) -> Result<(), StoreError> {
        let (done, result) = oneshot::channel();
        let job = AppendJob { doc: doc.clone(), changes, outbox, done };
        self.inner
            .appends
            .send(job)
            .map_err(|_| StoreError::Task("the appender thread has stopped".into()))?;
        result.await.map_err(|_| StoreError::Task("the appender thread has stopped".into()))?
    }

    /// [`Store::write`] for callers already on a blocking thread (start-up, tests).
    pub fn write_blocking<T, E>(&self, f: impl FnOnce(&Dao<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.inner.write_blocking(f)
    }

    /// [`Store::read`] for callers already on a blocking thread (start-up, tests).
    pub fn read_blocking<T, E>(&self, f: impl FnOnce(&Dao<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.inner.read_blocking(f)
    }
}

/// One call of [`Store::append_changes`], waiting for its batch.
#[derive(Debug)]
struct AppendJob {
    doc: DocId,
    changes: Vec<StoredChange>,
    outbox: Vec<OutboxWrite>,
    done: oneshot::Sender<Result<(), StoreError>>,
}

fn append_all(writer: &Mutex<Connection>, jobs: &[AppendJob]) -> Result<(), StoreError> {
    let mut conn = lock(writer);
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let dao = Dao { conn: &tx };
    for job in jobs {
        dao.append_changes(&job.doc, &job.changes)?;
        dao.write_outbox(&job.outbox)?;
    }
    tx.commit()?;
    Ok(())
}

/// The appender thread's loop: takes every waiting append (up to [`APPEND_BATCH`]), commits
/// them in one transaction, answers each. If a batch fails, its appends are retried one by
/// one so that one bad append does not fail the others.
fn appender(writer: &Mutex<Connection>, mut jobs: mpsc::UnboundedReceiver<AppendJob>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < APPEND_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if batch.len() > 1 && append_all(writer, &batch).is_ok() {
            for job in batch {
                let _ = job.done.send(Ok(()));
            }
            continue;
        }
        for job in batch {
            let result = append_all(writer, std::slice::from_ref(&job));
            let _ = job.done.send(result);
        }
    }
}

impl Inner {
    fn read_blocking<T, E>(&self, f: impl FnOnce(&Dao<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        // Prefer a free reader; wait on the round-robin one if all are busy.
        let guard = (0..self.readers.len())
            .find_map(|i| self.readers[(start + i) % self.readers.len()].try_lock().ok())
            .unwrap_or_else(|| lock(&self.readers[start % self.readers.len()]));
        let mut conn = guard;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
            .map_err(StoreError::from)?;
        let out = f(&Dao { conn: &tx })?;
        tx.finish().map_err(StoreError::from)?;
        Ok(out)
    }

    fn write_blocking<T, E>(&self, f: impl FnOnce(&Dao<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&Dao { conn: &tx })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let res: Result<(), StoreError> = store.write_blocking(|dao| {
            dao.insert_group(&"g1".parse().unwrap(), "Groupe 1")?;
            Err(StoreError::Corrupt("abandon".into()))
        });
        assert!(res.is_err());
        let group = store.read_blocking(|dao| dao.group_name(&"g1".parse().unwrap())).unwrap();
        assert_eq!(group, None, "the group insert was rolled back");
    }

    #[tokio::test]
    async fn concurrent_appends_are_all_stored_in_order_per_document() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let docs: Vec<DocId> = (0..8).map(|i| format!("timetable:g{i}").parse().unwrap()).collect();
        let ids = docs.clone();
        store
            .write(move |dao| {
                ids.iter().try_for_each(|d| dao.create_document(d, 0))?;
                Ok::<_, StoreError>(())
            })
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for doc in &docs {
            let (store, doc) = (store.clone(), doc.clone());
            tasks.push(tokio::spawn(async move {
                for n in 0..20u8 {
                    let change = StoredChange { hash: [n; 32], bytes: vec![n] };
                    store.append_changes(&doc, vec![change]).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        for doc in docs {
            let stored = store.read_blocking(|dao| dao.load_document(&doc)).unwrap().unwrap();
            let expected: Vec<Vec<u8>> = (0..20u8).map(|n| vec![n]).collect();
            assert_eq!(stored.changes, expected);
        }
        let unknown: DocId = "timetable:nope".parse().unwrap();
        let orphan = StoredChange { hash: [0; 32], bytes: vec![] };
        assert!(store.append_changes(&unknown, vec![orphan]).await.is_err());
    }

    #[test]
    fn readers_see_what_the_writer_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        store.write_blocking(|dao| dao.insert_group(&"g1".parse().unwrap(), "Groupe 1")).unwrap();
        for _ in 0..READERS + 1 {
            let name = store.read_blocking(|dao| dao.group_name(&"g1".parse().unwrap())).unwrap();
            assert_eq!(name.as_deref(), Some("Groupe 1"));
        }
    }
}
