//! Clients (super users): the patient apps, adding one, and the data
//! sources each app reads from.

use leptos::prelude::*;
use leptos_meta::Title;

use super::organizations::hydrated;
use super::{ErrorBanner, Loading, Modal};
use crate::api::clients::{AddClient, AddClientDataSource, ClientView, RemoveClientDataSource, clients};
use crate::api::data_sources;
use crate::auth::current_user;

#[component]
pub fn ClientsPage() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let add = ServerAction::<AddClient>::new();
    let link = ServerAction::<AddClientDataSource>::new();
    let unlink = ServerAction::<RemoveClientDataSource>::new();
    let list = Resource::new(move || (add.version().get(), link.version().get(), unlink.version().get()), |_| clients());
    let catalogue = Resource::new(|| (), |_| data_sources());
    let adding = RwSignal::new(false);
    let viewing = RwSignal::new(None::<i64>);
    let ready = hydrated();
    let is_superuser = move || user.get().and_then(Result::ok).flatten().is_some_and(|u| u.is_superuser);
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            adding.set(false);
        }
    });
    view! {
        <Title text="Clients"/>
        <section class="card">
            <div class="heading-row">
                <h1>"Clients"</h1>
                <Suspense fallback=|| ()>
                    {move || is_superuser().then(|| view! {
                        <button class="primary" disabled=move || !ready.get() on:click=move |_| {
                            add.value().set(None);
                            adding.set(true);
                        }>"Add Client"</button>
                    })}
                </Suspense>
            </div>
            <p class="muted">"The patient apps: each is an OAuth client whose invitation URL patients open."</p>
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="notice">"No clients yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll"><table class="cards" aria-label="Clients">
                            <thead><tr><th>"Name"</th><th>"Client ID"</th><th>"Invitation URL"</th><th>"Data Sources"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|client| {
                                    let id = client.id;
                                    let sources: Vec<String> = client.data_sources.iter().map(|s| s.name.clone()).collect();
                                    view! {
                                        <tr>
                                            <td data-label="Name">{client.name.clone()}</td>
                                            <td data-label="Client ID"><code>{client.client_id.clone()}</code></td>
                                            <td data-label="Invitation URL" class="url">{client.invitation_url.clone()}</td>
                                            <td data-label="Data Sources">{sources.join(", ")}</td>
                                            <td class="row-actions">
                                                <button class="icon" aria-label=format!("Data Sources of {}", client.name)
                                                    disabled=move || !ready.get()
                                                    on:click=move |_| {
                                                        link.value().set(None);
                                                        unlink.value().set(None);
                                                        viewing.set(Some(id));
                                                    }>"Data Sources"</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Transition>
        </section>
        <Show when=move || adding.get()>
            <AddDialog add adding/>
        </Show>
        {move || viewing.get().map(|id| {
            let client = move || list.get().and_then(Result::ok).and_then(|list| list.into_iter().find(|c| c.id == id));
            view! {
                <Modal label="Client Data Sources" on_close=Callback::new(move |_| viewing.set(None))>
                    {move || client().map(|client| view! { <ClientSources client catalogue is_superuser=is_superuser() link unlink/> })}
                    <div class="actions"><button on:click=move |_| viewing.set(None)>"Close"</button></div>
                </Modal>
            }
        })}
    }
}

#[component]
fn ClientSources(
    client: ClientView,
    catalogue: Resource<Result<Vec<crate::api::DataSourceView>, ServerFnError>>,
    is_superuser: bool,
    link: ServerAction<AddClientDataSource>,
    unlink: ServerAction<RemoveClientDataSource>,
) -> impl IntoView {
    let id = client.id;
    let choice = RwSignal::new(String::new());
    let linked: Vec<i64> = client.data_sources.iter().map(|s| s.id).collect();
    view! {
        <h2>{format!("Data Sources of {}", client.name)}</h2>
        {if client.data_sources.is_empty() {
            view! { <p class="notice">"This client reads no data source yet."</p> }.into_any()
        } else {
            view! {
                <ul class="linked" aria-label="Linked data sources">
                    {client.data_sources.into_iter().map(|source| {
                        let data_source_id = source.id;
                        view! {
                            <li>
                                <span>{source.name.clone()}</span>
                                {is_superuser.then(|| view! {
                                    <button class="icon" aria-label=format!("Remove {}", source.name)
                                        disabled=move || unlink.pending().get()
                                        on:click=move |_| { unlink.dispatch(RemoveClientDataSource { client: id, data_source_id }); }>"Remove"</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {is_superuser.then(|| view! {
            <form class="inline-form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if let Ok(data_source_id) = choice.get_untracked().parse() {
                    link.dispatch(AddClientDataSource { client: id, data_source_id });
                }
            }>
                <label>"Data source"
                    <select on:change=move |ev| choice.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {move || catalogue.get().and_then(Result::ok).unwrap_or_default().into_iter()
                            .filter(|s| !linked.contains(&s.id))
                            .map(|s| view! { <option value=s.id.to_string()>{s.name}</option> }).collect_view()}
                    </select>
                </label>
                <button class="primary" type="submit" disabled=move || choice.get().is_empty() || link.pending().get()>"Add"</button>
            </form>
        })}
        {move || link.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
        {move || unlink.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
    }
}

#[component]
fn AddDialog(add: ServerAction<AddClient>, adding: RwSignal<bool>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let invitation_url = RwSignal::new(String::new());
    let first = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });
    let missing = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let url = invitation_url.get_untracked();
        let problem = if name.get_untracked().trim().is_empty() {
            Some("Enter a name.")
        } else if client_id.get_untracked().trim().is_empty() {
            Some("Enter a client ID.")
        } else if url.trim().is_empty() {
            Some("Enter an invitation URL.")
        } else if !url.contains("CODE") {
            Some("The invitation URL must contain CODE, where the invitation code goes.")
        } else {
            None
        };
        missing.set(problem);
        if problem.is_none() {
            add.dispatch(AddClient {
                name: name.get_untracked().trim().to_owned(),
                client_id: client_id.get_untracked().trim().to_owned(),
                invitation_url: url.trim().to_owned(),
            });
        }
    };
    view! {
        <Modal label="Add Client" on_close=Callback::new(move |_| adding.set(false))>
            <h2>"Add Client"</h2>
            <form novalidate on:submit=submit>
                <label>"Name" <input node_ref=first type="text" required aria-required="true" bind:value=name/></label>
                <label>"Client ID" <input type="text" required aria-required="true" autocomplete="off" bind:value=client_id/></label>
                <label>"Invitation URL"
                    <input type="text" required aria-required="true" placeholder="https://app.example.com/invite?code=CODE" bind:value=invitation_url/>
                </label>
                {move || missing.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
                <div class="actions">
                    <button type="button" on:click=move |_| adding.set(false)>"Cancel"</button>
                    <button class="primary" type="submit" disabled=move || add.pending().get()>"Create"</button>
                </div>
            </form>
            {move || add.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
        </Modal>
    }
}
