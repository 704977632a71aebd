//! The audit trail of what touches patients' data and who gets in: consent
//! changes, sign-ins, token grants, invitation redemptions and every read of
//! observations (who, which patient, how many records). Events are written
//! in the same transaction as what they record, or before the data they
//! describe is returned; only super users read them.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::caller::Caller;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::paging::{Page, PageRequest};
use crate::store::StoreResult;
use crate::store::audit::{self as rows, AuditEventRow, NewAuditEvent};
use crate::time::{self, Micros};

pub use crate::store::audit::AuditFilter;

/// The actions recorded, as stored and as filtered on.
pub const ACTIONS: [&str; 8] = [
    "consent.grant",
    "consent.decline",
    "consent.withdraw",
    "invitation.redeem",
    "login",
    "login.failed",
    "observation.read",
    "token.grant",
];

/// An event as the API and the console show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub id: i64,
    pub occurred: String,
    pub actor_user_id: Option<i64>,
    pub actor_email: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub patient_id: Option<i64>,
    /// What else is known: the sign-in method and address, the grant type and client, or the records read.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: Value,
}

impl From<AuditEventRow> for AuditEvent {
    fn from(row: AuditEventRow) -> Self {
        AuditEvent {
            id: row.id,
            occurred: time::to_iso(row.occurred),
            actor_user_id: row.actor_user_id,
            actor_email: row.actor_email,
            action: row.action,
            object_type: row.object_type,
            object_id: row.object_id,
            patient_id: row.patient_id,
            detail: serde_json::from_str(&row.detail).unwrap_or_else(|_| json!({})),
        }
    }
}

/// Records one event about a user account (a sign-in, a grant): `actor` did
/// it, to `account`; `detail` is a JSON object.
pub async fn record_for_user(conn: Conn<'_>, action: &str, actor: Option<i64>, account: Option<i64>, detail: &Value, now: Micros) -> StoreResult<()> {
    let object_id = account.map(|id| id.to_string());
    let event = NewAuditEvent {
        actor_user_id: actor,
        action,
        object_type: "user",
        object_id: object_id.as_deref(),
        patient_id: None,
        detail: &detail.to_string(),
    };
    rows::record(conn, std::slice::from_ref(&event), now).await
}

/// Records that `caller` was shown observations: one event per patient,
/// with how many of theirs. `via` names the route (`FHIR search`, …).
/// Nothing is recorded when nothing was shown.
pub async fn record_observation_reads(db: &Db, caller: &Caller, via: &str, patient_ids: impl IntoIterator<Item = i64>) -> Result<()> {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for patient_id in patient_ids {
        *counts.entry(patient_id).or_default() += 1;
    }
    if counts.is_empty() {
        return Ok(());
    }
    let details: Vec<(i64, String)> = counts
        .into_iter()
        .map(|(patient_id, records)| (patient_id, json!({"records": records, "via": via}).to_string()))
        .collect();
    let events: Vec<NewAuditEvent> = details
        .iter()
        .map(|(patient_id, detail)| NewAuditEvent {
            actor_user_id: caller.audit_id(),
            action: "observation.read",
            object_type: "observation",
            object_id: None,
            patient_id: Some(*patient_id),
            detail,
        })
        .collect();
    let mut tx = db.begin().await?;
    rows::record(tx.conn(), &events, time::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// The trail, newest first; super users only.
pub async fn list(db: &Db, caller: &Caller, filter: &AuditFilter, request: &PageRequest) -> Result<Page<AuditEvent>> {
    if !caller.is_superuser {
        return Err(Error::Forbidden("Only super users may read the audit trail.".into()));
    }
    if let Some(action) = &filter.action {
        if !ACTIONS.contains(&action.as_str()) {
            return Err(Error::invalid(format!("action: unknown action {action:?}; one of {}", ACTIONS.join(", "))));
        }
    }
    let mut tx = db.begin_read().await?;
    let count = rows::count(tx.conn(), filter).await?;
    let resolved = request.resolve(count)?;
    let found = rows::list(tx.conn(), filter, resolved.offset, resolved.limit).await?;
    tx.commit().await?;
    Ok(Page { count, number: resolved.number, has_next: resolved.has_next, items: found.into_iter().map(Into::into).collect() })
}
