//! Patient invitation links: a manager or member hands a patient a one-time
//! link; redeeming it yields an authorization code for the patient's app,
//! or a signed-in console session.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use crate::caller::Caller;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::oauth::{self, Lifetimes};
use crate::secret;
use crate::store::settings::SettingValue;
use crate::store::{audit, clients, invitations as rows, patients, practitioners, settings, users};
use crate::time::{self, Micros};

const DAY: Micros = 86_400 * 1_000_000;
const HOUR: Micros = 3_600 * 1_000_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invitation {
    pub id: i64,
    pub patient_id: i64,
    /// The client's row id (JHE's `client_id` in this API).
    pub client_id: i64,
    pub token_hash: String,
    /// Only in the answer to the request that created it.
    pub token: Option<String>,
    pub status: String,
    pub last_updated: Micros,
    pub invitation_link: Option<String>,
}

impl From<rows::InvitationRow> for Invitation {
    fn from(row: rows::InvitationRow) -> Self {
        Invitation {
            id: row.id,
            patient_id: row.patient_id,
            client_id: row.client_id,
            token_hash: row.token_hash,
            token: None,
            status: row.status,
            last_updated: row.last_updated,
            invitation_link: None,
        }
    }
}

/// Who may invite a patient: a super user, or a manager or member of one of
/// the patient's organizations.
async fn check_may_invite(conn: Conn<'_>, caller: &Caller, patient_id: i64) -> Result<()> {
    if caller.is_superuser {
        return Ok(());
    }
    let organizations = patients::organization_ids(conn, patient_id).await?;
    if caller.writes_in_any(&organizations) {
        Ok(())
    } else {
        Err(Error::Forbidden("Only a manager or member of the patient's organization may invite them.".into()))
    }
}

/// A link signs its holder in without a password, so it may only lead into
/// an account that is nothing but a patient's. Patient records can be put on
/// an existing account (as JHE does), so without this check anyone allowed to
/// invite a patient could invite a practitioner's or a super user's account
/// and sign in as them.
async fn check_patient_only(mut conn: Conn<'_>, user_id: i64) -> Result<()> {
    let is_superuser = users::by_id(conn.reborrow(), user_id).await?.is_some_and(|u| u.is_superuser);
    if is_superuser || practitioners::by_user(conn, user_id).await?.is_some() {
        return Err(Error::Forbidden(
            "This patient's account is also a practitioner's; invitation links sign in without a password, \
             so they are only for patient accounts."
                .into(),
        ));
    }
    Ok(())
}

/// Issues a new link for a patient and a patient app; earlier open links for
/// the same pair stop working.
pub async fn create(db: &Db, caller: &Caller, patient_id: i64, client_row_id: i64, site_url: &str) -> Result<Invitation> {
    let now = time::now();
    let mut tx = db.begin().await?;
    let patient = patients::by_id(tx.conn(), patient_id)
        .await?
        .ok_or_else(|| Error::NotFound("No Patient matches the given query.".into()))?;
    check_may_invite(tx.conn(), caller, patient.id).await?;
    let client = clients::by_id(tx.conn(), client_row_id)
        .await?
        .ok_or_else(|| Error::NotFound("No Application matches the given query.".into()))?;
    let template = client
        .invitation_url
        .clone()
        .filter(|url| url.contains("CODE"))
        .ok_or_else(|| Error::invalid(format!("client_id: client {} has no invitation URL", client.id)))?;
    let Some(user_id) = patient.user_id else {
        return Err(Error::invalid("patient_id: this patient has no user account to sign in with"));
    };
    check_patient_only(tx.conn(), user_id).await?;
    let days = setting_int(tx.conn(), "auth.patient.invitation_expiration_days", 7).await?;
    rows::reissue_open(tx.conn(), patient.id, client.id, now).await?;
    let token = secret::random_alphanumeric(32);
    let token_hash = secret::hash(&token);
    let new = rows::NewInvitation {
        patient_id: patient.id,
        client_id: client.id,
        token_hash: &token_hash,
        created_by_user_id: Some(caller.user_id),
        expires: now + days * DAY,
    };
    let id = rows::insert(tx.conn(), &new, now).await?;
    tx.commit().await?;
    let code = format!("{}_{token}", percent_encode_host(&host_of(site_url)));
    Ok(Invitation {
        id,
        patient_id: patient.id,
        client_id: client.id,
        token_hash,
        token: Some(token),
        status: "issued".into(),
        last_updated: now,
        invitation_link: Some(template.replace("CODE", &code)),
    })
}

/// A patient's invitations, newest first, for those who may invite them.
pub async fn list_for_patient(db: &Db, caller: &Caller, patient_id: i64) -> Result<Vec<Invitation>> {
    let mut tx = db.begin_read().await?;
    check_may_invite(tx.conn(), caller, patient_id).await?;
    let all = rows::for_patient(tx.conn(), patient_id).await?;
    tx.commit().await?;
    Ok(all.into_iter().map(Invitation::from).collect())
}

/// What a redeemed link yields: a pre-authorized code for the app.
#[derive(Debug, Clone, PartialEq)]
pub struct Redemption {
    pub patient_user_id: i64,
    pub oauth_client_id: String,
    pub redirect_uri: String,
    pub code: String,
    pub expires: Micros,
}

/// Redeems a link's token. A fresh link, or one redeemed within the
/// redemption window, yields a new code; anything else is refused.
pub async fn redeem(db: &Db, token: &str, site_url: &str, lifetimes: &Lifetimes) -> Result<Redemption> {
    let not_found = || Error::NotFound("Invitation not found or already used.".into());
    if token.len() != 32 || !token.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    let now = time::now();
    let mut tx = db.begin().await?;
    let invitation = rows::by_token_hash(tx.conn(), &secret::hash(token)).await?.ok_or_else(not_found)?;
    let window = setting_int(tx.conn(), "auth.patient.invitation_redemption_window_hours", 12).await? * HOUR;
    match invitation.status.as_str() {
        "issued" if invitation.expires <= now => {
            rows::set_status(tx.conn(), invitation.id, "expired", None, now).await?;
            tx.commit().await?;
            return Err(Error::Gone("Invitation has expired.".into()));
        }
        "issued" => {}
        "redeemed" if now - invitation.last_updated <= window => {}
        "redeemed" | "reissued" => return Err(Error::Conflict("Invitation has already been used.".into())),
        "expired" => return Err(Error::Gone("Invitation has expired.".into())),
        _ => return Err(Error::Forbidden("Invitation has been cancelled.".into())),
    }
    let patient = patients::by_id(tx.conn(), invitation.patient_id).await?.ok_or_else(not_found)?;
    let user_id = patient
        .user_id
        .ok_or_else(|| Error::invalid("this patient has no user account to sign in with"))?;
    // Checked again here: the account may have become a practitioner's since the link was issued.
    check_patient_only(tx.conn(), user_id).await?;
    let client = clients::by_id(tx.conn(), invitation.client_id).await?.ok_or_else(not_found)?;
    users::set_last_login(tx.conn(), user_id, now).await?;
    let redirect_uri = format!("{}/auth/callback", site_url.trim_end_matches('/'));
    let verifier = code_verifier(token);
    let (code, expires) =
        oauth::insert_invitation_grant(tx.conn(), &client, user_id, &redirect_uri, &verifier, lifetimes, now).await?;
    rows::set_status(tx.conn(), invitation.id, "redeemed", Some(now), now).await?;
    let detail = serde_json::json!({"clientId": client.client_id}).to_string();
    let event = audit::NewAuditEvent {
        actor_user_id: Some(user_id),
        action: "invitation.redeem",
        object_type: "invitation",
        object_id: Some(&invitation.id.to_string()),
        patient_id: Some(patient.id),
        detail: &detail,
    };
    audit::record(tx.conn(), std::slice::from_ref(&event), now).await?;
    tx.commit().await?;
    Ok(Redemption { patient_user_id: user_id, oauth_client_id: client.client_id, redirect_uri, code, expires })
}

/// The PKCE verifier an app derives from a link's token: base64url of its
/// ASCII, unpadded (43 characters).
pub fn code_verifier(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(token.as_bytes())
}

/// Splits a link's code (`<host>_<token>`) and returns the token.
pub fn token_from_code(code: &str) -> Option<&str> {
    match code.rsplit_once('_') {
        Some((_, token)) if !token.is_empty() => Some(token),
        _ => None,
    }
}

fn host_of(site_url: &str) -> String {
    let without_scheme = site_url.split_once("://").map_or(site_url, |(_, rest)| rest);
    without_scheme.split('/').next().unwrap_or_default().to_owned()
}

/// Percent-encodes everything but letters, digits, `-`, `.` and `~` (so
/// `localhost:8000` becomes `localhost%3A8000`, as JHE does).
fn percent_encode_host(host: &str) -> String {
    host.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn setting_int(conn: Conn<'_>, key: &str, default: i64) -> Result<i64> {
    Ok(match settings::by_key(conn, key).await?.and_then(|row| row.value()) {
        Some(SettingValue::Int(value)) if value > 0 => value,
        _ => default,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_carry_the_host_and_the_token() {
        assert_eq!(percent_encode_host(&host_of("http://localhost:8000/")), "localhost%3A8000");
        assert_eq!(token_from_code("localhost%3A8000_abc"), Some("abc"));
        assert_eq!(token_from_code("nounderscore"), None);
        assert_eq!(code_verifier("LJE8Tx151CAIVmuOOhn4nR2BihOOKeuk").len(), 43);
    }
}
