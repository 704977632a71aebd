//! Organizations: the caller's part of the tree, one organization's members
//! and studies, and the manager's changes to them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One organization in the caller's tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationNode {
    pub id: i64,
    pub name: String,
    /// The type's label, e.g. `Laboratory`.
    pub kind: String,
    /// The caller's role (`manager`, `member`, `viewer` or `super_user`).
    pub role: Option<String>,
    pub children: Vec<OrganizationNode>,
}

/// An organization as a choice in a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationOption {
    pub id: i64,
    pub name: String,
}

/// An organization type: its key and label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationType {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationStudy {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationDetail {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub role: Option<String>,
    /// Whether the caller may change members and add sub-organizations.
    pub can_manage: bool,
    pub members: Vec<MemberView>,
    pub studies: Vec<OrganizationStudy>,
}

#[cfg(feature = "ssr")]
fn type_label(kind: &str) -> String {
    jhe_core::organizations::TYPES
        .iter()
        .find(|(key, _)| *key == kind)
        .map_or_else(|| kind.to_owned(), |(_, label)| (*label).to_owned())
}

/// The caller's organizations, each under its nearest listed ancestor.
#[server(prefix = "/console/api", endpoint = "my_organizations", input = crate::api::args::Form)]
pub async fn my_organizations() -> Result<Vec<OrganizationNode>, ServerFnError> {
    use jhe_core::store::organizations::ROOT_ID;
    let (db, caller) = super::server::caller().await?;
    let all = jhe_core::organizations::list(&db, &caller, None).await.map_err(|e| super::server::refuse_with(&e))?;
    let parent_of = |id: i64| all.iter().find(|o| o.id == id).and_then(|o| o.part_of);
    let mine = |id: i64| id != ROOT_ID && all.iter().any(|o| o.id == id && o.current_user_role.is_some());
    // The nearest ancestor the caller also belongs to, if any.
    let listed_parent = |id: i64| {
        let mut at = parent_of(id);
        for _ in 0..64 {
            match at {
                Some(p) if p != id && mine(p) => return Some(p),
                Some(p) if p != ROOT_ID => at = parent_of(p),
                _ => return None,
            }
        }
        None
    };
    fn build(
        parent: Option<i64>,
        all: &[jhe_core::organizations::Organization],
        mine: &dyn Fn(i64) -> bool,
        listed_parent: &dyn Fn(i64) -> Option<i64>,
        depth: usize,
    ) -> Vec<OrganizationNode> {
        if depth > 64 {
            return Vec::new();
        }
        all.iter()
            .filter(|o| mine(o.id) && listed_parent(o.id) == parent)
            .map(|o| OrganizationNode {
                id: o.id,
                name: o.name.clone(),
                kind: type_label(&o.kind),
                role: o.current_user_role.map(str::to_owned),
                children: build(Some(o.id), all, mine, listed_parent, depth + 1),
            })
            .collect()
    }
    Ok(build(None, &all, &mine, &listed_parent, 0))
}

/// Every organization but ROOT, by name (for forms).
#[server(prefix = "/console/api", endpoint = "organization_options", input = crate::api::args::Form)]
pub async fn organization_options() -> Result<Vec<OrganizationOption>, ServerFnError> {
    use jhe_core::store::organizations::ROOT_ID;
    let (db, caller) = super::server::caller().await?;
    let all = jhe_core::organizations::list(&db, &caller, None).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(all.into_iter().filter(|o| o.id != ROOT_ID).map(|o| OrganizationOption { id: o.id, name: o.name }).collect())
}

/// The types a new organization may have.
#[server(prefix = "/console/api", endpoint = "organization_types", input = crate::api::args::Form)]
pub async fn organization_types() -> Result<Vec<OrganizationType>, ServerFnError> {
    super::server::caller().await?;
    Ok(jhe_core::organizations::TYPES
        .iter()
        .filter(|(key, _)| *key != "root")
        .map(|(key, label)| OrganizationType { key: (*key).to_owned(), label: (*label).to_owned() })
        .collect())
}

#[server(prefix = "/console/api", endpoint = "organization", input = crate::api::args::Form)]
pub async fn organization(id: i64) -> Result<OrganizationDetail, ServerFnError> {
    use jhe_core::{authz, organizations, studies};
    let (db, caller) = super::server::caller().await?;
    let refuse = |e: jhe_core::Error| super::server::refuse_with(&e);
    let org = organizations::get(&db, &caller, id).await.map_err(refuse)?;
    let members = organizations::members(&db, id).await.map_err(refuse)?;
    // A member reads the studies they may open; a super user every study of the organization.
    let studies: Vec<OrganizationStudy> = if authz::is_member_of(&caller, id) {
        let request = jhe_core::paging::PageRequest { number: Some(1), size: jhe_core::paging::MAX_PAGE_SIZE };
        studies::list(&db, &caller, Some(id), &request)
            .await
            .map_err(refuse)?
            .items
            .into_iter()
            .map(|s| OrganizationStudy { id: s.id, name: s.name })
            .collect()
    } else if caller.is_superuser {
        studies::of_organization(&db, &caller, id).await.map_err(refuse)?.into_iter().map(|s| OrganizationStudy { id: s.id, name: s.name }).collect()
    } else {
        Vec::new()
    };
    Ok(OrganizationDetail {
        id: org.id,
        name: org.name,
        kind: type_label(&org.kind),
        role: org.current_user_role.map(str::to_owned),
        can_manage: authz::require_manager_of(&caller, id).is_ok(),
        members: members
            .into_iter()
            .map(|m| MemberView {
                user_id: m.id,
                name: super::full_name(&m.first_name, &m.last_name),
                email: m.email,
                role: m.role,
            })
            .collect(),
        studies,
    })
}

/// Adds the practitioner with this email (or changes their role).
#[server(prefix = "/console/api", endpoint = "add_member", input = crate::api::args::Form)]
pub async fn add_member(organization_id: i64, email: String, role: String) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::organizations::set_member_by_email(&db, &caller, organization_id, &email, &role)
        .await
        .map(|_| ())
        .map_err(|e| super::server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "set_member_role", input = crate::api::args::Form)]
pub async fn set_member_role(organization_id: i64, user_id: i64, role: String) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::organizations::set_member(&db, &caller, organization_id, user_id, &role)
        .await
        .map(|_| ())
        .map_err(|e| super::server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "remove_member", input = crate::api::args::Form)]
pub async fn remove_member(organization_id: i64, user_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::organizations::remove_member(&db, &caller, organization_id, user_id)
        .await
        .map_err(|e| super::server::refuse_with(&e))
}

/// Adds a sub-organization; answers its id.
#[server(prefix = "/console/api", endpoint = "add_sub_organization", input = crate::api::args::Form)]
pub async fn add_sub_organization(parent_id: i64, name: String, kind: String) -> Result<i64, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::organizations::create(&db, &caller, &name, &kind, Some(parent_id))
        .await
        .map(|o| o.id)
        .map_err(|e| super::server::refuse_with(&e))
}
