//! Organizations: the caller's organizations as a tree; the one chosen
//! (`?org=<id>`) with its members and studies. Its managers (and super
//! users) add, re-role and remove members and add sub-organizations.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{ConfirmDialog, ErrorBanner, Loading, Modal};
use crate::api::organizations::{
    AddMember, AddSubOrganization, MemberView, OrganizationDetail, OrganizationNode, RemoveMember, SetMemberRole, my_organizations,
    organization, organization_types,
};

/// The roles a practitioner may have in an organization.
pub(crate) const ROLES: [(&str, &str); 3] = [("manager", "Manager"), ("member", "Member"), ("viewer", "Viewer")];

fn role_label(role: &str) -> String {
    match role {
        "super_user" => "Super user".to_owned(),
        other => ROLES.iter().find(|(key, _)| *key == other).map_or_else(|| other.to_owned(), |(_, label)| (*label).to_owned()),
    }
}

/// False until the page has hydrated: controls stay disabled until they work.
pub(crate) fn hydrated() -> RwSignal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}

#[component]
pub fn OrganizationsPage() -> impl IntoView {
    let query = use_query_map();
    let selected = Memo::new(move |_| query.read().get("org").and_then(|id| id.trim().parse::<i64>().ok()));
    let add_member = ServerAction::<AddMember>::new();
    let set_role = ServerAction::<SetMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let add_sub = ServerAction::<AddSubOrganization>::new();
    let tree = Resource::new(move || add_sub.version().get(), |_| my_organizations());
    let detail = Resource::new(
        move || (selected.get(), add_member.version().get(), set_role.version().get(), remove.version().get()),
        |(id, ..)| async move {
            match id {
                Some(id) => organization(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let types = Resource::new(|| (), |_| organization_types());
    let adding_member = RwSignal::new(false);
    let adding_sub = RwSignal::new(false);
    let confirming = RwSignal::new(None::<(i64, String)>);
    let ready = hydrated();

    // A new selection starts clean.
    Effect::new(move |_| {
        selected.track();
        confirming.set(None);
        adding_member.set(false);
        adding_sub.set(false);
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = add_member.value().get() {
            adding_member.set(false);
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = add_sub.value().get() {
            adding_sub.set(false);
            navigate(&format!("/organizations?org={id}"), Default::default());
        }
    });

    let controls = ControlsContext { add_member, set_role, remove, adding_member, adding_sub, confirming, ready };
    view! {
        <Title text="Organizations"/>
        <div class="org-page">
            <section class="card org-tree" aria-labelledby="org-tree-heading">
                <h1 id="org-tree-heading">"Organizations"</h1>
                <Transition fallback=|| view! { <Loading/> }>
                    {move || tree.get().map(|result| match result {
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                        Ok(nodes) if nodes.is_empty() => view! { <p class="notice">"You belong to no organization."</p> }.into_any(),
                        Ok(nodes) => view! { <nav aria-label="Your organizations">{tree_list(nodes, selected)}</nav> }.into_any(),
                    })}
                </Transition>
            </section>
            <section class="card org-detail" aria-label="Selected organization">
                <Transition fallback=|| view! { <Loading/> }>
                    {move || detail.get().map(|result| match result {
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                        Ok(None) => view! { <p class="notice">"Choose an organization to see its members and studies."</p> }.into_any(),
                        Ok(Some(org)) => view! { <Detail org controls/> }.into_any(),
                    })}
                </Transition>
                {move || set_role.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
                {move || remove.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            </section>
        </div>
        <Show when=move || adding_member.get()>
            <AddMemberDialog organization_id=selected add_member adding_member/>
        </Show>
        <Show when=move || adding_sub.get()>
            <AddSubOrganizationDialog parent_id=selected types add_sub adding_sub/>
        </Show>
    }
}

/// The actions and dialog state the detail panel drives.
#[derive(Clone, Copy)]
struct ControlsContext {
    add_member: ServerAction<AddMember>,
    set_role: ServerAction<SetMemberRole>,
    remove: ServerAction<RemoveMember>,
    adding_member: RwSignal<bool>,
    adding_sub: RwSignal<bool>,
    confirming: RwSignal<Option<(i64, String)>>,
    ready: RwSignal<bool>,
}

fn tree_list(nodes: Vec<OrganizationNode>, selected: Memo<Option<i64>>) -> AnyView {
    view! {
        <ul class="tree">
            {nodes.into_iter().map(|node| {
                let id = node.id;
                view! {
                    <li>
                        <a href=format!("/organizations?org={id}")
                            aria-current=move || (selected.get() == Some(id)).then_some("page")>{node.name.clone()}</a>
                        " " <span class="muted">{format!("({})", node.kind)}</span>
                        {node.role.as_deref().map(|role| view! { " " <span class="badge">{role_label(role)}</span> })}
                        {(!node.children.is_empty()).then(|| tree_list(node.children, selected))}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Detail(org: OrganizationDetail, controls: ControlsContext) -> impl IntoView {
    let ControlsContext { add_member, set_role, remove, adding_member, adding_sub, confirming, ready } = controls;
    let (org_id, can_manage) = (org.id, org.can_manage);
    let org_name = org.name.clone();
    let role = org.role.as_deref().map(role_label).unwrap_or_else(|| "none".to_owned());
    view! {
        <div class="heading-row">
            <h2>{org.name.clone()}</h2>
            {can_manage.then(|| view! {
                <div class="buttons">
                    <button class="primary" disabled=move || !ready.get() on:click=move |_| {
                        add_member.value().set(None);
                        adding_member.set(true);
                    }>"Add Member"</button>
                    <button disabled=move || !ready.get() on:click=move |_| adding_sub.set(true)>"Add Sub-organization"</button>
                </div>
            })}
        </div>
        <p class="muted">{format!("{} · your role: {role}", org.kind)}</p>
        <h3 id="members-heading">"Members"</h3>
        {if org.members.is_empty() {
            view! { <p class="notice">"No members."</p> }.into_any()
        } else {
            view! {
                <table class="cards" aria-labelledby="members-heading">
                    <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th>{can_manage.then(|| view! { <th><span class="visually-hidden">"Actions"</span></th> })}</tr></thead>
                    <tbody>
                        {org.members.into_iter().map(|member| view! { <MemberRow org_id member can_manage set_role confirming ready/> }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {move || confirming.get().map(|(user_id, who)| view! {
            <ConfirmDialog label="Confirm removal" act="Remove" question=format!("Remove {who} from {org_name}?")
                pending=Signal::derive(move || remove.pending().get())
                on_act=Callback::new(move |_| {
                    remove.dispatch(RemoveMember { organization_id: org_id, user_id });
                    confirming.set(None);
                })
                on_keep=Callback::new(move |_| confirming.set(None))/>
        })}
        <h3>"Studies"</h3>
        {if org.studies.is_empty() {
            view! { <p class="notice">"No studies."</p> }.into_any()
        } else {
            view! { <ul aria-label="Studies">{org.studies.into_iter().map(|s| view! { <li><a href=format!("/studies?view={}", s.id)>{s.name}</a></li> }).collect_view()}</ul> }.into_any()
        }}
    }
}

#[component]
fn MemberRow(
    org_id: i64,
    member: MemberView,
    can_manage: bool,
    set_role: ServerAction<SetMemberRole>,
    confirming: RwSignal<Option<(i64, String)>>,
    ready: RwSignal<bool>,
) -> impl IntoView {
    let user_id = member.user_id;
    let who = if member.name.is_empty() { member.email.clone() } else { member.name.clone() };
    let current = member.role.clone();
    let (role_name, remove_name) = (format!("Role of {who}"), format!("Remove {who}"));
    view! {
        <tr>
            <td data-label="Name">{member.name.clone()}</td>
            <td data-label="Email">{member.email.clone()}</td>
            <td data-label="Role">
                {if can_manage {
                    view! {
                        <select aria-label=role_name disabled=move || !ready.get() || set_role.pending().get()
                            on:change=move |ev| {
                                set_role.dispatch(SetMemberRole { organization_id: org_id, user_id, role: event_target_value(&ev) });
                            }>
                            {ROLES.iter().map(|(key, label)| view! {
                                <option value=*key selected=current == *key>{*label}</option>
                            }).collect_view()}
                        </select>
                    }.into_any()
                } else {
                    view! { <span>{role_label(&current)}</span> }.into_any()
                }}
            </td>
            {can_manage.then(|| view! {
                <td class="row-actions">
                    <button class="icon" aria-label=remove_name disabled=move || !ready.get()
                        on:click=move |_| confirming.set(Some((user_id, who.clone())))>"Remove"</button>
                </td>
            })}
        </tr>
    }
}

#[component]
fn AddMemberDialog(organization_id: Memo<Option<i64>>, add_member: ServerAction<AddMember>, adding_member: RwSignal<bool>) -> impl IntoView {
    let email = RwSignal::new(String::new());
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
        let Some(organization_id) = organization_id.get_untracked() else { return };
        let typed = email.get_untracked().trim().to_owned();
        if typed.is_empty() {
            missing.set(Some("Enter the practitioner's email."));
            return;
        }
        missing.set(None);
        add_member.dispatch(AddMember { organization_id, email: typed, role: role.get_untracked() });
    };
    view! {
        <Modal label="Add Member" on_close=Callback::new(move |_| adding_member.set(false))>
            <h2>"Add Member"</h2>
            <form novalidate on:submit=submit>
                <label>"Email" <input node_ref=first type="email" required aria-required="true" autocomplete="off" bind:value=email/></label>
                <label>"Role"
                    <select on:change=move |ev| role.set(event_target_value(&ev))>
                        {ROLES.iter().map(|(key, label)| view! { <option value=*key selected=*key == "member">{*label}</option> }).collect_view()}
                    </select>
                </label>
                {move || missing.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
                <div class="actions">
                    <button type="button" on:click=move |_| adding_member.set(false)>"Cancel"</button>
                    <button class="primary" type="submit" disabled=move || add_member.pending().get()>"Add"</button>
                </div>
            </form>
            {move || add_member.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
        </Modal>
    }
}

#[component]
fn AddSubOrganizationDialog(
    parent_id: Memo<Option<i64>>,
    types: Resource<Result<Vec<crate::api::organizations::OrganizationType>, ServerFnError>>,
    add_sub: ServerAction<AddSubOrganization>,
    adding_sub: RwSignal<bool>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let first = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });
    let missing = RwSignal::new(None::<&'static str>);
    add_sub.value().set(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(parent_id) = parent_id.get_untracked() else { return };
        let typed = name.get_untracked().trim().to_owned();
        if typed.is_empty() {
            missing.set(Some("Enter a name."));
            return;
        }
        if kind.get_untracked().is_empty() {
            missing.set(Some("Choose a type."));
            return;
        }
        missing.set(None);
        add_sub.dispatch(AddSubOrganization { parent_id, name: typed, kind: kind.get_untracked() });
    };
    view! {
        <Modal label="Add Sub-organization" on_close=Callback::new(move |_| adding_sub.set(false))>
            <h2>"Add Sub-organization"</h2>
            <form novalidate on:submit=submit>
                <label>"Name" <input node_ref=first type="text" required aria-required="true" bind:value=name/></label>
                <label>"Type"
                    <select required aria-required="true" on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {move || types.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|t| view! {
                            <option value=t.key.clone()>{t.label.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
                {move || missing.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
                <div class="actions">
                    <button type="button" on:click=move |_| adding_sub.set(false)>"Cancel"</button>
                    <button class="primary" type="submit" disabled=move || add_sub.pending().get()>"Create"</button>
                </div>
            </form>
            {move || add_sub.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
        </Modal>
    }
}
