//! Data Types: the coded schemas; super users add them, anyone tries a sample.

use leptos::prelude::*;

use super::{ErrorBanner, Loading};
use crate::api::{AddDataType, TrySample, data_types};
use crate::auth::current_user;

#[component]
pub fn DataTypesPage() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let add = ServerAction::<AddDataType>::new();
    let try_sample = ServerAction::<TrySample>::new();
    let types = Resource::new(move || add.version().get(), |_| data_types());
    let is_superuser = move || user.get().and_then(Result::ok).flatten().is_some_and(|u| u.is_superuser);
    view! {
        <section class="card">
            <h1>"Data Types"</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || types.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) => view! {
                        <table>
                            <thead><tr><th>"Text"</th><th>"Code"</th><th>"System"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| view! {
                                    <tr><td>{t.text}</td><td><code>{t.coding_code}</code></td><td>{t.coding_system}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
        <Suspense fallback=|| ()>
            {move || is_superuser().then(|| view! {
                <section class="card">
                    <h2>"Add Data Type"</h2>
                    <ActionForm action=add>
                        <label>"Coding system" <input type="text" name="coding_system" value="https://w3id.org/openmhealth" required/></label>
                        <label>"Code" <input type="text" name="coding_code" placeholder="omh:step-count:2.0" required/></label>
                        <label>"Text" <input type="text" name="text" placeholder="Step count" required/></label>
                        <label>"JSON Schema (leave empty for a built-in Open mHealth or IEEE type)"
                            <textarea name="schema" rows="6"></textarea>
                        </label>
                        <button class="primary" type="submit" disabled=move || add.pending().get()>"Add Data Type"</button>
                    </ActionForm>
                    {move || add.value().get().map(|result| match result {
                        Ok(id) => view! { <p class="success" role="status">{format!("Data type {id} added.")}</p> }.into_any(),
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    })}
                </section>
            })}
        </Suspense>
        <section class="card">
            <h2>"Try a sample"</h2>
            <ActionForm action=try_sample>
                <label>"Data type"
                    <select name="data_type_id">
                        {move || types.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|t| view! {
                            <option value=t.id.to_string()>{format!("{} ({})", t.text, t.coding_code)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"OMH data point (JSON with header and body)" <textarea name="sample" rows="8" required></textarea></label>
                <button class="primary" type="submit" disabled=move || try_sample.pending().get()>"Validate"</button>
            </ActionForm>
            {move || try_sample.value().get().map(|result| match result {
                Ok(checked) if checked.valid => view! { <p class="success" role="status">"Valid."</p> }.into_any(),
                Ok(checked) => view! {
                    <ul class="errors" role="alert">{checked.errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                }.into_any(),
                Err(error) => view! { <ErrorBanner error/> }.into_any(),
            })}
        </section>
    }
}
