//! Who may do what: the one place every route (REST, FHIR, console) asks.
//!
//! Reads follow organization membership (any role); writes need a manager or
//! member role in the organization that owns the thing; viewers never write;
//! the catalogue (data sources, data types, clients) is the super user's.

use crate::caller::{Caller, Role};
use crate::error::{Error, Result};

pub fn forbidden(message: &str) -> Error {
    Error::Forbidden(message.to_owned())
}

/// Data sources, data types, clients, practitioners and settings.
pub fn require_superuser(caller: &Caller) -> Result<()> {
    if caller.is_superuser {
        Ok(())
    } else {
        Err(forbidden("Only a super user may do this."))
    }
}

/// Practitioner-only routes (patients have their own).
pub fn require_practitioner(caller: &Caller) -> Result<i64> {
    caller
        .practitioner_id
        .ok_or_else(|| Error::NotFound("No Practitioner matches the given query.".into()))
}

/// Changing an organization's patients, studies, enrolments, scope
/// requests, study data sources or consents.
pub fn require_writer_in(caller: &Caller, organization_id: i64) -> Result<()> {
    if caller.is_superuser {
        return Ok(());
    }
    match caller.role_in(organization_id) {
        Some(role) if role.can_write() => Ok(()),
        Some(Role::Viewer) => Err(forbidden("Practitioner role is not valid.")),
        _ => Err(forbidden("You do not have permission to perform this action.")),
    }
}

/// Managing an organization itself (sub-organizations, members).
pub fn require_manager_of(caller: &Caller, organization_id: i64) -> Result<()> {
    if caller.is_superuser || caller.role_in(organization_id) == Some(Role::Manager) {
        Ok(())
    } else {
        Err(forbidden("You do not have permission to perform this action."))
    }
}

/// Reading what an organization owns.
pub fn is_member_of(caller: &Caller, organization_id: i64) -> bool {
    caller.role_in(organization_id).is_some()
}

/// `currentUserRole` as JHE reports it.
pub fn current_role(caller: &Caller, organization_id: i64) -> Option<&'static str> {
    if caller.is_superuser {
        Some("super_user")
    } else {
        caller.role_in(organization_id).map(Role::as_str)
    }
}
