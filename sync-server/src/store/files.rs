//! Metadata of uploaded files. The bytes are on disk ([`super::blobs`]); this table says what
//! they are, who uploaded them first, and when they were last uploaded or attached (`used_ms`,
//! which the clean-up of unused files goes by: `services::files::unused`).

use rusqlite::{OptionalExtension, params};

use super::{Dao, StoreError};

/// One stored file's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type, sniffed from the content.
    pub mime: String,
    /// File name of the first upload.
    pub name: String,
    /// Who uploaded it first (user id).
    pub uploaded_by: String,
    /// When, UTC milliseconds.
    pub uploaded_ms: i64,
}

impl Dao<'_> {
    /// Records a file; returns `false` (and keeps the first record) if it is known already.
    /// Either way the file counts as used at `f.uploaded_ms`.
    pub fn insert_file(&self, f: &FileRow) -> Result<bool, StoreError> {
        let size = i64::try_from(f.size).map_err(|_| StoreError::Corrupt("file size".into()))?;
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO files (sha256, size, mime, name, uploaded_by, uploaded_ms, used_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![f.sha256, size, f.mime, f.name, f.uploaded_by, f.uploaded_ms],
        )?;
        if n == 0 {
            self.touch_file(&f.sha256, f.uploaded_ms)?;
        }
        Ok(n == 1)
    }

    /// Marks a file used at `now_ms` (uploaded again, or about to be referenced); its metadata,
    /// or `None` if it is not stored (never uploaded, or deleted as unused).
    pub fn touch_file(&self, sha256: &str, now_ms: i64) -> Result<Option<FileRow>, StoreError> {
        self.conn.execute(
            "UPDATE files SET used_ms = max(used_ms, ?2) WHERE sha256 = ?1",
            params![sha256, now_ms],
        )?;
        self.file(sha256)
    }

    /// The files last used before `before_ms`, oldest first.
    pub fn files_used_before(&self, before_ms: i64) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT sha256 FROM files WHERE used_ms < ?1 ORDER BY used_ms")?;
        let rows = stmt.query_map([before_ms], |r| r.get(0))?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)
    }

    /// Deletes the record of `sha256` if it was last used before `before_ms`; its size if so.
    pub fn delete_file_used_before(
        &self,
        sha256: &str,
        before_ms: i64,
    ) -> Result<Option<u64>, StoreError> {
        self.conn
            .query_row(
                "DELETE FROM files WHERE sha256 = ?1 AND used_ms < ?2 RETURNING size",
                params![sha256, before_ms],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|size| size.map(|s| s.max(0) as u64))
            .map_err(StoreError::from)
    }

    /// A file's metadata.
    pub fn file(&self, sha256: &str) -> Result<Option<FileRow>, StoreError> {
        self.conn
            .query_row(
                "SELECT sha256, size, mime, name, uploaded_by, uploaded_ms FROM files
                 WHERE sha256 = ?1",
                [sha256],
                |r| {
                    Ok(FileRow {
                        sha256: r.get(0)?,
                        size: r.get::<_, i64>(1)?.max(0) as u64,
                        mime: r.get(2)?,
                        name: r.get(3)?,
                        uploaded_by: r.get(4)?,
                        uploaded_ms: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(StoreError::from)
    }

    /// How many files are recorded.
    pub fn file_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row("SELECT COUNT(*) FROM files", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}
