//! Password and single-sign-on sign-in rules.

use jhe_core::caller::Role;
use jhe_core::testing::TestDatabase;
use jhe_core::users::{self, LoginError, SsoProvisioning};
use jhe_core::{Error, seed};

const SITE: &str = "http://127.0.0.1:8000";

#[tokio::test]
async fn passwords_sign_in_and_failures_slow_down_the_account() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    seed::seed(&db, SITE, false).await.unwrap();
    let mary = users::authenticate(&db, " MARY@example.com", seed::DEMO_PASSWORD, "10.0.0.1").await.unwrap();
    assert_eq!(mary.user_id, 10002);
    assert_eq!(mary.role_in(20003), Some(Role::Manager));
    for _ in 0..5 {
        assert!(matches!(users::authenticate(&db, "mary@example.com", "nope", "10.0.0.2").await, Err(LoginError::Invalid)));
    }
    match users::authenticate(&db, "mary@example.com", seed::DEMO_PASSWORD, "10.0.0.3").await {
        Err(LoginError::Throttled(seconds)) => assert!((1..=30).contains(&seconds), "{seconds}"),
        other => panic!("expected a slow-down, got {other:?}"),
    }
    test.remove().await;
}

#[tokio::test]
async fn sso_signs_in_practitioners_and_provisions_only_when_configured() {
    let test = TestDatabase::create().await;
    let db = test.connect().await;
    seed::seed(&db, SITE, false).await.unwrap();
    let mary = users::sso_sign_in(&db, "Mary@Example.com", None).await.unwrap();
    assert_eq!(mary.user_id, 10002);

    let refused = users::sso_sign_in(&db, "new@example.org", None).await.unwrap_err();
    assert!(matches!(refused, Error::Forbidden(_)));
    assert!(refused.to_string().contains("No jhe account uses new@example.org"));
    let patient = users::sso_sign_in(&db, "peter@example.com", None).await.unwrap_err();
    assert!(patient.to_string().contains("not a practitioner account"));

    let provisioning = SsoProvisioning { organization_id: 20007, role: Role::Viewer };
    let created = users::sso_sign_in(&db, "new@example.org", Some(provisioning)).await.unwrap();
    assert!(created.practitioner_id.is_some());
    assert_eq!(created.memberships, vec![(20007, Role::Viewer)]);
    // A second sign-in finds the account; nothing is added twice.
    let again = users::sso_sign_in(&db, "new@example.org", Some(provisioning)).await.unwrap();
    assert_eq!(again.user_id, created.user_id);
    assert_eq!(again.memberships.len(), 1);
    // Accounts made this way have no password to guess.
    assert!(matches!(users::authenticate(&db, "new@example.org", "", "10.0.0.4").await, Err(LoginError::Invalid)));

    let nowhere = SsoProvisioning { organization_id: 99999, role: Role::Viewer };
    let error = users::sso_sign_in(&db, "other@example.org", Some(nowhere)).await.unwrap_err();
    assert!(error.to_string().contains("organization 99999 does not exist"), "{error}");
    test.remove().await;
}
