//! Organizations: the tree of institutions, labs and teams that own studies
//! and enrol patients; practitioners belong to them with a role.

use serde::Serialize;

use crate::authz;
use crate::caller::{Caller, Role};
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::store::organizations::{self as rows, OrganizationRow, ROOT_ID};
use crate::store::{practitioners, users};
use crate::time;

/// Organization types, in JHE's order, with their labels.
pub const TYPES: [(&str, &str); 18] = [
    ("root", "ROOT"),
    ("prov", "Healthcare Provider"),
    ("dept", "Hospital Department"),
    ("team", "Organizational team"),
    ("govt", "Government"),
    ("ins", "Insurance Company"),
    ("pay", "Payer"),
    ("edu", "Educational Institute"),
    ("reli", "Religious Institution"),
    ("crs", "Clinical Research Sponsor"),
    ("cg", "Community Group"),
    ("bus", "Non-Healthcare Business or Corporation"),
    ("other", "Other"),
    ("laboratory", "Laboratory"),
    ("imaging", "Imaging Center"),
    ("pharmacy", "Pharmacy"),
    ("health-information-network", "Health Information Network"),
    ("health-data-aggregator", "Health Data Aggregator"),
];

/// `{id, name, type}`, as nested in studies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationBrief {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

impl From<&OrganizationRow> for OrganizationBrief {
    fn from(row: &OrganizationRow) -> Self {
        OrganizationBrief { id: row.id, name: row.name.clone(), kind: row.kind.clone() }
    }
}

/// JHE's Organization object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub part_of: Option<i64>,
    pub current_user_role: Option<&'static str>,
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub children: Vec<Organization>,
}

impl Organization {
    /// Without the caller's role (as nested in patients and practitioners).
    pub fn plain(row: &OrganizationRow) -> Organization {
        Organization {
            id: row.id,
            name: row.name.clone(),
            kind: row.kind.clone(),
            part_of: row.part_of_id,
            current_user_role: None,
            children: Vec::new(),
        }
    }

    fn for_caller(row: &OrganizationRow, caller: &Caller) -> Organization {
        Organization { current_user_role: authz::current_role(caller, row.id), ..Organization::plain(row) }
    }
}

fn not_found() -> Error {
    Error::NotFound("No Organization matches the given query.".into())
}

async fn existing(conn: Conn<'_>, id: i64) -> Result<OrganizationRow> {
    rows::by_id(conn, id).await?.ok_or_else(not_found)
}

/// Every organization (ROOT included), by name; `part_of` narrows to children.
pub async fn list(db: &Db, caller: &Caller, part_of: Option<i64>) -> Result<Vec<Organization>> {
    let mut tx = db.begin_read().await?;
    let all = match part_of {
        Some(parent) => rows::children(tx.conn(), parent).await?,
        None => rows::all(tx.conn()).await?,
    };
    tx.commit().await?;
    Ok(all.iter().map(|row| Organization::for_caller(row, caller)).collect())
}

pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Organization> {
    let mut tx = db.begin_read().await?;
    let row = existing(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(Organization::for_caller(&row, caller))
}

/// The organization with its descendants, each level by name.
pub async fn tree(db: &Db, caller: &Caller, id: i64) -> Result<Organization> {
    let mut tx = db.begin_read().await?;
    let all = rows::all(tx.conn()).await?;
    tx.commit().await?;
    let root = all.iter().find(|row| row.id == id).ok_or_else(not_found)?;
    fn build(row: &OrganizationRow, all: &[OrganizationRow], caller: &Caller, depth: usize) -> Organization {
        let mut node = Organization::for_caller(row, caller);
        if depth < 64 {
            node.children = all
                .iter()
                .filter(|child| child.part_of_id == Some(row.id) && child.id != row.id)
                .map(|child| build(child, all, caller, depth + 1))
                .collect();
        }
        node
    }
    Ok(build(root, &all, caller, 0))
}

fn check_name_and_type(name: &str, kind: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name: must not be empty"));
    }
    if kind == "root" || !TYPES.iter().any(|(key, _)| *key == kind) {
        return Err(Error::invalid(format!("type: \"{kind}\" is not a valid choice")));
    }
    Ok(())
}

/// Creates an organization. A sub-organization needs a manager of its
/// parent, who becomes its manager; a top-level one needs a super user.
pub async fn create(db: &Db, caller: &Caller, name: &str, kind: &str, part_of: Option<i64>) -> Result<Organization> {
    check_name_and_type(name, kind)?;
    let parent = part_of.filter(|p| *p != ROOT_ID);
    match parent {
        Some(parent) => authz::require_manager_of(caller, parent)?,
        None if caller.is_superuser => {}
        None => return Err(authz::forbidden("You don't have permission to create a top-level organization.")),
    }
    let mut tx = db.begin().await?;
    if let Some(parent) = parent {
        existing(tx.conn(), parent)
            .await
            .map_err(|_| Error::invalid(format!("partOf: organization {parent} does not exist")))?;
    }
    let id = rows::insert(tx.conn(), name.trim(), kind, Some(parent.unwrap_or(ROOT_ID)), time::now()).await?;
    if let (Some(practitioner_id), Some(_)) = (caller.practitioner_id, parent) {
        practitioners::add_membership(tx.conn(), practitioner_id, id, Role::Manager.as_str()).await?;
    }
    let row = existing(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(Organization::for_caller(&row, caller))
}

/// The organization whose managers may change this one: its parent, or
/// itself when it is top-level.
fn governing(row: &OrganizationRow) -> i64 {
    match row.part_of_id {
        Some(parent) if parent != ROOT_ID => parent,
        _ => row.id,
    }
}

pub async fn update(db: &Db, caller: &Caller, id: i64, name: Option<&str>, kind: Option<&str>) -> Result<Organization> {
    let mut tx = db.begin().await?;
    let row = existing(tx.conn(), id).await?;
    if row.id == ROOT_ID {
        return Err(authz::forbidden("The ROOT organization cannot be changed."));
    }
    authz::require_manager_of(caller, governing(&row))?;
    let name = name.unwrap_or(&row.name).trim().to_owned();
    let kind = kind.unwrap_or(&row.kind).to_owned();
    check_name_and_type(&name, &kind)?;
    rows::update(tx.conn(), id, &name, &kind, time::now()).await?;
    let row = existing(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(Organization::for_caller(&row, caller))
}

/// Deletes the organization, its sub-organizations and their studies.
pub async fn delete(db: &Db, caller: &Caller, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let row = existing(tx.conn(), id).await?;
    if row.id == ROOT_ID {
        return Err(authz::forbidden("The ROOT organization cannot be deleted."));
    }
    authz::require_manager_of(caller, governing(&row))?;
    rows::delete(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// A practitioner's membership, as `organizations/{id}/users` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
}

pub async fn members(db: &Db, id: i64) -> Result<Vec<Member>> {
    let mut tx = db.begin_read().await?;
    existing(tx.conn(), id).await?;
    let all = rows::members(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(all
        .into_iter()
        .map(|m| Member { id: m.user_id, email: m.email, first_name: m.first_name, last_name: m.last_name, role: m.role })
        .collect())
}

/// Adds a practitioner to an organization or changes their role; true when added.
pub async fn set_member(db: &Db, caller: &Caller, id: i64, user_id: i64, role: &str) -> Result<bool> {
    let role = Role::parse(role).ok_or_else(|| {
        Error::invalid(format!("organizationPartitionerRole: \"{role}\" is not one of manager, member, viewer"))
    })?;
    authz::require_manager_of(caller, id)?;
    let mut tx = db.begin().await?;
    existing(tx.conn(), id).await?;
    users::by_id(tx.conn(), user_id).await?.ok_or_else(|| Error::NotFound("No JheUser matches the given query.".into()))?;
    let practitioner = practitioners::by_user(tx.conn(), user_id)
        .await?
        .ok_or_else(|| Error::NotFound("Practitioner not found".into()))?;
    // Look first: on PostgreSQL a failed insert would abort the transaction.
    let member = practitioners::memberships(tx.conn(), practitioner.id).await?.iter().any(|m| m.organization_id == id);
    if member {
        practitioners::set_role(tx.conn(), practitioner.id, id, role.as_str()).await?;
    } else {
        practitioners::add_membership(tx.conn(), practitioner.id, id, role.as_str()).await?;
    }
    let added = !member;
    tx.commit().await?;
    Ok(added)
}

pub async fn remove_member(db: &Db, caller: &Caller, id: i64, user_id: i64) -> Result<()> {
    authz::require_manager_of(caller, id)?;
    let mut tx = db.begin().await?;
    existing(tx.conn(), id).await?;
    users::by_id(tx.conn(), user_id).await?.ok_or_else(|| Error::NotFound("No JheUser matches the given query.".into()))?;
    let practitioner = practitioners::by_user(tx.conn(), user_id)
        .await?
        .ok_or_else(|| Error::NotFound("Practitioner not found".into()))?;
    practitioners::remove_membership(tx.conn(), practitioner.id, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds the practitioner with this email to an organization, or changes
/// their role; true when added. Only a manager learns whether the email
/// belongs to a practitioner.
pub async fn set_member_by_email(db: &Db, caller: &Caller, id: i64, email: &str, role: &str) -> Result<bool> {
    authz::require_manager_of(caller, id)?;
    let email = crate::users::normalize_email(email)?;
    let mut tx = db.begin().await?;
    let user = users::by_email(tx.conn(), &email)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No practitioner has the email {email}.")))?;
    tx.commit().await?;
    set_member(db, caller, id, user.id, role).await
}
