//! Data Sources: the catalogue of devices and apps, with their supported
//! scopes. Super users add, edit and delete them. Which modal is open is in
//! the URL (`?add`, `?view=ID`), so a reload or a shared link reopens it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{ArgsForm, ConfirmDialog, ErrorBanner, Flash, Loading, Modal, PlusIcon, data_type_label};
use crate::api::{
    AddDataSource, AddSupportedScope, DataSourceView, DeleteDataSource, EditDataSource, RemoveSupportedScope, data_sources,
    data_types,
};
use crate::auth::current_user;

/// The three data-source kinds, as stored and as shown.
const KINDS: [(&str, &str); 3] =
    [("personal_device", "Personal Device"), ("medical_device", "Medical Device"), ("patient_app", "Patient App")];

fn kind_label(kind: &str) -> String {
    KINDS.iter().find(|(value, _)| *value == kind).map_or_else(|| kind.to_owned(), |(_, label)| (*label).to_owned())
}

#[component]
pub fn DataSourcesPage() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let add = ServerAction::<AddDataSource>::new();
    let add_scope = ServerAction::<AddSupportedScope>::new();
    let remove_scope = ServerAction::<RemoveSupportedScope>::new();
    let edit = ServerAction::<EditDataSource>::new();
    let delete = ServerAction::<DeleteDataSource>::new();
    let sources = Resource::new(
        move || (add.version().get(), add_scope.version().get(), remove_scope.version().get(), edit.version().get(), delete.version().get()),
        |_| data_sources(),
    );
    let types = Resource::new(|| (), |_| data_types());
    let is_superuser = move || user.get().and_then(Result::ok).flatten().is_some_and(|u| u.is_superuser);

    let query = use_query_map();
    let adding = move || query.read().get("add").is_some();
    let viewing = move || query.read().get("view").and_then(|id| id.parse::<i64>().ok());
    let navigate = use_navigate();
    let open = Callback::new(move |url: String| navigate(&url, NavigateOptions::default()));
    let close = Callback::new(move |_: ()| open.run("/data-sources".into()));
    let flash = RwSignal::new(None::<String>);
    // The name typed in the Add dialog, to warn of a duplicate before it is made.
    let new_name = RwSignal::new(String::new());
    let same_name = move |name: &str, except: Option<i64>| {
        let name = name.trim().to_lowercase();
        sources
            .get_untracked()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| Some(s.id) != except && !name.is_empty() && s.name.trim().to_lowercase() == name)
            .map(|s| s.id)
            .collect::<Vec<_>>()
    };
    Effect::new(move |_| {
        if let Some(Ok(id)) = add.value().get() {
            let name = new_name.get_untracked();
            let twins = same_name(&name, Some(id));
            let mut message = format!("Data source \"{}\" created with id {id}.", name.trim());
            if !twins.is_empty() {
                let ids: Vec<String> = twins.iter().map(ToString::to_string).collect();
                message.push_str(&format!(" Another data source has the same name (id {}); tell them apart by id.", ids.join(", ")));
            }
            flash.set(Some(message));
            open.run("/data-sources".into());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            flash.set(Some("Data source deleted.".into()));
            open.run("/data-sources".into());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = edit.value().get() {
            flash.set(Some("Data source saved.".into()));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = add_scope.value().get() {
            flash.set(Some("Supported scope added.".into()));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = remove_scope.value().get() {
            flash.set(Some("Supported scope removed.".into()));
        }
    });
    view! {
        <Title text="Data Sources"/>
        <section class="card">
            <div class="heading-row">
                <h1>"Data Sources"</h1>
                <Suspense fallback=|| ()>
                    {move || is_superuser().then(|| view! {
                        <button class="primary" on:click=move |_| open.run("/data-sources?add".into())><PlusIcon/>" Add Data Source"</button>
                    })}
                </Suspense>
            </div>
            <Flash message=flash/>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || sources.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="notice">"No data sources yet. A super user adds the devices and apps that upload data."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Data sources list">
                        <table class="cards">
                            <thead><tr><th>"ID"</th><th>"Name"</th><th>"Type"</th><th>"Supported Scopes"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|source| {
                                    let id = source.id;
                                    let scopes: Vec<String> = source.supported_scopes.iter().map(|t| t.text.clone()).collect();
                                    view! {
                                        <tr>
                                            <td data-label="ID">{id}</td>
                                            <td data-label="Name">{source.name.clone()}</td>
                                            <td data-label="Type">{kind_label(&source.kind)}</td>
                                            <td data-label="Supported Scopes">{if scopes.is_empty() { "None yet".to_owned() } else { scopes.join(", ") }}</td>
                                            <td class="row-actions"><button class="icon" aria-label=format!("View {}", source.name) title="View"
                                                on:click=move |_| open.run(format!("/data-sources?view={id}"))>"View"</button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any(),
                })}
            </Suspense>
        </section>
        <Show when=adding>
            <Modal label="Add Data Source" on_close=close>
                <h2>"Add Data Source"</h2>
                <ArgsForm action=add>
                    <label>"Name" <input type="text" name="name" required on:input=move |ev| new_name.set(event_target_value(&ev))/></label>
                    {move || {
                        let twins = { new_name.track(); same_name(&new_name.get(), None) };
                        (!twins.is_empty()).then(|| view! {
                            <p class="warning" role="status">{format!("A data source with this name exists already (id {}).",
                                twins.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))}</p>
                        })
                    }}
                    <KindSelect selected="personal_device".to_owned()/>
                    <div class="actions">
                        <button type="button" on:click=move |_| close.run(())>"Cancel"</button>
                        <button class="primary" type="submit" disabled=move || add.pending().get()>"Create"</button>
                    </div>
                </ArgsForm>
                {move || add.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            </Modal>
        </Show>
        <Suspense fallback=|| ()>
            {move || viewing().map(|id| {
                let found = sources.get().map(|result| result.map(|list| list.into_iter().find(|s| s.id == id)));
                view! {
                    <Modal label="View Data Source" on_close=close>
                        {move || delete.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
                        {match found.clone() {
                            None => view! { <Loading/> }.into_any(),
                            Some(Err(error)) => view! { <ErrorBanner error/> }.into_any(),
                            Some(Ok(None)) => view! { <p class="error" role="alert">{format!("There is no data source {id}.")}</p> }.into_any(),
                            Some(Ok(Some(source))) => view! {
                                <SourceDetails source types is_superuser=Signal::derive(is_superuser) add_scope remove_scope edit delete/>
                            }.into_any(),
                        }}
                        <div class="actions"><button on:click=move |_| close.run(())>"Close"</button></div>
                    </Modal>
                }
            })}
        </Suspense>
    }
}

#[component]
fn KindSelect(selected: String) -> impl IntoView {
    view! {
        <label>"Type"
            <select name="kind">
                {KINDS.iter().map(|(value, label)| view! {
                    <option value=*value selected=selected == *value>{*label}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The "View" modal's content: supported scopes, and for super users
/// adding and removing them, editing, and deleting with a confirmation.
#[component]
fn SourceDetails(
    source: DataSourceView,
    types: Resource<Result<Vec<crate::api::DataTypeView>, ServerFnError>>,
    is_superuser: Signal<bool>,
    add_scope: ServerAction<AddSupportedScope>,
    remove_scope: ServerAction<RemoveSupportedScope>,
    edit: ServerAction<EditDataSource>,
    delete: ServerAction<DeleteDataSource>,
) -> impl IntoView {
    let id = source.id;
    let supported: Vec<i64> = source.supported_scopes.iter().map(|t| t.id).collect();
    let choice = RwSignal::new(String::new());
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = edit.value().get() {
            editing.set(false);
        }
    });
    let name = source.name.clone();
    let (edit_name, edit_kind) = (source.name.clone(), source.kind.clone());
    view! {
        <h2>{source.name.clone()}</h2>
        <p class="muted">{format!("ID {id} · {}", kind_label(&source.kind))}</p>
        <h3>"Supported Scopes"</h3>
        <ul class="scopes">
            {source.supported_scopes.clone().into_iter().map(|t| {
                let data_type_id = t.id;
                let label = format!("Remove {}", t.text);
                view! {
                    <li>
                        <span>{data_type_label(&t)}</span>
                        {move || is_superuser.get().then(|| view! {
                            <button class="icon" aria-label=label.clone() disabled=move || remove_scope.pending().get()
                                on:click=move |_| { remove_scope.dispatch(RemoveSupportedScope { data_source_id: id, data_type_id }); }>"Remove"</button>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {move || is_superuser.get().then(|| {
            let options = types.get().and_then(Result::ok).unwrap_or_default();
            let supported = supported.clone();
            view! {
                <div class="inline-form">
                    <label>"Data type"
                        <select on:change=move |ev| choice.set(event_target_value(&ev))>
                            <option value="">"Choose…"</option>
                            {options.into_iter().filter(|t| !supported.contains(&t.id)).map(|t| view! {
                                <option value=t.id.to_string()>{data_type_label(&t)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button class="primary" aria-label="Add"
                        disabled=move || choice.get().is_empty() || add_scope.pending().get()
                        on:click=move |_| {
                            if let Ok(data_type_id) = choice.get().parse() {
                                add_scope.dispatch(AddSupportedScope { data_source_id: id, data_type_id });
                            }
                        }><PlusIcon/>" Add"</button>
                </div>
            }
        })}
        {move || add_scope.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
        {move || remove_scope.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
        {move || is_superuser.get().then(|| {
            let (name, kind) = (edit_name.clone(), edit_kind.clone());
            view! {
                <div class="actions">
                    <button on:click=move |_| editing.set(true)>"Edit"</button>
                    <button class="danger" on:click=move |_| confirming.set(true)>"Delete"</button>
                </div>
                <Show when=move || editing.get()>
                    <EditForm id name=name.clone() kind=kind.clone() edit editing/>
                </Show>
                {move || edit.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            }
        })}
        <Show when=move || confirming.get()>
            <ConfirmDialog label="Confirm deletion" act="Delete"
                question=format!("Delete {name}? Studies and clients stop listing it; its observations are kept.")
                pending=Signal::derive(move || delete.pending().get())
                on_act=Callback::new(move |_| { delete.dispatch(DeleteDataSource { id }); })
                on_keep=Callback::new(move |_| confirming.set(false))/>
        </Show>
    }
}

#[component]
fn EditForm(id: i64, name: String, kind: String, edit: ServerAction<EditDataSource>, editing: RwSignal<bool>) -> impl IntoView {
    view! {
        <ArgsForm action=edit attr:aria-label="Edit Data Source">
            <input type="hidden" name="id" value=id.to_string()/>
            <label>"Name" <input type="text" name="name" required value=name/></label>
            <KindSelect selected=kind/>
            <div class="actions">
                <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                <button class="primary" type="submit" disabled=move || edit.pending().get()>"Save"</button>
            </div>
        </ArgsForm>
    }
}
