//! The HTTP server: health check, the console (SSR + hydration + server
//! functions) and, under it, the API routes.

use std::net::SocketAddr;

use app::{App, shell};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jhe_core::Db;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::cli::ServeArgs;
use crate::commands::CommandError;

#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
}

pub async fn serve(db: Db, args: ServeArgs) -> Result<(), CommandError> {
    let address = SocketAddr::new(args.addr, args.port);
    let site_url = args.site_url.unwrap_or_else(|| format!("http://{address}"));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| CommandError::Input(format!("cannot listen on {address}: {e}")))?;
    let leptos_options = LeptosOptions::builder()
        .output_name("jhe")
        .site_root(args.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(address)
        .build();
    let router = router(AppState { leptos_options, db });
    tracing::info!(%address, %site_url, "jhe {} listening", jhe_core::VERSION);
    println!("jhe is running at {site_url}");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let db = state.db.clone();
    Router::new()
        .route("/health", get(health))
        .route("/console/api/{*fn_name}", post(server_fn_handler))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(db.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(fallback)
        .layer(
            // Method and path only: query strings may carry patient details.
            TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
            }),
        )
        .with_state(state)
}

/// Liveness: answers without touching the database or needing credentials.
async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "version": jhe_core::VERSION}))
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> Response {
    let db = state.db.clone();
    handle_server_fns_with_context(move || provide_context(db.clone()), request)
        .await
        .into_response()
}

/// API paths answer in JSON; anything else is a console asset or page.
async fn fallback(State(state): State<AppState>, uri: Uri, request: Request<Body>) -> Response {
    let path = uri.path();
    let is_api = ["/api/", "/FHIR/", "/fhir/", "/o/"].iter().any(|prefix| path.starts_with(prefix));
    if is_api {
        return (StatusCode::NOT_FOUND, Json(json!({"detail": "Not found."}))).into_response();
    }
    leptos_axum::file_and_error_handler(shell)(uri, State(state.leptos_options), request)
        .await
        .into_response()
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
