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

/// A form that calls a server function taking [`crate::api::args::Form`]
/// arguments, as Leptos' `ActionForm` does for its own encoding: before
/// hydration it posts as a plain HTML form; after, it dispatches `action`
/// with the form's fields.
#[component]
pub fn ArgsForm<ServFn>(action: ServerAction<ServFn>, children: Children) -> impl IntoView
where
    ServFn: serde::de::DeserializeOwned + leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    ServFn::Output: Send + Sync + 'static,
    ServFn::Error: Send + Sync + 'static,
{
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        match ServFn::from_event(&ev) {
            Ok(arguments) => {
                action.dispatch(arguments);
            }
            Err(error) => action.value().set(Some(Err(ServFn::Error::from_server_fn_error(ServerFnErrorErr::Serialization(error.to_string()))))),
        }
    };
    view! { <form method="post" action=ServFn::url() on:submit=on_submit>{children()}</form> }
}

/// A server call's failure, in a banner.
#[component]
pub fn ErrorBanner(error: ServerFnError) -> impl IntoView {
    view! { <p class="error" role="alert">{error_text(&error)}</p> }
}

/// Under a list paged on the server: previous and next, and where the reader
/// is. `go` gets the page number to show.
#[component]
pub fn Pager(number: i64, count: i64, has_next: bool, page_size: i64, noun: &'static str, go: Callback<i64>) -> impl IntoView {
    let pages = (count + page_size - 1) / page_size;
    view! {
        <nav class="pager" aria-label="Pages">
            <button disabled=number <= 1 on:click=move |_| go.run(number - 1)>"Previous"</button>
            <span>{format!("Page {number} of {pages} · {count} {noun}")}</span>
            <button disabled=!has_next on:click=move |_| go.run(number + 1)>"Next"</button>
        </nav>
    }
}

/// A list's address with its filters in the query, so reloads and links
/// keep them: empty filters and page 1 (the default) are left out.
pub fn list_url(path: &str, filters: &[(&str, String)], page: i64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in filters.iter().filter(|(_, value)| !value.is_empty()) {
        query.append_pair(key, value);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    let query = query.finish();
    if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
}

/// Asks before something is deleted or removed. "Keep it" takes the focus,
/// so a stray Enter keeps things as they are.
#[component]
pub fn ConfirmDialog(
    /// The dialog's accessible name ("Confirm deletion").
    label: &'static str,
    question: String,
    /// The button that goes ahead ("Delete", "Remove").
    act: &'static str,
    pending: Signal<bool>,
    on_act: Callback<()>,
    on_keep: Callback<()>,
) -> impl IntoView {
    let keep = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = keep.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="confirm" role="alertdialog" aria-label=label>
            <p>{question}</p>
            <div class="actions">
                <button node_ref=keep on:click=move |_| on_keep.run(())>"Keep it"</button>
                <button class="danger" disabled=move || pending.get() on:click=move |_| on_act.run(())>{act}</button>
            </div>
        </div>
    }
}

/// Shown while a server call is on its way.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-busy="true">"Loading…"</p> }
}
