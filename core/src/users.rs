//! Users and their profiles (practitioner or patient).

use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::password;
use crate::store::{StoreError, practitioners, users as rows};
use crate::time;

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
