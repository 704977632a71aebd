//! Who is making a request: the signed-in user with their profiles and
//! organization roles, loaded once per request.

use serde::{Deserialize, Serialize};

use crate::db::Conn;
use crate::error::{Error, Result};
use crate::store::{oauth, patients, practitioners, users};

/// A practitioner's role in one organization. Roles are not inherited down
/// the organization tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Manager,
    Member,
    Viewer,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "manager" => Some(Role::Manager),
            "member" => Some(Role::Member),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// Managers and members change data; viewers only read.
    pub fn can_write(self) -> bool {
        matches!(self, Role::Manager | Role::Member)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Caller {
    pub user_id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub is_superuser: bool,
    pub practitioner_id: Option<i64>,
    pub patient_id: Option<i64>,
    /// `(organization id, role)` for each organization the practitioner belongs to.
    pub memberships: Vec<(i64, Role)>,
    /// Authenticated by a token from one of the user's API keys
    /// (client-credentials) rather than by the user signing in.
    pub via_api_key: bool,
}

impl Caller {
    /// Loads an active user; `None` when the user is gone or deactivated.
    pub async fn load(mut conn: Conn<'_>, user_id: i64) -> Result<Option<Caller>> {
        let Some(user) = users::by_id(conn.reborrow(), user_id).await? else { return Ok(None) };
        if !user.is_active {
            return Ok(None);
        }
        let practitioner = practitioners::by_user(conn.reborrow(), user.id).await?;
        let memberships = match &practitioner {
            Some(p) => practitioners::memberships(conn.reborrow(), p.id)
                .await?
                .into_iter()
                .filter_map(|m| Role::parse(&m.role).map(|role| (m.organization_id, role)))
                .collect(),
            None => Vec::new(),
        };
        let patient_id = patients::by_user(conn, user.id).await?.map(|p| p.id);
        Ok(Some(Caller {
            user_id: user.id,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            is_superuser: user.is_superuser,
            practitioner_id: practitioner.map(|p| p.id),
            patient_id,
            memberships,
            via_api_key: false,
        }))
    }

    /// The caller a bearer token stands for (its rows from
    /// [`oauth::bearer`]); `None` when the user is deactivated.
    pub fn from_bearer(rows: &[oauth::BearerRow]) -> Option<Caller> {
        let first = rows.first().filter(|row| row.is_active)?;
        Some(Caller {
            user_id: first.user_id,
            email: first.email.clone(),
            first_name: first.first_name.clone(),
            last_name: first.last_name.clone(),
            is_superuser: first.is_superuser,
            practitioner_id: first.practitioner_id,
            patient_id: first.patient_id,
            memberships: rows
                .iter()
                .filter_map(|row| Some((row.organization_id?, Role::parse(row.role.as_deref()?)?)))
                .collect(),
            via_api_key: first.client_grant_type.as_deref() == Some("client-credentials"),
        })
    }

    /// The operator at the command line: a super user outside any
    /// organization, acting for no signed-in user.
    pub fn operator() -> Caller {
        Caller {
            user_id: 0,
            email: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            is_superuser: true,
            practitioner_id: None,
            patient_id: None,
            memberships: Vec::new(),
            via_api_key: false,
        }
    }

    /// The user id to record in the audit trail (none for the operator).
    pub fn audit_id(&self) -> Option<i64> {
        (self.user_id != 0).then_some(self.user_id)
    }

    pub fn is_patient(&self) -> bool {
        self.patient_id.is_some()
    }

    pub fn role_in(&self, organization_id: i64) -> Option<Role> {
        self.memberships.iter().find(|(org, _)| *org == organization_id).map(|(_, role)| *role)
    }

    /// True when the caller is a manager or member of any of these organizations.
    pub fn writes_in_any(&self, organization_ids: &[i64]) -> bool {
        organization_ids.iter().any(|org| self.role_in(*org).is_some_and(Role::can_write))
    }

    pub fn forbidden() -> Error {
        Error::Forbidden("You do not have permission to perform this action.".into())
    }
}
