//! Adding organization members by email: only managers, only practitioners.

use jhe_core::testing::TestDatabase;
use jhe_core::{Error, organizations, seed, users};

const SITE: &str = "http://127.0.0.1:8000";

#[tokio::test]
async fn managers_add_practitioners_by_email_and_others_learn_nothing() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    seed::seed(&db, SITE, false).await.unwrap();
    let mary = users::authenticate(&db, "mary@example.com", seed::DEMO_PASSWORD, "10.0.0.1").await.unwrap();
    let megan = users::authenticate(&db, "megan@example.com", seed::DEMO_PASSWORD, "10.0.0.1").await.unwrap();

    // A member may not add anyone, and is not told whether the email exists.
    let refused = organizations::set_member_by_email(&db, &megan, 20003, "nobody@example.com", "member").await.unwrap_err();
    assert!(matches!(refused, Error::Forbidden(_)), "{refused:?}");

    let unknown = organizations::set_member_by_email(&db, &mary, 20003, "nobody@example.com", "member").await.unwrap_err();
    assert!(matches!(unknown, Error::NotFound(_)), "{unknown:?}");
    let patient = organizations::set_member_by_email(&db, &mary, 20003, "peter@example.com", "member").await.unwrap_err();
    assert!(matches!(patient, Error::NotFound(_)), "{patient:?}");
    let bad_role = organizations::set_member_by_email(&db, &mary, 20003, "mark@example.com", "owner").await.unwrap_err();
    assert!(matches!(bad_role, Error::Invalid(_)), "{bad_role:?}");

    assert!(organizations::set_member_by_email(&db, &mary, 20003, " Mark@Example.com ", "viewer").await.unwrap());
    assert!(!organizations::set_member_by_email(&db, &mary, 20003, "mark@example.com", "member").await.unwrap());
    let members = organizations::members(&db, 20003).await.unwrap();
    let mark = members.iter().find(|m| m.email == "mark@example.com").expect("Mark is a member");
    assert_eq!(mark.role, "member");
    test.remove().await;
}
