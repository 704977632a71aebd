//! Password hashing with Argon2id (PHC string format).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::Argon2;

use crate::error::{Error, Result};

/// The shortest password jhe accepts.
pub const MIN_LENGTH: usize = 8;

pub fn hash(password: &str) -> Result<String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(Error::invalid(format!(
            "password: must be at least {MIN_LENGTH} characters"
        )));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::invalid(format!("password: cannot be hashed ({e})")))
}

/// True when `password` matches the stored PHC hash.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash("Jhe1234!").unwrap();
        let b = hash("Jhe1234!").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("Jhe1234!", &a));
        assert!(!verify("jhe1234!", &a));
        assert!(!verify("Jhe1234!", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        let err = hash("short").unwrap_err();
        assert!(err.to_string().contains("at least 8"));
    }
}
