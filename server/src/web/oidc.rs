//! OpenID Connect documents and ID tokens, built with the `openidconnect`
//! crate's types and signed RS256 with the database-held key.

use std::sync::Arc;

use chrono::{Duration, Utc};
use jhe_core::oauth::{Issued, Lifetimes};
use jhe_core::signing_keys::SigningKey;
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGrantType, CoreIdToken,
    CoreIdTokenClaims, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType,
    CoreRsaPrivateSigningKey, CoreSubjectIdentifierType,
};
use openidconnect::{
    AccessToken, AdditionalProviderMetadata, Audience, AuthUrl, EmptyAdditionalClaims, EndUserEmail,
    IssuerUrl, JsonWebKeyId, JsonWebKeySetUrl, Nonce, PrivateSigningKey, ProviderMetadata, ResponseTypes,
    Scope, StandardClaims, SubjectIdentifier, TokenUrl, UserInfoUrl,
};
use serde::{Deserialize, Serialize};

/// Discovery fields the core metadata type lacks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExtraMetadata {
    code_challenge_methods_supported: Vec<String>,
    revocation_endpoint: String,
    introspection_endpoint: String,
}

impl AdditionalProviderMetadata for ExtraMetadata {}

type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// The provider: its issuer, signing key and published documents.
#[derive(Clone)]
pub struct Oidc {
    pub site_url: String,
    issuer: IssuerUrl,
    key: Arc<CoreRsaPrivateSigningKey>,
    jwks: serde_json::Value,
    discovery: serde_json::Value,
    pub lifetimes: Lifetimes,
}

impl Oidc {
    pub fn new(site_url: &str, key: &SigningKey, lifetimes: Lifetimes) -> Result<Oidc, String> {
        let site_url = site_url.trim_end_matches('/').to_owned();
        let issuer = IssuerUrl::new(format!("{site_url}/o")).map_err(|e| format!("site URL: {e}"))?;
        let signing_key = CoreRsaPrivateSigningKey::from_pem(&key.pkcs1_pem, Some(JsonWebKeyId::new(key.kid.clone())))?;
        // The JWK as JHE publishes it: with its algorithm and use.
        let mut jwk = serde_json::to_value(signing_key.as_verification_key()).map_err(|e| e.to_string())?;
        jwk["alg"] = "RS256".into();
        jwk["use"] = "sig".into();
        let jwks = serde_json::json!({ "keys": [jwk] });
        let discovery = discovery(&site_url, &issuer).map_err(|e| e.to_string())?;
        Ok(Oidc { site_url, issuer, key: Arc::new(signing_key), jwks, discovery, lifetimes })
    }

    pub fn jwks(&self) -> &serde_json::Value {
        &self.jwks
    }

    pub fn discovery(&self) -> &serde_json::Value {
        &self.discovery
    }

    /// An ID token for tokens just issued with the `openid` scope.
    pub fn id_token(&self, issued: &Issued, email: Option<&str>) -> Result<String, String> {
        let now = Utc::now();
        let audience = Audience::new(issued.client_id.clone().unwrap_or_default());
        let mut standard = StandardClaims::new(SubjectIdentifier::new(issued.user_id.to_string()));
        if issued.has_scope("email") {
            standard = standard.set_email(email.map(|e| EndUserEmail::new(e.to_owned())));
        }
        let auth_time = issued.auth_time.map(jhe_core::time::to_datetime).unwrap_or(now);
        let claims = CoreIdTokenClaims::new(
            self.issuer.clone(),
            vec![audience],
            now + Duration::seconds(self.lifetimes.id_token),
            now,
            standard,
            EmptyAdditionalClaims {},
        )
        .set_nonce(issued.nonce.clone().map(Nonce::new))
        .set_auth_time(Some(auth_time));
        let access_token = AccessToken::new(issued.access_token.clone());
        CoreIdToken::new(
            claims,
            self.key.as_ref(),
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            Some(&access_token),
            None,
        )
        .map(|token| token.to_string())
        .map_err(|e| e.to_string())
    }
}

fn discovery(site_url: &str, issuer: &IssuerUrl) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let extra = ExtraMetadata {
        code_challenge_methods_supported: vec!["S256".into()],
        revocation_endpoint: format!("{site_url}/o/revoke_token/"),
        introspection_endpoint: format!("{site_url}/o/introspect/"),
    };
    let metadata = Metadata::new(
        issuer.clone(),
        AuthUrl::new(format!("{site_url}/o/authorize/"))?,
        JsonWebKeySetUrl::new(format!("{site_url}/o/.well-known/jwks.json"))?,
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        extra,
    )
    .set_token_endpoint(Some(TokenUrl::new(format!("{site_url}/o/token/"))?))
    .set_userinfo_endpoint(Some(UserInfoUrl::new(format!("{site_url}/o/userinfo/"))?))
    .set_scopes_supported(Some(jhe_core::oauth::SCOPES.iter().map(|s| Scope::new((*s).to_owned())).collect()))
    .set_grant_types_supported(Some(vec![
        CoreGrantType::AuthorizationCode,
        CoreGrantType::RefreshToken,
        CoreGrantType::ClientCredentials,
    ]))
    .set_token_endpoint_auth_methods_supported(Some(vec![
        CoreClientAuthMethod::ClientSecretBasic,
        CoreClientAuthMethod::ClientSecretPost,
        CoreClientAuthMethod::None,
    ]))
    .set_claims_supported(Some(vec![
        CoreClaimName::new("sub".into()),
        CoreClaimName::new("email".into()),
    ]));
    Ok(serde_json::to_value(metadata)?)
}
