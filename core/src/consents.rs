//! Consent: per patient, per study, per data type. No answer means pending;
//! `consented = false` means declined or revoked. Every change is audited.

use serde::Serialize;
use serde_json::json;

use crate::authz;
use crate::caller::Caller;
use crate::data_sources::DataSource;
use crate::data_types::DataType;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::organizations::OrganizationBrief;
use crate::patients::{self, Patient};
use crate::store::{self, audit, consents as rows, organizations, studies};
use crate::time::{self, Micros};

/// One requested data type and the patient's answer to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScopeConsent {
    pub code: DataType,
    pub consented: Option<bool>,
    pub consented_time: Option<String>,
    /// Who answered (user id and email), for the console; not on the wire,
    /// which keeps JHE's shape.
    #[serde(skip)]
    pub consented_by: Option<(i64, String)>,
}

/// A study in a patient's consent overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StudyConsents {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub organization: OrganizationBrief,
    pub data_sources: Vec<DataSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_scope_consents: Option<Vec<ScopeConsent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_consents: Option<Vec<ScopeConsent>>,
}

/// `GET /patients/{id}/consents`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsentOverview {
    pub patient: Patient,
    pub consolidated_consented_scopes: Vec<DataType>,
    pub studies_pending_consent: Vec<StudyConsents>,
    pub studies: Vec<StudyConsents>,
}

pub async fn overview(db: &Db, caller: &Caller, patient_id: i64) -> Result<ConsentOverview> {
    let catalogue = crate::data_sources::list(db).await?;
    let mut tx = db.begin_read().await?;
    let row = store::patients::by_id(tx.conn(), patient_id)
        .await?
        .ok_or_else(|| Error::NotFound("No Patient matches the given query.".into()))?;
    patients::check_visible(tx.conn(), caller, patient_id).await?;
    let patient = patients::render(tx.conn(), row).await?;
    let mut consolidated = Vec::new();
    for data_type_id in rows::consented_type_ids(tx.conn(), patient_id).await? {
        if let Some(data_type) = store::data_types::by_id(tx.conn(), data_type_id).await? {
            consolidated.push(DataType::from(data_type));
        }
    }
    let (mut pending_studies, mut answered_studies) = (Vec::new(), Vec::new());
    for (enrolment, study) in studies::enrolments_of_patient(tx.conn(), patient_id).await? {
        let requested = studies::scope_request_links(tx.conn(), study.id).await?;
        let answers = rows::for_enrolment(tx.conn(), enrolment).await?;
        let (mut pending, mut answered) = (Vec::new(), Vec::new());
        for (_, data_type) in requested {
            match answers.iter().find(|a| a.data_type_id == data_type.id) {
                Some(answer) => answered.push(ScopeConsent {
                    code: data_type.into(),
                    consented: Some(answer.consented),
                    consented_time: Some(time::to_iso(answer.consented_time)),
                    consented_by: answer.consented_by.zip(answer.consented_by_email.clone()),
                }),
                None => pending.push(ScopeConsent { code: data_type.into(), consented: None, consented_time: None, consented_by: None }),
            }
        }
        let source_ids = studies::data_source_ids(tx.conn(), study.id).await?;
        let data_sources: Vec<DataSource> = catalogue.iter().filter(|s| source_ids.contains(&s.id)).cloned().collect();
        let organization = organizations::by_id(tx.conn(), study.organization_id)
            .await?
            .map(|o| OrganizationBrief::from(&o))
            .unwrap_or(OrganizationBrief { id: study.organization_id, name: String::new(), kind: String::new() });
        let base = StudyConsents {
            id: study.id,
            name: study.name.clone(),
            description: study.description.clone(),
            organization,
            data_sources,
            pending_scope_consents: None,
            scope_consents: None,
        };
        if !pending.is_empty() {
            pending_studies.push(StudyConsents { pending_scope_consents: Some(pending), ..base.clone() });
        }
        if !answered.is_empty() {
            answered_studies.push(StudyConsents { scope_consents: Some(answered), ..base });
        }
    }
    tx.commit().await?;
    Ok(ConsentOverview {
        patient,
        consolidated_consented_scopes: consolidated,
        studies_pending_consent: pending_studies,
        studies: answered_studies,
    })
}

/// One answer in a consent request.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeAnswer {
    pub coding_system: String,
    pub coding_code: String,
    pub consented: bool,
}

/// The answers for one study.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyAnswers {
    pub study_id: i64,
    pub scope_consents: Vec<ScopeAnswer>,
}

/// What a consent request does: answer pending scopes, change answers, or
/// withdraw answers (the scopes are pending again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Answer,
    Change,
    Withdraw,
}

/// A stored answer, as the write endpoints report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RecordedConsent {
    pub id: i64,
    pub study_patient: EnrolmentRef,
    pub scope_code: DataType,
    pub consented: bool,
    pub consented_time: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentRef {
    pub id: i64,
    pub study: i64,
    pub patient: i64,
}

/// Who may answer for a patient in a study: the patient; a super user; or a
/// manager or member of the study's organization that the patient belongs to.
async fn check_may_answer(mut conn: Conn<'_>, caller: &Caller, patient_id: i64, organization_id: i64) -> Result<()> {
    if caller.patient_id == Some(patient_id) || caller.is_superuser {
        return Ok(());
    }
    if caller.is_patient() && caller.practitioner_id.is_none() {
        return Err(authz::forbidden("The Patient does not match the current patient user."));
    }
    let patient_in_org = store::patients::organization_ids(conn.reborrow(), patient_id).await?.contains(&organization_id);
    if !patient_in_org || !authz::is_member_of(caller, organization_id) {
        return Err(authz::forbidden("Practitioner doesn't have right now for patient."));
    }
    authz::require_writer_in(caller, organization_id)
}

/// Records answers, all or none, and audits each change.
pub async fn record(db: &Db, caller: &Caller, patient_id: i64, change: Change, answers: &[StudyAnswers]) -> Result<Vec<RecordedConsent>> {
    if answers.is_empty() {
        return Err(Error::invalid("studyScopeConsents: give at least one study"));
    }
    let now = time::now();
    let mut tx = db.begin().await?;
    if store::patients::by_id(tx.conn(), patient_id).await?.is_none() {
        return Err(Error::NotFound("No Patient matches the given query.".into()));
    }
    let mut recorded = Vec::new();
    for study_answers in answers {
        let study_id = study_answers.study_id;
        let study = studies::by_id(tx.conn(), study_id)
            .await?
            .ok_or_else(|| Error::invalid(format!("studyId: study {study_id} does not exist")))?;
        check_may_answer(tx.conn(), caller, patient_id, study.organization_id).await?;
        let enrolment = studies::enrolment_id(tx.conn(), study_id, patient_id)
            .await?
            .ok_or_else(|| Error::invalid(format!("studyId: patient {patient_id} is not enrolled in study {study_id}")))?;
        if study_answers.scope_consents.is_empty() {
            return Err(Error::invalid(format!("scopeConsents: give at least one answer for study {study_id}")));
        }
        let requested = studies::scope_request_type_ids(tx.conn(), study_id).await?;
        for answer in &study_answers.scope_consents {
            let data_type = store::data_types::by_code(tx.conn(), &answer.coding_system, &answer.coding_code)
                .await?
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "codingCode: unknown data type system={} code={}",
                        answer.coding_system, answer.coding_code
                    ))
                })?;
            if !requested.contains(&data_type.id) {
                return Err(Error::invalid(format!("codingCode: study {study_id} does not request {}", data_type.coding_code)));
            }
            let given = Given { consented: answer.consented, by: caller.audit_id(), now };
            let id = apply(tx.conn(), change, enrolment, data_type.id, given, study_id, &data_type.coding_code).await?;
            let action = match change {
                Change::Withdraw => "consent.withdraw",
                _ if answer.consented => "consent.grant",
                _ => "consent.decline",
            };
            let detail = json!({"study": study_id, "code": data_type.coding_code, "consented": answer.consented}).to_string();
            let event = audit::NewAuditEvent {
                actor_user_id: caller.audit_id(),
                action,
                object_type: "consent",
                object_id: Some(&format!("{enrolment}:{}", data_type.id)),
                patient_id: Some(patient_id),
                detail: &detail,
            };
            audit::record(tx.conn(), std::slice::from_ref(&event), now).await?;
            if let Some(id) = id {
                recorded.push(RecordedConsent {
                    id,
                    study_patient: EnrolmentRef { id: enrolment, study: study_id, patient: patient_id },
                    scope_code: data_type.into(),
                    consented: answer.consented,
                    consented_time: time::to_iso(now),
                });
            }
        }
    }
    tx.commit().await?;
    Ok(recorded)
}

/// One answer as given: yes or no, by whom, when.
struct Given {
    consented: bool,
    by: Option<i64>,
    now: Micros,
}

/// Applies one answer; returns the stored row's id (none after a withdrawal).
async fn apply(mut conn: Conn<'_>, change: Change, enrolment: i64, data_type_id: i64, given: Given, study_id: i64, code: &str) -> Result<Option<i64>> {
    let Given { consented, by, now } = given;
    match change {
        Change::Answer => match rows::insert(conn, enrolment, data_type_id, consented, by, now).await {
            Ok(id) => Ok(Some(id)),
            Err(store::StoreError::Unique(_)) => Err(Error::Conflict(format!(
                "{code} in study {study_id} is already answered; use PATCH to change the answer"
            ))),
            Err(e) => Err(e.into()),
        },
        Change::Change => {
            if !rows::update(conn.reborrow(), enrolment, data_type_id, consented, by, now).await? {
                return Err(Error::invalid(format!("{code} in study {study_id} is not answered yet; use POST")));
            }
            Ok(rows::for_enrolment(conn, enrolment).await?.into_iter().find(|r| r.data_type_id == data_type_id).map(|r| r.id))
        }
        Change::Withdraw => {
            rows::delete(conn, enrolment, data_type_id).await?;
            Ok(None)
        }
    }
}

/// A patient enrolled in a study who has not answered all its requests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PendingEnrolment {
    pub study_id: i64,
    pub study_name: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub unanswered: i64,
}

/// Enrolments waiting for answers that the caller looks after: a super
/// user's over every study, a practitioner's in their organizations.
pub async fn pending_enrolments(db: &Db, caller: &Caller, limit: i64) -> Result<Vec<PendingEnrolment>> {
    let practitioner_id = if caller.is_superuser { None } else { Some(authz::require_practitioner(caller)?) };
    let mut tx = db.begin_read().await?;
    let found = rows::pending(tx.conn(), practitioner_id, limit).await?;
    tx.commit().await?;
    Ok(found
        .into_iter()
        .map(|row| PendingEnrolment {
            study_id: row.study_id,
            study_name: row.study_name,
            patient_id: row.patient_id,
            patient_name: format!("{} {}", row.name_given.unwrap_or_default(), row.name_family.unwrap_or_default()).trim().to_owned(),
            unanswered: row.unanswered,
        })
        .collect())
}
