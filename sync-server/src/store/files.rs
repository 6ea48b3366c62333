//! Metadata of uploaded files. The bytes are on disk ([`super::blobs`]); this table says what
//! they are, and who uploaded them first.

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
    pub fn insert_file(&self, f: &FileRow) -> Result<bool, StoreError> {
        let size = i64::try_from(f.size).map_err(|_| StoreError::Corrupt("file size".into()))?;
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO files (sha256, size, mime, name, uploaded_by, uploaded_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![f.sha256, size, f.mime, f.name, f.uploaded_by, f.uploaded_ms],
        )?;
        Ok(n == 1)
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
