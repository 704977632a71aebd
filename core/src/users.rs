//! Users and their profiles (practitioner or patient).

use serde_json::json;

use crate::audit;
use crate::caller::Caller;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::password;
use crate::store::{StoreError, login_failures, practitioners, users as rows};
use crate::time::{self, Micros};

/// Trims and lower-cases an email address, refusing what cannot be one.
pub fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(email)
    } else {
        Err(Error::invalid(format!("email: \"{email}\" is not a valid email address")))
    }
}

/// A practitioner account (the profile every super user has too).
pub struct NewPractitionerUser<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub is_superuser: bool,
    pub identifier: &'a str,
}

/// Creates the user and its practitioner profile inside the caller's
/// transaction; returns `(user id, practitioner id)`.
pub async fn insert_practitioner(
    mut conn: Conn<'_>,
    new: &NewPractitionerUser<'_>,
) -> Result<(i64, i64)> {
    let email = normalize_email(new.email)?;
    let hash = password::hash(new.password)?;
    let now = time::now();
    let user = rows::NewUser {
        email: &email,
        password_hash: Some(&hash),
        first_name: new.first_name,
        last_name: new.last_name,
        user_type: Some("practitioner"),
        is_superuser: new.is_superuser,
        identifier: new.identifier,
        date_joined: now,
    };
    let user_id = match rows::insert(conn.reborrow(), &user).await {
        Ok(id) => id,
        Err(StoreError::Unique(_)) => {
            return Err(Error::Conflict(format!("a user with email {email} already exists")));
        }
        Err(e) => return Err(e.into()),
    };
    let profile = practitioners::NewPractitioner {
        user_id,
        identifier: Some(new.identifier),
        name_family: Some(new.last_name),
        name_given: Some(new.first_name),
        settings: "{}",
    };
    let practitioner_id = practitioners::insert(conn, &profile, now).await?;
    Ok((user_id, practitioner_id))
}

/// `jhe user create-superuser`: a new super user with a practitioner profile.
pub async fn create_superuser(db: &Db, email: &str, password_text: &str) -> Result<i64> {
    let mut tx = db.begin().await?;
    let (user_id, _) = insert_practitioner(
        tx.conn(),
        &NewPractitionerUser {
            email,
            password: password_text,
            first_name: "",
            last_name: "",
            is_superuser: true,
            identifier: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Why a sign-in was refused. Neither says whether the account exists.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("invalid email or password")]
    Invalid,
    #[error("too many failed sign-in attempts; try again in {0} seconds")]
    Throttled(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Failures counted together within this window.
const FAILURE_WINDOW: Micros = 15 * 60 * 1_000_000;
/// Failures allowed per account, and per network address, before waiting.
const ACCOUNT_FAILURES: i64 = 5;
const ADDRESS_FAILURES: i64 = 20;
/// The first wait, doubled by every further failure, up to the window.
const FIRST_LOCK: Micros = 30 * 1_000_000;

/// Checks an email and password; `address` is the client's network address.
/// Repeated failures for one account or one address make later attempts
/// wait, whatever their password.
pub async fn authenticate(db: &Db, email: &str, password_text: &str, address: &str) -> std::result::Result<Caller, LoginError> {
    let email = email.trim().to_lowercase();
    let keys = [(format!("account:{email}"), ACCOUNT_FAILURES), (format!("address:{address}"), ADDRESS_FAILURES)];
    let now = time::now();
    let mut tx = db.begin().await?;
    for (key, _) in &keys {
        if let Some(row) = login_failures::get(tx.conn(), key).await? {
            if row.locked_until > now {
                return Err(LoginError::Throttled((row.locked_until - now + 999_999) / 1_000_000));
            }
        }
    }
    let user = rows::by_email(tx.conn(), &email).await?.filter(|u| u.is_active);
    let verified = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => password::verify(password_text, hash),
        None => {
            // Spend the same time as a real check, so timing tells nothing.
            let _ = password::verify(password_text, &DUMMY_HASH);
            false
        }
    };
    let account = user.as_ref().map(|u| u.id);
    let caller = match (verified, user) {
        (true, Some(user)) => Caller::load(tx.conn(), user.id).await.ok().flatten(),
        _ => None,
    };
    let Some(caller) = caller else {
        for (key, limit) in &keys {
            record_failure(tx.conn(), key, *limit, now).await?;
        }
        let detail = json!({"method": "password", "email": email, "address": address});
        audit::record_for_user(tx.conn(), "login.failed", None, account, &detail, now).await?;
        tx.commit().await?;
        return Err(LoginError::Invalid);
    };
    login_failures::clear(tx.conn(), &keys[0].0).await?;
    rows::set_last_login(tx.conn(), caller.user_id, now).await?;
    let detail = json!({"method": "password", "address": address});
    audit::record_for_user(tx.conn(), "login", Some(caller.user_id), Some(caller.user_id), &detail, now).await?;
    tx.commit().await?;
    Ok(caller)
}

/// A hash checked against when the account does not exist.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    password::hash(&crate::secret::random_alphanumeric(24)).unwrap_or_default()
});

async fn record_failure(conn: Conn<'_>, key: &str, limit: i64, now: Micros) -> std::result::Result<(), StoreError> {
    let mut conn = conn;
    let previous = login_failures::get(conn.reborrow(), key).await?;
    let (failures, first_failure) = match previous {
        Some(row) if now - row.first_failure < FAILURE_WINDOW => (row.failures + 1, row.first_failure),
        _ => (1, now),
    };
    let locked_until = if failures >= limit {
        let doublings = (failures - limit).min(5) as u32;
        now + (FIRST_LOCK * 2_i64.pow(doublings)).min(FAILURE_WINDOW)
    } else {
        0
    };
    let row = login_failures::LoginFailureRow { key: key.to_owned(), failures, first_failure, locked_until };
    login_failures::put(conn, &row).await
}

/// Where practitioners who sign in with SSO but have no account yet are
/// added, when the operator allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SsoProvisioning {
    pub organization_id: i64,
    pub role: crate::caller::Role,
}

/// Signs in a practitioner whose email an external OpenID provider has
/// verified. Unknown emails are refused unless provisioning is configured.
pub async fn sso_sign_in(db: &Db, verified_email: &str, provisioning: Option<SsoProvisioning>) -> Result<Caller> {
    let email = normalize_email(verified_email)?;
    let now = time::now();
    let mut tx = db.begin().await?;
    let user_id = match rows::by_email(tx.conn(), &email).await? {
        Some(user) if user.is_active => {
            if practitioners::by_user(tx.conn(), user.id).await?.is_none() {
                return Err(Error::Forbidden(format!(
                    "{email} is not a practitioner account; sign in with your password instead."
                )));
            }
            user.id
        }
        Some(_) => return Err(Error::Forbidden(format!("The account {email} is deactivated."))),
        None => {
            let Some(provisioning) = provisioning else {
                return Err(Error::Forbidden(format!(
                    "No jhe account uses {email}. Ask an administrator to add you, then log in again."
                )));
            };
            let new = rows::NewUser {
                email: &email,
                password_hash: None,
                first_name: "",
                last_name: "",
                user_type: Some("practitioner"),
                is_superuser: false,
                identifier: "",
                date_joined: now,
            };
            let user_id = rows::insert(tx.conn(), &new).await?;
            let profile = practitioners::NewPractitioner {
                user_id,
                identifier: None,
                name_family: None,
                name_given: None,
                settings: "{}",
            };
            let practitioner_id = practitioners::insert(tx.conn(), &profile, now).await?;
            practitioners::add_membership(tx.conn(), practitioner_id, provisioning.organization_id, provisioning.role.as_str())
                .await
                .map_err(|e| match e {
                    StoreError::ForeignKey(_) => Error::invalid(format!(
                        "SSO provisioning: organization {} does not exist",
                        provisioning.organization_id
                    )),
                    other => other.into(),
                })?;
            user_id
        }
    };
    rows::set_last_login(tx.conn(), user_id, now).await?;
    let caller = Caller::load(tx.conn(), user_id)
        .await?
        .ok_or_else(|| Error::Forbidden(format!("The account {email} cannot sign in.")))?;
    audit::record_for_user(tx.conn(), "login", Some(user_id), Some(user_id), &json!({"method": "sso"}), now).await?;
    tx.commit().await?;
    Ok(caller)
}

/// JHE's user object.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub user_type: Option<String>,
    pub is_superuser: bool,
}

impl From<rows::UserRow> for UserView {
    fn from(row: rows::UserRow) -> Self {
        UserView {
            id: row.id,
            email: row.email,
            first_name: row.first_name,
            last_name: row.last_name,
            user_type: row.user_type,
            is_superuser: row.is_superuser,
        }
    }
}

/// Every user, by last name, or those with one email: super users only
/// (JHE shows every user to everyone; jhe does not).
pub async fn list(db: &Db, caller: &Caller, email: Option<&str>) -> Result<Vec<UserView>> {
    crate::authz::require_superuser(caller)?;
    let mut tx = db.begin_read().await?;
    let all = match email {
        Some(email) => rows::by_email(tx.conn(), &email.trim().to_lowercase()).await?.into_iter().collect(),
        None => rows::all(tx.conn()).await?,
    };
    tx.commit().await?;
    Ok(all.into_iter().map(UserView::from).collect())
}

/// One user: yourself, or anyone for a super user.
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<UserView> {
    if caller.user_id != id && !caller.is_superuser {
        return Err(crate::authz::forbidden("You may only read your own user."));
    }
    let mut tx = db.begin_read().await?;
    let user = rows::by_id(tx.conn(), id).await?.ok_or_else(|| Error::NotFound("No JheUser matches the given query.".into()))?;
    tx.commit().await?;
    Ok(user.into())
}
