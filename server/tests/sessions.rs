//! Browser sign-in over HTTP: the log-in server function, session cookies,
//! fixation, sign-out, CSRF and the slow-down after failed attempts.

mod common;

use common::{PASSWORD, Server, seeded};
use serde_json::Value;

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("jhe_session="))
        .map(str::to_owned)
}

async fn current_user(server: &Server, browser: &reqwest::Client) -> Value {
    let response = browser
        .post(server.url("/console/api/current_user"))
        .header("Origin", &server.base)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn log_in_sets_a_hardened_cookie_and_log_out_ends_the_session() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let browser = server.browser();
    assert_eq!(current_user(&server, &browser).await, Value::Null);

    let response = server.log_in(&browser, " Mary@Example.com ", PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = session_cookie(&response).expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain-http site: no Secure flag");
    assert_eq!(response.json::<String>().await.unwrap(), "/");
    let user = current_user(&server, &browser).await;
    assert_eq!(user["email"], "mary@example.com");
    assert_eq!(user["id"], 10002);

    let response = browser.post(server.url("/console/api/log_out")).header("Origin", &server.base).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(current_user(&server, &browser).await, Value::Null);
    test.remove().await;
}

#[tokio::test]
async fn the_session_id_changes_at_log_in() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let browser = server.browser();
    // A first, failed attempt: any session id the browser holds now...
    let _ = server.log_in(&browser, "pamela@example.com", "wrong password").await;
    let before = browser
        .post(server.url("/console/api/current_user"))
        .header("Origin", &server.base)
        .send()
        .await
        .unwrap();
    let planted = session_cookie(&before);
    // ...is not the one that holds the signed-in user.
    let response = server.log_in(&browser, "pamela@example.com", PASSWORD).await;
    let issued = session_cookie(&response).expect("a new session cookie at log-in");
    assert_ne!(Some(issued.clone()), planted);
    // Replaying a pre-login id grants nothing.
    if let Some(planted) = planted {
        let id = planted.split(';').next().unwrap();
        let response = reqwest::Client::new()
            .post(server.url("/console/api/current_user"))
            .header("Origin", &server.base)
            .header("Cookie", id)
            .send()
            .await
            .unwrap();
        assert_eq!(response.json::<Value>().await.unwrap(), Value::Null);
    }
    test.remove().await;
}

#[tokio::test]
async fn failures_say_only_invalid_email_or_password_and_repeated_ones_are_slowed() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let browser = server.browser();
    for (email, password) in [("peter@example.com", "wrong"), ("nobody@example.com", PASSWORD)] {
        let response = server.log_in(&browser, email, password).await;
        assert_eq!(response.status(), 401);
        assert!(response.text().await.unwrap().contains("invalid email or password"));
    }
    for _ in 0..4 {
        assert_eq!(server.log_in(&browser, "peter@example.com", "wrong").await.status(), 401);
    }
    // Five failures: now even the right password waits.
    let response = server.log_in(&browser, "peter@example.com", PASSWORD).await;
    assert_eq!(response.status(), 429);
    let text = response.text().await.unwrap();
    assert!(text.contains("too many failed sign-in attempts"), "{text}");
    // Other accounts are not locked out by it.
    assert_eq!(server.log_in(&server.browser(), "pamela@example.com", PASSWORD).await.status(), 200);
    test.remove().await;
}

#[tokio::test]
async fn cross_site_writes_with_the_session_cookie_are_refused() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let browser = server.browser();
    assert_eq!(server.log_in(&browser, "sam@example.com", PASSWORD).await.status(), 200);
    for origin in ["https://evil.example", "null"] {
        let response = browser
            .post(server.url("/console/api/log_out"))
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{origin}");
        assert!(response.text().await.unwrap().contains("CSRF"));
    }
    // Still signed in: the forged log-out did nothing.
    assert_eq!(current_user(&server, &browser).await["email"], "sam@example.com");
    test.remove().await;
}

#[tokio::test]
async fn signed_out_pages_send_to_sign_in_and_back_and_no_page_is_stored() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let browser = server.browser();
    let deep = browser.get(server.url("/observations?patient=40001&sort=oldest")).send().await.unwrap();
    assert_eq!(deep.status(), 303);
    assert_eq!(deep.headers()["location"], "/accounts/login?next=%2Fobservations%3Fpatient%3D40001%26sort%3Doldest");
    assert_eq!(deep.headers()["cache-control"], "no-store");
    for public in ["/accounts/login", "/invitation/not-a-code"] {
        let page = browser.get(server.url(public)).send().await.unwrap();
        assert_eq!(page.status(), 200, "{public} opens signed out");
        assert_eq!(page.headers()["cache-control"], "no-store", "{public}");
    }

    // Before the console's script has loaded, the browser posts the form itself.
    let plain = |password: &'static str| {
        browser
            .post(server.url("/console/api/log_in"))
            .header("Origin", &server.base)
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Referer", server.url("/accounts/login?next=%2Fobservations"))
            .form(&[("email", "mary@example.com"), ("password", password), ("next", "/observations")])
            .send()
    };
    let refused = plain("wrong").await.unwrap();
    assert_eq!(refused.status(), 302);
    let back = refused.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with("/accounts/login?next=%2Fobservations&error="), "{back}");
    let accepted = plain(PASSWORD).await.unwrap();
    assert_eq!(accepted.status(), 302);
    assert_eq!(accepted.headers()["location"], "/observations");

    let page = browser.get(server.url("/observations")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store", "a signed-in page is never stored");
    let login = browser.get(server.url("/accounts/login?next=%2Fstudies")).send().await.unwrap();
    assert_eq!(login.status(), 303, "signed in, the login page sends on");
    assert_eq!(login.headers()["location"], "/studies");
    let outside = browser.get(server.url("/accounts/login?next=https%3A%2F%2Fevil.example")).send().await.unwrap();
    assert_eq!(outside.headers()["location"], "/", "no open redirect");
    drop(server);
    test.remove().await;
}
