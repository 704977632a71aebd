//! The console's screens.

pub mod consent;
pub mod data_sources;
pub mod data_types;
pub mod observations;
pub mod patients;
pub mod remembered;
pub mod studies;

pub mod audit;
pub mod chart;
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

/// A modal dialog: the browser's own `<dialog>` opened with `showModal()`,
/// so focus moves in and stays in, the page behind is inert, and Escape
/// closes it (calling `on_close`, which clears the `?view`/`?add` that
/// opened it). When it goes away, focus returns to what opened it.
#[component]
pub fn Modal(
    /// The dialog's accessible name.
    #[prop(into)]
    label: String,
    on_close: Callback<()>,
    /// Extra classes: `wide` for a study, `drawer` for a side panel.
    #[prop(optional)]
    class: &'static str,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        // What had the focus before the dialog opened: it gets it back.
        let opener = send_wrapper::SendWrapper::new(
            document().active_element().and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok()),
        );
        Effect::new(move |_| {
            if let Some(dialog) = dialog.get() {
                open_when_connected(send_wrapper::SendWrapper::new(dialog), 60);
            }
        });
        on_cleanup(move || {
            if let Some(opener) = opener.take() {
                let _ = opener.focus();
            }
        });
    }
    view! {
        <dialog
            node_ref=dialog
            class=format!("modal {class}")
            aria-label=label
            // Only a real close: not one queued while the dialog was being
            // reopened as a modal.
            on:close=move |_| {
                if dialog.get_untracked().is_none_or(|dialog| !dialog.open()) {
                    on_close.run(());
                }
            }
            // Escape closes it however it was opened (the browser skips a
            // dialog opened without a user gesture).
            on:keydown=move |event| {
                if event.key() == "Escape" {
                    event.prevent_default();
                    if let Some(dialog) = dialog.get_untracked() {
                        dialog.close();
                    }
                }
            }
        >
            {children()}
        </dialog>
    }
}

/// `showModal()` needs the dialog in the document, and a page still being
/// put together may attach it a frame later, or move it (which leaves it
/// open but no longer modal). For the first second, each frame makes sure it
/// is open as a modal.
#[cfg(feature = "hydrate")]
fn open_when_connected(dialog: send_wrapper::SendWrapper<web_sys::HtmlDialogElement>, frames_left: u32) {
    if dialog.is_connected() && !dialog.matches(":modal").unwrap_or(false) {
        let _ = dialog.remove_attribute("open");
        let _ = dialog.show_modal();
    }
    if frames_left > 0 {
        request_animation_frame(move || open_when_connected(dialog, frames_left - 1));
    }
}

/// The message after a save ("Study created (id 30003)."), announced to
/// screen readers.
#[component]
pub fn Flash(message: RwSignal<Option<String>>) -> impl IntoView {
    move || message.get().map(|text| view! { <p class="flash" role="status">{text}</p> })
}

/// The "+" on Add buttons, drawn (a font may lack the glyph).
#[component]
pub fn PlusIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path d="M8 2v12M2 8h12" stroke="currentColor" stroke-width="2" stroke-linecap="round" fill="none"/>
        </svg>
    }
}

/// A data type as the console names it everywhere: its text and, since two
/// types may differ only in capitalisation, its code.
pub fn data_type_label(data_type: &crate::api::DataTypeView) -> String {
    format!("{} ({})", data_type.text, data_type.coding_code)
}

/// A moment (microseconds since the epoch) as the reader's clock shows it:
/// the server writes it in UTC, the browser rewrites it in the reader's
/// time zone and language ("Mar 4, 2025, 8:15 AM").
#[component]
pub fn LocalTime(micros: Option<i64>) -> impl IntoView {
    let Some(micros) = micros else { return view! { <span class="muted">"—"</span> }.into_any() };
    let utc = utc_text(micros);
    let text = RwSignal::new(utc.1.clone());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(micros as f64 / 1000.0));
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
        text.set(String::from(date.to_locale_string("default", &options)));
    });
    view! { <time datetime=utc.0>{move || text.get()}</time> }.into_any()
}

/// `(ISO 8601, "2025-03-04 08:15 UTC")` of a moment in microseconds.
fn utc_text(micros: i64) -> (String, String) {
    let moment = chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default();
    (moment.format("%Y-%m-%dT%H:%M:%SZ").to_string(), moment.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// A column heading that sorts the table: `aria-sort` says how it is sorted.
#[component]
pub fn SortHeader(
    label: &'static str,
    /// "ascending", "descending" or None when the table is sorted otherwise.
    sorted: Signal<Option<&'static str>>,
    on_sort: Callback<()>,
) -> impl IntoView {
    view! {
        <th aria-sort=move || sorted.get().unwrap_or("none")>
            <button class="sort" on:click=move |_| on_sort.run(())>
                {label}
                <span aria-hidden="true">{move || match sorted.get() { Some("ascending") => " ▲", Some(_) => " ▼", None => "" }}</span>
            </button>
        </th>
    }
}

/// Shown while a server call is on its way.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-busy="true">"Loading…"</p> }
}

#[cfg(test)]
mod tests {
    use super::utc_text;

    #[test]
    fn moments_read_as_utc_dates() {
        assert_eq!(utc_text(0).1, "1970-01-01 00:00 UTC");
        assert_eq!(utc_text(1_709_553_300_000_000).0, "2024-03-04T11:55:00Z");
        assert_eq!(utc_text(951_782_400_000_000).1, "2000-02-29 00:00 UTC");
    }
}
