//! What the server adds around console pages: a signed-out visitor is sent
//! to sign in (and brought back after), and nothing a signed-in user saw is
//! kept by the browser or a proxy once they leave.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use jhe_core::Db;
use tower_sessions::Session;

const LOGIN: &str = "/accounts/login";
const SERVER_FUNCTIONS: &str = "/console/api/";

/// Pages anyone may open: signing in and accepting an invitation.
fn is_public_page(path: &str) -> bool {
    path == LOGIN || path.starts_with("/invitation/")
}

/// Around every console page: signed out, a page other than the public ones
/// answers a redirect to the login page naming it as `next`; signed in, the
/// login page sends on to its `next`. Pages are never stored (Back after Log
/// Out must not show a patient's data).
pub async fn gate(State(db): State<Db>, session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    // Leptos mounts the server functions beside the pages: they answer for
    // themselves (401 when signed out), in data, not pages.
    if path.starts_with(SERVER_FUNCTIONS) {
        return next.run(request).await;
    }
    // A session that cannot be read counts as signed out.
    let signed_in = app::session::caller(&session, &db).await.ok().flatten().is_some();
    let target = match (signed_in, is_public_page(&path)) {
        (false, false) => {
            let here = request.uri().path_and_query().map_or(path.as_str(), |p| p.as_str());
            let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", here).finish();
            Some(format!("{LOGIN}?{query}"))
        }
        (true, true) if path == LOGIN => {
            let next = form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
                .find(|(key, _)| key == "next")
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default();
            Some(app::session::safe_next(&next))
        }
        _ => None,
    };
    let response = match target {
        Some(target) => Redirect::to(&target).into_response(),
        None => next.run(request).await,
    };
    no_store(response)
}

/// Console pages and redirects: never stored.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// How long a browser keeps a file of the console's site: the bundle's
/// content-hashed files forever (a new build has new names), everything else
/// checked again on every use; the 404 page, which may name the signed-in
/// user, not at all.
pub fn file_cache_policy(path: &str, status: u16) -> &'static str {
    if status >= 400 {
        "no-store"
    } else if path.starts_with("/pkg/") && is_hashed_name(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// `jhe.QuFc8eUaGd4JCZdNZytWYw.wasm`: cargo-leptos puts the content hash
/// (base64url) between the name and the extension.
fn is_hashed_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let mut parts = name.split('.');
    parts.next().is_some() && parts.next().is_some_and(|hash| hash.len() >= 16 && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_bundle_files_are_immutable() {
        assert_eq!(file_cache_policy("/pkg/jhe.KcNrVN2ZqVUvC8s4O5gEnQ.wasm", 200), "public, max-age=31536000, immutable");
        assert_eq!(file_cache_policy("/pkg/jhe.KcNrVN2ZqVUvC8s4O5gEnQ.wasm.br", 200), "public, max-age=31536000, immutable");
        assert_eq!(file_cache_policy("/pkg/jhe.pjgDP-5bpCdqdOQyOs4B_g.css", 200), "public, max-age=31536000, immutable");
        assert_eq!(file_cache_policy("/pkg/jhe.wasm", 200), "no-cache");
        assert_eq!(file_cache_policy("/pkg/jhe.css", 200), "no-cache");
        assert_eq!(file_cache_policy("/favicon.svg", 200), "no-cache");
        assert_eq!(file_cache_policy("/no/such/page", 404), "no-store");
    }

    #[test]
    fn sign_in_and_invitations_are_the_only_public_pages() {
        assert!(is_public_page("/accounts/login"));
        assert!(is_public_page("/invitation/abc"));
        assert!(!is_public_page("/"));
        assert!(!is_public_page("/observations"));
    }
}
