//! Audit (super users): who signed in, got tokens, redeemed invitations,
//! changed consent and read which patients' observations; filters kept in
//! the URL, newest first, paged on the server.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{ErrorBanner, Loading, LocalTime, Pager, list_url};
use crate::api::audit::{AUDIT_PAGE_SIZE, AuditFilters, audit_actions, audit_events};

fn to_url(filters: &AuditFilters) -> String {
    let patient = filters.patient_id.map(|id| id.to_string()).unwrap_or_default();
    list_url("/audit", &[("action", filters.action.clone()), ("patient", patient)], filters.page)
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let current = Memo::new(move |_| {
        let query = query.read();
        AuditFilters {
            action: query.get("action").unwrap_or_default(),
            patient_id: query.get("patient").and_then(|v| v.parse().ok()),
            page: query.get("page").and_then(|v| v.parse().ok()).unwrap_or(1).max(1),
        }
    });
    let navigate = use_navigate();
    let go = Callback::new(move |next: AuditFilters| navigate(&to_url(&next), NavigateOptions::default()));
    let change = move |edit: &dyn Fn(&mut AuditFilters)| {
        let mut next = current.get_untracked();
        edit(&mut next);
        next.page = 1;
        go.run(next);
    };
    let list = Resource::new(move || current.get(), audit_events);
    let actions = Resource::new(|| (), |_| audit_actions());
    view! {
        <Title text="Audit"/>
        <section class="card">
            <h1>"Audit"</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                <form class="filters" aria-label="Filters" on:submit=|ev| ev.prevent_default()>
                    <label>"Action"
                        <select on:change=move |ev| { let v = event_target_value(&ev); change(&|f| f.action = v.clone()); }>
                            <option value="">"All"</option>
                            {move || actions.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|action| {
                                let selected = current.get().action == action;
                                view! { <option value=action.clone() selected=selected>{action.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Patient ID"
                        <input type="number" min="1" prop:value=move || current.get().patient_id.map(|p| p.to_string()).unwrap_or_default()
                            on:change=move |ev| { let v = event_target_value(&ev).parse().ok(); change(&|f| f.patient_id = v); }/>
                    </label>
                </form>
            </Suspense>
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! { <p class="notice">"No audit events to show."</p> }.into_any(),
                    Ok(page) => {
                        let (number, has_next, count) = (page.number, page.has_next, page.count);
                        let to_page = Callback::new(move |page| go.run(AuditFilters { page, ..current.get_untracked() }));
                        view! {
                            <div class="table-scroll"><table class="cards" aria-label="Audit events">
                                <thead><tr><th>"When"</th><th>"Who"</th><th>"Action"</th><th>"Object"</th><th>"Patient"</th><th>"Detail"</th></tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|event| view! {
                                        <tr>
                                            <td data-label="When" class="nowrap"><LocalTime micros=event.occurred/></td>
                                            <td data-label="Who">{event.actor}</td>
                                            <td data-label="Action">{event.action}</td>
                                            <td data-label="Object">{event.object}</td>
                                            <td data-label="Patient">{event.patient_id.map(|p| p.to_string()).unwrap_or_default()}</td>
                                            <td data-label="Detail"><code>{event.detail}</code></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            <Pager number count has_next page_size=AUDIT_PAGE_SIZE noun="events" go=to_page/>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}
