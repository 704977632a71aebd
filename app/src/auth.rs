//! Signing in and out of the console, and accepting an invitation link.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::pages::ArgsForm;
use serde::{Deserialize, Serialize};

/// The signed-in user, as the console shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub is_superuser: bool,
    pub patient_id: Option<i64>,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use jhe_core::Db;
    use leptos::prelude::*;
    use tower_sessions::Session;

    pub async fn db() -> Result<Db, ServerFnError> {
        use_context::<Db>().ok_or_else(|| ServerFnError::new("database unavailable"))
    }

    pub async fn session() -> Result<Session, ServerFnError> {
        leptos_axum::extract::<Session>().await.map_err(|e| ServerFnError::new(format!("no session: {e}")))
    }

    /// An error answered with a 4xx status (never the framework's 500).
    pub fn refuse(status: u16, message: &str) -> ServerFnError {
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = axum::http::StatusCode::from_u16(status) {
                options.set_status(status);
            }
        }
        ServerFnError::new(message)
    }

    /// A domain error answered with its matching status.
    pub fn refuse_with(error: &jhe_core::Error) -> ServerFnError {
        use jhe_core::Error;
        let status = match error {
            Error::Invalid(_) => 400,
            Error::NotFound(_) => 404,
            Error::Conflict(_) => 409,
            Error::Forbidden(_) => 403,
            Error::Gone(_) => 410,
            Error::Throttled(_) => 429,
            Error::Store(store) => return refuse(store.status(), store.public_message()),
        };
        refuse(status, &error.to_string())
    }

    /// Spends one of the client's attempts at a secret (a password, an
    /// invitation code); answers 429 when it has none left. Returns the
    /// client's address.
    pub async fn spend_attempt() -> Result<std::net::IpAddr, ServerFnError> {
        let axum::Extension(crate::ClientAddress(address)) = leptos_axum::extract::<axum::Extension<crate::ClientAddress>>()
            .await
            .map_err(|_| ServerFnError::new("client address unavailable"))?;
        let throttle = use_context::<jhe_core::throttle::Throttle>().ok_or_else(|| ServerFnError::new("throttle unavailable"))?;
        throttle.check(address).map_err(|throttled| refuse_with(&throttled.into()))?;
        Ok(address)
    }

    /// A form the browser posted itself (the console's script not yet
    /// loaded): it asks for a page back, not data.
    pub fn is_plain_form_post() -> bool {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.headers.get(axum::http::header::ACCEPT)?.to_str().ok().map(|accept| accept.contains("text/html")))
            .unwrap_or(false)
    }

    /// The site's public URL, as configured for the server.
    pub fn site_url() -> Result<crate::SiteUrl, ServerFnError> {
        use_context::<crate::SiteUrl>().ok_or_else(|| ServerFnError::new("site URL unavailable"))
    }
}

#[server(prefix = "/console/api", endpoint = "current_user", input = crate::api::args::Form)]
pub async fn current_user() -> Result<Option<SignedInUser>, ServerFnError> {
    let (session, db) = (server::session().await?, server::db().await?);
    let caller = crate::session::caller(&session, &db).await.map_err(ServerFnError::new)?;
    Ok(caller.map(|c| SignedInUser {
        id: c.user_id,
        name: crate::api::full_name(&c.first_name, &c.last_name),
        email: c.email,
        is_superuser: c.is_superuser,
        patient_id: c.patient_id,
    }))
}

/// The name of the single-sign-on provider, when one is configured.
#[server(prefix = "/console/api", endpoint = "sso_name", input = crate::api::args::Form)]
pub async fn sso_name() -> Result<Option<String>, ServerFnError> {
    Ok(use_context::<crate::SsoName>().and_then(|name| name.0))
}

/// Checks the password and starts a session; answers where to go next.
/// Before the console's script has loaded the browser posts the form itself,
/// and gets a redirect: to `next`, or back to the form with the error.
#[server(prefix = "/console/api", endpoint = "log_in", input = crate::api::args::Form)]
pub async fn log_in(email: String, password: String, next: String) -> Result<String, ServerFnError> {
    let outcome = check_password(&email, &password, &next).await;
    if server::is_plain_form_post() {
        let target = match &outcome {
            Ok(path) => path.clone(),
            Err(error) => {
                let query: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", &next)
                    .append_pair("error", &error_text(error))
                    .finish();
                format!("/accounts/login?{query}")
            }
        };
        leptos_axum::redirect(&target);
    }
    outcome
}

#[cfg(feature = "ssr")]
async fn check_password(email: &str, password: &str, next: &str) -> Result<String, ServerFnError> {
    let address = server::spend_attempt().await?;
    let (session, db) = (server::session().await?, server::db().await?);
    let caller = jhe_core::users::authenticate(&db, email, password, &address.to_string()).await.map_err(|e| {
        use jhe_core::users::LoginError;
        let status = match e {
            LoginError::Invalid => 401,
            LoginError::Throttled(_) => 429,
            LoginError::Store(store) => return server::refuse(store.status(), store.public_message()),
        };
        server::refuse(status, &e.to_string())
    })?;
    crate::session::sign_in(&session, caller.user_id).await.map_err(ServerFnError::new)?;
    Ok(crate::session::safe_next(next))
}

#[server(prefix = "/console/api", endpoint = "log_out", input = crate::api::args::Form)]
pub async fn log_out() -> Result<(), ServerFnError> {
    let session = server::session().await?;
    crate::session::sign_out(&session).await.map_err(ServerFnError::new)
}

/// Redeems an invitation link and signs the patient in.
#[server(prefix = "/console/api", endpoint = "accept_invitation", input = crate::api::args::Form)]
pub async fn accept_invitation(code: String) -> Result<String, ServerFnError> {
    server::spend_attempt().await?;
    let (session, db) = (server::session().await?, server::db().await?);
    let token = jhe_core::invitations::token_from_code(&code)
        .ok_or_else(|| server::refuse(404, "This invitation link is not valid."))?;
    let lifetimes = use_context::<jhe_core::oauth::Lifetimes>().unwrap_or_default();
    let redemption = jhe_core::invitations::redeem(&db, token, &server::site_url()?.0, &lifetimes)
        .await
        .map_err(|e| server::refuse_with(&e))?;
    crate::session::sign_in(&session, redemption.patient_user_id).await.map_err(ServerFnError::new)?;
    Ok("/consent".to_owned())
}

/// Full-page navigation: the new session cookie must reach server routes too.
fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_owned());
    let login = ServerAction::<LogIn>::new();
    Effect::new(move |_| {
        if let Some(Ok(path)) = login.value().get() {
            go_to(&path);
        }
    });
    let sso = Resource::new(|| (), |_| sso_name());
    let refused = move || query.read().get("error");
    view! {
        <Title text="Log In"/>
        <section class="card narrow">
            <h1>"Log In"</h1>
            {move || refused().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            <ArgsForm action=login>
                <input type="hidden" name="next" value=next/>
                <label>"Email"
                    <input type="email" name="email" autocomplete="username" required/>
                </label>
                <label>"Password"
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                <button class="primary" type="submit" disabled=move || login.pending().get()>
                    "Log In"
                </button>
            </ArgsForm>
            {move || login.value().get().and_then(Result::err).map(|error| view! {
                <p class="error" role="alert">{error_text(&error)}</p>
            })}
            <Suspense fallback=|| ()>
                {move || sso.get().and_then(Result::ok).flatten().map(|name| {
                    let href = format!("/accounts/sso/login?next={}", urlencode(&next()));
                    view! { <p class="alternative"><a class="button" rel="external" href=href>{format!("Log in with {name}")}</a></p> }
                })}
            </Suspense>
        </section>
    }
}

/// Percent-encodes a query value.
fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let accept = ServerAction::<AcceptInvitation>::new();
    Effect::new(move |_| {
        if let Some(Ok(path)) = accept.value().get() {
            go_to(&path);
        }
    });
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <Title text="Invitation"/>
        <section class="card narrow">
            <h1>"You are invited"</h1>
            <p>"A research team has invited you to share health data with their study. Continue to review what they ask for and give or refuse your consent."</p>
            <button
                class="primary"
                disabled=move || !hydrated.get() || accept.pending().get()
                on:click=move |_| { accept.dispatch(AcceptInvitation { code: code() }); }
            >
                "Continue"
            </button>
            {move || accept.value().get().and_then(Result::err).map(|error| view! {
                <p class="error" role="alert">{error_text(&error)}</p>
            })}
        </section>
    }
}

/// The message of a server error, without the framework's prefix.
pub fn error_text(error: &ServerFnError) -> String {
    match error {
        ServerFnError::ServerError(message) => message.clone(),
        ServerFnError::Request(_) => "The server could not be reached. Check your connection and try again.".to_owned(),
        other => other.to_string(),
    }
}
