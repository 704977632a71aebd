//! Observations the signed-in user may see, newest reading first: filters
//! and sorting kept in the URL, server-side paging, a drawer with the OMH
//! summary and the raw data point, and a chart of one patient's readings.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::chart::{Series, TimeChart};
use super::remembered::remember_pickers;
use super::{ErrorBanner, Loading, LocalTime, Modal, Pager, SortHeader, data_type_label, list_url};
use crate::api::patients::{patient_choices, patient_scopes};
use crate::api::{OBSERVATION_PAGE_SIZE, ObservationFilters, ObservationSort, ObservationView, data_types, observations};
use crate::auth::current_user;

fn to_url(filters: &ObservationFilters) -> String {
    let id = |value: Option<i64>| value.map(|id| id.to_string()).unwrap_or_default();
    let query = [
        ("org", id(filters.organization_id)),
        ("study", id(filters.study_id)),
        ("patient", id(filters.patient_id)),
        ("type", id(filters.data_type_id)),
        ("from", filters.from.clone()),
        ("to", filters.to.clone()),
        ("sort", filters.sort.key().to_owned()),
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
            sort: ObservationSort::from_key(&query.get("sort").unwrap_or_default()),
        }
    });
    let user = Resource::new(|| (), |_| current_user());
    // A patient sees only their own readings: no patient pickers or column.
    let is_patient = Signal::derive(move || user.get().and_then(Result::ok).flatten().is_some_and(|u| u.patient_id.is_some()));
    let navigate = use_navigate();
    let go = Callback::new(move |next: ObservationFilters| {
        navigate(&to_url(&next), NavigateOptions::default())
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
    let open = RwSignal::new(None::<ObservationView>);
    let id_of = |value: String| value.parse::<i64>().ok();
    let sort_by = Callback::new(move |sort: ObservationSort| change(&|f| f.sort = sort));
    view! {
        <Title text="Observations"/>
        <section class="card">
            <h1>{move || if is_patient.get() { "My data" } else { "Observations" }}</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                <form class="filters" aria-label="Filters" on:submit=|ev| ev.prevent_default()>
                    <Show when=move || !is_patient.get()>
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
                    </Show>
                    <label>"Data type"
                        <select on:change=move |ev| { let v = id_of(event_target_value(&ev)); change(&|f| f.data_type_id = v); }>
                            <option value="">"All"</option>
                            {move || types.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|t| {
                                view! { <option value=t.id.to_string() selected=current.get().data_type_id == Some(t.id)>{data_type_label(&t)}</option> }
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
                    Ok(page) if page.items.is_empty() => {
                        let filters = current.get();
                        let filtered = filters.patient_id.is_some() || filters.data_type_id.is_some() || !filters.from.is_empty()
                            || !filters.to.is_empty() || filters.study_id.is_some() || filters.organization_id.is_some();
                        let why = if filtered {
                            "No observations match these filters. Clear a filter or widen the dates."
                        } else if is_patient.get() {
                            "No data shared yet. Readings appear here once your app uploads them."
                        } else {
                            "No observations yet. They appear once a consenting patient's device uploads data for a study's scope requests."
                        };
                        view! { <p class="notice">{why}</p> }.into_any()
                    }
                    Ok(page) => {
                        let (number, has_next, count) = (page.number, page.has_next, page.count);
                        let to_page = Callback::new(move |page| go.run(ObservationFilters { page, ..current.get_untracked() }));
                        // One person's readings: chart them, a line per data type.
                        let chart = (current.get().patient_id.is_some() || is_patient.get()).then(|| chart_of(&page.items));
                        view! {
                            {chart}
                            <ObservationTable rows=page.items open sort=Signal::derive(move || current.get().sort) sort_by
                                show_patient=Signal::derive(move || !is_patient.get())/>
                            <Pager number count has_next page_size=OBSERVATION_PAGE_SIZE noun=if count == 1 { "observation" } else { "observations" } go=to_page/>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
        {move || open.get().map(|row| view! {
            <Modal label=format!("Observation {}", row.id) on_close=Callback::new(move |_| open.set(None)) class="drawer">
                <ObservationDetail row/>
                <div class="actions"><button on:click=move |_| open.set(None)>"Close"</button></div>
            </Modal>
        })}
    }
}

/// The page's readings as chart series, one per data type, oldest first.
fn chart_of(rows: &[ObservationView]) -> AnyView {
    let mut series: Vec<Series> = Vec::new();
    for row in rows {
        let (Some(at), Some(value)) = (row.at, row.value) else { continue };
        let point = (at as f64 / 1_000_000.0, value);
        match series.iter_mut().find(|s| s.label == row.data_type && s.unit == row.unit) {
            Some(found) => found.points.push(point),
            None => series.push(Series { label: row.data_type.clone(), unit: row.unit.clone(), points: vec![point] }),
        }
    }
    let readings: usize = series.iter().map(|s| s.points.len()).sum();
    if readings == 0 {
        return view! { <p class="notice">"Nothing on this page to chart: its readings have no numeric value."</p> }.into_any();
    }
    for s in &mut series {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let names: Vec<String> = series.iter().map(|s| s.label.clone()).collect();
    let description = format!("Chart of {readings} {} on this page over time: {}", if readings == 1 { "reading" } else { "readings" }, names.join(", "));
    view! { <TimeChart series description/> }.into_any()
}

#[component]
fn ObservationTable(
    rows: Vec<ObservationView>,
    open: RwSignal<Option<ObservationView>>,
    sort: Signal<ObservationSort>,
    sort_by: Callback<ObservationSort>,
    show_patient: Signal<bool>,
) -> impl IntoView {
    let time_sorted = Signal::derive(move || match sort.get() {
        ObservationSort::Newest => Some("descending"),
        ObservationSort::Oldest => Some("ascending"),
        _ => None,
    });
    let patient_sorted = Signal::derive(move || (sort.get() == ObservationSort::Patient).then_some("ascending"));
    let type_sorted = Signal::derive(move || (sort.get() == ObservationSort::DataType).then_some("ascending"));
    let time_next = Callback::new(move |_| {
        sort_by.run(if sort.get_untracked() == ObservationSort::Newest { ObservationSort::Oldest } else { ObservationSort::Newest })
    });
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Observations list">
        <table class="cards">
            <thead><tr>
                <SortHeader label="Time" sorted=time_sorted on_sort=time_next/>
                {move || show_patient.get().then(|| view! {
                    <SortHeader label="Patient" sorted=patient_sorted on_sort=Callback::new(move |_| sort_by.run(ObservationSort::Patient))/>
                })}
                <SortHeader label="Data type" sorted=type_sorted on_sort=Callback::new(move |_| sort_by.run(ObservationSort::DataType))/>
                <th>"Source"</th><th>"Value"</th><th></th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let shown = row.clone();
                    let (patient, label) = (format!("{} ({})", row.patient_name, row.patient_id), format!("View observation {}", row.id));
                    view! {
                        <tr>
                            <td data-label="Time" class="nowrap"><LocalTime micros=row.at/></td>
                            {move || show_patient.get().then(|| view! { <td data-label="Patient">{patient.clone()}</td> })}
                            <td data-label="Data type">{row.data_type.clone()}</td>
                            <td data-label="Source">{row.source.clone()}</td>
                            <td data-label="Value">{row.summary.clone()}</td>
                            <td class="row-actions"><button class="icon" aria-label=label
                                on:click=move |_| open.set(Some(shown.clone()))>"View"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// The drawer's content: what the reading says, then the data point as stored.
#[component]
fn ObservationDetail(row: ObservationView) -> impl IntoView {
    view! {
        <h2>{format!("{} · {}", row.data_type, row.summary)}</h2>
        <dl class="facts">
            <dt>"Taken"</dt><dd><LocalTime micros=row.at/></dd>
            <dt>"Patient"</dt><dd>{format!("{} ({})", row.patient_name, row.patient_id)}</dd>
            <dt>"Data type"</dt><dd>{row.data_type.clone()}" "<code>{row.data_type_code.clone()}</code></dd>
            <dt>"Source"</dt><dd>{if row.source.is_empty() { "—".to_owned() } else { row.source.clone() }}</dd>
            <dt>"Value"</dt><dd>{row.summary.clone()}</dd>
            <dt>"Observation"</dt><dd>{row.id}</dd>
        </dl>
        <h3>"Data point (Open mHealth)"</h3>
        <pre class="json" tabindex="0" aria-label="Data point JSON">{row.data_point.clone()}</pre>
    }
}
