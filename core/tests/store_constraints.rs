//! Every table's constraints, through the store API, on the backend under
//! test (SQLite by default, PostgreSQL with JHE_TEST_DATABASE_URL).

use jhe_core::db::Db;
use jhe_core::store::observations::{Effective, NewObservation};
use jhe_core::store::settings::SettingValue;
use jhe_core::store::{
    StoreError, audit, clients, consents, data_sources, data_types, observations, organizations,
    patients, practitioners, settings, studies, users,
};
use jhe_core::testing::TestDatabase;

const NOW: i64 = 1_700_000_000_000_000;

async fn user(db: &Db, email: &str, user_type: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let new = users::NewUser {
        email,
        password_hash: None,
        first_name: "First",
        last_name: "Last",
        user_type: Some(user_type),
        is_superuser: false,
        identifier: "",
        date_joined: NOW,
    };
    let id = users::insert(tx.conn(), &new).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn practitioner(db: &Db, email: &str) -> i64 {
    let user_id = user(db, email, "practitioner").await;
    let mut tx = db.begin().await.unwrap();
    let new = practitioners::NewPractitioner {
        user_id,
        identifier: None,
        name_family: Some("Last"),
        name_given: Some("First"),
        settings: "{}",
    };
    let id = practitioners::insert(tx.conn(), &new, NOW).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn patient(db: &Db, email: &str) -> (i64, i64) {
    let user_id = user(db, email, "patient").await;
    let mut tx = db.begin().await.unwrap();
    let new = patients::NewPatient {
        user_id: Some(user_id),
        name_family: Some("Last"),
        name_given: Some("First"),
        birth_date: Some("1990-01-01"),
        telecom_phone: None,
    };
    let id = patients::insert(tx.conn(), &new, NOW).await.unwrap();
    tx.commit().await.unwrap();
    (user_id, id)
}

async fn organization(db: &Db, name: &str, parent: i64) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = organizations::insert(tx.conn(), name, "laboratory", Some(parent), NOW).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn data_type(db: &Db, code: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = data_types::insert(tx.conn(), "https://w3id.org/openmhealth", code, code, None, NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn data_source(db: &Db, name: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = data_sources::insert(tx.conn(), name, "personal_device", NOW).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn study(db: &Db, organization_id: i64) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = studies::insert(tx.conn(), organization_id, "Study", "About", None, NOW).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn observation(db: &Db, patient_id: i64, data_type_id: i64, source: Option<i64>) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let new = NewObservation {
        patient_id,
        data_type_id,
        data_source_id: source,
        status: "final",
        omh_data: r#"{"header":{},"body":{}}"#,
        effective: Effective::At(NOW),
    };
    let id = observations::insert(tx.conn(), &new, NOW).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// Runs one statement in its own transaction and returns its outcome.
macro_rules! attempt {
    ($db:expr, |$conn:ident| $call:expr) => {{
        let mut tx = $db.begin().await.unwrap();
        let $conn = tx.conn();
        let result = $call.await;
        if result.is_ok() {
            tx.commit().await.unwrap();
        }
        result
    }};
}

fn assert_unique<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    assert!(matches!(result, Err(StoreError::Unique(_))), "expected a unique violation, got {result:?}");
}

fn assert_foreign_key<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    assert!(matches!(result, Err(StoreError::ForeignKey(_))), "expected a foreign-key violation, got {result:?}");
}

fn assert_check<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    assert!(matches!(result, Err(StoreError::Check(_))), "expected a check violation, got {result:?}");
}

#[tokio::test]
async fn ids_start_in_jhe_ranges_and_root_is_zero() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    let root = attempt!(db, |c| organizations::by_id(c, 0)).unwrap().unwrap();
    assert_eq!((root.name.as_str(), root.kind.as_str(), root.part_of_id), ("ROOT", "root", None));
    assert_eq!(practitioner(&db, "a@example.com").await, 80001);
    let (user_id, patient_id) = patient(&db, "b@example.com").await;
    assert_eq!((user_id, patient_id), (10002, 40001));
    assert_eq!(organization(&db, "Lab", 0).await, 20001);
    assert_eq!(study(&db, 20001).await, 30001);
    assert_eq!(data_type(&db, "omh:heart-rate:2.0").await, 50001);
    assert_eq!(data_source(&db, "Watch").await, 70001);
    assert_eq!(observation(&db, patient_id, 50001, None).await, 60001);
    test.remove().await;
}

#[tokio::test]
async fn users_emails_are_unique_and_deleting_a_user_removes_its_profiles() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    let practitioner_id = practitioner(&db, "p@example.com").await;
    let org = organization(&db, "Lab", 0).await;
    attempt!(db, |c| practitioners::add_membership(c, practitioner_id, org, "manager")).unwrap();
    let (patient_user, patient_id) = patient(&db, "q@example.com").await;
    let dup = users::NewUser {
        email: "p@example.com",
        password_hash: None,
        first_name: "",
        last_name: "",
        user_type: None,
        is_superuser: false,
        identifier: "",
        date_joined: NOW,
    };
    assert_unique(attempt!(db, |c| users::insert(c, &dup)));
    let bad_type = users::NewUser { email: "x@example.com", user_type: Some("robot"), ..dup };
    assert_check(attempt!(db, |c| users::insert(c, &bad_type)));

    let practitioner_user = attempt!(db, |c| users::by_email(c, "p@example.com")).unwrap().unwrap().id;
    assert!(attempt!(db, |c| users::delete(c, practitioner_user)).unwrap());
    assert!(attempt!(db, |c| practitioners::by_user(c, practitioner_user)).unwrap().is_none());
    assert!(attempt!(db, |c| practitioners::memberships(c, practitioner_id)).unwrap().is_empty());
    assert!(attempt!(db, |c| users::delete(c, patient_user)).unwrap());
    assert!(attempt!(db, |c| patients::by_id(c, patient_id)).unwrap().is_none());
    test.remove().await;
}

#[tokio::test]
async fn organization_tree_checks_parents_types_and_cascades() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    assert_foreign_key(attempt!(db, |c| organizations::insert(c, "Orphan", "edu", Some(99999), NOW)));
    assert_check(attempt!(db, |c| organizations::insert(c, "Odd", "castle", Some(0), NOW)));
    let parent = organization(&db, "Institute", 0).await;
    let child = organization(&db, "Lab", parent).await;
    let study_id = study(&db, child).await;
    let practitioner_id = practitioner(&db, "m@example.com").await;
    attempt!(db, |c| practitioners::add_membership(c, practitioner_id, child, "member")).unwrap();
    assert_unique(attempt!(db, |c| practitioners::add_membership(c, practitioner_id, child, "viewer")));
    assert_check(attempt!(db, |c| practitioners::add_membership(c, practitioner_id, parent, "owner")));
    let (_, patient_id) = patient(&db, "pt@example.com").await;
    attempt!(db, |c| patients::add_organization(c, patient_id, child)).unwrap();
    assert_unique(attempt!(db, |c| patients::add_organization(c, patient_id, child)));

    assert!(attempt!(db, |c| organizations::delete(c, parent)).unwrap());
    assert!(attempt!(db, |c| organizations::by_id(c, child)).unwrap().is_none());
    assert!(attempt!(db, |c| studies::by_id(c, study_id)).unwrap().is_none());
    assert!(attempt!(db, |c| practitioners::memberships(c, practitioner_id)).unwrap().is_empty());
    assert!(attempt!(db, |c| patients::organization_ids(c, patient_id)).unwrap().is_empty());
    // The patient outlives the organization.
    assert!(attempt!(db, |c| patients::by_id(c, patient_id)).unwrap().is_some());
    test.remove().await;
}

#[tokio::test]
async fn patient_identifiers_are_unique_per_system_across_patients() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    let (_, first) = patient(&db, "one@example.com").await;
    let (_, second) = patient(&db, "two@example.com").await;
    attempt!(db, |c| patients::add_identifier(c, first, "urn:oid:1.2.3.4", "E1")).unwrap();
    assert_unique(attempt!(db, |c| patients::add_identifier(c, second, "urn:oid:1.2.3.4", "E1")));
    attempt!(db, |c| patients::add_identifier(c, second, "urn:oid:9.9", "E1")).unwrap();
    assert_foreign_key(attempt!(db, |c| patients::add_identifier(c, 99999, "urn:x", "E2")));
    assert!(attempt!(db, |c| patients::delete(c, first)).unwrap());
    // The freed identifier can be given to someone else.
    attempt!(db, |c| patients::add_identifier(c, second, "urn:oid:1.2.3.4", "E1")).unwrap();
    assert_eq!(attempt!(db, |c| patients::identifiers(c, second)).unwrap().len(), 2);
    test.remove().await;
}

#[tokio::test]
async fn data_types_are_unique_and_protected_while_used() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    let heart_rate = data_type(&db, "omh:heart-rate:2.0").await;
    assert_unique(attempt!(db, |c| data_types::insert(
        c, "https://w3id.org/openmhealth", "omh:heart-rate:2.0", "again", None, NOW
    )));
    // The same code in another coding system is a different data type.
    attempt!(db, |c| data_types::insert(c, "https://example.org/custom", "omh:heart-rate:2.0", "x", None, NOW))
        .unwrap();

    let source = data_source(&db, "Watch").await;
    attempt!(db, |c| data_sources::add_supported_scope(c, source, heart_rate)).unwrap();
    assert_foreign_key(attempt!(db, |c| data_types::delete(c, heart_rate)));
    assert!(attempt!(db, |c| data_sources::remove_supported_scope(c, source, heart_rate)).unwrap());

    let org = organization(&db, "Lab", 0).await;
    let study_id = study(&db, org).await;
    attempt!(db, |c| studies::add_scope_request(c, study_id, heart_rate)).unwrap();
    assert_foreign_key(attempt!(db, |c| data_types::delete(c, heart_rate)));
    assert!(attempt!(db, |c| studies::delete(c, study_id)).unwrap());

    let (_, patient_id) = patient(&db, "pt@example.com").await;
    let observation_id = observation(&db, patient_id, heart_rate, None).await;
    assert_foreign_key(attempt!(db, |c| data_types::delete(c, heart_rate)));
    assert!(attempt!(db, |c| patients::delete(c, patient_id)).unwrap());
    assert!(attempt!(db, |c| observations::by_id(c, observation_id)).unwrap().is_none());
    // Unused now: it can go.
    assert!(attempt!(db, |c| data_types::delete(c, heart_rate)).unwrap());
    test.remove().await;
}

#[tokio::test]
async fn data_sources_link_uniquely_and_deleting_one_keeps_observations() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    let heart_rate = data_type(&db, "omh:heart-rate:2.0").await;
    let source = data_source(&db, "Watch").await;
    assert_check(attempt!(db, |c| data_sources::insert(c, "Robot", "robot", NOW)));
    attempt!(db, |c| data_sources::add_supported_scope(c, source, heart_rate)).unwrap();
    assert_unique(attempt!(db, |c| data_sources::add_supported_scope(c, source, heart_rate)));
    assert_foreign_key(attempt!(db, |c| data_sources::add_supported_scope(c, 99999, heart_rate)));
    assert_foreign_key(attempt!(db, |c| data_sources::add_supported_scope(c, source, 99999)));

    let org = organization(&db, "Lab", 0).await;
    let study_id = study(&db, org).await;
    attempt!(db, |c| studies::add_data_source(c, study_id, source)).unwrap();
    assert_unique(attempt!(db, |c| studies::add_data_source(c, study_id, source)));
    let client = clients::NewClient {
        client_id: "app-1",
        name: "App",
        client_type: "public",
        grant_type: "authorization-code",
        client_secret_hash: None,
        redirect_uris: "https://app.example.com/cb",
        owner_user_id: None,
        invitation_url: Some("https://app.example.com/i/CODE"),
        aux_data: None,
    };
    let client_id = attempt!(db, |c| clients::insert(c, &client, NOW)).unwrap();
    attempt!(db, |c| clients::add_data_source(c, client_id, source)).unwrap();
    assert_unique(attempt!(db, |c| clients::add_data_source(c, client_id, source)));

    let (_, patient_id) = patient(&db, "pt@example.com").await;
    let observation_id = observation(&db, patient_id, heart_rate, Some(source)).await;
    assert!(attempt!(db, |c| data_sources::delete(c, source)).unwrap());
    let kept = attempt!(db, |c| observations::by_id(c, observation_id)).unwrap().unwrap();
    assert_eq!(kept.data_source_id, None);
    assert!(attempt!(db, |c| studies::data_source_ids(c, study_id)).unwrap().is_empty());
    assert!(attempt!(db, |c| data_sources::all_supported_scopes(c)).unwrap().is_empty());
    test.remove().await;
}

#[tokio::test]
async fn studies_enrolments_and_consents_are_unique_and_cascade() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    let heart_rate = data_type(&db, "omh:heart-rate:2.0").await;
    let org = organization(&db, "Lab", 0).await;
    assert_foreign_key(attempt!(db, |c| studies::insert(c, 99999, "S", "D", None, NOW)));
    let study_id = study(&db, org).await;
    attempt!(db, |c| studies::add_scope_request(c, study_id, heart_rate)).unwrap();
    assert_unique(attempt!(db, |c| studies::add_scope_request(c, study_id, heart_rate)));
    let (_, patient_id) = patient(&db, "pt@example.com").await;
    let enrolment = attempt!(db, |c| studies::enrol(c, study_id, patient_id)).unwrap();
    assert_unique(attempt!(db, |c| studies::enrol(c, study_id, patient_id)));
    assert_eq!(attempt!(db, |c| studies::enrolment_id(c, study_id, patient_id)).unwrap(), Some(enrolment));
    attempt!(db, |c| consents::insert(c, enrolment, heart_rate, true, None, NOW)).unwrap();
    assert_unique(attempt!(db, |c| consents::insert(c, enrolment, heart_rate, false, None, NOW)));
    assert_foreign_key(attempt!(db, |c| consents::insert(c, 99999, heart_rate, true, None, NOW)));
    assert_eq!(attempt!(db, |c| consents::consented_pairs(c)).unwrap(), vec![(patient_id, heart_rate)]);

    assert!(attempt!(db, |c| studies::delete(c, study_id)).unwrap());
    assert!(attempt!(db, |c| consents::for_enrolment(c, enrolment)).unwrap().is_empty());
    assert_eq!(attempt!(db, |c| studies::enrolment_id(c, study_id, patient_id)).unwrap(), None);
    test.remove().await;
}

#[tokio::test]
async fn observations_identifiers_statuses_and_clients_are_constrained() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    let heart_rate = data_type(&db, "omh:heart-rate:2.0").await;
    let (_, patient_id) = patient(&db, "pt@example.com").await;
    let first = observation(&db, patient_id, heart_rate, None).await;
    let second = observation(&db, patient_id, heart_rate, None).await;
    let stored = attempt!(db, |c| observations::add_identifiers(c, &[(first, "urn:device", "reading-1")])).unwrap();
    assert_eq!(stored, vec![("urn:device".to_owned(), "reading-1".to_owned())]);
    // A second holder of the same identifier is skipped, not stored.
    let stored = attempt!(db, |c| observations::add_identifiers(c, &[(second, "urn:device", "reading-1"), (second, "urn:device", "reading-2")])).unwrap();
    assert_eq!(stored, vec![("urn:device".to_owned(), "reading-2".to_owned())]);
    let held = attempt!(db, |c| observations::existing_identifiers(c, &[("urn:device", "reading-1"), ("urn:other", "reading-1")])).unwrap();
    let held: Vec<(String, String, i64, i64)> = held.into_iter().map(|h| (h.system, h.value, h.observation_id, h.patient_id)).collect();
    assert_eq!(held, vec![("urn:device".to_owned(), "reading-1".to_owned(), first, patient_id)]);
    let bad_status = NewObservation {
        patient_id,
        data_type_id: heart_rate,
        data_source_id: None,
        status: "made-up",
        omh_data: "{}",
        effective: Effective::None,
    };
    assert_check(attempt!(db, |c| observations::insert(c, &bad_status, NOW)));
    let orphan = NewObservation { patient_id: 99999, status: "final", ..bad_status };
    assert_foreign_key(attempt!(db, |c| observations::insert(c, &orphan, NOW)));
    assert_eq!(attempt!(db, |c| observations::count(c)).unwrap(), 2);

    let client = clients::NewClient {
        client_id: "same",
        name: "One",
        client_type: "public",
        grant_type: "authorization-code",
        client_secret_hash: None,
        redirect_uris: "",
        owner_user_id: None,
        invitation_url: None,
        aux_data: None,
    };
    attempt!(db, |c| clients::insert(c, &client, NOW)).unwrap();
    assert_unique(attempt!(db, |c| clients::insert(c, &client, NOW)));
    let bad_grant = clients::NewClient { client_id: "other", grant_type: "password", ..client };
    assert_check(attempt!(db, |c| clients::insert(c, &bad_grant, NOW)));
    test.remove().await;
}

#[tokio::test]
async fn settings_keys_are_unique_and_values_round_trip() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    for (key, value) in [
        ("a.string", SettingValue::String("x".into())),
        ("a.int", SettingValue::Int(7)),
        ("a.bool", SettingValue::Bool(true)),
        ("a.float", SettingValue::Float(1.5)),
        ("a.json", SettingValue::Json("[1,2]".into())),
    ] {
        attempt!(db, |c| settings::insert(c, key, &value, NOW)).unwrap();
        let row = attempt!(db, |c| settings::by_key(c, key)).unwrap().unwrap();
        assert_eq!(row.value(), Some(value.clone()));
        assert_unique(attempt!(db, |c| settings::insert(c, key, &value, NOW)));
    }
    test.remove().await;
}

#[tokio::test]
async fn audit_events_outlive_the_rows_they_name() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    let (user_id, patient_id) = patient(&db, "pt@example.com").await;
    let event = audit::NewAuditEvent {
        actor_user_id: Some(user_id),
        action: "consent.grant",
        object_type: "patient",
        object_id: Some("40001"),
        patient_id: Some(patient_id),
        detail: r#"{"study":30001}"#,
    };
    attempt!(db, |c| audit::record(c, std::slice::from_ref(&event), NOW)).unwrap();
    assert!(attempt!(db, |c| patients::delete(c, patient_id)).unwrap());
    let events = attempt!(db, |c| audit::list(c, &audit::AuditFilter::default(), 0, 10)).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].patient_id, Some(patient_id));
    assert_eq!(events[0].action, "consent.grant");
    test.remove().await;
}
