//! The RSA keys that sign ID tokens. Kept in the database so that every
//! replica signs with the same key and publishes the same JWKS; created on
//! first start, or loaded from a PEM the operator gives.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::signing_keys as rows;
use crate::time;

/// A signing key: its id (the RFC 7638 JWK thumbprint) and its PKCS#1 PEM.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub pkcs1_pem: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

/// The active key: the configured PEM (stored if new), else the stored one,
/// else a fresh 2048-bit key.
pub async fn active(db: &Db, configured_pem: Option<&str>) -> Result<SigningKey> {
    let configured = configured_pem.map(parse_pem).transpose()?;
    let mut tx = db.begin().await?;
    let stored = rows::active(tx.conn()).await?;
    let key = match (configured, stored) {
        (Some(key), Some(row)) if row.kid == key.kid => key,
        (Some(key), _) => {
            match rows::by_kid(tx.conn(), &key.kid).await? {
                Some(row) => rows::activate(tx.conn(), row.id).await?,
                None => {
                    rows::insert_active(tx.conn(), &key.kid, &key.pkcs1_pem, time::now()).await?;
                }
            }
            key
        }
        (None, Some(row)) => SigningKey { kid: row.kid, pkcs1_pem: row.private_key_pem },
        (None, None) => {
            let private = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
                .map_err(|e| Error::invalid(format!("cannot generate a signing key: {e}")))?;
            let key = from_private(&private)?;
            rows::insert_active(tx.conn(), &key.kid, &key.pkcs1_pem, time::now()).await?;
            key
        }
    };
    tx.commit().await?;
    Ok(key)
}

/// Parses a PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`) PEM.
pub fn parse_pem(pem: &str) -> Result<SigningKey> {
    // Environment variables often carry the PEM on one line with `\n` escapes.
    let pem = pem.replace("\\n", "\n");
    let private = RsaPrivateKey::from_pkcs1_pem(pem.trim())
        .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem.trim()))
        .map_err(|e| Error::invalid(format!("signing key: not an RSA private key in PEM form ({e})")))?;
    from_private(&private)
}

fn from_private(private: &RsaPrivateKey) -> Result<SigningKey> {
    let pkcs1_pem = private
        .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
        .map_err(|e| Error::invalid(format!("signing key: cannot encode ({e})")))?
        .to_string();
    Ok(SigningKey { kid: thumbprint(&private.to_public_key()), pkcs1_pem })
}

/// RFC 7638: base64url(SHA-256 of the canonical `{"e","kty","n"}` JSON).
pub fn thumbprint(public: &RsaPublicKey) -> String {
    let e = URL_SAFE_NO_PAD.encode(public.e().to_bytes_be());
    let n = URL_SAFE_NO_PAD.encode(public.n().to_bytes_be());
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}
