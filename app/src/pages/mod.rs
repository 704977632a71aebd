//! The console's screens.

pub mod consent;
pub mod data_sources;
pub mod data_types;
pub mod observations;
pub mod patients;
pub mod remembered;
pub mod studies;

pub mod audit;
pub mod clients;
pub mod organizations;
pub mod practitioners;
pub mod settings;

use leptos::prelude::*;

use crate::auth::error_text;

/// A server call's failure, in a banner.
#[component]
pub fn ErrorBanner(error: ServerFnError) -> impl IntoView {
    view! { <p class="error" role="alert">{error_text(&error)}</p> }
}

/// Shown while a server call is on its way.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-busy="true">"Loading…"</p> }
}
