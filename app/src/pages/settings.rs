//! Settings (super users): the typed system settings; add one, change a
//! value, delete one after confirming.

use leptos::prelude::*;
use leptos_meta::Title;

use super::organizations::hydrated;
use super::{ConfirmDialog, ErrorBanner, Loading, LocalTime, Modal};
use crate::api::settings::{AddSetting, DeleteSetting, SettingView, UpdateSetting, setting_types, settings};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let add = ServerAction::<AddSetting>::new();
    let update = ServerAction::<UpdateSetting>::new();
    let delete = ServerAction::<DeleteSetting>::new();
    let list = Resource::new(move || (add.version().get(), update.version().get(), delete.version().get()), |_| settings());
    let adding = RwSignal::new(false);
    let editing = RwSignal::new(None::<i64>);
    let draft = RwSignal::new(String::new());
    let deleting = RwSignal::new(None::<(i64, String)>);
    let ready = hydrated();
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            adding.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = update.value().get() {
            editing.set(None);
        }
    });
    let controls = RowControls { update, editing, draft, deleting, ready };
    view! {
        <Title text="Settings"/>
        <section class="card">
            <div class="heading-row">
                <h1>"Settings"</h1>
                // The list answers whether the caller may see settings at all.
                <Transition fallback=|| ()>
                    {move || list.get().and_then(Result::ok).map(|_| view! {
                        <button class="primary" disabled=move || !ready.get() on:click=move |_| {
                            add.value().set(None);
                            adding.set(true);
                        }>"Add Setting"</button>
                    })}
                </Transition>
            </div>
            {move || update.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            {move || delete.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="notice">"No settings."</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll"><table class="cards" aria-label="Settings">
                            <thead><tr><th>"Key"</th><th>"Type"</th><th>"Value"</th><th>"Last Updated"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|setting| view! { <Row setting controls/> }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Transition>
            {move || deleting.get().map(|(id, key)| view! {
                <ConfirmDialog label="Confirm deletion" act="Delete" question=format!("Delete the setting {key}?")
                    pending=Signal::derive(move || delete.pending().get())
                    on_act=Callback::new(move |_| {
                        delete.dispatch(DeleteSetting { id });
                        deleting.set(None);
                    })
                    on_keep=Callback::new(move |_| deleting.set(None))/>
            })}
        </section>
        <Show when=move || adding.get()>
            <AddDialog add adding/>
        </Show>
    }
}

#[derive(Clone, Copy)]
struct RowControls {
    update: ServerAction<UpdateSetting>,
    editing: RwSignal<Option<i64>>,
    draft: RwSignal<String>,
    deleting: RwSignal<Option<(i64, String)>>,
    ready: RwSignal<bool>,
}

#[component]
fn Row(setting: SettingView, controls: RowControls) -> impl IntoView {
    let RowControls { update, editing, draft, deleting, ready } = controls;
    let id = setting.id;
    let key = setting.key.clone();
    let value = setting.value.clone();
    let is_editing = move || editing.get() == Some(id);
    let value_cell = {
        let key = key.clone();
        move || {
            if is_editing() {
                let input = NodeRef::<leptos::html::Input>::new();
                Effect::new(move |_| {
                    if let Some(input) = input.get() {
                        let _ = input.focus();
                    }
                });
                view! {
                    <form class="inline-form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        update.dispatch(UpdateSetting { id, value: draft.get_untracked() });
                    }>
                        <input node_ref=input type="text" aria-label=format!("Value of {key}") bind:value=draft/>
                        <button class="primary" type="submit" disabled=move || update.pending().get()>"Save"</button>
                        <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                    </form>
                }
                .into_any()
            } else {
                view! { <code>{value.clone()}</code> }.into_any()
            }
        }
    };
    let (edit_name, delete_name) = (format!("Edit {key}"), format!("Delete {key}"));
    let starting_value = setting.value.clone();
    let deleting_key = key.clone();
    view! {
        <tr>
            <td data-label="Key">{key.clone()}</td>
            <td data-label="Type">{setting.value_type.clone()}</td>
            <td data-label="Value">{value_cell}</td>
            <td data-label="Last Updated" class="nowrap"><LocalTime micros=setting.last_updated/></td>
            <td class="row-actions">
                <button class="icon" aria-label=edit_name disabled=move || !ready.get() || is_editing()
                    on:click=move |_| {
                        update.value().set(None);
                        draft.set(starting_value.clone());
                        editing.set(Some(id));
                    }>"Edit"</button>
                <button class="icon" aria-label=delete_name disabled=move || !ready.get()
                    on:click=move |_| deleting.set(Some((id, deleting_key.clone())))>"Delete"</button>
            </td>
        </tr>
    }
}

#[component]
fn AddDialog(add: ServerAction<AddSetting>, adding: RwSignal<bool>) -> impl IntoView {
    let types = Resource::new(|| (), |_| setting_types());
    let key = RwSignal::new(String::new());
    let value_type = RwSignal::new("string".to_owned());
    let value = RwSignal::new(String::new());
    let first = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });
    let missing = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let problem = if key.get_untracked().trim().is_empty() {
            Some("Enter a key.")
        } else if value.get_untracked().trim().is_empty() && value_type.get_untracked() != "string" {
            Some("Enter a value.")
        } else {
            None
        };
        missing.set(problem);
        if problem.is_none() {
            add.dispatch(AddSetting { key: key.get_untracked().trim().to_owned(), value_type: value_type.get_untracked(), value: value.get_untracked() });
        }
    };
    view! {
        <Modal label="Add Setting" on_close=Callback::new(move |_| adding.set(false))>
            <h2>"Add Setting"</h2>
            <form novalidate on:submit=submit>
                <label>"Key" <input node_ref=first type="text" required aria-required="true" autocomplete="off" bind:value=key/></label>
                <label>"Type"
                    <select on:change=move |ev| value_type.set(event_target_value(&ev))>
                        {move || types.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|t| {
                            let (chosen, label) = (t == "string", t.clone());
                            view! { <option value=t selected=chosen>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Value" <input type="text" required aria-required="true" bind:value=value/></label>
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
