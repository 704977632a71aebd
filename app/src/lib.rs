//! The jhe console: server-rendered Leptos pages that hydrate in the browser
//! and call the domain through server functions.

// The console's view types nest deeply.
#![recursion_limit = "256"]

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{A, Route, Router, Routes},
};

pub mod api;
pub mod auth;
pub mod home;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod session;

/// The server's public URL, provided to server functions as context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl(pub String);

/// The display name of the configured single-sign-on provider, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoName(pub Option<String>);

/// The network address of the client making the request (behind a trusted
/// proxy, the one the proxy names); the server puts it in every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

/// The HTML document around the console.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/vendor/uplot/uPlot.min.css"/>
                <HashedStylesheet id="leptos" options=options.clone()/>
                // Before the console's script, which draws charts with it.
                <script src="/vendor/uplot/uPlot.iife.min.js" defer nonce=leptos::nonce::use_nonce()></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| if text.is_empty() { "jhe".to_owned() } else { format!("{text} · jhe") }/>
        <Router>
            <TopBar/>
            <main>
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=home::HomePage/>
                    <Route path=(StaticSegment("accounts"), StaticSegment("login")) view=auth::LoginPage/>
                    <Route path=(StaticSegment("invitation"), ParamSegment("code")) view=auth::InvitationPage/>
                    <Route path=StaticSegment("data-sources") view=pages::data_sources::DataSourcesPage/>
                    <Route path=StaticSegment("data-types") view=pages::data_types::DataTypesPage/>
                    <Route path=StaticSegment("studies") view=pages::studies::StudiesPage/>
                    <Route path=StaticSegment("observations") view=pages::observations::ObservationsPage/>
                    <Route path=StaticSegment("consent") view=pages::consent::MyConsentPage/>
                    <Route path=StaticSegment("patients") view=pages::patients::PatientsPage/>
                    <Route path=(StaticSegment("patients"), ParamSegment("id")) view=pages::patients::PatientPage/>
                    <Route path=StaticSegment("organizations") view=pages::organizations::OrganizationsPage/>
                    <Route path=StaticSegment("practitioners") view=pages::practitioners::PractitionersPage/>
                    <Route path=StaticSegment("clients") view=pages::clients::ClientsPage/>
                    <Route path=StaticSegment("settings") view=pages::settings::SettingsPage/>
                    <Route path=StaticSegment("audit") view=pages::audit::AuditPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Any address the console does not know, with the menu still there.
#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. "<a href="/">"Go to the home page"</a>"."</p>
        </section>
    }
}

/// The bar at the top: the signed-in user and "Log Out", or "Log In".
#[component]
fn TopBar() -> impl IntoView {
    let user = Resource::new(|| (), |_| auth::current_user());
    let log_out = ServerAction::<auth::LogOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = log_out.value().get() {
            #[cfg(feature = "hydrate")]
            let _ = window().location().assign("/accounts/login");
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">"jhe"</a>
            <span class="tagline">"health-data exchange"</span>
            <span class="spacer"></span>
            <Suspense fallback=|| ()>
                {move || user.get().map(|user| match user {
                    Ok(Some(user)) => view! {
                        // `A` marks the current section with aria-current="page".
                        <nav aria-label="Console">
                            <A href="/" exact=true>"Home"</A>
                            {user.patient_id.is_some().then(|| view! { <A href="/consent">"My Consents"</A> })}
                            <A href="/studies">"Studies"</A>
                            {user.patient_id.is_none().then(|| view! { <A href="/patients">"Patients"</A> })}
                            <A href="/data-sources">"Data Sources"</A>
                            <A href="/data-types">"Data Types"</A>
                            <A href="/observations">{if user.patient_id.is_some() { "My data" } else { "Observations" }}</A>
                            {user.patient_id.is_none().then(|| view! { <A href="/organizations">"Organizations"</A> })}
                            {user.is_superuser.then(|| view! { <A href="/practitioners">"Practitioners"</A> <A href="/clients">"Clients"</A> <A href="/settings">"Settings"</A> <A href="/audit">"Audit"</A> })}
                        </nav>
                        <span class="who">{user.email.clone()}</span>
                        <button class="link" on:click=move |_| { log_out.dispatch(auth::LogOut {}); }>"Log Out"</button>
                    }.into_any(),
                    _ => view! { <a class="link" href="/accounts/login">"Log In"</a> }.into_any(),
                })}
            </Suspense>
        </header>
    }
}
