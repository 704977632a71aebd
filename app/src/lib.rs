//! The jhe console: server-rendered Leptos pages that hydrate in the browser
//! and call the domain through server functions.

// The console's view types nest deeply.
#![recursion_limit = "256"]

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{Route, Router, Routes},
};

pub mod api;
pub mod auth;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod session;
pub mod status;

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
        <Stylesheet id="leptos" href="/pkg/jhe.css"/>
        <Title text="jhe"/>
        <Router>
            <TopBar/>
            <main>
                <Routes fallback=|| view! { <p class="notice">"Page not found."</p> }>
                    <Route path=StaticSegment("") view=status::StatusPage/>
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
                        <nav aria-label="Console">
                            {user.patient_id.is_some().then(|| view! { <a href="/consent">"My Consents"</a> })}
                            <a href="/studies">"Studies"</a>
                            {user.patient_id.is_none().then(|| view! { <a href="/patients">"Patients"</a> })}
                            <a href="/data-sources">"Data Sources"</a>
                            <a href="/data-types">"Data Types"</a>
                            <a href="/observations">"Observations"</a>
                            {user.patient_id.is_none().then(|| view! { <a href="/organizations">"Organizations"</a> })}
                            {user.is_superuser.then(|| view! { <a href="/practitioners">"Practitioners"</a> <a href="/clients">"Clients"</a> <a href="/settings">"Settings"</a> <a href="/audit">"Audit"</a> })}
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
