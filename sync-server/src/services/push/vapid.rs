//! The server's VAPID key pair (RFC 8292): a P-256 key created on first start and kept in the
//! data directory ([`KEY_FILE`], mode 0600), reused afterwards.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};

/// Name of the VAPID private key file in the data directory (the 32-byte secret scalar,
/// base64url, one line). Back it up with the database: a new key invalidates every
/// subscription.
pub const KEY_FILE: &str = "vapid_private_key";

/// Why the key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum VapidError {
    /// The key file could not be read or written.
    #[error("VAPID key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The key file does not hold a P-256 private key.
    #[error("VAPID key file {0} is not a base64url P-256 private key")]
    Corrupt(PathBuf),
}

/// The server's VAPID key pair.
#[derive(Debug)]
pub struct VapidKey {
    pair: ES256KeyPair,
    public_b64: String,
}

impl VapidKey {
    /// Loads the key of `data_dir`, or creates and saves one if there is none yet. Blocking.
    pub fn load_or_create(data_dir: &Path) -> Result<VapidKey, VapidError> {
        let path = data_dir.join(KEY_FILE);
        let io = |source| VapidError::Io { path: path.clone(), source };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let bytes = URL_SAFE_NO_PAD
                    .decode(text.trim())
                    .map_err(|_| VapidError::Corrupt(path.clone()))?;
                let pair = ES256KeyPair::from_bytes(&bytes)
                    .map_err(|_| VapidError::Corrupt(path.clone()))?;
                Ok(Self::from_pair(pair))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let pair = ES256KeyPair::generate();
                let line = format!("{}\n", URL_SAFE_NO_PAD.encode(pair.to_bytes()));
                let tmp = data_dir.join(format!("{KEY_FILE}.tmp"));
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create(true).truncate(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&tmp).map_err(io)?;
                file.write_all(line.as_bytes()).map_err(io)?;
                file.sync_all().map_err(io)?;
                drop(file);
                std::fs::rename(&tmp, &path).map_err(io)?;
                tracing::info!(path = %path.display(), "VAPID key pair created");
                Ok(Self::from_pair(pair))
            }
            Err(e) => Err(io(e)),
        }
    }

    fn from_pair(pair: ES256KeyPair) -> VapidKey {
        let point = pair.public_key().public_key().to_bytes_uncompressed();
        VapidKey { public_b64: URL_SAFE_NO_PAD.encode(point), pair }
    }

    /// The public key as browsers want it for `applicationServerKey`: the uncompressed P-256
    /// point (65 bytes), base64url without padding.
    pub fn public_key_b64(&self) -> &str {
        &self.public_b64
    }

    /// The key pair, to sign VAPID tokens.
    pub fn pair(&self) -> &ES256KeyPair {
        &self.pair
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_private_to_the_owner_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = VapidKey::load_or_create(dir.path()).unwrap();
        let point = URL_SAFE_NO_PAD.decode(first.public_key_b64()).unwrap();
        assert_eq!(point.len(), 65);
        assert_eq!(point[0], 4, "uncompressed point");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = VapidKey::load_or_create(dir.path()).unwrap();
        assert_eq!(again.public_key_b64(), first.public_key_b64());
    }

    #[test]
    fn a_corrupt_key_file_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(KEY_FILE), "not a key").unwrap();
        assert!(matches!(VapidKey::load_or_create(dir.path()), Err(VapidError::Corrupt(_))));
    }
}
