//! Patients: the list per organization or study with search and server-side
//! paging (the filters live in the URL, so reload and links keep them), new
//! patients, and a patient's details with edit and invitation links.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::consent::ConsentPanel;
use super::remembered::remember_pickers;
use super::{ArgsForm, ErrorBanner, Loading, LocalTime, Modal, Pager, PlusIcon, list_url};
use crate::api::patients::{
    AddPatient, EditPatient, GenerateInvitation, PATIENT_PAGE_SIZE, PatientView, invitation_clients, invitations, patient,
    patient_scopes, patients,
};

/// The list's filters, as kept in the URL query.
#[derive(Debug, Clone, PartialEq, Default)]
struct ListQuery {
    organization: Option<i64>,
    study: Option<i64>,
    search: String,
    page: i64,
}

impl ListQuery {
    fn to_url(&self) -> String {
        let id = |value: Option<i64>| value.map(|id| id.to_string()).unwrap_or_default();
        let query = [("org", id(self.organization)), ("study", id(self.study)), ("q", self.search.clone())];
        list_url("/patients", &query, self.page)
    }
}

#[component]
pub fn PatientsPage() -> impl IntoView {
    let query = use_query_map();
    let current = Memo::new(move |_| {
        let query = query.read();
        let number = |key: &str| query.get(key).and_then(|v| v.parse::<i64>().ok());
        ListQuery {
            organization: number("org"),
            study: number("study"),
            search: query.get("q").unwrap_or_default(),
            page: number("page").unwrap_or(1).max(1),
        }
    });
    let navigate = use_navigate();
    let go = move |next: ListQuery| navigate(&next.to_url(), NavigateOptions::default());
    let add = ServerAction::<AddPatient>::new();
    let scopes = Resource::new(|| (), |_| patient_scopes());
    let list = Resource::new(
        move || (current.get(), add.version().get()),
        |(q, _)| patients(q.organization, q.study, q.search, q.page),
    );
    let adding = RwSignal::new(false);
    let search_text = RwSignal::new(String::new());
    Effect::new(move |_| search_text.set(current.get().search));
    // Open on the organization and study chosen last time, unless the URL says otherwise.
    let go_recall = go.clone();
    remember_pickers(
        Memo::new(move |_| (current.get().organization, current.get().study)),
        move || query.with_untracked(|q| q.get("org").is_some() || q.get("study").is_some()),
        Callback::new(move |(organization, study)| go_recall(ListQuery { organization, study, ..current.get_untracked() })),
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            adding.set(false);
        }
    });
    let go_search = go.clone();
    let go_org = go.clone();
    let go_study = go.clone();
    let go_page = go.clone();
    view! {
        <Title text="Patients"/>
        <section class="card">
            <div class="heading-row">
                <h1>"Patients"</h1>
                <Suspense fallback=|| ()>
                    {move || (!scopes.get().and_then(Result::ok).map(|s| s.organizations).unwrap_or_default().is_empty()).then(|| view! {
                        <button class="primary" on:click=move |_| adding.set(true)><PlusIcon/>" Add Patient"</button>
                    })}
                </Suspense>
            </div>
            // The pickers read a resource: inside Suspense so the server waits for it.
            <Suspense fallback=|| view! { <Loading/> }>
            <form class="filters" role="search" on:submit=move |ev| {
                ev.prevent_default();
                go_search(ListQuery { search: search_text.get().trim().to_owned(), page: 1, ..current.get_untracked() });
            }>
                <label>"Organization"
                    <select on:change=move |ev| {
                        let organization = event_target_value(&ev).parse().ok();
                        go_org(ListQuery { organization, study: None, page: 1, ..current.get_untracked() });
                    }>
                        <option value="">"All my organizations"</option>
                        {move || scopes.get().and_then(Result::ok).map(|s| s.organizations).unwrap_or_default().into_iter().map(|o| {
                            let selected = current.get().organization == Some(o.id);
                            view! { <option value=o.id.to_string() selected=selected>{o.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Study"
                    <select on:change=move |ev| {
                        let study = event_target_value(&ev).parse().ok();
                        go_study(ListQuery { study, page: 1, ..current.get_untracked() });
                    }>
                        <option value="">"All studies"</option>
                        {move || scopes.get().and_then(Result::ok).map(|s| s.studies).unwrap_or_default().into_iter()
                            .filter(|(_, organization)| current.get().organization.is_none_or(|o| o == *organization))
                            .map(|(s, _)| {
                                let selected = current.get().study == Some(s.id);
                                view! { <option value=s.id.to_string() selected=selected>{s.name}</option> }
                            }).collect_view()}
                    </select>
                </label>
                <label>"Search"
                    <input type="search" placeholder="Name, email or identifier" prop:value=move || search_text.get()
                        on:input=move |ev| search_text.set(event_target_value(&ev))/>
                </label>
                <button type="submit" class="primary">"Search"</button>
            </form>
            </Suspense>
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(page) if page.items.is_empty() => {
                        let q = current.get();
                        let why = if !q.search.is_empty() || q.organization.is_some() || q.study.is_some() {
                            "No patients match these filters. Clear the search or choose another organization or study."
                        } else {
                            "No patients yet in your organizations. Add Patient to start, then send them an invitation link."
                        };
                        view! { <p class="notice">{why}</p> }.into_any()
                    }
                    Ok(page) => {
                        let (number, has_next, count) = (page.number, page.has_next, page.count);
                        let go_page = go_page.clone();
                        let to_page = Callback::new(move |page| go_page(ListQuery { page, ..current.get_untracked() }));
                        view! {
                            <div class="table-scroll" tabindex="0" role="region" aria-label="Patients list">
                            <table class="cards">
                                <thead><tr><th>"Name"</th><th>"Email"</th><th>"Birth date"</th><th>"Organizations"</th></tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|p| view! {
                                        <tr>
                                            <td data-label="Name"><a href=format!("/patients/{}", p.id)>{p.full_name()}</a></td>
                                            <td data-label="Email">{p.email.clone()}</td>
                                            <td data-label="Birth date">{p.birth_date.clone()}</td>
                                            <td data-label="Organizations">{p.organizations.join(", ")}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                            <Pager number count has_next page_size=PATIENT_PAGE_SIZE noun="patients" go=to_page/>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
        <Show when=move || adding.get()>
            <Modal label="Add Patient" on_close=Callback::new(move |_| adding.set(false))>
                <h2>"Add Patient"</h2>
                <ArgsForm action=add>
                    <label>"Organization"
                        <select name="organization_id" required>
                            {move || scopes.get().and_then(Result::ok).map(|s| s.organizations).unwrap_or_default().into_iter().map(|o| {
                                let selected = current.get_untracked().organization == Some(o.id);
                                view! { <option value=o.id.to_string() selected=selected>{o.name}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Email" <input type="email" name="email" required/></label>
                    <label>"Given name" <input type="text" name="name_given" required/></label>
                    <label>"Family name" <input type="text" name="name_family" required/></label>
                    <label>"Birth date" <input type="date" name="birth_date"/></label>
                    <label>"Phone" <input type="text" name="phone"/></label>
                    <div class="actions">
                        <button type="button" on:click=move |_| adding.set(false)>"Cancel"</button>
                        <button class="primary" type="submit" disabled=move || add.pending().get()>"Create"</button>
                    </div>
                </ArgsForm>
                {move || add.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            </Modal>
        </Show>
    }
}

/// A patient (`/patients/{id}`): details, "Edit" and invitation links for
/// those who may change them, and the patient's consents.
#[component]
pub fn PatientPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    view! {
        <Title text="Patient"/>
        {move || match id() {
            Some(patient_id) => view! { <PatientDetails patient_id/> }.into_any(),
            None => view! { <p class="error" role="alert">"No such patient."</p> }.into_any(),
        }}
    }
}

#[component]
fn PatientDetails(patient_id: i64) -> impl IntoView {
    let edit = ServerAction::<EditPatient>::new();
    let details = Resource::new(move || edit.version().get(), move |_| patient(patient_id));
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = edit.value().get() {
            editing.set(false);
        }
    });
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || details.get().map(|result| match result {
                // Nothing else about a patient the caller may not see.
                Err(error) => view! { <section class="card"><ErrorBanner error/></section> }.into_any(),
                Ok(p) => {
                    let can_write = p.can_write;
                    view! {
                        <section class="card">
                            <div class="heading-row">
                                <h1>{p.full_name()}</h1>
                                {can_write.then(|| view! { <button on:click=move |_| editing.set(true)>"Edit"</button> })}
                            </div>
                            <dl class="facts">
                                <dt>"Email"</dt><dd>{p.email.clone()}</dd>
                                <dt>"Birth date"</dt><dd>{p.birth_date.clone()}</dd>
                                <dt>"Phone"</dt><dd>{p.phone.clone()}</dd>
                                <dt>"Identifiers"</dt><dd>{p.identifiers.join(", ")}</dd>
                                <dt>"Organizations"</dt><dd>{p.organizations.join(", ")}</dd>
                            </dl>
                            <Show when=move || editing.get()>
                                <EditForm patient=p.clone() edit editing/>
                            </Show>
                        </section>
                        {can_write.then(|| view! { <Invitations patient_id/> })}
                        <ConsentPanel patient_id=Some(patient_id)/>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(patient: PatientView, edit: ServerAction<EditPatient>, editing: RwSignal<bool>) -> impl IntoView {
    view! {
        <Modal label="Edit Patient" on_close=Callback::new(move |_| editing.set(false))>
            <h2>"Edit Patient"</h2>
            <ArgsForm action=edit>
                <input type="hidden" name="id" value=patient.id.to_string()/>
                <label>"Given name" <input type="text" name="name_given" required value=patient.name_given.clone()/></label>
                <label>"Family name" <input type="text" name="name_family" required value=patient.name_family.clone()/></label>
                <label>"Birth date" <input type="date" name="birth_date" value=patient.birth_date.clone()/></label>
                <label>"Phone" <input type="text" name="phone" value=patient.phone.clone()/></label>
                <div class="actions">
                    <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                    <button class="primary" type="submit" disabled=move || edit.pending().get()>"Save"</button>
                </div>
            </ArgsForm>
            {move || edit.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
        </Modal>
    }
}

/// "Generate Invitation Link" with a copy button, and the history of links.
#[component]
fn Invitations(patient_id: i64) -> impl IntoView {
    let generate = ServerAction::<GenerateInvitation>::new();
    let clients = Resource::new(|| (), |_| invitation_clients());
    let history = Resource::new(move || generate.version().get(), move |_| invitations(patient_id));
    let client = RwSignal::new(String::new());
    let copied = RwSignal::new(false);
    let link = move || generate.value().get().and_then(Result::ok);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(link) = link() {
            // The promise only says whether the browser allowed it; the field stays selectable either way.
            let _ = window().navigator().clipboard().write_text(&link);
        }
        copied.set(true);
    };
    view! {
        <section class="card" aria-label="Invitations">
            <h2>"Invitation Links"</h2>
            <Suspense fallback=|| view! { <Loading/> }>
            <div class="inline-form">
                <label>"Patient app"
                    <select on:change=move |ev| client.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {move || clients.get().and_then(Result::ok).unwrap_or_default().into_iter()
                            .map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                    </select>
                </label>
                <button class="primary" disabled=move || client.get().is_empty() || generate.pending().get()
                    on:click=move |_| if let Ok(client_id) = client.get().parse() {
                        copied.set(false);
                        generate.dispatch(GenerateInvitation { patient_id, client_id });
                    }>"Generate Invitation Link"</button>
            </div>
            </Suspense>
            {move || link().map(|link| view! {
                <div class="inline-form">
                    <label>"Invitation link (shown once)"
                        <input type="text" readonly value=link.clone()/>
                    </label>
                    <button on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
                </div>
            })}
            {move || generate.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            <Suspense fallback=|| view! { <Loading/> }>
                {move || history.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="notice">"No links issued yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="cards" aria-label="Invitation history">
                            <thead><tr><th>"Issued"</th><th>"Patient app"</th><th>"Status"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|i| view! {
                                    <tr>
                                        <td data-label="Issued"><LocalTime micros=Some(i.last_updated)/></td>
                                        <td data-label="Patient app">{i.client}</td>
                                        <td data-label="Status">{i.status}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
