//! Consent: "Studies Pending Consent" with a checkbox per requested data
//! type, and the studies already answered (changeable). Patients answer for
//! themselves; managers and members on a patient's behalf; viewers only see.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{ErrorBanner, Flash, Loading, LocalTime, data_type_label};
use crate::api::{SaveConsents, StudyConsentView, consents};

/// The signed-in patient's own consents.
#[component]
pub fn MyConsentPage() -> impl IntoView {
    view! {
        <Title text="My Consents"/>
        <ConsentPanel patient_id=None/>
    }
}

/// A patient's consents: theirs (`None`) or another's, for practitioners.
#[component]
pub fn ConsentPanel(patient_id: Option<i64>) -> impl IntoView {
    let save = ServerAction::<SaveConsents>::new();
    let overview = Resource::new(move || save.version().get(), move |_| consents(patient_id));
    // What the save on its way says once it is stored.
    let outcome = RwSignal::new(None::<String>);
    let flash = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            flash.set(outcome.get_untracked());
        }
    });
    view! {
        <section class="card">
            <Flash message=flash/>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || overview.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(view) => {
                        let (patient, can_answer) = (view.patient_id, view.can_answer);
                        view! {
                            <h1>{format!("Consents of {}", view.patient_name)}</h1>
                            <h2>"Studies Pending Consent"</h2>
                            {view.pending.is_empty().then(|| view! { <p class="notice">"Nothing is waiting for an answer."</p> })}
                            {view.pending.into_iter().map(|study| view! { <StudyAnswers patient study pending=true can_answer save outcome/> }).collect_view()}
                            <h2>"Studies Answered"</h2>
                            {view.answered.is_empty().then(|| view! { <p class="notice">"No study answered yet."</p> })}
                            {view.answered.into_iter().map(|study| view! { <StudyAnswers patient study pending=false can_answer save outcome/> }).collect_view()}
                        }.into_any()
                    }
                })}
            </Suspense>
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
        </section>
    }
}

#[component]
fn StudyAnswers(
    patient: i64,
    study: StudyConsentView,
    pending: bool,
    can_answer: bool,
    save: ServerAction<SaveConsents>,
    outcome: RwSignal<Option<String>>,
) -> impl IntoView {
    let study_id = study.id;
    let listed: Vec<i64> = study.scopes.iter().map(|s| s.data_type.id).collect();
    let ticked = RwSignal::new(study.scopes.iter().filter(|s| s.consented == Some(true)).map(|s| s.data_type.id).collect::<Vec<i64>>());
    view! {
        <fieldset class="study-consent" aria-label=study.name.clone()>
            <legend>{study.name.clone()}</legend>
            <p class="muted">{study.description.clone()}</p>
            {study.scopes.iter().map(|scope| {
                let id = scope.data_type.id;
                view! {
                    <label class="check">
                        <input type="checkbox" disabled=!can_answer
                            prop:checked=move || ticked.get().contains(&id)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                ticked.update(|list| {
                                    list.retain(|t| *t != id);
                                    if on { list.push(id); }
                                });
                            }/>
                        {data_type_label(&scope.data_type)}
                        {scope.answered_at.map(|at| {
                            let said = if scope.consented == Some(true) { "Shared since " } else { "Declined on " };
                            let by = scope.answered_by.clone().map(|who| format!(" by {who}"));
                            // The space keeps the name and the answer apart for screen readers.
                            view! { " " <span class="muted answer">{said}<LocalTime micros=Some(at)/>{by}</span> }
                        })}
                    </label>
                }
            }).collect_view()}
            {can_answer.then(|| {
                let listed = listed.clone();
                let names: Vec<(i64, String)> = study.scopes.iter().map(|s| (s.data_type.id, s.data_type.text.clone())).collect();
                let study_name = study.name.clone();
                view! {
                    <p class="muted">"Ticked data types are shared with this study; unticked ones are declined. You can change this at any time."</p>
                    <button class="primary" disabled=move || save.pending().get()
                        on:click=move |_| {
                            let granted = ticked.get();
                            let (shared, declined): (Vec<_>, Vec<_>) = names.iter().partition(|(id, _)| granted.contains(id));
                            let list = |part: Vec<&(i64, String)>| if part.is_empty() { "nothing".to_owned() } else {
                                part.into_iter().map(|(_, name)| name.clone()).collect::<Vec<_>>().join(", ")
                            };
                            outcome.set(Some(format!("Saved for {study_name}: shared {}; declined {}.", list(shared), list(declined))));
                            save.dispatch(SaveConsents { patient_id: patient, study_id, listed: listed.clone(), granted, pending });
                        }>"Save"</button>
                }
            })}
        </fieldset>
    }
}
