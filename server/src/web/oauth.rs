//! The OAuth 2.0 / OpenID Connect provider under `/o/`, and the SMART
//! configuration. Handlers parse and render; `jhe_core::oauth` decides.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jhe_core::oauth::{self, AuthorizeError, AuthorizeParams, ClientAuth, OAuthError};
use serde_json::json;
use tower_sessions::Session;

use super::AppState;
use super::client::Client;
use super::errors::{no_store, retry_after};
use super::guard::ApiCaller;

type Params = HashMap<String, String>;

fn form(body: &Bytes) -> Params {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// An RFC 6749 §5.2 error response.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    no_store((status, Json(json!({"error": error, "error_description": description}))).into_response())
}

/// The response for a refused OAuth request.
fn refused(error: OAuthError) -> Response {
    {
        let status = match &error {
            OAuthError::InvalidClient(_) => StatusCode::UNAUTHORIZED,
            OAuthError::Store(store) => StatusCode::from_u16(store.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            _ => StatusCode::BAD_REQUEST,
        };
        let description = match &error {
            OAuthError::Store(store) => store.public_message().to_owned(),
            other => other.to_string(),
        };
        let mut response = oauth_error(status, error.code(), &description);
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(r#"Basic realm="oauth""#));
        }
        response
    }
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1) or the form.
fn client_auth(headers: &HeaderMap, params: &Params) -> Result<ClientAuth, OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"));
    if let Some((_, encoded)) = basic {
        let decoded = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| OAuthError::InvalidClient("malformed Basic credentials".into()))?;
        let (id, secret) = decoded
            .split_once(':')
            .ok_or_else(|| OAuthError::InvalidClient("malformed Basic credentials".into()))?;
        let unescape = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default();
        return Ok(ClientAuth { client_id: unescape(id), client_secret: Some(unescape(secret)) });
    }
    Ok(ClientAuth {
        client_id: params.get("client_id").cloned().unwrap_or_default(),
        client_secret: params.get("client_secret").cloned(),
    })
}

/// `GET /o/authorize/`: signs the user in if needed, then sends the client a code.
pub async fn authorize(State(state): State<AppState>, session: Session, uri: Uri, Query(params): Query<Params>) -> Response {
    let request = AuthorizeParams {
        client_id: params.get("client_id").cloned(),
        redirect_uri: params.get("redirect_uri").cloned(),
        response_type: params.get("response_type").cloned(),
        scope: params.get("scope").cloned(),
        code_challenge: params.get("code_challenge").cloned(),
        code_challenge_method: params.get("code_challenge_method").cloned(),
        nonce: params.get("nonce").cloned(),
    };
    let state_param = params.get("state").cloned();
    let checked = match oauth::check_authorize(&state.db, &request).await {
        Ok(checked) => checked,
        Err(AuthorizeError::NotRedirectable(message)) => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &message);
        }
        Err(AuthorizeError::Redirect(code, message)) => {
            let redirect_uri = request.redirect_uri.unwrap_or_default();
            return redirect_with(&redirect_uri, &[("error", code), ("error_description", &message)], state_param.as_deref());
        }
        Err(AuthorizeError::Store(error)) => return refused(OAuthError::Store(error)),
    };
    let caller = match app::session::caller(&session, &state.db).await {
        Ok(caller) => caller,
        Err(error) => {
            tracing::error!(%error, "cannot read the session");
            return oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "sessions are unavailable");
        }
    };
    let Some(caller) = caller else {
        let next = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/o/authorize/");
        let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("next", next).finish();
        return Redirect::to(&format!("/accounts/login?{query}")).into_response();
    };
    match oauth::issue_code(&state.db, &checked, caller.user_id, &state.oidc.lifetimes).await {
        Ok(code) => redirect_with(&checked.redirect_uri, &[("code", &code)], state_param.as_deref()),
        Err(error) => refused(OAuthError::Store(error)),
    }
}

fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "redirect_uri is not a URL");
    };
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in pairs {
            query.append_pair(key, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    Redirect::to(url.as_str()).into_response()
}

/// `POST /o/token/`
pub async fn token(State(state): State<AppState>, Extension(client): Extension<Client>, headers: HeaderMap, body: Bytes) -> Response {
    // Codes, refresh tokens and client secrets are all guessable secrets.
    if let Err(throttled) = state.throttle.check(client.address) {
        let mut response = oauth_error(StatusCode::TOO_MANY_REQUESTS, "temporarily_unavailable", &throttled.to_string());
        retry_after(&mut response, &throttled);
        return response;
    }
    let params = form(&body);
    let field = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let auth = match client_auth(&headers, &params) {
        Ok(auth) => auth,
        Err(error) => return refused(error),
    };
    let lifetimes = &state.oidc.lifetimes;
    let issued = match field("grant_type") {
        "authorization_code" => {
            oauth::exchange_code(&state.db, &auth, field("code"), field("redirect_uri"), field("code_verifier"), lifetimes).await
        }
        "refresh_token" => oauth::refresh(&state.db, &auth, field("refresh_token"), lifetimes).await,
        "client_credentials" => oauth::client_credentials(&state.db, &auth, params.get("scope").map(String::as_str), lifetimes).await,
        "" => Err(OAuthError::InvalidRequest("grant_type is required".into())),
        other => Err(OAuthError::UnsupportedGrantType(format!("unsupported grant_type: {other}"))),
    };
    let issued = match issued {
        Ok(issued) => issued,
        Err(error) => return refused(error),
    };
    let mut body = json!({
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
        "scope": issued.scope,
    });
    if let Some(refresh) = &issued.refresh_token {
        body["refresh_token"] = refresh.clone().into();
    }
    if issued.has_scope("openid") && issued.refresh_token.is_some() {
        let email = match email_of(&state, issued.user_id).await {
            Ok(email) => email,
            Err(error) => return refused(OAuthError::Store(error)),
        };
        match state.oidc.id_token(&issued, email.as_deref()) {
            Ok(id_token) => body["id_token"] = id_token.into(),
            Err(error) => {
                tracing::error!(%error, "cannot sign an ID token");
                return oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "cannot sign the ID token");
            }
        }
    }
    no_store(Json(body).into_response())
}

async fn email_of(state: &AppState, user_id: i64) -> Result<Option<String>, jhe_core::store::StoreError> {
    let mut tx = state.db.begin_read().await?;
    let user = jhe_core::store::users::by_id(tx.conn(), user_id).await?;
    tx.commit().await?;
    Ok(user.map(|u| u.email))
}

/// `GET|POST /o/userinfo/`: needs a token with the `openid` scope.
pub async fn userinfo(caller: ApiCaller) -> Response {
    let scopes: Vec<&str> = caller.scope.split_whitespace().collect();
    if !scopes.contains(&"openid") {
        let mut response = oauth_error(StatusCode::FORBIDDEN, "insufficient_scope", "the openid scope is required");
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Bearer error="insufficient_scope", scope="openid""#),
        );
        return response;
    }
    let mut body = json!({"sub": caller.caller.user_id.to_string()});
    if scopes.contains(&"email") {
        body["email"] = caller.caller.email.into();
    }
    no_store(Json(body).into_response())
}

/// `POST /o/revoke_token/` (RFC 7009): 200 whether or not the token was known.
pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = form(&body);
    let Some(token) = params.get("token").filter(|t| !t.is_empty()) else {
        return refused(OAuthError::InvalidRequest("token is required".into()));
    };
    let result = match client_auth(&headers, &params) {
        Ok(auth) => oauth::revoke(&state.db, &auth, token).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => refused(error),
    }
}

/// `POST /o/introspect/` (RFC 7662), for confidential clients.
pub async fn introspect(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<Params>, body: Bytes) -> Response {
    let mut params = query;
    params.extend(form(&body));
    let Some(token) = params.get("token").filter(|t| !t.is_empty()).cloned() else {
        return refused(OAuthError::InvalidRequest("token is required".into()));
    };
    let result = match client_auth(&headers, &params) {
        Ok(auth) => oauth::introspect(&state.db, &auth, &token).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(Some(active)) => no_store(Json(json!({
            "active": true,
            "scope": active.scope,
            "exp": active.exp,
            "client_id": active.client_id,
            "username": active.username,
            "sub": active.sub.to_string(),
        })).into_response()),
        Ok(None) => no_store(Json(json!({"active": false})).into_response()),
        Err(error) => refused(error),
    }
}

pub async fn openid_configuration(State(state): State<AppState>) -> Response {
    Json(state.oidc.discovery().clone()).into_response()
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    let mut response = Json(state.oidc.jwks().clone()).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600, stale-while-revalidate=3600, stale-if-error=3600"),
    );
    response
}

/// `GET /FHIR/R5/.well-known/smart-configuration`
pub async fn smart_configuration(State(state): State<AppState>) -> Response {
    let site = &state.oidc.site_url;
    Json(json!({
        "issuer": format!("{site}/o"),
        "jwks_uri": format!("{site}/o/.well-known/jwks.json"),
        "authorization_endpoint": format!("{site}/o/authorize/"),
        "token_endpoint": format!("{site}/o/token/"),
        "userinfo_endpoint": format!("{site}/o/userinfo/"),
        "revocation_endpoint": format!("{site}/o/revoke_token/"),
        "introspection_endpoint": format!("{site}/o/introspect/"),
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types_supported": ["code"],
        "scopes_supported": jhe_core::oauth::SCOPES,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": ["launch-standalone", "client-public", "client-confidential-symmetric"],
    }))
    .into_response()
}
