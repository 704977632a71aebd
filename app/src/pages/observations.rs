//! Observations the signed-in user may see, newest first, with the decoded
//! OMH data point on demand.

use leptos::prelude::*;

use super::{ErrorBanner, Loading};
use crate::api::observations;

#[component]
pub fn ObservationsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| observations());
    let open = RwSignal::new(None::<i64>);
    view! {
        <section class="card">
            <h1>"Observations"</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="notice">"No observations to show."</p> }.into_any(),
                    Ok(rows) => view! {
                        <table>
                            <thead><tr><th>"Time"</th><th>"Patient"</th><th>"Data type"</th><th>"Value"</th><th></th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|row| {
                                    let id = row.id;
                                    let point = row.data_point.clone();
                                    view! {
                                        <tr>
                                            <td>{row.when.clone()}</td>
                                            <td>{format!("{} ({})", row.patient_name, row.patient_id)}</td>
                                            <td>{row.data_type.clone()}</td>
                                            <td>{row.summary.clone()}</td>
                                            <td><button class="icon" aria-label="View" title="View"
                                                on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>"View"</button></td>
                                        </tr>
                                        <Show when=move || open.get() == Some(id)>
                                            <tr class="detail"><td colspan="5"><pre>{point.clone()}</pre></td></tr>
                                        </Show>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
