//! Data Types: the coded schemas; super users add them, anyone tries a sample.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{ArgsForm, ErrorBanner, Loading};
use crate::api::{AddDataType, CheckSchema, TrySample, data_sources, data_types};
use crate::auth::current_user;

#[component]
pub fn DataTypesPage() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let add = ServerAction::<AddDataType>::new();
    let try_sample = ServerAction::<TrySample>::new();
    let check = ServerAction::<CheckSchema>::new();
    let schema_text = RwSignal::new(String::new());
    let types = Resource::new(move || add.version().get(), |_| data_types());
    let sources = Resource::new(|| (), |_| data_sources());
    let is_superuser = move || user.get().and_then(Result::ok).flatten().is_some_and(|u| u.is_superuser);
    view! {
        <Title text="Data Types"/>
        <section class="card">
            <h1>"Data Types"</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || types.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) => view! {
                        <table class="cards">
                            <thead><tr><th>"Text"</th><th>"Code"</th><th>"System"</th><th>"Supported by"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| {
                                    let used_by: Vec<String> = sources.get().and_then(Result::ok).unwrap_or_default().into_iter()
                                        .filter(|s| s.supported_scopes.iter().any(|scope| scope.id == t.id))
                                        .map(|s| s.name).collect();
                                    view! {
                                        <tr>
                                            <td data-label="Text">{t.text}</td>
                                            <td data-label="Code"><code>{t.coding_code}</code></td>
                                            <td data-label="System">{t.coding_system}</td>
                                            <td data-label="Supported by">{used_by.join(", ")}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
        <Suspense fallback=|| ()>
            {move || is_superuser().then(|| view! {
                <section class="card" aria-label="Add Data Type">
                    <h2>"Add Data Type"</h2>
                    <ArgsForm action=add>
                        <label>"Coding system" <input type="text" name="coding_system" value="https://w3id.org/openmhealth" required/></label>
                        <label>"Code" <input type="text" name="coding_code" placeholder="omh:step-count:2.0" required/></label>
                        <label>"Text" <input type="text" name="text" placeholder="Step count" required/></label>
                        <label>"JSON Schema (leave empty for a built-in Open mHealth or IEEE type)"
                            <textarea name="schema" rows="6" prop:value=move || schema_text.get()
                                on:input=move |ev| { schema_text.set(event_target_value(&ev)); check.clear(); }></textarea>
                        </label>
                        <div class="actions">
                            <button type="button" disabled=move || schema_text.get().trim().is_empty() || check.pending().get()
                                on:click=move |_| { check.dispatch(CheckSchema { schema: schema_text.get() }); }>"Check Schema"</button>
                            <button class="primary" type="submit" disabled=move || add.pending().get()>"Add Data Type"</button>
                        </div>
                    </ArgsForm>
                    {move || check.value().get().map(|result| match result {
                        Ok(None) => view! { <p class="success" role="status">"The schema can be used."</p> }.into_any(),
                        Ok(Some(problem)) => view! { <p class="errors" role="alert">{format!("Schema error: {problem}")}</p> }.into_any(),
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    })}
                    {move || add.value().get().map(|result| match result {
                        Ok(id) => view! { <p class="success" role="status">{format!("Data type {id} added.")}</p> }.into_any(),
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    })}
                </section>
            })}
        </Suspense>
        <section class="card" aria-label="Try a sample">
            <h2>"Try a sample"</h2>
            <Suspense fallback=|| view! { <Loading/> }>
            <ArgsForm action=try_sample>
                <label>"Data type"
                    <select name="data_type_id">
                        {move || types.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|t| view! {
                            <option value=t.id.to_string()>{format!("{} ({})", t.text, t.coding_code)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"OMH data point (JSON with header and body)" <textarea name="sample" rows="8" required></textarea></label>
                <button class="primary" type="submit" disabled=move || try_sample.pending().get()>"Validate"</button>
            </ArgsForm>
            </Suspense>
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
