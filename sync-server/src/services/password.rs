//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, 1 lane).
//! CPU-heavy: call these from the blocking pool.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The stored hash of an account that has no usable password: no password verifies against it.
pub const NO_PASSWORD: &str = "!";

/// Hashing failed (it does not for sane inputs; the error is kept for honesty).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes a password with a fresh random salt; returns the PHC string to store.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches the stored PHC string. An unusable or malformed hash never
/// matches, but still costs about as much as a real verification, so that the answer's timing
/// does not tell which accounts exist.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => {
            burn(password);
            false
        }
    }
}

/// Spends the time of one verification, for logins of unknown accounts.
pub fn burn(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        hash_password("cartable-timing-equaliser").unwrap_or_else(|_| String::from(NO_PASSWORD))
    });
    if let Ok(hash) = PasswordHash::new(dummy) {
        let _ = Argon2::default().verify_password(password.as_bytes(), &hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash_password("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"), "Argon2id PHC string: {stored}");
        assert!(verify_password("correct horse", &stored));
        assert!(!verify_password("correct horse ", &stored));
        assert!(!verify_password("", &stored));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(hash_password("x").unwrap(), hash_password("x").unwrap());
    }

    #[test]
    fn an_account_without_a_password_never_verifies() {
        assert!(!verify_password("", NO_PASSWORD));
        assert!(!verify_password("!", NO_PASSWORD));
        assert!(!verify_password("anything", "not a phc string"));
    }
}
