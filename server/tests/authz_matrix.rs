//! Who may do what: every `/api/v1` route, the FHIR API, the OAuth
//! endpoints that take credentials and every console server function,
//! called by each role against one seeded server. Each row of the matrix
//! names the status every role must get; reads of patients and observations
//! also name exactly which records each role gets back; and a revoked
//! consent must hide its data from the very next request. Every difference
//! is collected, so one run reports them all.
//!
//! The organization under test is Lifespan Lab (20003): Peter (40001) and
//! Pamela (40002) are its patients, Victor its viewer, Megan its member and
//! Mary its manager. Mark manages 20004–20007 but has no role in it; Sam is
//! the super user; the key is one of Mary's API keys (client credentials),
//! which acts as Mary.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{PASSWORD, Server, call, seeded, token_for};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug)]
enum Role {
    Anonymous,
    Patient,
    OtherPatient,
    Viewer,
    Member,
    Manager,
    OtherManager,
    SuperUser,
    Key,
}

/// Every row's expectations are in this order.
const ROLES: [Role; 9] = [
    Role::Anonymous,
    Role::Patient,
    Role::OtherPatient,
    Role::Viewer,
    Role::Member,
    Role::Manager,
    Role::OtherManager,
    Role::SuperUser,
    Role::Key,
];

impl Role {
    /// The seed account a role signs in as.
    fn email(self) -> Option<&'static str> {
        match self {
            Role::Anonymous | Role::Key => None,
            Role::Patient => Some("peter@example.com"),
            Role::OtherPatient => Some("pamela@example.com"),
            Role::Viewer => Some("victor@example.com"),
            Role::Member => Some("megan@example.com"),
            Role::Manager => Some("mary@example.com"),
            Role::OtherManager => Some("mark@example.com"),
            Role::SuperUser => Some("sam@example.com"),
        }
    }
}

const LAB: i64 = 20003;
const PETER: i64 = 40001;
const TOM_USER: i64 = 10005;
const CAREX: i64 = 70001;
const CAREX_APP: i64 = 1;
const BLOOD_PRESSURE: i64 = 50002;
const HEART_RATE: i64 = 50004;
const OMH: &str = "https://w3id.org/openmhealth";

/// One status per role, in the order of `ROLES`.
type Statuses = [u16; 9];

/// Anyone with credentials.
const fn anyone(ok: u16) -> Statuses {
    [401, ok, ok, ok, ok, ok, ok, ok, ok]
}

/// The super user only: the catalogue, clients, practitioners, settings.
const fn super_user(ok: u16) -> Statuses {
    [401, 403, 403, 403, 403, 403, 403, ok, 403]
}

/// Managers and members of the lab, and the super user: its patients, studies and consents.
const fn writers(ok: u16) -> Statuses {
    [401, 403, 403, 403, ok, ok, 403, ok, ok]
}

/// The lab's managers, and the super user: the organization itself.
const fn managers(ok: u16) -> Statuses {
    [401, 403, 403, 403, 403, ok, 403, ok, ok]
}

/// Practitioners only: a patient is told there is no such practitioner.
const PRACTITIONERS: Statuses = [401, 404, 404, 200, 200, 200, 200, 200, 200];
/// Practitioners of the lab (any role), and the super user: its studies.
const LAB_STUDY_READERS: Statuses = [401, 403, 403, 200, 200, 200, 403, 200, 200];
/// Peter himself and practitioners sharing the lab with him (not the super user: reads follow membership).
const PETERS_READERS: Statuses = [401, 200, 403, 200, 200, 200, 403, 403, 200];
/// The same, where anything not visible does not exist (FHIR reads).
const PETERS_FHIR_READERS: Statuses = [401, 200, 404, 200, 200, 200, 404, 404, 200];
/// Peter himself, managers and members of the lab, and the super user.
const PETERS_ANSWERERS: Statuses = [401, 200, 403, 403, 200, 200, 403, 200, 200];
/// Peter himself, managers and members of the lab (uploads need a role, even for the super user).
const PETERS_UPLOADERS: Statuses = [401, 201, 403, 403, 201, 201, 403, 403, 201];
/// The same answer whoever asks: public routes, and refusals no credential changes.
const fn everyone(status: u16) -> Statuses {
    [status; 9]
}

/// A bearer token opens no console session: the key is refused there.
const fn console(statuses: Statuses) -> Statuses {
    let mut statuses = statuses;
    statuses[8] = 401;
    statuses
}

/// What a write acts on: made afresh for every call, so no call depends on
/// another. `{id}` in a row stands for what was made.
#[derive(Clone, Copy)]
enum Fresh {
    /// Nothing: the row names what it acts on.
    Nothing,
    /// A lab study using CareX, asking for blood pressure, offering the CareX app, with Peter enrolled (answer pending).
    Study,
    /// Such a study where Peter has granted blood pressure.
    AnsweredStudy,
    /// A patient of the lab.
    Patient,
    /// A patient profile (in the lab) on a practitioner's account.
    PractitionerAsPatient,
    /// The token of a link issued to a patient whose account has since become a practitioner's too.
    LinkToPractitioner,
    /// A sub-organization of the lab made by Mary (so she manages it), with Tom as a member.
    Organization,
    /// A data source supporting heart rate.
    DataSource,
    /// A data type.
    DataType,
    /// A patient app reading from CareX.
    Client,
    /// A system setting.
    Setting,
    /// One of Mary's API keys.
    MarysKey,
}

/// One row: `"METHOD path"`, the body (JSON if it starts with `{`, else a
/// form), what to make first, and the status for each role. `{n}` is unique
/// per call; `{bp}` is a blood-pressure data point, base64.
type Row = (&'static str, &'static str, Fresh, Statuses);

const STUDY_BP_ANSWER: &str = r#"{"studyScopeConsents":[{"studyId":{id},"scopeConsents":[{"codingSystem":"https://w3id.org/openmhealth","codingCode":"omh:blood-pressure:4.0","consented":true}]}]}"#;
const STUDY_BP_REVOKED: &str = r#"{"studyScopeConsents":[{"studyId":{id},"scopeConsents":[{"codingSystem":"https://w3id.org/openmhealth","codingCode":"omh:blood-pressure:4.0","consented":false}]}]}"#;
const PETERS_BP_UPLOAD: &str = r#"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"https://w3id.org/openmhealth","code":"omh:blood-pressure:4.0"}]},"subject":{"reference":"Patient/40001"},"device":{"reference":"Device/70001"},"valueAttachment":{"contentType":"application/json","data":"{bp}"}}"#;
const PETERS_BP_TRANSACTION: &str = r#"{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"POST","url":"Observation"},"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"https://w3id.org/openmhealth","code":"omh:blood-pressure:4.0"}]},"subject":{"reference":"Patient/40001"},"device":{"reference":"Device/70001"},"valueAttachment":{"contentType":"application/json","data":"{bp}"}}}]}"#;
const HEART_RATE_SAMPLE: &str = r#"{"header":{"uuid":"2d3e9f1c-5b6a-4c1d-8e2f-3a4b5c6d7e8f","schema_id":{"namespace":"omh","name":"heart-rate","version":"2.0"},"source_creation_date_time":"2024-05-02T08:00:00Z"},"body":{"heart_rate":{"value":61,"unit":"beats/min"},"effective_time_frame":{"date_time":"2024-05-02T08:00:00Z"}}}"#;

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    // Columns: anon, patient, other patient, viewer, member, manager, other manager, super user, key.
    // Identity and invitations.
    ("GET /api/v1/users/profile", "", Fresh::Nothing, anyone(200)),
    ("GET /api/v1/users", "", Fresh::Nothing, super_user(200)),
    ("GET /api/v1/users/10006", "", Fresh::Nothing, [401, 200, 403, 403, 403, 403, 403, 200, 403]),
    ("GET /api/v1/users/organizations", "", Fresh::Nothing, anyone(200)),
    ("POST /api/v1/invitation", r#"{"patient_id":40001,"client_id":1}"#, Fresh::Nothing, writers(201)),
    // A link signs in without a password: never into a practitioner's account.
    ("POST /api/v1/invitation", r#"{"patient_id":{id},"client_id":1}"#, Fresh::PractitionerAsPatient, [401, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST /api/v1/invitation/{id}", "", Fresh::LinkToPractitioner, everyone(403)),
    ("POST /api/v1/invitation/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", Fresh::Nothing, everyone(404)),
    ("GET /api/v1/practitioner_clients", "", Fresh::Nothing, [401, 403, 403, 200, 200, 200, 200, 200, 200]),
    // A key cannot mint its own replacement, nor delete its owner's keys.
    ("POST /api/v1/practitioner_clients", r#"{"label":"matrix"}"#, Fresh::Nothing, [401, 403, 403, 201, 201, 201, 201, 201, 403]),
    ("DELETE /api/v1/practitioner_clients/{id}", "", Fresh::MarysKey, [401, 403, 403, 404, 404, 204, 404, 404, 403]),

    // Organizations.
    ("GET /api/v1/organizations", "", Fresh::Nothing, anyone(200)),
    ("POST /api/v1/organizations", r#"{"name":"Matrix team {n}","type":"team","partOf":20003}"#, Fresh::Nothing, managers(201)),
    ("POST /api/v1/organizations", r#"{"name":"Matrix institute {n}","type":"edu"}"#, Fresh::Nothing, super_user(201)),
    ("GET /api/v1/organizations/types", "", Fresh::Nothing, anyone(200)),
    ("GET /api/v1/organizations/20003", "", Fresh::Nothing, anyone(200)),
    ("PATCH /api/v1/organizations/{id}", r#"{"name":"Renamed team {n}"}"#, Fresh::Organization, managers(200)),
    ("PUT /api/v1/organizations/{id}", r#"{"name":"Renamed team {n}","type":"team"}"#, Fresh::Organization, managers(200)),
    ("DELETE /api/v1/organizations/{id}", "", Fresh::Organization, managers(204)),
    ("GET /api/v1/organizations/20003/tree", "", Fresh::Nothing, anyone(200)),
    ("GET /api/v1/organizations/20003/users", "", Fresh::Nothing, anyone(200)),
    ("GET /api/v1/organizations/20003/studies", "", Fresh::Nothing, LAB_STUDY_READERS),
    ("POST /api/v1/organizations/{id}/user", r#"{"jheUserId":10004,"organizationPartitionerRole":"member"}"#, Fresh::Organization, managers(201)),
    ("DELETE /api/v1/organizations/{id}/remove_user", r#"{"jheUserId":10005}"#, Fresh::Organization, managers(204)),

    // Patients and their consents.
    ("GET /api/v1/patients", "", Fresh::Nothing, anyone(200)),
    ("POST /api/v1/patients", r#"{"telecomEmail":"matrix{n}@example.com","organizationId":20003}"#, Fresh::Nothing, writers(201)),
    ("GET /api/v1/patients/me", "", Fresh::Nothing, [401, 200, 200, 403, 403, 403, 403, 403, 403]),
    ("GET /api/v1/patients/global_lookup?email=peter@example.com", "", Fresh::Nothing, PRACTITIONERS),
    ("GET /api/v1/patients/40001", "", Fresh::Nothing, PETERS_READERS),
    ("PATCH /api/v1/patients/{id}", r#"{"telecomPhone":"+1-555-0100"}"#, Fresh::Patient, writers(200)),
    ("PUT /api/v1/patients/{id}", r#"{"nameGiven":"Changed"}"#, Fresh::Patient, writers(200)),
    ("DELETE /api/v1/patients/{id}?organization_id=20003", "", Fresh::Patient, writers(204)),
    ("GET /api/v1/patients/40001/consents", "", Fresh::Nothing, PETERS_READERS),
    ("POST /api/v1/patients/40001/consents", STUDY_BP_ANSWER, Fresh::Study, [401, 201, 403, 403, 201, 201, 403, 201, 201]),
    ("PATCH /api/v1/patients/40001/consents", STUDY_BP_REVOKED, Fresh::AnsweredStudy, PETERS_ANSWERERS),
    ("DELETE /api/v1/patients/40001/consents", STUDY_BP_REVOKED, Fresh::AnsweredStudy, [401, 204, 403, 403, 204, 204, 403, 204, 204]),
    ("GET /api/v1/patients/40001/invitations", "", Fresh::Nothing, writers(200)),

    // Studies and what hangs off them.
    ("GET /api/v1/studies", "", Fresh::Nothing, PRACTITIONERS),
    ("POST /api/v1/studies", r#"{"organization":20003,"name":"Matrix study {n}","description":"Made by a call"}"#, Fresh::Nothing, writers(201)),
    ("GET /api/v1/studies/30001", "", Fresh::Nothing, LAB_STUDY_READERS),
    ("PATCH /api/v1/studies/{id}", r#"{"description":"Changed"}"#, Fresh::Study, writers(200)),
    ("PUT /api/v1/studies/{id}", r#"{"name":"Changed {n}","description":"Changed"}"#, Fresh::Study, writers(200)),
    ("DELETE /api/v1/studies/{id}", "", Fresh::Study, writers(204)),
    ("GET /api/v1/studies/30001/data_sources", "", Fresh::Nothing, LAB_STUDY_READERS),
    ("POST /api/v1/studies/{id}/data_sources", r#"{"data_source_id":70002}"#, Fresh::Study, writers(201)),
    ("DELETE /api/v1/studies/{id}/data_sources", r#"{"data_source_id":70001}"#, Fresh::Study, writers(204)),
    ("GET /api/v1/studies/30001/scope_requests", "", Fresh::Nothing, LAB_STUDY_READERS),
    ("POST /api/v1/studies/{id}/scope_requests", r#"{"scope_code_id":50001}"#, Fresh::Study, writers(201)),
    ("DELETE /api/v1/studies/{id}/scope_requests", r#"{"scope_code_id":50002}"#, Fresh::Study, writers(204)),
    ("GET /api/v1/studies/30001/patients", "", Fresh::Nothing, LAB_STUDY_READERS),
    ("POST /api/v1/studies/{id}/patients", r#"{"patientIds":[40002]}"#, Fresh::Study, writers(201)),
    ("DELETE /api/v1/studies/{id}/patients", r#"{"patientIds":[40001]}"#, Fresh::Study, writers(204)),
    ("GET /api/v1/studies/30001/clients", "", Fresh::Nothing, LAB_STUDY_READERS),
    ("POST /api/v1/studies/{id}/clients", r#"{"clientId":2}"#, Fresh::Study, writers(201)),
    ("DELETE /api/v1/studies/{id}/clients", r#"{"clientId":1}"#, Fresh::Study, writers(204)),

    // The catalogue: data sources and data types.
    ("GET /api/v1/data_sources", "", Fresh::Nothing, anyone(200)),
    ("POST /api/v1/data_sources", r#"{"name":"Matrix device {n}","type":"personal_device"}"#, Fresh::Nothing, super_user(201)),
    ("GET /api/v1/data_sources/all_scopes", "", Fresh::Nothing, anyone(200)),
    ("GET /api/v1/data_sources/70001", "", Fresh::Nothing, anyone(200)),
    ("PATCH /api/v1/data_sources/{id}", r#"{"name":"Renamed device {n}"}"#, Fresh::DataSource, super_user(200)),
    ("PUT /api/v1/data_sources/{id}", r#"{"name":"Renamed device {n}","type":"personal_device"}"#, Fresh::DataSource, super_user(200)),
    ("DELETE /api/v1/data_sources/{id}", "", Fresh::DataSource, super_user(204)),
    ("GET /api/v1/data_sources/70001/supported_scopes", "", Fresh::Nothing, anyone(200)),
    ("POST /api/v1/data_sources/{id}/supported_scopes", r#"{"scopeCodeId":50001}"#, Fresh::DataSource, super_user(201)),
    ("DELETE /api/v1/data_sources/{id}/supported_scopes", r#"{"scopeCodeId":50004}"#, Fresh::DataSource, super_user(204)),
    ("GET /api/v1/data_types", "", Fresh::Nothing, anyone(200)),
    ("POST /api/v1/data_types", r#"{"codingSystem":"http://hl7.org/fhir/resource-types","codingCode":"Matrix{n}","text":"Matrix {n}"}"#, Fresh::Nothing, super_user(201)),
    ("GET /api/v1/data_types/50002", "", Fresh::Nothing, anyone(200)),
    ("PATCH /api/v1/data_types/{id}", r#"{"text":"Renamed {n}"}"#, Fresh::DataType, super_user(200)),
    ("PUT /api/v1/data_types/{id}", r#"{"text":"Renamed {n}"}"#, Fresh::DataType, super_user(200)),
    ("POST /api/v1/data_types/50004/validate", HEART_RATE_SAMPLE, Fresh::Nothing, anyone(200)),

    // Observations (which records each role sees is checked below).
    ("GET /api/v1/observations", "", Fresh::Nothing, anyone(200)),
    // Peter's blood pressure: his, and his organization's; hidden (404) from the rest.
    ("GET /api/v1/observations/60001", "", Fresh::Nothing, [401, 200, 404, 200, 200, 200, 404, 404, 200]),

    // Patient apps, practitioners and settings.
    ("GET /api/v1/clients", "", Fresh::Nothing, anyone(200)),
    ("POST /api/v1/clients", r#"{"name":"Matrix app {n}","clientId":"matrix-app-{n}","invitationUrl":"https://app.example.com/CODE"}"#, Fresh::Nothing, super_user(201)),
    ("GET /api/v1/clients/1", "", Fresh::Nothing, anyone(200)),
    ("PATCH /api/v1/clients/{id}", r#"{"name":"Renamed app {n}"}"#, Fresh::Client, super_user(200)),
    ("PUT /api/v1/clients/{id}", r#"{"name":"Renamed app {n}","clientId":"renamed-app-{n}","invitationUrl":"https://app.example.com/CODE"}"#, Fresh::Client, super_user(200)),
    ("DELETE /api/v1/clients/{id}", "", Fresh::Client, super_user(204)),
    ("GET /api/v1/clients/1/data_sources", "", Fresh::Nothing, anyone(200)),
    ("POST /api/v1/clients/{id}/data_sources", r#"{"dataSourceId":70002}"#, Fresh::Client, super_user(201)),
    ("DELETE /api/v1/clients/{id}/data_sources", r#"{"dataSourceId":70001}"#, Fresh::Client, super_user(204)),
    ("GET /api/v1/practitioners", "", Fresh::Nothing, super_user(200)),
    ("POST /api/v1/practitioners", r#"{"telecomEmail":"staff{n}@example.com","organizationId":20003,"role":"viewer"}"#, Fresh::Nothing, super_user(201)),
    ("GET /api/v1/practitioners/80002", "", Fresh::Nothing, super_user(200)),
    ("PATCH /api/v1/practitioners/80005", r#"{"nameGiven":"Tom"}"#, Fresh::Nothing, super_user(200)),
    ("PUT /api/v1/practitioners/80005", r#"{"nameGiven":"Tom","nameFamily":"Torres"}"#, Fresh::Nothing, super_user(200)),
    ("GET /api/v1/jhe_settings", "", Fresh::Nothing, super_user(200)),
    ("POST /api/v1/jhe_settings", r#"{"key":"matrix.setting{n}","valueType":"string","value":"x"}"#, Fresh::Nothing, super_user(201)),
    ("GET /api/v1/jhe_settings/{id}", "", Fresh::Setting, super_user(200)),
    ("PATCH /api/v1/jhe_settings/{id}", r#"{"value":"y"}"#, Fresh::Setting, super_user(200)),
    ("PUT /api/v1/jhe_settings/{id}", r#"{"valueType":"string","value":"y"}"#, Fresh::Setting, super_user(200)),
    ("DELETE /api/v1/jhe_settings/{id}", "", Fresh::Setting, super_user(204)),
    ("GET /api/v1/audit_events", "", Fresh::Nothing, super_user(200)),
    ("GET /api/v1/openapi.json", "", Fresh::Nothing, everyone(200)),

    // FHIR.
    ("GET /FHIR/R5/metadata", "", Fresh::Nothing, everyone(200)),
    ("POST /FHIR/R5/Observation", PETERS_BP_UPLOAD, Fresh::Nothing, PETERS_UPLOADERS),
    ("POST /FHIR/R5", PETERS_BP_TRANSACTION, Fresh::Nothing, [401, 200, 403, 403, 200, 200, 403, 403, 200]),
    ("GET /FHIR/R5/Observation?patient=40001", "", Fresh::Nothing, PETERS_READERS),
    ("POST /FHIR/R5/Observation/_search", "patient=40001", Fresh::Nothing, PETERS_READERS),
    ("GET /FHIR/R5/Observation/60001", "", Fresh::Nothing, PETERS_FHIR_READERS),
    ("GET /FHIR/R5/Patient", "", Fresh::Nothing, anyone(200)),
    ("GET /FHIR/R5/Patient/40001", "", Fresh::Nothing, PETERS_FHIR_READERS),
    ("GET /FHIR/R5/Device", "", Fresh::Nothing, anyone(200)),
    ("GET /FHIR/R5/Device/70001", "", Fresh::Nothing, anyone(200)),
    ("GET /FHIR/R5/Group", "", Fresh::Nothing, anyone(200)),
    ("GET /FHIR/R5/Group/30001", "", Fresh::Nothing, [401, 404, 404, 200, 200, 200, 404, 404, 200]),
    ("GET /FHIR/R5/Consent", "", Fresh::Nothing, anyone(200)),
    // Peter's blood-pressure answer in study 30001 (his first enrolment).
    ("GET /FHIR/R5/Consent/1-50002", "", Fresh::Nothing, PETERS_FHIR_READERS),

    // OAuth: a user's token is not a client's credentials.
    ("GET /o/userinfo/", "", Fresh::Nothing, anyone(200)),
    ("POST /o/userinfo/", "", Fresh::Nothing, anyone(200)),
    ("GET /o/introspect/?token=unknown", "", Fresh::Nothing, [401, 401, 401, 401, 401, 401, 401, 401, 200]),
    ("POST /o/introspect/", "token=unknown", Fresh::Nothing, [401, 401, 401, 401, 401, 401, 401, 401, 200]),
    ("POST /o/revoke_token/", "token=unknown", Fresh::Nothing, [401, 401, 401, 401, 401, 401, 401, 401, 200]),

    // Console server functions (log_in and log_out are covered by sessions.rs).
    ("POST /console/api/current_user", "", Fresh::Nothing, everyone(200)),
    ("POST /console/api/sso_name", "", Fresh::Nothing, everyone(200)),
    ("POST /console/api/home", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/accept_invitation", "code=127.0.0.1_unknown", Fresh::Nothing, everyone(404)),
    ("POST /console/api/data_sources", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/add_data_source", "name=Console+device+{n}&kind=personal_device", Fresh::Nothing, console(super_user(200))),
    ("POST /console/api/edit_data_source", "id={id}&name=Renamed+{n}&kind=personal_device", Fresh::DataSource, console(super_user(200))),
    ("POST /console/api/delete_data_source", "id={id}", Fresh::DataSource, console(super_user(200))),
    ("POST /console/api/add_supported_scope", "data_source_id={id}&data_type_id=50001", Fresh::DataSource, console(super_user(200))),
    ("POST /console/api/remove_supported_scope", "data_source_id={id}&data_type_id=50004", Fresh::DataSource, console(super_user(200))),
    ("POST /console/api/data_types", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/add_data_type", "coding_system=http%3A%2F%2Fhl7.org%2Ffhir%2Fresource-types&coding_code=Console{n}&text=Console&schema=", Fresh::Nothing, console(super_user(200))),
    ("POST /console/api/check_schema", "schema=%7B%7D", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/try_sample", "data_type_id=50004&sample=%7B%7D", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/studies", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/add_study", "organization_id=20003&name=Console+study+{n}&description=Made+here", Fresh::Nothing, console(writers(200))),
    ("POST /console/api/edit_study", "id={id}&name=Changed+{n}&description=Changed", Fresh::Study, console(writers(200))),
    ("POST /console/api/delete_study", "id={id}", Fresh::Study, console(writers(200))),
    ("POST /console/api/add_study_data_source", "study_id={id}&data_source_id=70002", Fresh::Study, console(writers(200))),
    ("POST /console/api/add_scope_request", "study_id={id}&data_type_id=50001", Fresh::Study, console(writers(200))),
    ("POST /console/api/remove_study_data_source", "study_id={id}&data_source_id=70001", Fresh::Study, console(writers(200))),
    ("POST /console/api/remove_scope_request", "study_id={id}&data_type_id=50002", Fresh::Study, console(writers(200))),
    ("POST /console/api/enrolment_candidates", "study_id=30001&organization_id=20003", Fresh::Nothing, console(LAB_STUDY_READERS)),
    ("POST /console/api/enrol_patient", "study_id={id}&patient_id=40002", Fresh::Study, console(writers(200))),
    ("POST /console/api/unenrol_patient", "study_id={id}&patient_id=40001", Fresh::Study, console(writers(200))),
    ("POST /console/api/add_study_client", "study_id={id}&client_id=2", Fresh::Study, console(writers(200))),
    ("POST /console/api/remove_study_client", "study_id={id}&client_id=1", Fresh::Study, console(writers(200))),
    ("POST /console/api/consents", "patient_id=40001", Fresh::Nothing, console(PETERS_READERS)),
    ("POST /console/api/save_consents", r#"{"patient_id":40001,"study_id":{id},"listed":[50002],"granted":[50002],"pending":true}"#, Fresh::Study, console(PETERS_ANSWERERS)),
    ("POST /console/api/observations", r#"{"filters":{"from":"","to":"","page":1}}"#, Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/clients", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/add_client", "name=Console+app&client_id=console-app-{n}&invitation_url=https%3A%2F%2Fapp.example.com%2FCODE", Fresh::Nothing, console(super_user(200))),
    ("POST /console/api/add_client_data_source", "client={id}&data_source_id=70002", Fresh::Client, console(super_user(200))),
    ("POST /console/api/remove_client_data_source", "client={id}&data_source_id=70001", Fresh::Client, console(super_user(200))),
    ("POST /console/api/my_organizations", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/organization_options", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/organization_types", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/organization", "id=20003", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/add_member", "organization_id={id}&email=victor%40example.com&role=member", Fresh::Organization, console(managers(200))),
    ("POST /console/api/set_member_role", "organization_id={id}&user_id=10005&role=viewer", Fresh::Organization, console(managers(200))),
    ("POST /console/api/remove_member", "organization_id={id}&user_id=10005", Fresh::Organization, console(managers(200))),
    ("POST /console/api/add_sub_organization", "parent_id=20003&name=Console+team+{n}&kind=team", Fresh::Nothing, console(managers(200))),
    // A patient gets empty pickers: nothing to narrow their own observations to.
    ("POST /console/api/patient_scopes", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/patients", "search=&page=1", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/patient_choices", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/patient", "id=40001", Fresh::Nothing, console(PETERS_READERS)),
    ("POST /console/api/add_patient", "organization_id=20003&email=console{n}%40example.com&name_given=&name_family=&birth_date=&phone=", Fresh::Nothing, console(writers(200))),
    ("POST /console/api/edit_patient", "id={id}&name_given=Changed&name_family=&birth_date=&phone=", Fresh::Patient, console(writers(200))),
    ("POST /console/api/invitation_clients", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/invitations", "patient_id=40001", Fresh::Nothing, console(writers(200))),
    ("POST /console/api/generate_invitation", "patient_id=40001&client_id=1", Fresh::Nothing, console(writers(200))),
    ("POST /console/api/generate_invitation", "patient_id={id}&client_id=1", Fresh::PractitionerAsPatient, console([401, 403, 403, 403, 403, 403, 403, 403, 403])),
    ("POST /console/api/practitioners", "", Fresh::Nothing, console(super_user(200))),
    ("POST /console/api/add_practitioner", "email=console-staff{n}%40example.com&name_given=&name_family=&password=&role=", Fresh::Nothing, console(super_user(200))),
    ("POST /console/api/set_practitioner_active", "id=80005&active=true", Fresh::Nothing, console(super_user(200))),
    ("POST /console/api/settings", "", Fresh::Nothing, console(super_user(200))),
    ("POST /console/api/setting_types", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/audit_events", r#"{"filters":{"action":"","page":1}}"#, Fresh::Nothing, console(super_user(200))),
    ("POST /console/api/audit_actions", "", Fresh::Nothing, console(anyone(200))),
    ("POST /console/api/add_setting", "key=console.setting{n}&value_type=string&value=x", Fresh::Nothing, console(super_user(200))),
    ("POST /console/api/update_setting", "id={id}&value=y", Fresh::Setting, console(super_user(200))),
    ("POST /console/api/delete_setting", "id={id}", Fresh::Setting, console(super_user(200))),
    // Last: a link that worked would sign the caller's browser in as someone else.
    ("POST /console/api/accept_invitation", "code=127.0.0.1_{id}", Fresh::LinkToPractitioner, everyone(403)),
];

/// What a read gives a role: exactly these records, or a refusal.
#[derive(Clone, Copy)]
enum Seen {
    Ids(&'static [i64]),
    Refused(u16),
}

use Seen::{Ids, Refused};

/// Seeded observations: Peter's blood pressure and heart rate; Pamela's
/// blood pressure (study 30001), heart rate, blood pressure (study 30002);
/// Percy's body temperature (20007), Pat's blood glucose (20006).
const PETERS: &[i64] = &[60001, 60002];
const PAMELAS: &[i64] = &[60003, 60004, 60005];
const LABS: &[i64] = &[60001, 60002, 60003, 60004, 60005];
const MARKS: &[i64] = &[60006, 60008];
/// Consented to study 30002: only Pamela's blood pressure.
const IN_30002: &[i64] = &[60003, 60005];
const NONE: &[i64] = &[];

#[rustfmt::skip]
const VISIBILITY: &[(&str, [Seen; 9])] = &[
    // Columns: anon, patient, other patient, viewer, member, manager, other manager, super user, key.
    ("/api/v1/patients", [Refused(401), Ids(NONE), Ids(NONE), Ids(&[40001, 40002]), Ids(&[40001, 40002]), Ids(&[40001, 40002]), Ids(&[40003, 40005]), Ids(NONE), Ids(&[40001, 40002])]),
    ("/FHIR/R5/Patient", [Refused(401), Ids(&[40001]), Ids(&[40002]), Ids(&[40001, 40002]), Ids(&[40001, 40002]), Ids(&[40001, 40002]), Ids(&[40003, 40005]), Ids(NONE), Ids(&[40001, 40002])]),
    ("/api/v1/patients/global_lookup?email=peter@example.com", [Refused(401), Refused(404), Refused(404), Ids(&[40001]), Ids(&[40001]), Ids(&[40001]), Ids(NONE), Ids(NONE), Ids(&[40001])]),
    ("/api/v1/observations", [Refused(401), Ids(PETERS), Ids(PAMELAS), Ids(LABS), Ids(LABS), Ids(LABS), Ids(MARKS), Ids(NONE), Ids(LABS)]),
    ("/FHIR/R5/Observation", [Refused(401), Ids(PETERS), Ids(PAMELAS), Ids(LABS), Ids(LABS), Ids(LABS), Ids(MARKS), Ids(NONE), Ids(LABS)]),
    ("/api/v1/observations?patient_id=40001", [Refused(401), Ids(PETERS), Ids(NONE), Ids(PETERS), Ids(PETERS), Ids(PETERS), Ids(NONE), Ids(NONE), Ids(PETERS)]),
    ("/FHIR/R5/Observation?patient=40001", [Refused(401), Ids(PETERS), Refused(403), Ids(PETERS), Ids(PETERS), Ids(PETERS), Refused(403), Refused(403), Ids(PETERS)]),
    // A study sees only what was consented to it; patients see their own.
    ("/api/v1/observations?study_id=30002", [Refused(401), Ids(PETERS), Ids(PAMELAS), Ids(IN_30002), Ids(IN_30002), Ids(IN_30002), Ids(NONE), Ids(NONE), Ids(IN_30002)]),
    ("/FHIR/R5/Observation?patient._has:Group:member:_id=30002", [Refused(401), Ids(&[60001]), Ids(IN_30002), Ids(IN_30002), Ids(IN_30002), Ids(IN_30002), Refused(403), Refused(403), Ids(IN_30002)]),
];

/// A role's credentials: a bearer token, a console session, a client secret.
struct Caller {
    role: Role,
    bearer: Option<String>,
    /// Keeps the console session cookie (none for the anonymous caller and the key).
    browser: reqwest::Client,
    /// For everything else: no cookies.
    http: reqwest::Client,
    /// `base64(client_id:client_secret)`, for the key.
    client: Option<String>,
}

async fn callers(server: &Server, test: &jhe_core::testing::TestDatabase) -> Vec<Caller> {
    let mut callers = Vec::new();
    for role in ROLES {
        let browser = server.browser();
        let (bearer, client) = match (role, role.email()) {
            (_, Some(email)) => {
                let response = server.log_in(&browser, email, PASSWORD).await;
                assert_eq!(response.status(), 200, "{email} signs in to the console");
                (Some(token_for(test, email)), None)
            }
            (Role::Key, None) => {
                let (token, key) = marys_key(server, &token_for(test, "mary@example.com")).await;
                (Some(token), Some(key))
            }
            _ => (None, None),
        };
        callers.push(Caller { role, bearer, browser, client, http: reqwest::Client::new() });
    }
    callers
}

/// A new API key of Mary's and an access token traded for it.
async fn marys_key(server: &Server, mary: &str) -> (String, String) {
    let created = create(server, mary, "/api/v1/practitioner_clients", json!({"label": "matrix"})).await;
    let key = created["key"].as_str().unwrap().to_owned();
    let response = reqwest::Client::new()
        .post(server.url("/o/token/"))
        .header(AUTHORIZATION, format!("Basic {key}"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the key trades for a token");
    let tokens: Value = response.json().await.unwrap();
    (tokens["access_token"].as_str().unwrap().to_owned(), key)
}

/// Sends one request as a caller; returns the status and the body.
async fn send(server: &Server, caller: &Caller, method: Method, path: &str, body: &str) -> (u16, String) {
    let console = path.starts_with("/console/api/");
    let http = if console { &caller.browser } else { &caller.http };
    let mut request = http.request(method, server.url(path));
    if console {
        request = request.header("Origin", &server.base);
    }
    let authenticates_a_client = path.starts_with("/o/introspect/") || path.starts_with("/o/revoke_token/");
    request = match (&caller.client, &caller.bearer) {
        (Some(key), _) if authenticates_a_client => request.header(AUTHORIZATION, format!("Basic {key}")),
        (_, Some(token)) => request.bearer_auth(token),
        _ => request,
    };
    if body.starts_with('{') {
        request = request.header(CONTENT_TYPE, "application/json").body(body.to_owned());
    } else if !body.is_empty() {
        request = request.header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A set-up `POST` that must succeed.
async fn create(server: &Server, token: &str, path: &str, body: Value) -> Value {
    let (status, answer) = call(server, Method::POST, path, Some(token), Some(body)).await;
    assert!(status < 300, "set-up POST {path}: {status} {answer}");
    answer
}

fn id_of(answer: &Value) -> String {
    answer["id"].as_i64().expect("an id").to_string()
}

/// Makes what a row acts on; returns what `{id}` stands for.
async fn fresh(server: &Server, sam: &str, mary: &str, kind: Fresh, n: u64) -> String {
    match kind {
        Fresh::Nothing => String::new(),
        Fresh::Study | Fresh::AnsweredStudy => {
            let study = id_of(&create(server, sam, "/api/v1/studies", json!({"organization": LAB, "name": format!("Throwaway {n}"), "description": "For one call"})).await);
            create(server, sam, &format!("/api/v1/studies/{study}/data_sources"), json!({"data_source_id": CAREX})).await;
            create(server, sam, &format!("/api/v1/studies/{study}/scope_requests"), json!({"scope_code_id": BLOOD_PRESSURE})).await;
            create(server, sam, &format!("/api/v1/studies/{study}/clients"), json!({"clientId": CAREX_APP})).await;
            create(server, sam, &format!("/api/v1/studies/{study}/patients"), json!({"patientIds": [PETER]})).await;
            if let Fresh::AnsweredStudy = kind {
                let answer = STUDY_BP_ANSWER.replace("{id}", &study);
                create(server, sam, &format!("/api/v1/patients/{PETER}/consents"), serde_json::from_str(&answer).unwrap()).await;
            }
            study
        }
        Fresh::Patient => id_of(&create(server, sam, "/api/v1/patients", json!({"telecomEmail": format!("throwaway{n}@example.com"), "organizationId": LAB})).await),
        Fresh::PractitionerAsPatient => {
            let email = format!("staff-patient{n}@example.com");
            create(server, sam, "/api/v1/practitioners", json!({"telecomEmail": email})).await;
            id_of(&create(server, sam, "/api/v1/patients", json!({"telecomEmail": email, "organizationId": LAB})).await)
        }
        Fresh::LinkToPractitioner => {
            let email = format!("patient-staff{n}@example.com");
            let patient = id_of(&create(server, sam, "/api/v1/patients", json!({"telecomEmail": email, "organizationId": LAB})).await);
            let invitation = create(server, sam, "/api/v1/invitation", json!({"patient_id": patient.parse::<i64>().unwrap(), "client_id": CAREX_APP})).await;
            create(server, sam, "/api/v1/practitioners", json!({"telecomEmail": email})).await;
            invitation["token"].as_str().unwrap().to_owned()
        }
        Fresh::Organization => {
            let organization = id_of(&create(server, mary, "/api/v1/organizations", json!({"name": format!("Throwaway {n}"), "type": "team", "partOf": LAB})).await);
            create(server, mary, &format!("/api/v1/organizations/{organization}/user"), json!({"jheUserId": TOM_USER, "organizationPartitionerRole": "member"})).await;
            organization
        }
        Fresh::DataSource => {
            let source = id_of(&create(server, sam, "/api/v1/data_sources", json!({"name": format!("Throwaway {n}")})).await);
            create(server, sam, &format!("/api/v1/data_sources/{source}/supported_scopes"), json!({"scopeCodeId": HEART_RATE})).await;
            source
        }
        Fresh::DataType => id_of(&create(server, sam, "/api/v1/data_types",
            json!({"codingSystem": "http://hl7.org/fhir/resource-types", "codingCode": format!("Throwaway{n}"), "text": "Throwaway"})).await),
        Fresh::Client => {
            let client = id_of(&create(server, sam, "/api/v1/clients",
                json!({"name": "Throwaway", "clientId": format!("throwaway-{n}"), "invitationUrl": "https://app.example.com/CODE"})).await);
            create(server, sam, &format!("/api/v1/clients/{client}/data_sources"), json!({"dataSourceId": CAREX})).await;
            client
        }
        Fresh::Setting => id_of(&create(server, sam, "/api/v1/jhe_settings", json!({"key": format!("throwaway.{n}"), "valueType": "string", "value": "x"})).await),
        Fresh::MarysKey => id_of(&create(server, mary, "/api/v1/practitioner_clients", json!({"label": "throwaway"})).await),
    }
}

/// A blood-pressure data point, base64, for uploads.
fn blood_pressure_point() -> String {
    let point = json!({
        "header": {"uuid": "7a1d4c2e-9b3f-4e5a-8c6d-1f2e3a4b5c6d", "schema_id": {"namespace": "omh", "name": "blood-pressure", "version": "4.0"},
                   "source_creation_date_time": "2024-05-02T08:00:00Z"},
        "body": {"systolic_blood_pressure": {"value": 120, "unit": "mmHg"}, "diastolic_blood_pressure": {"value": 80, "unit": "mmHg"},
                 "effective_time_frame": {"date_time": "2024-05-02T08:00:00Z"}}
    });
    STANDARD.encode(point.to_string())
}

/// The record ids of a list: `/api/v1` pages, FHIR Bundles or plain arrays.
fn ids_in(body: &Value) -> Vec<i64> {
    let id = |v: &Value| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).expect("a record id");
    let mut ids: Vec<i64> = if let Some(results) = body["results"].as_array() {
        results.iter().map(|r| id(&r["id"])).collect()
    } else if let Some(entries) = body["entry"].as_array() {
        entries.iter().map(|e| id(&e["resource"]["id"])).collect()
    } else {
        body.as_array().map(|items| items.iter().map(|r| id(&r["id"])).collect()).unwrap_or_default()
    };
    ids.sort_unstable();
    ids
}

/// Checks what one read gives one caller; describes any difference.
async fn check_read(server: &Server, caller: &Caller, path: &str, expected: Seen) -> Option<String> {
    let (status, text) = send(server, caller, Method::GET, path, "").await;
    match expected {
        Refused(want) if status == want => None,
        Ids(want) if status == 200 => {
            let got = ids_in(&serde_json::from_str(&text).unwrap_or(Value::Null));
            (got != want).then(|| format!("GET {path} as {:?}: expected ids {want:?}, got {got:?}", caller.role))
        }
        Refused(want) => Some(format!("GET {path} as {:?}: expected {want}, got {status} {}", caller.role, brief(&text))),
        Ids(_) => Some(format!("GET {path} as {:?}: expected 200, got {status} {}", caller.role, brief(&text))),
    }
}

fn brief(text: &str) -> String {
    text.chars().take(160).collect()
}

fn consent_change(study: i64, code: &str, consented: bool) -> Value {
    json!({"studyScopeConsents": [{"studyId": study, "scopeConsents": [{"codingSystem": OMH, "codingCode": code, "consented": consented}]}]})
}

#[tokio::test]
async fn every_role_gets_the_answer_the_rules_give_on_every_route() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let callers = callers(&server, &test).await;
    let (sam, mary) = (token_for(&test, "sam@example.com"), token_for(&test, "mary@example.com"));
    // In the order of ROLES.
    let (peter, member, manager) = (&callers[1], &callers[4], &callers[5]);
    let mut mismatches = Vec::new();

    // Who sees which records, on the seed as it is.
    for (path, seen) in VISIBILITY {
        for (caller, expected) in callers.iter().zip(seen) {
            mismatches.extend(check_read(&server, caller, path, *expected).await);
        }
    }

    // Every route, as every role.
    let bp = blood_pressure_point();
    let mut n = 0;
    for (route, body, kind, statuses) in MATRIX {
        let (method, path) = route.split_once(' ').unwrap();
        for (caller, expected) in callers.iter().zip(statuses) {
            n += 1;
            let id = fresh(&server, &sam, &mary, *kind, n).await;
            let fill = |text: &str| text.replace("{id}", &id).replace("{n}", &n.to_string()).replace("{bp}", &bp);
            let (status, answer) = send(&server, caller, method.parse().unwrap(), &fill(path), &fill(body)).await;
            if status != *expected {
                mismatches.push(format!("{route} as {:?}: expected {expected}, got {status} {}", caller.role, brief(&answer)));
            }
        }
    }

    // Revoking a consent hides that patient's data of that type at once:
    // Peter takes back heart rate from study 30001, its only consent.
    mismatches.extend(check_read(&server, manager, "/FHIR/R5/Observation?_id=60002", Ids(&[60002])).await);
    let revoke = consent_change(30001, "omh:heart-rate:2.0", false);
    let (status, _) = call(&server, Method::PATCH, "/api/v1/patients/40001/consents", peter.bearer.as_deref(), Some(revoke)).await;
    assert_eq!(status, 200, "Peter revokes heart rate");
    mismatches.extend(check_read(&server, manager, "/FHIR/R5/Observation?_id=60002", Ids(NONE)).await);
    mismatches.extend(check_read(&server, member, "/api/v1/observations?observation_id=60002", Ids(NONE)).await);
    mismatches.extend(check_read(&server, manager, "/FHIR/R5/Observation/60002", Refused(404)).await);
    mismatches.extend(check_read(&server, peter, "/FHIR/R5/Observation?_id=60002", Ids(&[60002])).await);
    let heart_rate = HEART_RATE_SAMPLE.replace("2024-05-02", "2024-05-03");
    let upload = PETERS_BP_UPLOAD.replace("omh:blood-pressure:4.0", "omh:heart-rate:2.0").replace("{bp}", &STANDARD.encode(heart_rate));
    let (status, answer) = send(&server, peter, Method::POST, "/FHIR/R5/Observation", &upload).await;
    if status != 403 {
        mismatches.push(format!("Peter uploads heart rate after revoking it: expected 403, got {status} {}", brief(&answer)));
    }

    // Consent is per study: Pamela's blood pressure, withdrawn from 30001,
    // stays visible through 30002 only.
    let withdraw = consent_change(30001, "omh:blood-pressure:4.0", false);
    let (status, _) = call(&server, Method::DELETE, "/api/v1/patients/40002/consents", manager.bearer.as_deref(), Some(withdraw)).await;
    assert_eq!(status, 204, "Mary withdraws Pamela's blood pressure from 30001");
    for (path, expected) in [
        ("/FHIR/R5/Observation?patient=40002&patient._has:Group:member:_id=30001", &[60004][..]),
        ("/api/v1/observations?patient_id=40002&study_id=30001", &[60004]),
        ("/FHIR/R5/Observation?patient=40002&patient._has:Group:member:_id=30002", IN_30002),
        ("/FHIR/R5/Observation?patient=40002", PAMELAS),
    ] {
        mismatches.extend(check_read(&server, manager, path, Ids(expected)).await);
    }

    assert!(mismatches.is_empty(), "{} differences:\n{}", mismatches.len(), mismatches.join("\n"));
    test.remove().await;
}
