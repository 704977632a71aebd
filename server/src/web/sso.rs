//! Single sign-on: jhe as a relying party of an external OpenID provider
//! (authorization code with PKCE and a nonce; the ID token is verified
//! against the provider's JWKS by the `openidconnect` crate).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jhe_core::caller::Role;
use jhe_core::users::{self, SsoProvisioning};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use tower_sessions::Session;

use super::AppState;
use crate::cli::SsoArgs;

/// The configured provider; its metadata is fetched on first use (so jhe
/// starts even while the provider is down) and kept.
#[derive(Clone)]
pub struct Sso {
    pub name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    provisioning: Option<SsoProvisioning>,
    metadata: Arc<RwLock<Option<CoreProviderMetadata>>>,
    http: openidconnect::reqwest::Client,
}

/// What the session remembers between the redirect and the callback.
#[derive(Serialize, Deserialize)]
struct PendingLogin {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
}

const PENDING: &str = "sso_pending";

impl Sso {
    pub fn from_args(args: &SsoArgs, site_url: &str) -> Result<Option<Sso>, String> {
        let (Some(issuer), Some(client_id), Some(client_secret)) =
            (&args.sso_issuer, &args.sso_client_id, &args.sso_client_secret)
        else {
            return Ok(None);
        };
        let http = openidconnect::reqwest::ClientBuilder::new()
            // The provider's answers are never followed elsewhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("SSO: cannot build an HTTP client: {e}"))?;
        let provisioning = args.sso_provision_organization.map(|organization_id| SsoProvisioning {
            organization_id,
            role: Role::parse(&args.sso_provision_role).unwrap_or(Role::Viewer),
        });
        Ok(Some(Sso {
            name: args.sso_name.clone(),
            issuer: issuer.trim_end_matches('/').to_owned(),
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            redirect_uri: format!("{site_url}/accounts/sso/callback"),
            provisioning,
            metadata: Arc::new(RwLock::new(None)),
            http,
        }))
    }

    async fn metadata(&self) -> Result<CoreProviderMetadata, String> {
        if let Some(metadata) = self.metadata.read().await.clone() {
            return Ok(metadata);
        }
        let issuer = IssuerUrl::new(self.issuer.clone()).map_err(|e| format!("invalid issuer URL: {e}"))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| format!("the sign-in provider is unreachable ({e})"))?;
        *self.metadata.write().await = Some(metadata.clone());
        Ok(metadata)
    }
}

/// Back to the log-in page with a message.
fn refuse(message: &str) -> Response {
    let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("error", message).finish();
    Redirect::to(&format!("/accounts/login?{query}")).into_response()
}

#[derive(Deserialize)]
pub struct StartParams {
    next: Option<String>,
}

/// `GET /accounts/sso/login`: off to the provider.
pub async fn start(State(state): State<AppState>, session: Session, Query(params): Query<StartParams>) -> Response {
    let Some(sso) = &state.sso else { return refuse("Single sign-on is not configured.") };
    let metadata = match sso.metadata().await {
        Ok(metadata) => metadata,
        Err(error) => {
            tracing::warn!(%error, "SSO discovery failed");
            return refuse(&format!("Cannot log in with {}: {error}.", sso.name));
        }
    };
    let Ok(redirect) = RedirectUrl::new(sso.redirect_uri.clone()) else {
        return refuse("Single sign-on is misconfigured (redirect URL).");
    };
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(sso.client_id.clone()),
        Some(ClientSecret::new(sso.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let pending = PendingLogin {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        next: app::session::safe_next(params.next.as_deref().unwrap_or("/")),
    };
    if let Err(error) = session.insert(PENDING, pending).await {
        tracing::error!(%error, "cannot store the SSO state");
        return refuse("Sessions are unavailable; try again.");
    }
    Redirect::to(url.as_str()).into_response()
}

#[derive(Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /accounts/sso/callback`: verify the provider's answer and sign in.
pub async fn callback(State(state): State<AppState>, session: Session, Query(params): Query<CallbackParams>) -> Response {
    let Some(sso) = &state.sso else { return refuse("Single sign-on is not configured.") };
    let pending: Option<PendingLogin> = session.remove(PENDING).await.ok().flatten();
    let Some(pending) = pending else { return refuse("The sign-in took too long or was not started here; try again.") };
    if let Some(error) = params.error {
        let detail = params.error_description.unwrap_or(error);
        return refuse(&format!("{} refused the sign-in: {detail}", sso.name));
    }
    let (Some(code), Some(returned_state)) = (params.code, params.state) else {
        return refuse("The sign-in provider's answer is incomplete.");
    };
    if !jhe_core::secret::constant_time_eq(&returned_state, &pending.state) {
        return refuse("The sign-in answer does not match this browser's request.");
    }
    let email = match verified_email(sso, code, &pending).await {
        Ok(email) => email,
        Err(error) => {
            tracing::warn!(%error, "SSO sign-in refused");
            return refuse(&error);
        }
    };
    match users::sso_sign_in(&state.db, &email, sso.provisioning).await {
        Ok(caller) => match app::session::sign_in(&session, caller.user_id).await {
            Ok(()) => Redirect::to(&pending.next).into_response(),
            Err(error) => {
                tracing::error!(%error, "cannot start a session");
                refuse("Sessions are unavailable; try again.")
            }
        },
        Err(error) => refuse(&error.to_string()),
    }
}

/// Exchanges the code, verifies the ID token (signature, issuer, audience,
/// expiry, nonce) and returns the email the provider has verified.
async fn verified_email(sso: &Sso, code: String, pending: &PendingLogin) -> Result<String, String> {
    let metadata = sso.metadata().await?;
    let redirect = RedirectUrl::new(sso.redirect_uri.clone()).map_err(|e| e.to_string())?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(sso.client_id.clone()),
        Some(ClientSecret::new(sso.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| format!("the provider has no token endpoint ({e})"))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(&sso.http)
        .await
        .map_err(|e| format!("the provider did not accept the sign-in code ({e})"))?;
    let id_token = tokens.id_token().ok_or("the provider sent no ID token")?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce.clone()))
        .map_err(|e| format!("the provider's ID token did not verify ({e})"))?;
    let (mut email, mut verified) = (claims.email().map(|e| e.to_string()), claims.email_verified());
    if email.is_none() {
        // Providers may keep the email for the userinfo endpoint.
        let info: CoreUserInfoClaims = client
            .user_info(tokens.access_token().clone(), Some(claims.subject().clone()))
            .map_err(|e| format!("the provider has no userinfo endpoint ({e})"))?
            .request_async(&sso.http)
            .await
            .map_err(|e| format!("the provider's userinfo failed ({e})"))?;
        email = info.email().map(|e| e.to_string());
        verified = info.email_verified();
    }
    let email = email.ok_or("the provider did not share an email address")?;
    if verified != Some(true) {
        return Err(format!("the provider has not verified {email}"));
    }
    Ok(email)
}
