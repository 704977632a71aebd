//! The demo data set: JHE's organization tree, studies, catalogue, clients
//! and settings, with the guide's demo users (password `Jhe1234!`).
//!
//! Rows are created in JHE's order on a fresh database, so they get JHE's ids
//! (users 10001+, organizations 20001+, studies 30001+, …). Seeding is one
//! transaction: it lands whole or not at all.

use rand::Rng;
use serde_json::json;

use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::store::observations::{Effective, NewObservation};
use crate::store::settings::SettingValue;
use crate::store::{self, clients, consents, data_sources, data_types, observations, organizations};
use crate::store::{patients, practitioners, settings, studies};
use crate::time::{self, Micros};
use crate::users::{self, NewPractitionerUser};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Jhe1234!";

/// The settings key that marks a database holding the demo data.
const SEED_MARKER: &str = "jhe.demo_seed";

pub const OMH_SYSTEM: &str = "https://w3id.org/openmhealth";
pub const IEEE_SYSTEM: &str = "https://w3id.org/ieee1752";
const FHIR_RESOURCE_TYPES: &str = "http://hl7.org/fhir/resource-types";

/// `(email, first name, last name, super user)` of the practitioner accounts,
/// and `(email, first name, last name, birth date, phone)` of the patients,
/// interleaved in JHE's user order.
enum DemoUser {
    Practitioner(&'static str, &'static str, &'static str, bool),
    Patient(&'static str, &'static str, &'static str, &'static str, &'static str),
}

const USERS: [DemoUser; 11] = [
    DemoUser::Practitioner("sam@example.com", "Sam", "Sutton", true),
    DemoUser::Practitioner("mary@example.com", "Mary", "Moreno", false),
    DemoUser::Practitioner("megan@example.com", "Megan", "Meyer", false),
    DemoUser::Practitioner("victor@example.com", "Victor", "Vance", false),
    DemoUser::Practitioner("tom@example.com", "Tom", "Torres", false),
    DemoUser::Patient("peter@example.com", "Peter", "Pham", "1988-04-12", "+1-415-555-0141"),
    DemoUser::Patient("pamela@example.com", "Pamela", "Price", "1992-09-30", "+1-415-555-0172"),
    DemoUser::Practitioner("mark@example.com", "Mark", "Mendez", false),
    DemoUser::Patient("percy@example.com", "Percy", "Patel", "1985-01-22", "+1-617-555-0119"),
    DemoUser::Patient("paul@example.com", "Paul", "Park", "1990-06-05", "+1-617-555-0188"),
    DemoUser::Patient("pat@example.com", "Pat", "Perez", "1983-11-17", "+1-617-555-0163"),
];

/// `(name, type, parent)` in id order from 20001; parent 0 is ROOT.
const ORGANIZATIONS: [(&str, &str, i64); 8] = [
    ("Planetary Research Institute", "edu", 0),
    ("Saturn School of Data Science", "team", 20001),
    ("Lifespan Lab", "laboratory", 20002),
    ("Neptune Health System", "prov", 0),
    ("Department of Medicine", "dept", 20004),
    ("Cardiology Division", "dept", 20005),
    ("Neptunian Pulse Lab", "laboratory", 20006),
    ("Cosmic Cardio Lab", "laboratory", 20006),
];

/// `(organization, practitioner email, role)` in JHE's membership order.
const MEMBERSHIPS: [(i64, &str, &str); 12] = [
    (20001, "mary@example.com", "manager"),
    (20002, "mary@example.com", "manager"),
    (20003, "mary@example.com", "manager"),
    (20003, "megan@example.com", "member"),
    (20003, "victor@example.com", "viewer"),
    (20003, "tom@example.com", "viewer"),
    (20004, "mark@example.com", "manager"),
    (20005, "mark@example.com", "manager"),
    (20006, "mark@example.com", "manager"),
    (20007, "mark@example.com", "manager"),
    (20007, "tom@example.com", "member"),
    (20008, "tom@example.com", "manager"),
];

/// `(patient email, organizations)`.
const PATIENT_ORGANIZATIONS: [(&str, &[i64]); 5] = [
    ("peter@example.com", &[20003]),
    ("pamela@example.com", &[20003]),
    ("percy@example.com", &[20007]),
    ("paul@example.com", &[20008]),
    ("pat@example.com", &[20008, 20006]),
];

/// `(system, code, text)` in id order from 50001.
const DATA_TYPES: [(&str, &str, &str); 16] = [
    (OMH_SYSTEM, "omh:blood-glucose:4.0", "Blood glucose"),
    (OMH_SYSTEM, "omh:blood-pressure:4.0", "Blood pressure"),
    (OMH_SYSTEM, "omh:body-temperature:4.0", "Body temperature"),
    (OMH_SYSTEM, "omh:heart-rate:2.0", "Heart Rate"),
    (OMH_SYSTEM, "omh:oxygen-saturation:2.0", "Oxygen saturation"),
    (OMH_SYSTEM, "omh:respiratory-rate:2.0", "Respiratory rate"),
    (OMH_SYSTEM, "omh:rr-interval:1.0", "RR Interval"),
    (OMH_SYSTEM, "omh:body-weight:3.0", "Body weight"),
    (OMH_SYSTEM, "omh:forced-vital-capacity:1.0", "Forced vital capacity"),
    (OMH_SYSTEM, "omh:forced-expiratory-volume-1-second:1.0", "Forced expiratory volume 1 second"),
    (FHIR_RESOURCE_TYPES, "QuestionnaireResponse", "FHIR QuestionnaireResponse"),
    (OMH_SYSTEM, "omh:physical-activity:1.2", "Physical activity"),
    (OMH_SYSTEM, "omh:step-count:3.0", "Step count"),
    (IEEE_SYSTEM, "ieee:sleep-stage-summary:1.0", "Sleep stage summary"),
    (OMH_SYSTEM, "omh:sleep-episode:1.1", "Sleep episode"),
    (OMH_SYSTEM, "omh:sleep-duration:2.0", "Sleep duration"),
];

const BG: i64 = 50001;
const BP: i64 = 50002;
const BT: i64 = 50003;
const HR: i64 = 50004;
const O2: i64 = 50005;
const QR: i64 = 50011;

/// `(name, type, supported data types)` in id order from 70001.
const DATA_SOURCES: [(&str, &str, &[i64]); 6] = [
    ("CareX", "personal_device", &[BP, HR]),
    ("Dexcom", "personal_device", &[BG]),
    ("iHealth", "personal_device", &[BT, HR]),
    ("Oura", "personal_device", &[HR]),
    ("Questionnaire", "patient_app", &[QR]),
    ("Patient Access API", "medical_device", &[]),
];

/// `(organization, name, description, scope requests, data sources, clients)`
/// in id order from 30001; clients are 1-based positions in the client list.
const STUDIES: [(i64, &str, &str, &[i64], &[i64], &[i64]); 5] = [
    (20003, "Lifespan Study on BP & HR", "Blood Pressure & Heart Rate", &[BP, HR, QR], &[70001, 70005], &[1, 3]),
    (20003, "Lifespan Study on BP", "Blood Pressure", &[BP, QR], &[70001, 70005], &[1]),
    (20006, "Cardiology Div Study on BGL", "Blood Glucose", &[BG], &[70002], &[2]),
    (20007, "Nep Pulse Lab Study on BT", "Body Temperature", &[BT], &[70003], &[2]),
    (20008, "Cosmic Cardio Lab Study on O2", "Oxygen Saturation", &[O2], &[], &[]),
];

/// `(patient email, study, consented data types)`; Peter's 30002 has none,
/// so it is the demo's study pending consent.
const ENROLMENTS: [(&str, i64, &[i64]); 8] = [
    ("peter@example.com", 30001, &[BP, HR, QR]),
    ("peter@example.com", 30002, &[]),
    ("pamela@example.com", 30001, &[BP, HR, QR]),
    ("pamela@example.com", 30002, &[BP, QR]),
    ("percy@example.com", 30004, &[BT]),
    ("paul@example.com", 30005, &[O2]),
    ("pat@example.com", 30003, &[BG]),
    ("pat@example.com", 30005, &[O2]),
];

/// What [`seed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Seeded,
    AlreadySeeded,
}

/// Seeds the demo data. Does nothing on a database that already holds it;
/// refuses a database holding other data unless `force` is set.
pub async fn seed(db: &Db, site_url: &str, force: bool) -> Result<Outcome> {
    let mut tx = db.begin().await?;
    if settings::by_key(tx.conn(), SEED_MARKER).await?.is_some() {
        return Ok(Outcome::AlreadySeeded);
    }
    let holds_data =
        store::users::count(tx.conn()).await? > 0 || !is_catalogue_empty(tx.conn()).await?;
    if holds_data && !force {
        return Err(Error::Conflict(
            "the database already holds other data; seeding it would mix demo rows into it \
             (use --force to seed anyway)"
                .into(),
        ));
    }
    let now = time::now();
    insert_all(tx.conn(), site_url.trim_end_matches('/'), now).await?;
    settings::insert(tx.conn(), SEED_MARKER, &SettingValue::Bool(true), now).await?;
    tx.commit().await?;
    Ok(Outcome::Seeded)
}

async fn is_catalogue_empty(mut conn: Conn<'_>) -> Result<bool> {
    Ok(data_types::list(conn.reborrow()).await?.is_empty()
        && data_sources::list(conn.reborrow()).await?.is_empty()
        && organizations::children(conn, organizations::ROOT_ID).await?.is_empty())
}

async fn insert_all(mut conn: Conn<'_>, site_url: &str, now: Micros) -> Result<()> {
    let mut practitioner_ids = std::collections::HashMap::new();
    let mut patient_ids = std::collections::HashMap::new();
    // The patients' own accounts: the seed's consents are theirs.
    let mut patient_user_ids = std::collections::HashMap::new();
    for (index, user) in USERS.iter().enumerate() {
        // JHE's identifiers: "fhir-" and the user id's last digit three times.
        let digit = (index + 1) % 10;
        let identifier = format!("fhir-{digit}{digit}{digit}");
        match *user {
            DemoUser::Practitioner(email, first, last, is_superuser) => {
                let new = NewPractitionerUser {
                    email,
                    password: DEMO_PASSWORD,
                    first_name: first,
                    last_name: last,
                    is_superuser,
                    identifier: if is_superuser { "" } else { &identifier },
                };
                let (_, practitioner_id) = users::insert_practitioner(conn.reborrow(), &new).await?;
                practitioner_ids.insert(email, practitioner_id);
            }
            DemoUser::Patient(email, first, last, birth_date, phone) => {
                let hash = crate::password::hash(DEMO_PASSWORD)?;
                let user = store::users::NewUser {
                    email,
                    password_hash: Some(&hash),
                    first_name: first,
                    last_name: last,
                    user_type: Some("patient"),
                    is_superuser: false,
                    identifier: &identifier,
                    date_joined: now,
                };
                let user_id = store::users::insert(conn.reborrow(), &user).await?;
                patient_user_ids.insert(email, user_id);
                let patient = patients::NewPatient {
                    user_id: Some(user_id),
                    name_family: Some(last),
                    name_given: Some(first),
                    birth_date: Some(birth_date),
                    telecom_phone: Some(phone),
                };
                patient_ids.insert(email, patients::insert(conn.reborrow(), &patient, now).await?);
            }
        }
    }

    for (name, kind, parent) in ORGANIZATIONS {
        organizations::insert(conn.reborrow(), name, kind, Some(parent), now).await?;
    }
    for (organization, email, role) in MEMBERSHIPS {
        practitioners::add_membership(conn.reborrow(), practitioner_ids[email], organization, role).await?;
    }
    for (email, organization_ids) in PATIENT_ORGANIZATIONS {
        for organization in organization_ids {
            patients::add_organization(conn.reborrow(), patient_ids[email], *organization).await?;
        }
    }
    let peter = patient_ids["peter@example.com"];
    patients::add_identifier(conn.reborrow(), peter, "https://openwearables.io/ns/patient-id", "abc123").await?;
    patients::add_identifier(conn.reborrow(), peter, "urn:oid:1.2.3.4", "E1234").await?;
    for (email, organization, study) in [
        ("mary@example.com", 20003, 30001),
        ("megan@example.com", 20003, 30001),
        ("victor@example.com", 20003, 30001),
        ("mark@example.com", 20007, 30004),
        ("tom@example.com", 20008, 30005),
    ] {
        let settings = json!({"current_organization_id": organization, "current_study_id": study});
        practitioners::set_settings(conn.reborrow(), practitioner_ids[email], &settings.to_string(), now).await?;
    }

    for (system, code, text) in DATA_TYPES {
        data_types::insert(conn.reborrow(), system, code, text, None, now).await?;
    }
    for (name, kind, scopes) in DATA_SOURCES {
        let id = data_sources::insert(conn.reborrow(), name, kind, now).await?;
        for data_type in scopes {
            data_sources::add_supported_scope(conn.reborrow(), id, *data_type).await?;
        }
    }

    let client_ids = insert_clients(conn.reborrow(), site_url, now).await?;

    for (organization, name, description, scopes, sources, clients_of_study) in STUDIES {
        let id = studies::insert(conn.reborrow(), organization, name, description, None, now).await?;
        for data_type in scopes {
            studies::add_scope_request(conn.reborrow(), id, *data_type).await?;
        }
        for source in sources {
            studies::add_data_source(conn.reborrow(), id, *source).await?;
        }
        for position in clients_of_study {
            studies::add_client(conn.reborrow(), id, client_ids[(*position - 1) as usize]).await?;
        }
    }

    let mut consented = Vec::new();
    for (email, study, data_types) in ENROLMENTS {
        let enrolment = studies::enrol(conn.reborrow(), study, patient_ids[email]).await?;
        for data_type in data_types {
            consents::insert(conn.reborrow(), enrolment, *data_type, true, patient_user_ids.get(email).copied(), now).await?;
            consented.push((patient_ids[email], *data_type));
        }
    }

    // One observation per consent to an OMH data type, as JHE seeds them.
    for (index, (patient_id, data_type)) in consented.into_iter().enumerate() {
        let Some(body) = demo_body(data_type, index) else { continue };
        let effective = now - (index as i64 + 1) * 3_600_000_000;
        // Demo codes are `omh:<name>:<version>`.
        let mut code = DATA_TYPES[(data_type - 50001) as usize].1.split(':').skip(1);
        let (name, version) = (code.next().unwrap_or_default(), code.next().unwrap_or_default());
        let mut body = body;
        body["effective_time_frame"] = json!({"date_time": time::to_iso(effective)});
        let data_point = json!({
            "header": {
                "uuid": uuid::Uuid::new_v4().to_string(),
                "schema_id": {"namespace": "omh", "name": name, "version": version},
                "source_creation_date_time": time::to_iso(effective),
                "modality": "sensed",
            },
            "body": body,
        });
        let new = NewObservation {
            patient_id,
            data_type_id: data_type,
            data_source_id: None,
            status: "final",
            omh_data: &data_point.to_string(),
            effective: Effective::At(effective),
        };
        observations::insert(conn.reborrow(), &new, now).await?;
    }

    for (key, value) in demo_settings(site_url) {
        settings::insert(conn.reborrow(), key, &value, now).await?;
    }
    Ok(())
}

/// The body of a demo data point for one of the seeded OMH types.
fn demo_body(data_type: i64, index: usize) -> Option<serde_json::Value> {
    let step = index as i64;
    Some(match data_type {
        BG => json!({"blood_glucose": {"value": 110 + step, "unit": "mg/dL"}}),
        BP => json!({
            "systolic_blood_pressure": {"value": 118 + step, "unit": "mmHg"},
            "diastolic_blood_pressure": {"value": 76 + step, "unit": "mmHg"},
        }),
        BT => json!({"body_temperature": {"value": 36.6, "unit": "C"}}),
        HR => json!({"heart_rate": {"value": 64 + step, "unit": "beats/min"}}),
        O2 => json!({"oxygen_saturation": {"value": 97, "unit": "%"}}),
        _ => return None,
    })
}

/// Patient apps and the console, as JHE seeds them; returns their row ids in order.
async fn insert_clients(mut conn: Conn<'_>, site_url: &str, now: Micros) -> Result<Vec<i64>> {
    let redirect = format!("{site_url}/auth/callback");
    let patient_access_aux = json!({
        "client_id": "77849e74-8e2a-4c2f-826c-bdbef6da3357",
        "scopes": "openid profile launch/patient patient/Patient.read patient/Observation.read",
    })
    .to_string();
    let sof_secret = crate::secret::hash("sof-ehr-launch-dev-secret");
    // (name, client_id, type, grant, invitation URL, aux data, data sources)
    let apps: [(&str, Option<&str>, &str, &str, Option<&str>, Option<&str>, &[i64]); 5] = [
        ("CareX", None, "public", "authorization-code", Some("https://carex.ai/invitation/CODE"), None, &[70001, 70005]),
        ("CommonHealth", None, "public", "authorization-code", Some("https://commonhealth.tcp.org?invitation=CODE"), None, &[70002, 70003]),
        ("Patient Access", None, "public", "authorization-code",
            Some("http://localhost:8001/clients/patient-access/?code=CODE"), Some(&patient_access_aux), &[]),
        ("JHE Admin UI", None, "public", "authorization-code", None, None, &[]),
        ("SoF EHR Launch", Some("sof-ehr-launch"), "confidential", "client-credentials", None, None, &[]),
    ];
    let mut ids = Vec::new();
    for (name, fixed_client_id, client_type, grant_type, invitation_url, aux_data, sources) in apps {
        let client_id = fixed_client_id.map(str::to_owned).unwrap_or_else(random_client_id);
        let is_sof = grant_type == "client-credentials";
        let new = clients::NewClient {
            client_id: &client_id,
            name,
            client_type,
            grant_type,
            client_secret_hash: is_sof.then_some(sof_secret.as_str()),
            redirect_uris: if is_sof { "" } else { &redirect },
            owner_user_id: None,
            invitation_url,
            aux_data,
        };
        let id = clients::insert(conn.reborrow(), &new, now).await?;
        for source in sources {
            clients::add_data_source(conn.reborrow(), id, *source).await?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// 40 random letters and digits, like JHE's generated client ids.
fn random_client_id() -> String {
    rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(40)
        .map(char::from)
        .collect()
}

fn demo_settings(site_url: &str) -> Vec<(&'static str, SettingValue)> {
    use SettingValue::{Bool, Int, Json, String as Text};
    vec![
        ("site.url", Text(site_url.to_owned())),
        ("site.ui.title", Text("JupyterHealth Exchange".into())),
        ("site.time_zone", Text("America/Los_Angeles".into())),
        ("site.registration_invite_code", Text("jhe".into())),
        ("auth.default_orgs", Text(String::new())),
        ("auth.sso.saml2", Int(0)),
        ("auth.sso.valid_domains", Text(String::new())),
        ("auth.patient.invitation_expiration_days", Int(7)),
        ("auth.patient.invitation_redemption_window_hours", Int(12)),
        ("auth.patient_access_clients", Json("[]".into())),
        ("auth.sof.trusted_issuers", Json(r#"["https://fhir.epic.com/interconnect-fhir-oauth/oauth2"]"#.into())),
        ("auth.sof.trusted_audience", Text("77849e74-8e2a-4c2f-826c-bdbef6da3357".into())),
        ("module.ow", Bool(false)),
        ("ow.sync_in_progress", Text(String::new())),
        ("ow.api_url", Text("http://localhost:8001".into())),
        ("ow.api_key", Text(String::new())),
    ]
}
