//! Observations the signed-in user may see, newest first: filters kept in the
//! URL, server-side paging, the decoded OMH data point on demand, and a chart
//! of the page's numeric values over time.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::remembered::remember_pickers;
use super::{ErrorBanner, Loading, Pager, list_url};
use crate::api::patients::{patient_choices, patient_scopes};
use crate::api::{OBSERVATION_PAGE_SIZE, ObservationFilters, ObservationView, data_types, observations};

fn to_url(filters: &ObservationFilters) -> String {
    let id = |value: Option<i64>| value.map(|id| id.to_string()).unwrap_or_default();
    let query = [
        ("org", id(filters.organization_id)),
        ("study", id(filters.study_id)),
        ("patient", id(filters.patient_id)),
        ("type", id(filters.data_type_id)),
        ("from", filters.from.clone()),
        ("to", filters.to.clone()),
    ];
    list_url("/observations", &query, filters.page)
}

#[component]
pub fn ObservationsPage() -> impl IntoView {
    let query = use_query_map();
    let current = Memo::new(move |_| {
        let query = query.read();
        let number = |key: &str| query.get(key).and_then(|v| v.parse::<i64>().ok());
        ObservationFilters {
            organization_id: number("org"),
            study_id: number("study"),
            patient_id: number("patient"),
            data_type_id: number("type"),
            from: query.get("from").unwrap_or_default(),
            to: query.get("to").unwrap_or_default(),
            page: number("page").unwrap_or(1).max(1),
        }
    });
    let navigate = use_navigate();
    let go = Callback::new(move |next: ObservationFilters| {
        navigate(&to_url(&next), NavigateOptions { replace: true, ..Default::default() })
    });
    let change = move |edit: &dyn Fn(&mut ObservationFilters)| {
        let mut next = current.get_untracked();
        edit(&mut next);
        next.page = 1;
        go.run(next);
    };
    // Open on the organization and study chosen last time, unless the URL says otherwise.
    remember_pickers(
        Memo::new(move |_| (current.get().organization_id, current.get().study_id)),
        move || query.with_untracked(|q| q.get("org").is_some() || q.get("study").is_some()),
        Callback::new(move |(organization_id, study_id)| go.run(ObservationFilters { organization_id, study_id, ..current.get_untracked() })),
    );
    let list = Resource::new(move || current.get(), observations);
    let scopes = Resource::new(|| (), |_| patient_scopes());
    let types = Resource::new(|| (), |_| data_types());
    let people = Resource::new(move || (current.get().organization_id, current.get().study_id), |(o, s)| patient_choices(o, s));
    let open = RwSignal::new(None::<i64>);
    let id_of = |value: String| value.parse::<i64>().ok();
    view! {
        <section class="card">
            <h1>"Observations"</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                <form class="filters" aria-label="Filters" on:submit=|ev| ev.prevent_default()>
                    <label>"Organization"
                        <select on:change=move |ev| { let v = id_of(event_target_value(&ev)); change(&|f| { f.organization_id = v; f.study_id = None; f.patient_id = None; }); }>
                            <option value="">"All"</option>
                            {move || scopes.get().and_then(Result::ok).map(|s| s.organizations).unwrap_or_default().into_iter().map(|o| {
                                view! { <option value=o.id.to_string() selected=current.get().organization_id == Some(o.id)>{o.name}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Study"
                        <select on:change=move |ev| { let v = id_of(event_target_value(&ev)); change(&|f| { f.study_id = v; f.patient_id = None; }); }>
                            <option value="">"All"</option>
                            {move || scopes.get().and_then(Result::ok).map(|s| s.studies).unwrap_or_default().into_iter()
                                .filter(|(_, org)| current.get().organization_id.is_none_or(|o| o == *org))
                                .map(|(s, _)| view! { <option value=s.id.to_string() selected=current.get().study_id == Some(s.id)>{s.name}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>"Patient"
                        <select on:change=move |ev| { let v = id_of(event_target_value(&ev)); change(&|f| f.patient_id = v); }>
                            <option value="">"All"</option>
                            {move || people.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|p| {
                                view! { <option value=p.id.to_string() selected=current.get().patient_id == Some(p.id)>{p.name}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Data type"
                        <select on:change=move |ev| { let v = id_of(event_target_value(&ev)); change(&|f| f.data_type_id = v); }>
                            <option value="">"All"</option>
                            {move || types.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|t| {
                                view! { <option value=t.id.to_string() selected=current.get().data_type_id == Some(t.id)>{t.text}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"From"
                        <input type="date" prop:value=move || current.get().from
                            on:change=move |ev| { let v = event_target_value(&ev); change(&|f| f.from = v.clone()); }/>
                    </label>
                    <label>"To"
                        <input type="date" prop:value=move || current.get().to
                            on:change=move |ev| { let v = event_target_value(&ev); change(&|f| f.to = v.clone()); }/>
                    </label>
                </form>
            </Suspense>
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! { <p class="notice">"No observations to show."</p> }.into_any(),
                    Ok(page) => {
                        let (number, has_next, count) = (page.number, page.has_next, page.count);
                        let to_page = Callback::new(move |page| go.run(ObservationFilters { page, ..current.get_untracked() }));
                        let filters = current.get();
                        // One patient's one data type: chart it.
                        let chart = (filters.patient_id.is_some() && filters.data_type_id.is_some()).then(|| view! { <Chart rows=page.items.clone()/> });
                        view! {
                            {chart}
                            <ObservationTable rows=page.items open/>
                            <Pager number count has_next page_size=OBSERVATION_PAGE_SIZE noun="observations" go=to_page/>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ObservationTable(rows: Vec<ObservationView>, open: RwSignal<Option<i64>>) -> impl IntoView {
    view! {
        <table>
            <thead><tr><th>"Time"</th><th>"Patient"</th><th>"Data type"</th><th>"Source"</th><th>"Value"</th><th></th></tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let id = row.id;
                    let point = row.data_point.clone();
                    view! {
                        <tr>
                            <td>{row.when.clone()}</td>
                            <td>{format!("{} ({})", row.patient_name, row.patient_id)}</td>
                            <td>{row.data_type.clone()}</td>
                            <td>{row.source.clone()}</td>
                            <td>{row.summary.clone()}</td>
                            <td><button class="icon" aria-label="View" title="View"
                                on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>"View"</button></td>
                        </tr>
                        <Show when=move || open.get() == Some(id)>
                            <tr class="detail"><td colspan="6"><pre>{point.clone()}</pre></td></tr>
                        </Show>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A line of the rows' numeric values against their effective time.
#[component]
fn Chart(rows: Vec<ObservationView>) -> impl IntoView {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 180.0;
    const PAD: f64 = 28.0;
    let mut points: Vec<(i64, f64)> = rows.iter().filter_map(|r| Some((r.at?, r.value?))).collect();
    points.sort_by_key(|(at, _)| *at);
    if points.len() < 2 {
        return view! { <p class="notice">"Too few numeric values on this page to chart."</p> }.into_any();
    }
    let (first, last) = (points[0].0 as f64, points[points.len() - 1].0 as f64);
    let low = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let high = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let x = |at: i64| PAD + (at as f64 - first) / (last - first).max(1.0) * (WIDTH - 2.0 * PAD);
    let y = |value: f64| HEIGHT - PAD - (value - low) / (high - low).max(f64::EPSILON) * (HEIGHT - 2.0 * PAD);
    let line: Vec<String> = points.iter().map(|(at, value)| format!("{:.1},{:.1}", x(*at), y(*value))).collect();
    let label = format!("{} values from {} to {}, between {low} and {high}", points.len(), rows.iter().filter_map(|r| r.at.map(|_| r.when.clone())).min().unwrap_or_default(), rows.iter().filter_map(|r| r.at.map(|_| r.when.clone())).max().unwrap_or_default());
    view! {
        <figure class="chart">
            <svg role="img" aria-label=label viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none">
                <polyline fill="none" stroke="currentColor" stroke-width="2" points=line.join(" ")/>
                {points.iter().map(|(at, value)| view! { <circle cx=format!("{:.1}", x(*at)) cy=format!("{:.1}", y(*value)) r="3"/> }).collect_view()}
                <text x="2" y=format!("{}", PAD - 8.0)>{format!("{high}")}</text>
                <text x="2" y=format!("{}", HEIGHT - 6.0)>{format!("{low}")}</text>
            </svg>
            <figcaption>"Values on this page over time"</figcaption>
        </figure>
    }
    .into_any()
}
