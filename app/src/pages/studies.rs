//! Studies: create, edit and delete them; their data sources, scope
//! requests, enrolled patients and patient apps.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{ArgsForm, ConfirmDialog, ErrorBanner, Flash, Loading, Modal, PlusIcon, data_type_label};
use crate::api::patients::{invitation_clients, patient_scopes};
use crate::api::studies::{AddStudy, AddStudyClient, DeleteStudy, EditStudy, EnrolPatient, RemoveStudyClient, UnenrolPatient, enrolment_candidates};
use crate::api::{
    AddScopeRequest, AddStudyDataSource, RemoveScopeRequest, RemoveStudyDataSource, StudyView, data_sources, data_types, studies,
};
use crate::auth::current_user;

/// Every change a study card can make; the list reloads after any of them.
#[derive(Clone, Copy)]
struct StudyActions {
    add_source: ServerAction<AddStudyDataSource>,
    remove_source: ServerAction<RemoveStudyDataSource>,
    add_request: ServerAction<AddScopeRequest>,
    remove_request: ServerAction<RemoveScopeRequest>,
    edit: ServerAction<EditStudy>,
    delete: ServerAction<DeleteStudy>,
    enrol: ServerAction<EnrolPatient>,
    unenrol: ServerAction<UnenrolPatient>,
    add_client: ServerAction<AddStudyClient>,
    remove_client: ServerAction<RemoveStudyClient>,
}

impl StudyActions {
    fn new() -> Self {
        StudyActions {
            add_source: ServerAction::new(),
            remove_source: ServerAction::new(),
            add_request: ServerAction::new(),
            remove_request: ServerAction::new(),
            edit: ServerAction::new(),
            delete: ServerAction::new(),
            enrol: ServerAction::new(),
            unenrol: ServerAction::new(),
            add_client: ServerAction::new(),
            remove_client: ServerAction::new(),
        }
    }

    /// Changes whenever any action completes.
    fn version(&self) -> usize {
        self.add_source.version().get() + self.remove_source.version().get() + self.add_request.version().get()
            + self.remove_request.version().get() + self.edit.version().get()
            + self.delete.version().get() + self.enrol.version().get() + self.unenrol.version().get()
            + self.add_client.version().get() + self.remove_client.version().get()
    }

    /// The latest refusal of any action.
    fn error(&self) -> Option<ServerFnError> {
        [
            self.add_source.value().get().and_then(Result::err),
            self.remove_source.value().get().and_then(Result::err),
            self.add_request.value().get().and_then(Result::err),
            self.remove_request.value().get().and_then(Result::err),
            self.edit.value().get().and_then(Result::err),
            self.delete.value().get().and_then(Result::err),
            self.enrol.value().get().and_then(Result::err),
            self.unenrol.value().get().and_then(Result::err),
            self.add_client.value().get().and_then(Result::err),
            self.remove_client.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

#[component]
pub fn StudiesPage() -> impl IntoView {
    let actions = StudyActions::new();
    let add = ServerAction::<AddStudy>::new();
    let list = Resource::new(move || (actions.version(), add.version().get()), |_| studies());
    let sources = Resource::new(|| (), |_| data_sources());
    let types = Resource::new(|| (), |_| data_types());
    let scopes = Resource::new(|| (), |_| patient_scopes());
    let apps = Resource::new(|| (), |_| invitation_clients());
    let user = Resource::new(|| (), |_| current_user());
    // Patients take part in studies; only practitioners and super users create them.
    let may_add = move || user.get().and_then(Result::ok).flatten().is_some_and(|u| u.patient_id.is_none());
    let flash = RwSignal::new(None::<String>);

    let query = use_query_map();
    let adding = move || query.read().get("add").is_some();
    let viewing = move || query.read().get("view").and_then(|id| id.parse::<i64>().ok());
    let navigate = use_navigate();
    let open = Callback::new(move |url: String| navigate(&url, NavigateOptions::default()));
    let close = Callback::new(move |_: ()| open.run("/studies".into()));
    Effect::new(move |_| {
        if let Some(Ok(id)) = add.value().get() {
            flash.set(Some(format!("Study created (id {id}). Add its data sources and scope requests below.")));
            open.run(format!("/studies?view={id}"));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = actions.delete.value().get() {
            flash.set(Some("Study deleted.".into()));
            open.run("/studies".into());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = actions.edit.value().get() {
            flash.set(Some("Study saved.".into()));
        }
    });
    view! {
        <Title text="Studies"/>
        <section class="card">
            <div class="heading-row">
                <h1>"Studies"</h1>
                <Suspense fallback=|| ()>
                    {move || may_add().then(|| view! {
                        <button class="primary" on:click=move |_| open.run("/studies?add".into())><PlusIcon/>" Add Study"</button>
                    })}
                </Suspense>
            </div>
            <Flash message=flash/>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        let why = if may_add() {
                            "No studies yet in your organizations. Add one to start collecting data."
                        } else {
                            "You are not taking part in any study yet. A research team will send you an invitation link."
                        };
                        view! { <p class="notice">{why}</p> }.into_any()
                    }
                    Ok(list) => view! { <StudyTable list open/> }.into_any(),
                })}
            </Suspense>
        </section>
        <Show when=adding>
            <Modal label="Add Study" on_close=close>
                <h2>"Add Study"</h2>
                <ArgsForm action=add>
                    <label>"Organization"
                        <select name="organization_id" required>
                            <Suspense fallback=|| ()>
                                {move || scopes.get().and_then(Result::ok).map(|s| s.organizations).unwrap_or_default().into_iter()
                                    .map(|o| view! { <option value=o.id.to_string()>{o.name}</option> }).collect_view()}
                            </Suspense>
                        </select>
                    </label>
                    <label>"Name" <input type="text" name="name" required/></label>
                    <label>"Description" <textarea name="description" rows="3" required></textarea></label>
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
                let study = list.get().and_then(Result::ok).and_then(|list| list.into_iter().find(|s| s.id == id));
                let label = study.as_ref().map_or_else(|| "Study".to_owned(), |s| s.name.clone());
                view! {
                    <Modal label on_close=close class="wide">
                        {move || actions.error().map(|error| view! { <ErrorBanner error/> })}
                        {match study.clone() {
                            None => view! { <p class="error" role="alert">{format!("There is no study {id} among yours.")}</p> }.into_any(),
                            Some(study) => view! { <StudyCard study sources types apps actions/> }.into_any(),
                        }}
                        <div class="actions"><button on:click=move |_| close.run(())>"Close"</button></div>
                    </Modal>
                }
            })}
        </Suspense>
    }
}

/// The studies, a row each, with a button that opens one.
#[component]
fn StudyTable(list: Vec<StudyView>, open: Callback<String>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Studies list">
            <table class="cards">
                <thead><tr><th>"ID"</th><th>"Name"</th><th>"Organization"</th><th>"Patients"</th><th>"Scope requests"</th><th></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|study| {
                        let id = study.id;
                        view! {
                            <tr>
                                <td data-label="ID">{id}</td>
                                <td data-label="Name">{study.name.clone()}</td>
                                <td data-label="Organization">{study.organization.clone()}</td>
                                <td data-label="Patients">{study.patients.len()}</td>
                                <td data-label="Scope requests">{study.scope_requests.iter().map(|t| t.text.clone()).collect::<Vec<_>>().join(", ")}</td>
                                <td class="row-actions"><button class="icon" aria-label=format!("View {}", study.name)
                                    on:click=move |_| open.run(format!("/studies?view={id}"))>"View"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn StudyCard(
    study: StudyView,
    sources: Resource<Result<Vec<crate::api::DataSourceView>, ServerFnError>>,
    types: Resource<Result<Vec<crate::api::DataTypeView>, ServerFnError>>,
    apps: Resource<Result<Vec<crate::api::patients::NamedId>, ServerFnError>>,
    actions: StudyActions,
) -> impl IntoView {
    let StudyActions { add_source, remove_source, add_request, remove_request, .. } = actions;
    let can_write = study.can_write;
    let study_id = study.id;
    let source_choice = RwSignal::new(String::new());
    let type_choice = RwSignal::new(String::new());
    let chosen: Vec<i64> = study.data_sources.iter().map(|s| s.id).collect();
    let requested: Vec<i64> = study.scope_requests.iter().map(|t| t.id).collect();
    // Data types the study's data sources can deliver.
    let deliverable: Vec<i64> = study.data_sources.iter().flat_map(|s| s.supported_scopes.iter().map(|t| t.id)).collect();
    let unsupported: Vec<i64> = study.scope_requests.iter().map(|t| t.id).filter(|id| !deliverable.contains(id)).collect();
    let warning = move || {
        let chosen = type_choice.get().parse::<i64>().ok()?;
        (!deliverable.contains(&chosen)).then(|| view! {
            <p class="warning" role="status">"None of this study's data sources supports this data type."</p>
        })
    };
    view! {
        <article class="study" aria-label=study.name.clone()>
            <h2>{study.name.clone()}</h2>
            <p class="muted">{format!("ID {} · {} · {}", study.id, study.organization, study.description)}</p>
            <div role="group" aria-label="Data Sources">
            <h3>"Data Sources"</h3>
            {study.data_sources.is_empty().then(|| view! { <p class="notice">"No data sources yet: add the devices or apps this study collects from."</p> })}
            <ul class="scopes">{study.data_sources.iter().map(|s| {
                let data_source_id = s.id;
                view! {
                    <li>
                        <span>{s.name.clone()}</span>
                        {can_write.then(|| view! {
                            <button class="icon" aria-label=format!("Remove {}", s.name)
                                on:click=move |_| { remove_source.dispatch(RemoveStudyDataSource { study_id, data_source_id }); }>"Remove"</button>
                        })}
                    </li>
                }
            }).collect_view()}</ul>
            <div class="inline-form">
                <label>"Data source"
                    <select on:change=move |ev| source_choice.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {move || sources.get().and_then(Result::ok).unwrap_or_default().into_iter()
                            .filter(|s| !chosen.contains(&s.id))
                            .map(|s| view! { <option value=s.id.to_string()>{s.name}</option> }).collect_view()}
                    </select>
                </label>
                <button class="primary" aria-label="Add"
                    disabled=move || source_choice.get().is_empty()
                    on:click=move |_| if let Ok(data_source_id) = source_choice.get().parse() {
                        add_source.dispatch(AddStudyDataSource { study_id, data_source_id });
                    }><PlusIcon/>" Add"</button>
            </div>
            </div>
            <div role="group" aria-label="Scope Requests">
            <h3>"Scope Requests"</h3>
            {study.scope_requests.is_empty().then(|| view! { <p class="notice">"No scope requests yet: add the data types patients will be asked to share."</p> })}
            <ul class="scopes">{study.scope_requests.iter().map(|t| {
                let data_type_id = t.id;
                let flag = unsupported.contains(&t.id).then(|| view! {
                    <span class="warning">" — no data source of this study supports it"</span>
                });
                view! {
                    <li>
                        <span>{data_type_label(t)}{flag}</span>
                        {can_write.then(|| view! {
                            <button class="icon" aria-label=format!("Remove {}", t.text)
                                on:click=move |_| { remove_request.dispatch(RemoveScopeRequest { study_id, data_type_id }); }>"Remove"</button>
                        })}
                    </li>
                }
            }).collect_view()}</ul>
            <div class="inline-form">
                <label>"Data type"
                    <select on:change=move |ev| type_choice.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {move || types.get().and_then(Result::ok).unwrap_or_default().into_iter()
                            .filter(|t| !requested.contains(&t.id))
                            .map(|t| view! { <option value=t.id.to_string()>{data_type_label(&t)}</option> }).collect_view()}
                    </select>
                </label>
                <button class="primary" aria-label="Add"
                    disabled=move || type_choice.get().is_empty()
                    on:click=move |_| if let Ok(data_type_id) = type_choice.get().parse() {
                        add_request.dispatch(AddScopeRequest { study_id, data_type_id });
                    }><PlusIcon/>" Add"</button>
            </div>
            {warning}
            </div>
            <StudyPatients study=study.clone() actions/>
            <StudyClients study=study.clone() apps actions/>
            {study.can_write.then(|| view! { <StudyEditing study=study.clone() actions/> })}
        </article>
    }
}

/// "Patients": who is enrolled, enrol more from the organization, unenrol.
#[component]
fn StudyPatients(study: StudyView, actions: StudyActions) -> impl IntoView {
    let (study_id, organization_id, can_write) = (study.id, study.organization_id, study.can_write);
    let candidates = Resource::new(move || actions.enrol.version().get() + actions.unenrol.version().get(),
        move |_| enrolment_candidates(study_id, organization_id));
    let choice = RwSignal::new(String::new());
    view! {
        <div role="group" aria-label="Patients">
            <h3>"Patients"</h3>
            {study.patients.is_empty().then(|| view! { <p class="notice">"No patients enrolled."</p> })}
            <ul class="scopes">
                {study.patients.into_iter().map(|p| {
                    let label = format!("Unenrol {}", p.name);
                    view! {
                        <li>
                            <a href=format!("/patients/{}", p.id)>{p.name}</a>
                            {can_write.then(|| view! {
                                <button class="icon" aria-label=label on:click=move |_| {
                                    actions.unenrol.dispatch(UnenrolPatient { study_id, patient_id: p.id });
                                }>"Unenrol"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {can_write.then(|| view! {
                <div class="inline-form">
                    <label>"Patient"
                        <select on:change=move |ev| choice.set(event_target_value(&ev))>
                            <option value="">"Choose…"</option>
                            <Suspense fallback=|| ()>
                                {move || candidates.get().and_then(Result::ok).unwrap_or_default().into_iter()
                                    .map(|p| view! { <option value=p.id.to_string()>{p.name}</option> }).collect_view()}
                            </Suspense>
                        </select>
                    </label>
                    <button class="primary" aria-label="Enrol" disabled=move || choice.get().is_empty()
                        on:click=move |_| if let Ok(patient_id) = choice.get().parse() {
                            actions.enrol.dispatch(EnrolPatient { study_id, patient_id });
                        }>"Enrol"</button>
                </div>
            })}
        </div>
    }
}

/// "Clients": the patient apps this study's invitations and data go through.
#[component]
fn StudyClients(
    study: StudyView,
    apps: Resource<Result<Vec<crate::api::patients::NamedId>, ServerFnError>>,
    actions: StudyActions,
) -> impl IntoView {
    let (study_id, can_write) = (study.id, study.can_write);
    let used: Vec<i64> = study.clients.iter().map(|c| c.id).collect();
    let choice = RwSignal::new(String::new());
    view! {
        <div role="group" aria-label="Clients">
            <h3>"Clients"</h3>
            <ul class="scopes">
                {study.clients.into_iter().map(|c| {
                    let label = format!("Remove {}", c.name);
                    view! {
                        <li>
                            {c.name}
                            {can_write.then(|| view! {
                                <button class="icon" aria-label=label on:click=move |_| {
                                    actions.remove_client.dispatch(RemoveStudyClient { study_id, client_id: c.id });
                                }>"Remove"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {can_write.then(|| view! {
                <div class="inline-form">
                    <label>"Patient app"
                        <select on:change=move |ev| choice.set(event_target_value(&ev))>
                            <option value="">"Choose…"</option>
                            <Suspense fallback=|| ()>
                                {move || apps.get().and_then(Result::ok).unwrap_or_default().into_iter()
                                    .filter(|a| !used.contains(&a.id))
                                    .map(|a| view! { <option value=a.id.to_string()>{a.name}</option> }).collect_view()}
                            </Suspense>
                        </select>
                    </label>
                    <button class="primary" aria-label="Add client" disabled=move || choice.get().is_empty()
                        on:click=move |_| if let Ok(client_id) = choice.get().parse() {
                            actions.add_client.dispatch(AddStudyClient { study_id, client_id });
                        }><PlusIcon/>" Add"</button>
                </div>
            })}
        </div>
    }
}

/// "Edit" and "Delete" (after a confirmation) for those who may change the study.
#[component]
fn StudyEditing(study: StudyView, actions: StudyActions) -> impl IntoView {
    let (editing, confirming) = (RwSignal::new(false), RwSignal::new(false));
    let id = study.id;
    Effect::new(move |_| {
        if let Some(Ok(())) = actions.edit.value().get() {
            editing.set(false);
        }
    });
    let question = format!("Delete {}? Its enrolments, consents and scope requests go with it; observations are kept.", study.name);
    view! {
        <div class="actions">
            <button on:click=move |_| editing.set(true)>"Edit"</button>
            <button class="danger" on:click=move |_| confirming.set(true)>"Delete"</button>
        </div>
        <Show when=move || editing.get()>
            <StudyForm study=study.clone() edit=actions.edit editing/>
        </Show>
        <Show when=move || confirming.get()>
            <ConfirmDialog label="Confirm deletion" act="Delete" question=question.clone()
                pending=Signal::derive(move || actions.delete.pending().get())
                on_act=Callback::new(move |_| { actions.delete.dispatch(DeleteStudy { id }); })
                on_keep=Callback::new(move |_| confirming.set(false))/>
        </Show>
    }
}

#[component]
fn StudyForm(study: StudyView, edit: ServerAction<EditStudy>, editing: RwSignal<bool>) -> impl IntoView {
    view! {
        <ArgsForm action=edit attr:aria-label="Edit Study">
            <input type="hidden" name="id" value=study.id.to_string()/>
            <label>"Name" <input type="text" name="name" required value=study.name/></label>
            <label>"Description" <textarea name="description" rows="3" required prop:value=study.description></textarea></label>
            <div class="actions">
                <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                <button class="primary" type="submit" disabled=move || edit.pending().get()>"Save"</button>
            </div>
        </ArgsForm>
    }
}
