//! Practitioners (super users): the accounts, adding one, and deactivating
//! (or reactivating) an account.

use leptos::prelude::*;
use leptos_meta::Title;

use super::organizations::{ROLES, hydrated};
use super::{ErrorBanner, Loading, Modal};
use crate::api::organizations::organization_options;
use crate::api::practitioners::{AddPractitioner, PractitionerView, SetPractitionerActive, practitioners};
use crate::auth::current_user;

#[component]
pub fn PractitionersPage() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let add = ServerAction::<AddPractitioner>::new();
    let toggle = ServerAction::<SetPractitionerActive>::new();
    let list = Resource::new(move || (add.version().get(), toggle.version().get()), |_| practitioners());
    let adding = RwSignal::new(false);
    let ready = hydrated();
    let is_superuser = move || user.get().and_then(Result::ok).flatten().is_some_and(|u| u.is_superuser);
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            adding.set(false);
        }
    });
    view! {
        <Title text="Practitioners"/>
        <section class="card">
            <div class="heading-row">
                <h1>"Practitioners"</h1>
                <Suspense fallback=|| ()>
                    {move || is_superuser().then(|| view! {
                        <button class="primary" disabled=move || !ready.get() on:click=move |_| {
                            add.value().set(None);
                            adding.set(true);
                        }>"Add Practitioner"</button>
                    })}
                </Suspense>
            </div>
            {move || toggle.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll"><table class="cards" aria-label="Practitioners">
                            <thead><tr><th>"Name"</th><th>"Email"</th><th>"Organizations"</th><th>"Active"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|p| view! { <Row p toggle ready/> }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Transition>
        </section>
        <Show when=move || adding.get()>
            <AddDialog add adding/>
        </Show>
    }
}

#[component]
fn Row(p: PractitionerView, toggle: ServerAction<SetPractitionerActive>, ready: RwSignal<bool>) -> impl IntoView {
    let (id, active) = (p.id, p.active);
    let (action, label) = if active { ("Deactivate", format!("Deactivate {}", p.email)) } else { ("Activate", format!("Activate {}", p.email)) };
    view! {
        <tr class:inactive=!active>
            <td data-label="Name">{p.name.clone()}</td>
            <td data-label="Email">{p.email.clone()}</td>
            <td data-label="Organizations">{p.organizations.join(", ")}</td>
            <td data-label="Active">{if active { "Yes" } else { "No" }}</td>
            <td class="row-actions">
                <button class="icon" aria-label=label disabled=move || !ready.get() || toggle.pending().get()
                    on:click=move |_| { toggle.dispatch(SetPractitionerActive { id, active: !active }); }>{action}</button>
            </td>
        </tr>
    }
}

#[component]
fn AddDialog(add: ServerAction<AddPractitioner>, adding: RwSignal<bool>) -> impl IntoView {
    let organizations = Resource::new(|| (), |_| organization_options());
    let email = RwSignal::new(String::new());
    let given = RwSignal::new(String::new());
    let family = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let organization = RwSignal::new(String::new());
    let role = RwSignal::new("member".to_owned());
    let first = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });
    let missing = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let problem = if email.get_untracked().trim().is_empty() {
            Some("Enter an email.")
        } else if given.get_untracked().trim().is_empty() {
            Some("Enter a given name.")
        } else if family.get_untracked().trim().is_empty() {
            Some("Enter a family name.")
        } else {
            None
        };
        missing.set(problem);
        if problem.is_some() {
            return;
        }
        add.dispatch(AddPractitioner {
            email: email.get_untracked().trim().to_owned(),
            name_given: given.get_untracked(),
            name_family: family.get_untracked(),
            password: password.get_untracked(),
            organization_id: organization.get_untracked().parse().ok(),
            role: role.get_untracked(),
        });
    };
    view! {
        <Modal label="Add Practitioner" on_close=Callback::new(move |_| adding.set(false))>
            <h2>"Add Practitioner"</h2>
            <form novalidate on:submit=submit>
                <label>"Email" <input node_ref=first type="email" required aria-required="true" autocomplete="off" bind:value=email/></label>
                <label>"Given name" <input type="text" required aria-required="true" bind:value=given/></label>
                <label>"Family name" <input type="text" required aria-required="true" bind:value=family/></label>
                <label>"Password (leave empty for single sign-on only)"
                    <input type="password" autocomplete="new-password" bind:value=password/>
                </label>
                <label>"Organization"
                    <select on:change=move |ev| organization.set(event_target_value(&ev))>
                        <option value="">"None"</option>
                        {move || organizations.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|o| view! {
                            <option value=o.id.to_string()>{o.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Role"
                    <select disabled=move || organization.get().is_empty() on:change=move |ev| role.set(event_target_value(&ev))>
                        {ROLES.iter().map(|(key, label)| view! { <option value=*key selected=*key == "member">{*label}</option> }).collect_view()}
                    </select>
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
