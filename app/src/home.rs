//! The page after sign-in, one per role: super users see the catalogue and
//! every study; practitioners their studies, who still has to answer consent
//! requests, and the latest data; patients the studies waiting for their
//! answer first.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::api::ObservationView;
use crate::pages::{ErrorBanner, Loading, LocalTime};

/// Rows of each list on the home page.
#[cfg(feature = "ssr")]
const RECENT: i64 = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeStudy {
    pub id: i64,
    pub name: String,
    pub organization: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingConsent {
    pub study_id: i64,
    pub study_name: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub unanswered: i64,
}

/// What the home page shows; which parts are filled depends on the role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HomeView {
    SuperUser { name: String, data_sources: usize, data_types: usize, studies: Vec<HomeStudy>, pending: Vec<PendingConsent> },
    Practitioner { name: String, studies: Vec<HomeStudy>, pending: Vec<PendingConsent>, recent: Vec<ObservationView> },
    Patient { name: String, waiting: Vec<String>, answered: usize, recent: Vec<ObservationView> },
}

#[server(prefix = "/console/api", endpoint = "home", input = crate::api::args::Form)]
pub async fn home() -> Result<HomeView, ServerFnError> {
    use crate::api::server::{caller, refuse_with};
    let (db, caller) = caller().await?;
    let name = crate::api::full_name(&caller.first_name, &caller.last_name);
    let name = if name.is_empty() { caller.email.clone() } else { name };
    let studies = || async {
        let found = jhe_core::studies::visible(&db, &caller).await.map_err(|e| refuse_with(&e))?;
        Ok::<_, ServerFnError>(
            found.into_iter().map(|s| HomeStudy { id: s.id, name: s.name, organization: s.organization.name }).collect::<Vec<_>>(),
        )
    };
    let pending = || async {
        let found = jhe_core::consents::pending_enrolments(&db, &caller, 20).await.map_err(|e| refuse_with(&e))?;
        Ok::<_, ServerFnError>(
            found
                .into_iter()
                .map(|p| PendingConsent {
                    study_id: p.study_id,
                    study_name: p.study_name,
                    patient_id: p.patient_id,
                    patient_name: p.patient_name,
                    unanswered: p.unanswered,
                })
                .collect::<Vec<_>>(),
        )
    };
    let recent = || async {
        let filter = jhe_core::store::observations::ObservationFilter::default();
        let request = jhe_core::paging::PageRequest { number: Some(1), size: RECENT };
        let page = jhe_core::observations::list(&db, &caller, filter, &request).await.map_err(|e| refuse_with(&e))?;
        Ok::<_, ServerFnError>(page.items.into_iter().map(crate::api::observation_view).collect::<Vec<_>>())
    };
    if caller.is_superuser {
        let data_sources = jhe_core::data_sources::list(&db).await.map_err(|e| refuse_with(&e))?.len();
        let data_types = jhe_core::data_types::list(&db).await.map_err(|e| refuse_with(&e))?.len();
        return Ok(HomeView::SuperUser { name, data_sources, data_types, studies: studies().await?, pending: pending().await? });
    }
    if caller.practitioner_id.is_some() {
        return Ok(HomeView::Practitioner { name, studies: studies().await?, pending: pending().await?, recent: recent().await? });
    }
    let Some(patient_id) = caller.patient_id else {
        return Ok(HomeView::Patient { name, waiting: Vec::new(), answered: 0, recent: Vec::new() });
    };
    let overview = jhe_core::consents::overview(&db, &caller, patient_id).await.map_err(|e| refuse_with(&e))?;
    Ok(HomeView::Patient {
        name,
        waiting: overview.studies_pending_consent.into_iter().map(|s| s.name).collect(),
        answered: overview.studies.len(),
        recent: recent().await?,
    })
}

#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| home());
    view! {
        <Title text="Home"/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || home.get().map(|result| match result {
                Err(error) => view! { <section class="card"><ErrorBanner error/></section> }.into_any(),
                Ok(HomeView::SuperUser { name, data_sources, data_types, studies, pending }) => view! {
                    <section class="card">
                        <h1>{format!("Welcome, {name}")}</h1>
                        <p>"You run this exchange: its catalogue of data sources and data types, organizations, practitioners and patient apps."</p>
                        <ul class="tiles">
                            <li><a href="/data-sources"><strong>{data_sources}</strong>" data sources"</a></li>
                            <li><a href="/data-types"><strong>{data_types}</strong>" data types"</a></li>
                            <li><a href="/organizations">"Organizations"</a></li>
                            <li><a href="/practitioners">"Practitioners"</a></li>
                            <li><a href="/clients">"Clients"</a></li>
                            <li><a href="/audit">"Audit"</a></li>
                        </ul>
                    </section>
                    <StudyList studies/>
                    <PendingList pending/>
                }.into_any(),
                Ok(HomeView::Practitioner { name, studies, pending, recent }) => view! {
                    <section class="card">
                        <h1>{format!("Welcome, {name}")}</h1>
                        <p>"Your studies, the patients who still have to answer, and the latest data they shared."</p>
                    </section>
                    <StudyList studies/>
                    <PendingList pending/>
                    <RecentList recent show_patient=true/>
                }.into_any(),
                Ok(HomeView::Patient { name, waiting, answered, recent }) => view! {
                    <section class="card">
                        <h1>{format!("Welcome, {name}")}</h1>
                        {if waiting.is_empty() {
                            view! { <p>{format!("No study is waiting for your answer. You have answered {answered} {}.", plural(answered, "study", "studies"))}</p> }.into_any()
                        } else {
                            view! {
                                <div class="callout" role="group" aria-label="Waiting for your answer">
                                    <h2>"Waiting for your answer"</h2>
                                    <ul>{waiting.into_iter().map(|study| view! { <li>{study}</li> }).collect_view()}</ul>
                                    <a class="button primary" href="/consent">"Review and answer"</a>
                                </div>
                            }.into_any()
                        }}
                        <p><a href="/consent">"My Consents"</a>" · "<a href="/observations">"My data"</a></p>
                    </section>
                    <RecentList recent show_patient=false/>
                }.into_any(),
            })}
        </Suspense>
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

#[component]
fn StudyList(studies: Vec<HomeStudy>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="home-studies">
            <h2 id="home-studies">"Studies"</h2>
            {if studies.is_empty() {
                view! { <p class="notice">"No studies yet. "<a href="/studies?add">"Add a study"</a>" to start."</p> }.into_any()
            } else {
                view! {
                    <ul class="linked">
                        {studies.into_iter().map(|s| view! {
                            <li><a href=format!("/studies?view={}", s.id)>{s.name}</a><span class="muted">{s.organization}</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn PendingList(pending: Vec<PendingConsent>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="home-pending">
            <h2 id="home-pending">"Waiting for consent"</h2>
            {if pending.is_empty() {
                view! { <p class="notice">"Every enrolled patient has answered their studies' requests."</p> }.into_any()
            } else {
                view! {
                    <ul class="linked">
                        {pending.into_iter().map(|p| view! {
                            <li>
                                <a href=format!("/patients/{}", p.patient_id)>{p.patient_name}</a>
                                <span class="muted">{format!("{} · {} unanswered", p.study_name, p.unanswered)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn RecentList(recent: Vec<ObservationView>, show_patient: bool) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="home-recent">
            <h2 id="home-recent">"Latest data"</h2>
            {if recent.is_empty() {
                view! { <p class="notice">"No data shared yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="linked">
                        {recent.into_iter().map(|o| {
                            let who = show_patient.then(|| format!("{} · ", o.patient_name)).unwrap_or_default();
                            view! {
                                <li>
                                    <span>{format!("{who}{}: {}", o.data_type, o.summary)}</span>
                                    <span class="muted"><LocalTime micros=o.at/></span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <p><a href="/observations">"All observations"</a></p>
                }.into_any()
            }}
        </section>
    }
}
