//! File contents on disk, named by their SHA-256: `<data dir>/files/<first 2 hex>/<sha256>`.
//!
//! Every file is stored once whatever the number of uploads and references. An upload is
//! written to `files/tmp/` while it arrives (hashed on the way), then made durable: `fsync` of
//! the file, `rename` into place, `fsync` of the directory. A crash leaves either no file or a
//! whole one; leftovers in `files/tmp/` are deleted at start. Content nothing references any
//! more is deleted by `services::files::unused`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

/// The directory of files, under the data directory.
pub const FILES_DIR: &str = "files";
/// How many bytes of the beginning and of the end of an upload are kept for sniffing its type.
pub const SNIFF_WINDOW: usize = 64 * 1024;

/// Whether `s` is a lower-case hex SHA-256 (64 digits).
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The file store on disk. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
    /// Uploads hold it shared from placing their content until its record is written; the
    /// clean-up of unused files holds it alone while it deletes records and content, so that
    /// it never deletes content an upload has just placed (same hash) and is about to record.
    removal: Arc<RwLock<()>>,
}

impl Blobs {
    /// Opens (creates) `<data_dir>/files` and empties its `tmp/` of interrupted uploads.
    /// Blocking.
    pub fn open(data_dir: &Path) -> io::Result<Blobs> {
        let root = data_dir.join(FILES_DIR);
        let tmp = root.join("tmp");
        std::fs::create_dir_all(&tmp)?;
        for entry in std::fs::read_dir(&tmp)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
            }
        }
        Ok(Blobs { root, removal: Arc::default() })
    }

    /// Where the content of `sha256` lives (whether or not it exists). `sha256` must satisfy
    /// [`is_sha256`] (callers check; a bad value never reaches the file system).
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256(sha256).then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Held by an upload from placing its content until its record is written.
    pub async fn upload_guard(&self) -> OwnedRwLockReadGuard<()> {
        self.removal.clone().read_owned().await
    }

    /// Held by the clean-up of unused files while it deletes.
    pub async fn removal_guard(&self) -> OwnedRwLockWriteGuard<()> {
        self.removal.clone().write_owned().await
    }

    /// Deletes the content of `sha256`; `false` if there was none. Blocking.
    pub fn remove_blocking(&self, sha256: &str) -> io::Result<bool> {
        let path = self.path_of(sha256).ok_or_else(|| io::Error::other("bad hash"))?;
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Whether the content of `sha256` is stored.
    pub async fn exists(&self, sha256: &str) -> bool {
        match self.path_of(sha256) {
            Some(p) => tokio::fs::metadata(p).await.is_ok_and(|m| m.is_file()),
            None => false,
        }
    }

    /// Starts an upload in `tmp/`.
    pub async fn begin(&self) -> io::Result<TempBlob> {
        let mut random = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let path = self.root.join("tmp").join(hex::encode(random));
        let file = tokio::fs::File::create_new(&path).await?;
        Ok(TempBlob {
            path,
            file: Some(file),
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
            tail: Vec::new(),
            done: false,
        })
    }

    /// Stores `bytes` directly (seeding, tests); returns the SHA-256. Blocking.
    pub fn put_blocking(&self, bytes: &[u8]) -> io::Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let dest = self.path_of(&sha).ok_or_else(|| io::Error::other("bad hash"))?;
        if dest.is_file() {
            return Ok(sha);
        }
        let mut random = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let tmp = self.root.join("tmp").join(hex::encode(random));
        std::fs::write(&tmp, bytes)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        place(&tmp, &dest)?;
        Ok(sha)
    }
}

/// Moves a synced temporary file into place and syncs the directory. Blocking.
fn place(tmp: &Path, dest: &Path) -> io::Result<()> {
    let dir = dest.parent().ok_or_else(|| io::Error::other("no parent directory"))?;
    std::fs::create_dir_all(dir)?;
    std::fs::rename(tmp, dest)?;
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// An upload being written. Dropped without [`TempBlob::commit`], its file is deleted.
#[derive(Debug)]
pub struct TempBlob {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
    done: bool,
}

impl TempBlob {
    /// Appends a chunk.
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        let file = self.file.as_mut().ok_or_else(|| io::Error::other("upload closed"))?;
        file.write_all(chunk).await?;
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        if self.head.len() < SNIFF_WINDOW {
            let take = chunk.len().min(SNIFF_WINDOW - self.head.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.tail.extend_from_slice(chunk);
        if self.tail.len() > SNIFF_WINDOW {
            self.tail.drain(..self.tail.len() - SNIFF_WINDOW);
        }
        Ok(())
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The first [`SNIFF_WINDOW`] bytes.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The last [`SNIFF_WINDOW`] bytes.
    pub fn tail(&self) -> &[u8] {
        &self.tail
    }

    /// The SHA-256 of what was written, lower-case hex.
    pub fn sha256(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }

    /// Makes the upload durable under its hash (a no-op if that content is stored already).
    pub async fn commit(mut self, blobs: &Blobs) -> io::Result<String> {
        let sha = self.sha256();
        let dest = blobs.path_of(&sha).ok_or_else(|| io::Error::other("bad hash"))?;
        let mut file = self.file.take().ok_or_else(|| io::Error::other("upload closed"))?;
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        if !blobs.exists(&sha).await {
            let tmp = self.path.clone();
            tokio::task::spawn_blocking(move || place(&tmp, &dest))
                .await
                .map_err(io::Error::other)??;
            self.done = true;
        }
        Ok(sha)
    }
}

impl Drop for TempBlob {
    fn drop(&mut self) {
        if !self.done {
            // Best effort; a leftover is removed at the next start.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_upload_is_stored_under_its_hash_and_an_abandoned_one_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        let mut up = blobs.begin().await.unwrap();
        up.write(b"%PDF-1.4 hello").await.unwrap();
        up.write(b" world").await.unwrap();
        assert_eq!(up.size(), 20);
        let sha = up.commit(&blobs).await.unwrap();
        assert_eq!(sha, hex::encode(Sha256::digest(b"%PDF-1.4 hello world")));
        let stored = std::fs::read(blobs.path_of(&sha).unwrap()).unwrap();
        assert_eq!(stored, b"%PDF-1.4 hello world");

        let mut abandoned = blobs.begin().await.unwrap();
        abandoned.write(b"half").await.unwrap();
        drop(abandoned);
        let tmp: Vec<_> = std::fs::read_dir(dir.path().join("files/tmp")).unwrap().collect();
        assert!(tmp.is_empty(), "nothing left in tmp: {tmp:?}");
        assert_eq!(blobs.put_blocking(b"%PDF-1.4 hello world").unwrap(), sha);
    }

    #[test]
    fn only_lower_case_hex_hashes_name_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        assert!(blobs.path_of(&"a".repeat(64)).is_some());
        assert!(blobs.path_of(&"A".repeat(64)).is_none());
        assert!(blobs.path_of("../../etc/passwd").is_none());
        assert!(blobs.path_of(&"a".repeat(63)).is_none());
    }
}
