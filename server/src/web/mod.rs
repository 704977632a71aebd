//! The HTTP server: health check, the OAuth/OIDC provider, the REST API and
//! the console (SSR + hydration + server functions).

mod api;
mod client;
mod drain;
mod errors;
mod fhir;
mod guard;
mod nul;
mod oauth;
mod oidc;
mod pages;
mod server_fns;
mod session_store;
mod sso;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use app::{App, SiteUrl, shell};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jhe_core::Db;
use jhe_core::oauth::Lifetimes;
use jhe_core::throttle::Throttle;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use serde_json::json;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::cli::ServeArgs;
use crate::commands::CommandError;
pub use oidc::Oidc;

#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub oidc: Oidc,
    pub sso: Option<sso::Sso>,
    pub limits: Limits,
    pub throttle: Throttle,
    pub proxies: client::Proxies,
}

/// Request body limits in bytes (larger requests are refused with 413), and
/// the time a request may take (slower ones are refused with 408).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub request: usize,
    pub bundle: usize,
    pub timeout: Duration,
}

/// The name of the session cookie.
const SESSION_COOKIE: &str = "jhe_session";

pub async fn serve(db: Db, args: ServeArgs) -> Result<(), CommandError> {
    let address = SocketAddr::new(args.addr, args.port);
    let site_url = args.site_url.clone().unwrap_or_else(|| format!("http://{address}"));
    let site_url = site_url.trim_end_matches('/').to_owned();
    let configured_key = match &args.oidc_private_key_file {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            CommandError::Input(format!("cannot read the OIDC key file {}: {e}", path.display()))
        })?),
        None => args.oidc_private_key.clone(),
    };
    let key = jhe_core::signing_keys::active(&db, configured_key.as_deref()).await?;
    let lifetimes = Lifetimes {
        access_token: args.access_token_lifetime,
        authorization_code: args.authorization_code_lifetime,
        id_token: args.id_token_lifetime,
        refresh_token: args.refresh_token_lifetime,
    };
    let oidc = Oidc::new(&site_url, &key, lifetimes).map_err(CommandError::Input)?;
    let sso = sso::Sso::from_args(&args.sso, &site_url).map_err(CommandError::Input)?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| CommandError::Input(format!("cannot listen on {address}: {e}")))?;
    let leptos_options = LeptosOptions::builder()
        .output_name("jhe")
        .site_root(args.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(address)
        .hash_files(bundle_is_hashed())
        .build();
    let proxies = client::Proxies::new(&args.trusted_proxies, &site_url);
    let attempts_per_minute = NonZeroU32::new(args.auth_rate_limit)
        .ok_or_else(|| CommandError::Input("--auth-rate-limit must be at least 1".into()))?;
    let router = router(AppState {
        leptos_options,
        db,
        oidc,
        sso,
        limits: Limits {
            request: args.body_limit as usize,
            bundle: args.bundle_body_limit as usize,
            timeout: Duration::from_secs(args.request_timeout),
        },
        throttle: Throttle::per_minute(attempts_per_minute),
        proxies,
    });
    tracing::info!(%address, %site_url, "jhe {} listening", jhe_core::VERSION);
    println!("jhe is running at {site_url}");
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

pub fn router(state: AppState) -> Router {
    // `Secure` is added per request by `client::identify`: behind a trusted
    // proxy, whether the client is on https is known only per request.
    let sessions = SessionManagerLayer::new(session_store::DbSessionStore::new(&state.db))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(time::Duration::weeks(2)));

    let provider = Router::new()
        .route("/o/authorize/", get(oauth::authorize))
        .route("/o/token/", post(oauth::token))
        .route("/o/userinfo/", get(oauth::userinfo).post(oauth::userinfo))
        .route("/o/revoke_token/", post(oauth::revoke))
        .route("/o/introspect/", get(oauth::introspect).post(oauth::introspect))
        .route("/o/.well-known/openid-configuration", get(oauth::openid_configuration))
        .route("/o/.well-known/openid-configuration/", get(oauth::openid_configuration))
        .route("/o/.well-known/jwks.json", get(oauth::jwks))
        .route("/FHIR/R5/.well-known/smart-configuration", get(oauth::smart_configuration))
        .layer(middleware::from_fn(guard::open_cors));

    use api::{admin, audit, data_sources, data_types, identity, observations, organizations, patients, studies};
    let (api, openapi) = OpenApiRouter::with_openapi(api::ApiDoc::openapi())
        .routes(routes!(identity::profile))
        .routes(routes!(identity::list_users))
        .routes(routes!(identity::get_user))
        .routes(routes!(organizations::of_caller))
        .routes(routes!(identity::create_invitation))
        .routes(routes!(identity::redeem_invitation))
        .routes(routes!(identity::list_practitioner_clients, identity::create_practitioner_client))
        .routes(routes!(identity::delete_practitioner_client))
        .routes(routes!(organizations::list, organizations::create))
        .routes(routes!(organizations::types))
        .routes(routes!(organizations::get, organizations::update, organizations::delete))
        .routes(routes!(organizations::tree))
        .routes(routes!(organizations::users))
        .routes(routes!(organizations::studies))
        .routes(routes!(organizations::set_user))
        .routes(routes!(organizations::remove_user))
        .routes(routes!(patients::list, patients::create))
        .routes(routes!(patients::me))
        .routes(routes!(patients::global_lookup))
        .routes(routes!(patients::get, patients::update, patients::delete))
        .routes(routes!(patients::consents, patients::record_consents))
        .routes(routes!(identity::patient_invitations))
        .routes(routes!(studies::list, studies::create))
        .routes(routes!(studies::get, studies::update, studies::delete))
        .routes(routes!(studies::data_sources, studies::add_data_source, studies::remove_data_source))
        .routes(routes!(studies::scope_requests, studies::add_scope_request, studies::remove_scope_request))
        .routes(routes!(studies::patients, studies::enrol, studies::unenrol))
        .routes(routes!(data_sources::list, data_sources::create))
        .routes(routes!(data_sources::all_scopes))
        .routes(routes!(data_sources::get, data_sources::update, data_sources::delete))
        .routes(routes!(data_sources::supported_scopes, data_sources::add_supported_scope, data_sources::remove_supported_scope))
        .routes(routes!(data_types::list, data_types::create))
        .routes(routes!(data_types::get, data_types::update))
        .routes(routes!(data_types::validate))
        .routes(routes!(observations::list))
        .routes(routes!(observations::get))
        .routes(routes!(audit::list))
        .routes(routes!(admin::study_clients, admin::add_study_client, admin::remove_study_client))
        .routes(routes!(admin::list_clients, admin::create_client))
        .routes(routes!(admin::get_client, admin::update_client, admin::delete_client))
        .routes(routes!(admin::client_data_sources, admin::add_client_data_source, admin::remove_client_data_source))
        .routes(routes!(admin::list_practitioners, admin::create_practitioner))
        .routes(routes!(admin::get_practitioner, admin::update_practitioner))
        .routes(routes!(admin::list_settings, admin::create_setting))
        .routes(routes!(admin::get_setting, admin::update_setting, admin::delete_setting))
        .split_for_parts();
    let openapi = std::sync::Arc::new(openapi);
    let api = api.route("/api/v1/openapi.json", get(move || { let doc = openapi.clone(); async move { Json(doc.as_ref().clone()) } }));

    // Both spellings of the FHIR base: JHE's and the guide's.
    let mut fhir_routes = Router::new();
    for base in ["/FHIR/R5", "/fhir/r5"] {
        fhir_routes = fhir_routes
            .route(&format!("{base}/metadata"), get(fhir::capability_statement))
            .route(&format!("{base}"), post(fhir::process_bundle).layer(DefaultBodyLimit::max(state.limits.bundle)))
            .route(&format!("{base}/"), post(fhir::process_bundle).layer(DefaultBodyLimit::max(state.limits.bundle)))
            .route(&format!("{base}/Observation"), get(fhir::search_observations).post(fhir::create_observation))
            .route(&format!("{base}/Observation/_search"), post(fhir::search_observations_post))
            .route(&format!("{base}/Observation/{{id}}"), get(fhir::read_observation))
            .route(&format!("{base}/Patient"), get(fhir::search_patients))
            .route(&format!("{base}/Patient/{{id}}"), get(fhir::read_patient))
            .route(&format!("{base}/{{kind}}"), get(fhir::unsupported).post(fhir::unsupported))
            .route(&format!("{base}/{{kind}}/{{id}}"), get(fhir::unsupported_instance));
        for kind in ["Device", "Group", "Consent"] {
            fhir_routes = fhir_routes
                .route(&format!("{base}/{kind}"), get(fhir::search_catalog))
                .route(&format!("{base}/{kind}/{{id}}"), get(fhir::read_catalog));
        }
    }

    let routes = generate_route_list(App);
    let context = console_context(&state);
    let console_fns_context = context.clone();
    let console = Router::new()
        .leptos_routes_with_context(&state, routes, context, {
            let options = state.leptos_options.clone();
            move || console_page(options.clone())
        })
        .route_layer(middleware::from_fn_with_state(state.db.clone(), pages::gate));
    Router::new()
        .route("/health", get(health))
        .merge(provider)
        .merge(api)
        .merge(fhir_routes)
        .merge(console)
        .route("/accounts/sso/login", get(sso::start))
        .route("/accounts/sso/callback", get(sso::callback))
        .route(
            "/console/api/{*fn_name}",
            post(move |request: Request<Body>| async move {
                handle_server_fns_with_context(console_fns_context, request).await.into_response()
            }),
        )
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(state.limits.request))
        .layer(middleware::from_fn(server_fns::decoding_faults))
        .layer(middleware::from_fn_with_state(state.limits, nul::refuse_nul))
        .layer(middleware::from_fn(guard::csrf))
        .layer(sessions)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.limits.timeout))
        .layer(middleware::from_fn_with_state(state.limits, json_errors))
        .layer(middleware::from_fn_with_state(state.proxies.clone(), client::identify))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(drain::drain_unread_bodies))
        .layer(
            // Method and path only: query strings may carry patient details.
            TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
            }),
        )
        .with_state(state)
}

/// Whether the console bundle was built with content-hashed names:
/// `cargo leptos build` then leaves their hashes in `hash.txt` beside the
/// server binary.
fn bundle_is_hashed() -> bool {
    std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join("hash.txt"))).is_some_and(|path| path.exists())
}

/// What the console's pages and server functions find in their context.
fn console_context(state: &AppState) -> impl Fn() + Clone + Send + 'static {
    let (db, site, lifetimes) = (state.db.clone(), SiteUrl(state.oidc.site_url.clone()), state.oidc.lifetimes);
    let sso = app::SsoName(state.sso.as_ref().map(|sso| sso.name.clone()));
    let throttle = state.throttle.clone();
    move || {
        provide_context(db.clone());
        provide_context(throttle.clone());
        provide_context(site.clone());
        provide_context(lifetimes);
        provide_context(sso.clone());
    }
}

/// Liveness: answers without touching the database or needing credentials.
async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "version": jhe_core::VERSION}))
}

fn is_fhir_path(path: &str) -> bool {
    path.starts_with("/FHIR/") || path.starts_with("/fhir/")
}

fn is_api_path(path: &str) -> bool {
    ["/api/", "/FHIR/", "/fhir/", "/o/"].iter().any(|prefix| path.starts_with(prefix))
}

/// API paths answer in JSON; anything else is a console asset or page.
async fn fallback(State(state): State<AppState>, uri: Uri, request: Request<Body>) -> Response {
    if is_fhir_path(uri.path()) {
        return fhir::refused(&jhe_core::fhir::FhirError::not_found(format!("{} is not a FHIR endpoint of this server.", uri.path())));
    }
    if is_api_path(uri.path()) {
        return errors::detail(StatusCode::NOT_FOUND, "Not found.");
    }
    let path = uri.path().to_owned();
    let handler = leptos_axum::file_and_error_handler_with_context(console_context(&state), console_page);
    let mut response = handler(uri, State(state), request).await.into_response();
    let policy = pages::file_cache_policy(&path, response.status().as_u16());
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// Framework-made errors on API paths (a malformed path id, a wrong method)
/// come as plain text; rewrite them as `{"detail": ...}`. A body declared
/// larger than the limit is refused here, before any of it is read.
async fn json_errors(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let api = is_api_path(request.uri().path());
    let fhir_path = is_fhir_path(request.uri().path());
    let bundle_path = fhir_path && request.uri().path().trim_end_matches('/').len() == "/FHIR/R5".len();
    let limit = if bundle_path { limits.bundle } else { limits.request };
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    let response = if declared.is_some_and(|length| length > limit) {
        StatusCode::PAYLOAD_TOO_LARGE.into_response()
    } else {
        next.run(request).await
    };
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !api || response.status().as_u16() < 400 || is_json {
        return response;
    }
    let status = response.status();
    let allow = response.headers().get(header::ALLOW).cloned();
    let text = if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!("The request body is larger than this server accepts ({limit} bytes).")
    } else if status == StatusCode::REQUEST_TIMEOUT {
        format!("The request took longer than this server allows ({} seconds, upload included).", limits.timeout.as_secs())
    } else {
        match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
            Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
            _ => status.canonical_reason().unwrap_or("Error").to_owned(),
        }
    };
    let mut rewritten = if fhir_path {
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "too-costly",
            StatusCode::REQUEST_TIMEOUT => "timeout",
            _ => "invalid",
        };
        fhir::refused(&jhe_core::fhir::FhirError::new(status.as_u16(), code, text.trim(), None))
    } else {
        errors::detail(status, text.trim())
    };
    if let Some(allow) = allow {
        rewritten.headers_mut().insert(header::ALLOW, allow);
    }
    rewritten
}

/// On every response: no sniffing of content types, no framing by other
/// sites (clickjacking), no referrer sent to other origins, no plugins and no
/// `<base>` pointing elsewhere.
async fn security_headers(request: Request<Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    response
}

/// A console page: the app's shell under the page's own security policy.
fn console_page(options: LeptosOptions) -> impl IntoView {
    console_security_policy();
    shell(options)
}

/// Console pages run only scripts from this origin or carrying this page's
/// nonce (Leptos' hydration and streaming scripts), may compile the wasm
/// bundle, and load nothing from elsewhere. Set on the page's own response,
/// so `security_headers` leaves it in place.
fn console_security_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
