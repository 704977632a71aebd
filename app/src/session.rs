//! The browser session: who is signed in to the console. Sessions live in
//! the database (shared by every replica); the cookie holds only their id.

use jhe_core::caller::Caller;
use jhe_core::Db;
use tower_sessions::Session;

/// The session key holding the signed-in user's id.
const USER_ID: &str = "user_id";

/// The signed-in caller, if any (a deactivated or deleted user is signed out).
pub async fn caller(session: &Session, db: &Db) -> Result<Option<Caller>, String> {
    let user_id: Option<i64> = session.get(USER_ID).await.map_err(|e| e.to_string())?;
    let Some(user_id) = user_id else { return Ok(None) };
    let mut tx = db.begin_read().await.map_err(|e| e.to_string())?;
    let caller = Caller::load(tx.conn(), user_id).await.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(caller)
}

/// Signs a user in under a new session id, so an id planted before sign-in
/// (session fixation) is worthless.
pub async fn sign_in(session: &Session, user_id: i64) -> Result<(), String> {
    session.cycle_id().await.map_err(|e| e.to_string())?;
    session.insert(USER_ID, user_id).await.map_err(|e| e.to_string())
}

/// Ends the session on the server and forgets its cookie.
pub async fn sign_out(session: &Session) -> Result<(), String> {
    session.flush().await.map_err(|e| e.to_string())
}

/// Only local paths are followed after sign-in (no open redirects).
pub fn safe_next(next: &str) -> String {
    let next = next.trim();
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}
