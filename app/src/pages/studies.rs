//! Studies: their data sources and scope requests.

use leptos::prelude::*;

use super::{ErrorBanner, Loading};
use crate::api::{AddScopeRequest, AddStudyDataSource, StudyView, data_sources, data_types, studies};

#[component]
pub fn StudiesPage() -> impl IntoView {
    let add_source = ServerAction::<AddStudyDataSource>::new();
    let add_request = ServerAction::<AddScopeRequest>::new();
    let list = Resource::new(move || (add_source.version().get(), add_request.version().get()), |_| studies());
    let sources = Resource::new(|| (), |_| data_sources());
    let types = Resource::new(|| (), |_| data_types());
    view! {
        <section class="card">
            <h1>"Studies"</h1>
            {move || add_source.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            {move || add_request.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            <Suspense fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="notice">"No studies in your organizations."</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|study| view! { <StudyCard study sources types add_source add_request/> }).collect_view().into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn StudyCard(
    study: StudyView,
    sources: Resource<Result<Vec<crate::api::DataSourceView>, ServerFnError>>,
    types: Resource<Result<Vec<crate::api::DataTypeView>, ServerFnError>>,
    add_source: ServerAction<AddStudyDataSource>,
    add_request: ServerAction<AddScopeRequest>,
) -> impl IntoView {
    let study_id = study.id;
    let source_choice = RwSignal::new(String::new());
    let type_choice = RwSignal::new(String::new());
    let chosen: Vec<i64> = study.data_sources.iter().map(|s| s.id).collect();
    let requested: Vec<i64> = study.scope_requests.iter().map(|t| t.id).collect();
    // Data types the study's data sources can deliver.
    let deliverable: Vec<i64> = study.data_sources.iter().flat_map(|s| s.supported_scopes.iter().map(|t| t.id)).collect();
    let warning = move || {
        let chosen = type_choice.get().parse::<i64>().ok()?;
        (!deliverable.contains(&chosen)).then(|| view! {
            <p class="warning" role="status">"None of this study's data sources supports this data type."</p>
        })
    };
    view! {
        <article class="study" aria-label=study.name.clone()>
            <h2>{study.name.clone()}</h2>
            <p class="muted">{format!("{} · {}", study.organization, study.description)}</p>
            <div role="group" aria-label="Data Sources">
            <h3>"Data Sources"</h3>
            <ul>{study.data_sources.iter().map(|s| view! { <li>{s.name.clone()}</li> }).collect_view()}</ul>
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
                    }>"＋ Add"</button>
            </div>
            </div>
            <div role="group" aria-label="Scope Requests">
            <h3>"Scope Requests"</h3>
            <ul>{study.scope_requests.iter().map(|t| view! { <li>{t.text.clone()}</li> }).collect_view()}</ul>
            <div class="inline-form">
                <label>"Data type"
                    <select on:change=move |ev| type_choice.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {move || types.get().and_then(Result::ok).unwrap_or_default().into_iter()
                            .filter(|t| !requested.contains(&t.id))
                            .map(|t| view! { <option value=t.id.to_string()>{t.text}</option> }).collect_view()}
                    </select>
                </label>
                <button class="primary" aria-label="Add"
                    disabled=move || type_choice.get().is_empty()
                    on:click=move |_| if let Ok(data_type_id) = type_choice.get().parse() {
                        add_request.dispatch(AddScopeRequest { study_id, data_type_id });
                    }>"＋ Add"</button>
            </div>
            {warning}
            </div>
        </article>
    }
}
