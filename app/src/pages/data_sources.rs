//! Data Sources: the catalogue of devices and apps, with their supported scopes.

use leptos::prelude::*;

use super::{ErrorBanner, Loading};
use crate::api::{AddDataSource, AddSupportedScope, DataSourceView, data_sources, data_types};
use crate::auth::current_user;

#[component]
pub fn DataSourcesPage() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let add = ServerAction::<AddDataSource>::new();
    let add_scope = ServerAction::<AddSupportedScope>::new();
    let sources = Resource::new(move || (add.version().get(), add_scope.version().get()), |_| data_sources());
    let types = Resource::new(|| (), |_| data_types());
    let adding = RwSignal::new(false);
    let viewing = RwSignal::new(None::<i64>);
    let is_superuser = move || user.get().and_then(Result::ok).flatten().is_some_and(|u| u.is_superuser);
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            adding.set(false);
        }
    });
    view! {
        <section class="card">
            <div class="heading-row">
                <h1>"Data Sources"</h1>
                <Suspense fallback=|| ()>
                    {move || is_superuser().then(|| view! {
                        <button class="primary" on:click=move |_| adding.set(true)>"Add Data Source"</button>
                    })}
                </Suspense>
            </div>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || sources.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) => view! {
                        <table>
                            <thead><tr><th>"Name"</th><th>"Type"</th><th>"Supported Scopes"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|source| {
                                    let id = source.id;
                                    let scopes: Vec<String> = source.supported_scopes.iter().map(|t| t.text.clone()).collect();
                                    view! {
                                        <tr>
                                            <td>{source.name.clone()}</td>
                                            <td>{source.kind.clone()}</td>
                                            <td>{scopes.join(", ")}</td>
                                            <td><button class="icon" aria-label="View" title="View" on:click=move |_| viewing.set(Some(id))>"View"</button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
        <Show when=move || adding.get()>
            <div class="modal" role="dialog" aria-label="Add Data Source">
                <h2>"Add Data Source"</h2>
                <ActionForm action=add>
                    <label>"Name" <input type="text" name="name" required/></label>
                    <label>"Type"
                        <select name="kind">
                            <option value="personal_device">"Personal Device"</option>
                            <option value="medical_device">"Medical Device"</option>
                            <option value="patient_app">"Patient App"</option>
                        </select>
                    </label>
                    <div class="actions">
                        <button type="button" on:click=move |_| adding.set(false)>"Cancel"</button>
                        <button class="primary" type="submit" disabled=move || add.pending().get()>"Create"</button>
                    </div>
                </ActionForm>
                {move || add.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            </div>
        </Show>
        {move || viewing.get().map(|id| {
            let source = move || sources.get().and_then(Result::ok).and_then(|list| list.into_iter().find(|s| s.id == id));
            view! {
                <div class="modal" role="dialog" aria-label="View Data Source">
                    {move || source().map(|source: DataSourceView| {
                        let supported: Vec<i64> = source.supported_scopes.iter().map(|t| t.id).collect();
                        let choice = RwSignal::new(String::new());
                        view! {
                            <h2>{source.name.clone()}</h2>
                            <p>"Type: " {source.kind.clone()}</p>
                            <h3>"Supported Scopes"</h3>
                            <ul class="scopes">
                                {source.supported_scopes.iter().map(|t| view! { <li>{t.text.clone()}</li> }).collect_view()}
                            </ul>
                            {move || is_superuser().then(|| {
                                let options = types.get().and_then(Result::ok).unwrap_or_default();
                                let supported = supported.clone();
                                view! {
                                    <div class="inline-form">
                                        <label>"Data type"
                                            <select on:change=move |ev| choice.set(event_target_value(&ev))>
                                                <option value="">"Choose…"</option>
                                                {options.into_iter().filter(|t| !supported.contains(&t.id)).map(|t| view! {
                                                    <option value=t.id.to_string()>{t.text.clone()}</option>
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <button class="primary" aria-label="Add"
                                            disabled=move || choice.get().is_empty() || add_scope.pending().get()
                                            on:click=move |_| {
                                                if let Ok(data_type_id) = choice.get().parse() {
                                                    add_scope.dispatch(AddSupportedScope { data_source_id: id, data_type_id });
                                                }
                                            }>"＋ Add"</button>
                                    </div>
                                }
                            })}
                            {move || add_scope.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
                        }
                    })}
                    <div class="actions"><button on:click=move |_| viewing.set(None)>"Close"</button></div>
                </div>
            }
        })}
    }
}
