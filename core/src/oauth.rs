//! The OAuth 2.0 rules: authorization codes with PKCE, token issue, refresh
//! rotation, client credentials, bearer-token checks, revocation and
//! introspection. Protocol rendering (HTTP, ID-token signing) lives in the
//! server; this module decides.

use crate::caller::Caller;
use crate::db::{Conn, Db};
use crate::secret;
use crate::store::clients::{self, ClientRow};
use crate::store::{StoreError, oauth, users};
use crate::time::{self, Micros};

/// The scopes jhe grants.
pub const SCOPES: [&str; 2] = ["openid", "email"];

const SECOND: i64 = 1_000_000;

/// How long each credential lives, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    pub access_token: i64,
    pub authorization_code: i64,
    pub id_token: i64,
    /// `None`: refresh tokens live until used or revoked.
    pub refresh_token: Option<i64>,
}

impl Default for Lifetimes {
    /// JHE's: 14 days, 60 s, 10 h, unlimited.
    fn default() -> Self {
        Lifetimes { access_token: 1_209_600, authorization_code: 60, id_token: 36_000, refresh_token: None }
    }
}

/// An RFC 6749 §5.2 error.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    InvalidClient(String),
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("{0}")]
    UnsupportedGrantType(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OAuthError {
    /// The `error` code of the response body.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient(_) => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::UnauthorizedClient(_) => "unauthorized_client",
            OAuthError::UnsupportedGrantType(_) => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::Store(store) if store.status() < 500 => "invalid_request",
            OAuthError::Store(store) if store.status() == 503 => "temporarily_unavailable",
            OAuthError::Store(_) => "server_error",
        }
    }
}

/// How a client proved who it is (HTTP Basic or form fields).
#[derive(Debug, Clone, Default)]
pub struct ClientAuth {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// Tokens just issued, with what an ID token needs.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub scope: String,
    pub user_id: i64,
    /// The OAuth `client_id` string, when a client asked.
    pub client_id: Option<String>,
    pub nonce: Option<String>,
    pub auth_time: Option<Micros>,
}

impl Issued {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split_whitespace().any(|s| s == scope)
    }
}

/// Normalises a requested scope: known scopes only, `openid` by default.
pub fn parse_scope(requested: Option<&str>) -> Result<String, OAuthError> {
    let requested = requested.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("openid");
    let mut granted: Vec<&str> = Vec::new();
    for scope in requested.split_whitespace() {
        if !SCOPES.contains(&scope) {
            return Err(OAuthError::InvalidScope(format!("unknown scope: {scope}")));
        }
        if !granted.contains(&scope) {
            granted.push(scope);
        }
    }
    Ok(granted.join(" "))
}

/// Why an authorization request cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizeError {
    /// Shown to the user: the client or redirect URI cannot be trusted with a redirect.
    #[error("{0}")]
    NotRedirectable(String),
    /// Sent back to the client's redirect URI as `error=…`.
    #[error("{1}")]
    Redirect(&'static str, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A validated authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client: ClientRow,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
}

/// The parameters of `GET /o/authorize/`.
#[derive(Debug, Clone, Default)]
pub struct AuthorizeParams {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
}

/// Checks an authorization request. The client and redirect URI are checked
/// first: until both are trusted, errors are shown, never redirected.
pub async fn check_authorize(db: &Db, params: &AuthorizeParams) -> Result<AuthorizeRequest, AuthorizeError> {
    let client_id = params
        .client_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AuthorizeError::NotRedirectable("client_id is required".into()))?;
    let mut tx = db.begin_read().await?;
    let client = clients::by_client_id(tx.conn(), client_id)
        .await?
        .ok_or_else(|| AuthorizeError::NotRedirectable(format!("unknown client_id: {client_id}")))?;
    tx.commit().await?;
    let redirect_uri = params.redirect_uri.clone().unwrap_or_default();
    if !client.redirect_uris.split_whitespace().any(|allowed| allowed == redirect_uri) {
        return Err(AuthorizeError::NotRedirectable(
            "redirect_uri is not registered for this client".into(),
        ));
    }
    if client.grant_type != "authorization-code" {
        return Err(AuthorizeError::Redirect("unauthorized_client", "this client may not use the authorization code grant".into()));
    }
    if params.response_type.as_deref() != Some("code") {
        return Err(AuthorizeError::Redirect("unsupported_response_type", "response_type must be code".into()));
    }
    let scope = parse_scope(params.scope.as_deref()).map_err(|e| AuthorizeError::Redirect("invalid_scope", e.to_string()))?;
    let code_challenge = params.code_challenge.clone().filter(|c| !c.is_empty()).ok_or_else(|| {
        AuthorizeError::Redirect("invalid_request", "code_challenge is required (PKCE)".into())
    })?;
    if params.code_challenge_method.as_deref() != Some("S256") {
        return Err(AuthorizeError::Redirect("invalid_request", "code_challenge_method must be S256".into()));
    }
    if code_challenge.len() != 43 || !code_challenge.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(AuthorizeError::Redirect("invalid_request", "code_challenge is not a base64url SHA-256 digest".into()));
    }
    Ok(AuthorizeRequest {
        client,
        redirect_uri,
        scope,
        code_challenge,
        nonce: params.nonce.clone().filter(|n| !n.is_empty()),
    })
}

/// Issues an authorization code for a signed-in user.
pub async fn issue_code(db: &Db, request: &AuthorizeRequest, user_id: i64, lifetimes: &Lifetimes) -> Result<String, StoreError> {
    let code = secret::random_alphanumeric(30);
    let now = time::now();
    let mut tx = db.begin().await?;
    insert_grant(tx.conn(), &code, request, user_id, now + lifetimes.authorization_code * SECOND, now).await?;
    tx.commit().await?;
    Ok(code)
}

async fn insert_grant(conn: Conn<'_>, code: &str, request: &AuthorizeRequest, user_id: i64, expires: Micros, now: Micros) -> Result<i64, StoreError> {
    let hash = secret::hash(code);
    let grant = oauth::NewGrant {
        code_hash: &hash,
        client_id: request.client.id,
        user_id,
        redirect_uri: &request.redirect_uri,
        scope: &request.scope,
        code_challenge: &request.code_challenge,
        code_challenge_method: "S256",
        nonce: request.nonce.as_deref(),
        expires,
    };
    oauth::insert_grant(conn, &grant, now).await
}

/// A pre-authorized code for an invitation (the server makes the grant itself).
pub(crate) async fn insert_invitation_grant(
    mut conn: Conn<'_>,
    client: &ClientRow,
    user_id: i64,
    redirect_uri: &str,
    code_verifier: &str,
    lifetimes: &Lifetimes,
    now: Micros,
) -> Result<(String, Micros), StoreError> {
    oauth::delete_grants(conn.reborrow(), user_id, client.id).await?;
    let code = secret::random_alphanumeric(30);
    let request = AuthorizeRequest {
        client: client.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scope: "openid email".into(),
        code_challenge: secret::pkce_challenge(code_verifier),
        nonce: None,
    };
    let expires = now + lifetimes.authorization_code * SECOND;
    insert_grant(conn, &code, &request, user_id, expires, now).await?;
    Ok((code, expires))
}

/// Checks the client's credentials: confidential clients need their secret.
async fn authenticate_client(conn: Conn<'_>, auth: &ClientAuth) -> Result<ClientRow, OAuthError> {
    if auth.client_id.is_empty() {
        return Err(OAuthError::InvalidClient("client authentication is required".into()));
    }
    let client = clients::by_client_id(conn, &auth.client_id)
        .await?
        .ok_or_else(|| OAuthError::InvalidClient("unknown client".into()))?;
    if client.client_type == "confidential" {
        let presented = auth.client_secret.as_deref().unwrap_or_default();
        let stored = client.client_secret_hash.as_deref().unwrap_or_default();
        if presented.is_empty() || stored.is_empty() || !secret::constant_time_eq(&secret::hash(presented), stored) {
            return Err(OAuthError::InvalidClient("client authentication failed".into()));
        }
    }
    Ok(client)
}

/// `grant_type=authorization_code`.
pub async fn exchange_code(
    db: &Db,
    auth: &ClientAuth,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
    lifetimes: &Lifetimes,
) -> Result<Issued, OAuthError> {
    if code.is_empty() {
        return Err(OAuthError::InvalidRequest("code is required".into()));
    }
    let now = time::now();
    let mut tx = db.begin().await?;
    let client = authenticate_client(tx.conn(), auth).await?;
    if client.grant_type != "authorization-code" {
        return Err(OAuthError::UnauthorizedClient("this client may not use the authorization code grant".into()));
    }
    let grant = oauth::grant_by_code_hash(tx.conn(), &secret::hash(code))
        .await?
        .filter(|g| g.client_id == client.id)
        .ok_or_else(|| OAuthError::InvalidGrant("invalid authorization code".into()))?;
    if grant.used.is_some() {
        // A replayed code: whoever holds it, the tokens it produced are no longer safe.
        oauth::revoke_tokens_of_grant(tx.conn(), grant.id, now).await?;
        tx.commit().await?;
        return Err(OAuthError::InvalidGrant("authorization code was already used".into()));
    }
    if grant.expires <= now {
        return Err(OAuthError::InvalidGrant("authorization code has expired".into()));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(OAuthError::InvalidGrant("redirect_uri does not match the authorization request".into()));
    }
    if code_verifier.is_empty() {
        return Err(OAuthError::InvalidRequest("code_verifier is required (PKCE)".into()));
    }
    if !secret::constant_time_eq(&secret::pkce_challenge(code_verifier), &grant.code_challenge) {
        return Err(OAuthError::InvalidGrant("code_verifier does not match the code challenge".into()));
    }
    if !oauth::use_grant(tx.conn(), grant.id, now).await? {
        return Err(OAuthError::InvalidGrant("authorization code was already used".into()));
    }
    let auth_time = users::by_id(tx.conn(), grant.user_id).await?.and_then(|u| u.last_login);
    let mut issued = insert_tokens(tx.conn(), &client, grant.user_id, &grant.scope, Some(grant.id), true, lifetimes, now).await?;
    issued.nonce = grant.nonce;
    issued.auth_time = auth_time;
    record_grant(tx.conn(), &issued, "authorization_code", now).await?;
    tx.commit().await?;
    Ok(issued)
}

/// `grant_type=refresh_token`: the old refresh token and its access token
/// stop working; a new pair is issued.
pub async fn refresh(db: &Db, auth: &ClientAuth, refresh_token: &str, lifetimes: &Lifetimes) -> Result<Issued, OAuthError> {
    if refresh_token.is_empty() {
        return Err(OAuthError::InvalidRequest("refresh_token is required".into()));
    }
    let now = time::now();
    let mut tx = db.begin().await?;
    let client = authenticate_client(tx.conn(), auth).await?;
    let old = oauth::token_by_hash(tx.conn(), &secret::hash(refresh_token))
        .await?
        .filter(|t| t.kind == "refresh" && t.client_id == Some(client.id))
        .ok_or_else(|| OAuthError::InvalidGrant("invalid refresh token".into()))?;
    if old.revoked.is_some() || old.expires.is_some_and(|e| e <= now) {
        return Err(OAuthError::InvalidGrant("refresh token is no longer valid".into()));
    }
    if !oauth::revoke_token(tx.conn(), old.id, now).await? {
        return Err(OAuthError::InvalidGrant("refresh token is no longer valid".into()));
    }
    if let Some(access_id) = old.access_token_id {
        oauth::revoke_token(tx.conn(), access_id, now).await?;
    }
    let grant_id = oauth::grant_of_token(tx.conn(), old.id).await?;
    let issued = insert_tokens(tx.conn(), &client, old.user_id, &old.scope, grant_id, true, lifetimes, now).await?;
    record_grant(tx.conn(), &issued, "refresh_token", now).await?;
    tx.commit().await?;
    Ok(issued)
}

/// `grant_type=client_credentials`: the token acts as the client's owner.
pub async fn client_credentials(db: &Db, auth: &ClientAuth, scope: Option<&str>, lifetimes: &Lifetimes) -> Result<Issued, OAuthError> {
    let now = time::now();
    let mut tx = db.begin().await?;
    let client = authenticate_client(tx.conn(), auth).await?;
    if client.client_type != "confidential" || client.grant_type != "client-credentials" {
        return Err(OAuthError::UnauthorizedClient("this client may not use the client credentials grant".into()));
    }
    let owner = client
        .owner_user_id
        .ok_or_else(|| OAuthError::UnauthorizedClient("this client has no owner to act as".into()))?;
    let scope = parse_scope(Some(scope.unwrap_or("openid email")))?;
    let issued = insert_tokens(tx.conn(), &client, owner, &scope, None, false, lifetimes, now).await?;
    record_grant(tx.conn(), &issued, "client_credentials", now).await?;
    tx.commit().await?;
    Ok(issued)
}

/// The audit event for tokens issued to a client, acting as `issued.user_id`.
async fn record_grant(conn: Conn<'_>, issued: &Issued, grant_type: &str, now: Micros) -> Result<(), StoreError> {
    let detail = serde_json::json!({"grantType": grant_type, "clientId": issued.client_id, "scope": issued.scope});
    crate::audit::record_for_user(conn, "token.grant", Some(issued.user_id), Some(issued.user_id), &detail, now).await
}

#[allow(clippy::too_many_arguments)]
async fn insert_tokens(
    mut conn: Conn<'_>,
    client: &ClientRow,
    user_id: i64,
    scope: &str,
    grant_id: Option<i64>,
    with_refresh: bool,
    lifetimes: &Lifetimes,
    now: Micros,
) -> Result<Issued, StoreError> {
    let access_token = secret::random_alphanumeric(30);
    let access_hash = secret::hash(&access_token);
    let access = oauth::NewToken {
        token_hash: &access_hash,
        kind: "access",
        client_id: Some(client.id),
        user_id,
        scope,
        access_token_id: None,
        grant_id,
        expires: Some(now + lifetimes.access_token * SECOND),
    };
    let access_id = oauth::insert_token(conn.reborrow(), &access, now).await?;
    let refresh_token = if with_refresh {
        let token = secret::random_alphanumeric(30);
        let hash = secret::hash(&token);
        let refresh = oauth::NewToken {
            token_hash: &hash,
            kind: "refresh",
            access_token_id: Some(access_id),
            expires: lifetimes.refresh_token.map(|s| now + s * SECOND),
            ..access
        };
        oauth::insert_token(conn, &refresh, now).await?;
        Some(token)
    } else {
        None
    };
    Ok(Issued {
        access_token,
        refresh_token,
        expires_in: lifetimes.access_token,
        scope: scope.to_owned(),
        user_id,
        client_id: Some(client.client_id.clone()),
        nonce: None,
        auth_time: None,
    })
}

/// Why a bearer token was refused.
#[derive(Debug, thiserror::Error)]
pub enum BearerError {
    #[error("The access token is invalid.")]
    Invalid,
    #[error("The access token has expired.")]
    Expired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The caller a valid access token stands for, with the token's scope.
pub async fn authenticate_bearer(db: &Db, token: &str) -> Result<(Caller, String), BearerError> {
    let mut conn = db.acquire().await?;
    let rows = oauth::bearer(conn.conn(), &secret::hash(token)).await?;
    let token = rows.first().filter(|t| t.kind == "access" && t.revoked.is_none()).ok_or(BearerError::Invalid)?;
    if token.expires.is_some_and(|e| e <= time::now()) {
        return Err(BearerError::Expired);
    }
    let caller = Caller::from_bearer(&rows).ok_or(BearerError::Invalid)?;
    Ok((caller, token.scope.clone()))
}

/// RFC 7009: revokes an access or refresh token the client owns (a refresh
/// token takes its access token with it). Unknown tokens are not an error.
pub async fn revoke(db: &Db, auth: &ClientAuth, token: &str) -> Result<(), OAuthError> {
    let now = time::now();
    let mut tx = db.begin().await?;
    let client = authenticate_client(tx.conn(), auth).await?;
    if let Some(row) = oauth::token_by_hash(tx.conn(), &secret::hash(token)).await? {
        if row.client_id == Some(client.id) {
            oauth::revoke_token(tx.conn(), row.id, now).await?;
            if let Some(access_id) = row.access_token_id {
                oauth::revoke_token(tx.conn(), access_id, now).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// RFC 7662 answer for an active token.
#[derive(Debug, Clone, PartialEq)]
pub struct Introspection {
    pub scope: String,
    pub exp: Option<i64>,
    pub client_id: Option<String>,
    pub username: String,
    pub sub: i64,
}

/// RFC 7662, for confidential clients only; `None` means `{"active": false}`.
pub async fn introspect(db: &Db, auth: &ClientAuth, token: &str) -> Result<Option<Introspection>, OAuthError> {
    let now = time::now();
    let mut tx = db.begin_read().await?;
    let client = authenticate_client(tx.conn(), auth).await?;
    if client.client_type != "confidential" {
        return Err(OAuthError::InvalidClient("only confidential clients may introspect tokens".into()));
    }
    let Some(row) = oauth::token_by_hash(tx.conn(), &secret::hash(token)).await? else { return Ok(None) };
    if row.revoked.is_some() || row.expires.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let Some(user) = users::by_id(tx.conn(), row.user_id).await? else { return Ok(None) };
    let token_client = match row.client_id {
        Some(id) => clients::by_id(tx.conn(), id).await?.map(|c| c.client_id),
        None => None,
    };
    tx.commit().await?;
    Ok(Some(Introspection {
        scope: row.scope,
        exp: row.expires.map(|e| e / SECOND),
        client_id: token_client,
        username: user.email,
        sub: user.id,
    }))
}

/// An operator-issued access token for a user (`jhe token issue`), for
/// notebooks and scripts.
pub async fn issue_operator_token(db: &Db, email: &str, days: i64) -> crate::Result<String> {
    if !(1..=365).contains(&days) {
        return Err(crate::Error::invalid("days: must be between 1 and 365"));
    }
    let email = crate::users::normalize_email(email)?;
    let now = time::now();
    let mut tx = db.begin().await?;
    let user = users::by_email(tx.conn(), &email)
        .await?
        .ok_or_else(|| crate::Error::NotFound(format!("no user with email {email}")))?;
    let token = secret::random_alphanumeric(30);
    let hash = secret::hash(&token);
    let new = oauth::NewToken {
        token_hash: &hash,
        kind: "access",
        client_id: None,
        user_id: user.id,
        scope: "openid email",
        access_token_id: None,
        grant_id: None,
        expires: Some(now + days * 86_400 * SECOND),
    };
    oauth::insert_token(tx.conn(), &new, now).await?;
    tx.commit().await?;
    Ok(token)
}

/// Ends any token, whatever issued it (`jhe token revoke`); false when unknown or already revoked.
pub async fn revoke_any(db: &Db, token: &str) -> crate::Result<bool> {
    let now = time::now();
    let mut tx = db.begin().await?;
    let revoked = match oauth::token_by_hash(tx.conn(), &secret::hash(token.trim())).await? {
        Some(row) => {
            let done = oauth::revoke_token(tx.conn(), row.id, now).await?;
            if let Some(access_id) = row.access_token_id {
                oauth::revoke_token(tx.conn(), access_id, now).await?;
            }
            done
        }
        None => false,
    };
    tx.commit().await?;
    Ok(revoked)
}
