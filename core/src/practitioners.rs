//! Practitioner accounts, managed by super users.

use serde::Serialize;

use crate::authz;
use crate::caller::{Caller, Role};
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::organizations::Organization;
use crate::password;
use crate::store::practitioners::{self as rows, PractitionerRow};
use crate::store::{organizations, users};
use crate::time;

/// JHE's Practitioner object (plus whether the account may sign in).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Practitioner {
    pub id: i64,
    pub jhe_user_id: i64,
    pub name_family: Option<String>,
    pub name_given: Option<String>,
    pub telecom_email: String,
    pub is_active: bool,
    pub organizations: Vec<Organization>,
}

fn not_found() -> Error {
    Error::NotFound("No Practitioner matches the given query.".into())
}

async fn render(mut conn: Conn<'_>, row: PractitionerRow) -> Result<Practitioner> {
    let user = users::by_id(conn.reborrow(), row.user_id).await?.ok_or_else(not_found)?;
    let mut orgs = Vec::new();
    for membership in rows::memberships(conn.reborrow(), row.id).await? {
        if let Some(org) = organizations::by_id(conn.reborrow(), membership.organization_id).await? {
            orgs.push(Organization::plain(&org));
        }
    }
    Ok(Practitioner {
        id: row.id,
        jhe_user_id: row.user_id,
        name_family: row.name_family,
        name_given: row.name_given,
        telecom_email: user.email,
        is_active: user.is_active,
        organizations: orgs,
    })
}

pub async fn list(db: &Db, caller: &Caller) -> Result<Vec<Practitioner>> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin_read().await?;
    let mut all = Vec::new();
    for row in rows::all(tx.conn()).await? {
        all.push(render(tx.conn(), row).await?);
    }
    tx.commit().await?;
    Ok(all)
}

pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Practitioner> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin_read().await?;
    let row = rows::by_id(tx.conn(), id).await?.ok_or_else(not_found)?;
    let practitioner = render(tx.conn(), row).await?;
    tx.commit().await?;
    Ok(practitioner)
}

pub struct NewPractitioner<'a> {
    pub email: &'a str,
    pub name_family: Option<&'a str>,
    pub name_given: Option<&'a str>,
    pub organization_id: Option<i64>,
    pub role: Option<&'a str>,
    /// Without one the account signs in only by single sign-on.
    pub password: Option<&'a str>,
}

/// Creates a practitioner (reusing an existing user with that email) and
/// links them to an organization (as a member unless a role is given).
pub async fn create(db: &Db, caller: &Caller, new: &NewPractitioner<'_>) -> Result<Practitioner> {
    authz::require_superuser(caller)?;
    let email = crate::users::normalize_email(new.email)?;
    let role = new.role.map(|r| Role::parse(r).ok_or_else(|| Error::invalid(format!("role: \"{r}\" is not one of manager, member, viewer")))).transpose()?;
    let hash = new.password.map(password::hash).transpose()?;
    let now = time::now();
    let mut tx = db.begin().await?;
    if let Some(org) = new.organization_id {
        if organizations::by_id(tx.conn(), org).await?.is_none() {
            return Err(Error::invalid(format!("organizationId: organization {org} does not exist")));
        }
    }
    let user_id = match users::by_email(tx.conn(), &email).await? {
        Some(user) => user.id,
        None => {
            let user = users::NewUser {
                email: &email,
                password_hash: hash.as_deref(),
                first_name: new.name_given.unwrap_or(""),
                last_name: new.name_family.unwrap_or(""),
                user_type: Some("practitioner"),
                is_superuser: false,
                identifier: "",
                date_joined: now,
            };
            users::insert(tx.conn(), &user).await?
        }
    };
    let practitioner_id = match rows::by_user(tx.conn(), user_id).await? {
        Some(existing) => existing.id,
        None => {
            let profile = rows::NewPractitioner {
                user_id,
                identifier: None,
                name_family: new.name_family,
                name_given: new.name_given,
                settings: "{}",
            };
            rows::insert(tx.conn(), &profile, now).await?
        }
    };
    if let Some(org) = new.organization_id {
        // An existing membership keeps its role (and a failed insert would
        // abort the transaction on PostgreSQL).
        if !rows::memberships(tx.conn(), practitioner_id).await?.iter().any(|m| m.organization_id == org) {
            rows::add_membership(tx.conn(), practitioner_id, org, role.unwrap_or(Role::Member).as_str()).await?;
        }
    }
    let row = rows::by_id(tx.conn(), practitioner_id).await?.ok_or_else(not_found)?;
    let practitioner = render(tx.conn(), row).await?;
    tx.commit().await?;
    Ok(practitioner)
}

/// Renames a practitioner, or deactivates (or reactivates) their account.
pub async fn update(db: &Db, caller: &Caller, id: i64, name_family: Option<&str>, name_given: Option<&str>, is_active: Option<bool>) -> Result<Practitioner> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin().await?;
    let row = rows::by_id(tx.conn(), id).await?.ok_or_else(not_found)?;
    if is_active == Some(false) && row.user_id == caller.user_id {
        return Err(Error::invalid("isActive: you cannot deactivate your own account"));
    }
    rows::set_names(tx.conn(), id, name_family.or(row.name_family.as_deref()), name_given.or(row.name_given.as_deref()), time::now()).await?;
    if let Some(active) = is_active {
        users::set_active(tx.conn(), row.user_id, active).await?;
    }
    let row = rows::by_id(tx.conn(), id).await?.ok_or_else(not_found)?;
    let practitioner = render(tx.conn(), row).await?;
    tx.commit().await?;
    Ok(practitioner)
}
