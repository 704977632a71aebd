//! The console's landing page: what this server is and whether its database answers.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the server reports about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    pub version: String,
    pub data_sources: usize,
    pub data_types: usize,
}

/// Reads the catalogue sizes from the database: proof that a click in the
/// browser reaches the server and its storage.
#[server(prefix = "/console/api", endpoint = "server_status", input = crate::api::args::Form)]
pub async fn server_status() -> Result<StatusReport, ServerFnError> {
    use jhe_core::Db;
    let db = use_context::<Db>().ok_or_else(|| ServerFnError::new("database unavailable"))?;
    let sources = jhe_core::data_sources::list(&db).await.map_err(ServerFnError::new)?;
    let types = jhe_core::data_types::list(&db).await.map_err(ServerFnError::new)?;
    Ok(StatusReport {
        version: jhe_core::VERSION.to_owned(),
        data_sources: sources.len(),
        data_types: types.len(),
    })
}

#[component]
pub fn StatusPage() -> impl IntoView {
    let check = ServerAction::<ServerStatus>::new();
    // Rendered disabled on the server; enabled once the page has hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <section class="card">
            <h1>"jhe console"</h1>
            <p>"Research studies, patient consent and device data, exchanged as FHIR and Open mHealth."</p>
            <button
                class="primary"
                disabled=move || !hydrated.get() || check.pending().get()
                on:click=move |_| { check.dispatch(ServerStatus {}); }
            >
                "Check server"
            </button>
            <output class="status" aria-live="polite">
                {move || match check.value().get() {
                    None if check.pending().get() => "Checking…".to_owned(),
                    None => String::new(),
                    Some(Ok(status)) => format!(
                        "Server {} is up: {} data sources, {} data types.",
                        status.version, status.data_sources, status.data_types
                    ),
                    Some(Err(error)) => format!("The server did not answer: {error}"),
                }}
            </output>
        </section>
    }
}
