//! Consent: "Studies Pending Consent" with a checkbox per requested data
//! type, and the studies already answered (changeable). Patients answer for
//! themselves; managers and members on a patient's behalf; viewers only see.

use leptos::prelude::*;

use super::{ErrorBanner, Loading};
use crate::api::{SaveConsents, StudyConsentView, consents};

/// The signed-in patient's own consents.
#[component]
pub fn MyConsentPage() -> impl IntoView {
    view! { <ConsentPanel patient_id=None/> }
}

/// A patient's consents: theirs (`None`) or another's, for practitioners.
#[component]
pub fn ConsentPanel(patient_id: Option<i64>) -> impl IntoView {
    let save = ServerAction::<SaveConsents>::new();
    let overview = Resource::new(move || save.version().get(), move |_| consents(patient_id));
    view! {
        <section class="card">
            <Suspense fallback=|| view! { <Loading/> }>
                {move || overview.get().map(|result| match result {
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    Ok(view) => {
                        let (patient, can_answer) = (view.patient_id, view.can_answer);
                        view! {
                            <h1>{format!("Consents of {}", view.patient_name)}</h1>
                            <h2>"Studies Pending Consent"</h2>
                            {view.pending.is_empty().then(|| view! { <p class="notice">"Nothing is waiting for an answer."</p> })}
                            {view.pending.into_iter().map(|study| view! { <StudyAnswers patient study pending=true can_answer save/> }).collect_view()}
                            <h2>"Studies Answered"</h2>
                            {view.answered.into_iter().map(|study| view! { <StudyAnswers patient study pending=false can_answer save/> }).collect_view()}
                        }.into_any()
                    }
                })}
            </Suspense>
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorBanner error/> })}
        </section>
    }
}

#[component]
fn StudyAnswers(patient: i64, study: StudyConsentView, pending: bool, can_answer: bool, save: ServerAction<SaveConsents>) -> impl IntoView {
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
                        {scope.data_type.text.clone()}
                    </label>
                }
            }).collect_view()}
            {can_answer.then(|| {
                let listed = listed.clone();
                view! {
                    <button class="primary" disabled=move || save.pending().get()
                        on:click=move |_| {
                            save.dispatch(SaveConsents { patient_id: patient, study_id, listed: listed.clone(), granted: ticked.get(), pending });
                        }>"Save"</button>
                }
            })}
        </fieldset>
    }
}
