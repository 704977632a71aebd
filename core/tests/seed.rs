//! The demo seed: JHE's ids, idempotence, and refusal to mix into other data.

use jhe_core::store::{consents, observations, organizations, patients, practitioners, studies, users};
use jhe_core::testing::TestDatabase;
use jhe_core::{Error, data_sources, data_types, password, seed};

const SITE: &str = "http://127.0.0.1:8000";

#[tokio::test]
async fn seed_creates_jhe_demo_data_with_its_ids() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    assert_eq!(seed::seed(&db, SITE, false).await.unwrap(), seed::Outcome::Seeded);
    let mut tx = db.begin().await.unwrap();

    let sam = users::by_email(tx.conn(), "sam@example.com").await.unwrap().unwrap();
    assert_eq!(sam.id, 10001);
    assert!(sam.is_superuser);
    assert!(password::verify(seed::DEMO_PASSWORD, sam.password_hash.as_deref().unwrap()));
    let mary = users::by_email(tx.conn(), "mary@example.com").await.unwrap().unwrap();
    assert_eq!((mary.id, mary.identifier.as_str()), (10002, "fhir-222"));
    let mary_profile = practitioners::by_user(tx.conn(), mary.id).await.unwrap().unwrap();
    assert_eq!(mary_profile.id, 80002);
    let roles: Vec<(i64, String)> = practitioners::memberships(tx.conn(), mary_profile.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.organization_id, m.role))
        .collect();
    assert_eq!(roles, [(20001, "manager".into()), (20002, "manager".into()), (20003, "manager".into())]);
    let tom = users::by_email(tx.conn(), "tom@example.com").await.unwrap().unwrap();
    let tom_profile = practitioners::by_user(tx.conn(), tom.id).await.unwrap().unwrap();
    let tom_roles: Vec<String> = practitioners::memberships(tx.conn(), tom_profile.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| format!("{}:{}", m.organization_id, m.role))
        .collect();
    assert_eq!(tom_roles, ["20003:viewer", "20007:member", "20008:manager"]);

    let peter = users::by_email(tx.conn(), "peter@example.com").await.unwrap().unwrap();
    assert_eq!(peter.id, 10006);
    let pat = users::by_email(tx.conn(), "pat@example.com").await.unwrap().unwrap();
    assert_eq!(pat.id, 10011);
    assert_eq!(patients::organization_ids(tx.conn(), 40005).await.unwrap(), [20006, 20008]);
    assert_eq!(patients::by_id(tx.conn(), 40001).await.unwrap().unwrap().user_id, Some(peter.id));
    assert_eq!(patients::identifiers(tx.conn(), 40001).await.unwrap().len(), 2);

    let lifespan = organizations::by_id(tx.conn(), 20003).await.unwrap().unwrap();
    assert_eq!((lifespan.name.as_str(), lifespan.part_of_id), ("Lifespan Lab", Some(20002)));
    let cosmic = organizations::by_id(tx.conn(), 20008).await.unwrap().unwrap();
    assert_eq!((cosmic.name.as_str(), cosmic.part_of_id), ("Cosmic Cardio Lab", Some(20006)));

    // Peter is enrolled in 30002 and has answered none of its requests.
    let study = studies::by_id(tx.conn(), 30002).await.unwrap().unwrap();
    assert_eq!(study.name, "Lifespan Study on BP");
    let pending = studies::enrolment_id(tx.conn(), 30002, 40001).await.unwrap().unwrap();
    assert!(consents::for_enrolment(tx.conn(), pending).await.unwrap().is_empty());
    assert_eq!(studies::scope_request_type_ids(tx.conn(), 30002).await.unwrap(), [50002, 50011]);
    let answered = studies::enrolment_id(tx.conn(), 30001, 40001).await.unwrap().unwrap();
    assert_eq!(consents::for_enrolment(tx.conn(), answered).await.unwrap().len(), 3);

    // One observation per consent to an OMH type: 9, from 60001.
    assert_eq!(observations::count(tx.conn()).await.unwrap(), 9);
    let first = observations::by_id(tx.conn(), 60001).await.unwrap().unwrap();
    assert_eq!((first.patient_id, first.data_type_id), (40001, 50002));
    let point: serde_json::Value = serde_json::from_str(&first.omh_data).unwrap();
    assert_eq!(point["header"]["schema_id"]["name"], "blood-pressure");
    assert!(point["body"]["effective_time_frame"]["date_time"].is_string());
    tx.commit().await.unwrap();

    let sources = data_sources::list(&db).await.unwrap();
    assert_eq!(sources.len(), 6);
    assert_eq!((sources[0].id, sources[0].name.as_str()), (70001, "CareX"));
    let carex_scopes: Vec<&str> = sources[0].supported_scopes.iter().map(|t| t.coding_code.as_str()).collect();
    assert_eq!(carex_scopes, ["omh:blood-pressure:4.0", "omh:heart-rate:2.0"]);
    let types = data_types::list(&db).await.unwrap();
    assert_eq!(types.len(), 16);
    assert_eq!((types[3].id, types[3].coding_code.as_str()), (50004, "omh:heart-rate:2.0"));
    test.remove().await;
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    seed::seed(&db, SITE, false).await.unwrap();
    let before = (data_sources::list(&db).await.unwrap(), data_types::list(&db).await.unwrap());
    assert_eq!(seed::seed(&db, SITE, false).await.unwrap(), seed::Outcome::AlreadySeeded);
    assert_eq!(seed::seed(&db, SITE, true).await.unwrap(), seed::Outcome::AlreadySeeded);
    let after = (data_sources::list(&db).await.unwrap(), data_types::list(&db).await.unwrap());
    assert_eq!(before, after);
    let mut tx = db.begin().await.unwrap();
    assert_eq!(users::count(tx.conn()).await.unwrap(), 11);
    assert_eq!(observations::count(tx.conn()).await.unwrap(), 9);
    tx.commit().await.unwrap();
    test.remove().await;
}

#[tokio::test]
async fn seed_refuses_a_database_with_other_data_unless_forced() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    data_sources::create(&db, &jhe_core::caller::Caller::operator(), "Apple Watch", "personal_device").await.unwrap();
    let refused = seed::seed(&db, SITE, false).await.unwrap_err();
    assert!(matches!(refused, Error::Conflict(_)));
    assert!(refused.to_string().contains("--force"));
    assert_eq!(data_sources::list(&db).await.unwrap().len(), 1, "a refused seed writes nothing");

    assert_eq!(seed::seed(&db, SITE, true).await.unwrap(), seed::Outcome::Seeded);
    let names: Vec<String> = data_sources::list(&db).await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names.len(), 7);
    assert!(names.contains(&"Apple Watch".to_owned()) && names.contains(&"CareX".to_owned()));
    test.remove().await;
}
