//! The `jhe` command line.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "jhe", version, about = "jhe: a health-data exchange compatible with JupyterHealth Exchange")]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database to use: postgres://user:pass@host/db or sqlite://path. Default: SQLite in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Directory for jhe's own files (the default SQLite database lives here).
    #[arg(long, env = "JHE_DATA_DIR", global = true, default_value = "jhe-data")]
    pub data_dir: PathBuf,
    /// Most database connections `serve` holds open (other commands use two).
    /// Default: 16 on PostgreSQL; on SQLite two per CPU core, between 4 and 16.
    #[arg(long, env = "JHE_DB_MAX_CONNECTIONS", global = true,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_connections: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (applies pending migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo data set (idempotent).
    Seed(SeedArgs),
    /// Manage data sources (devices and apps).
    #[command(subcommand)]
    DataSource(DataSourceCommand),
    /// Manage data types (coded OMH, IEEE or custom schemas).
    #[command(subcommand)]
    DataType(DataTypeCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Issue or revoke API access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Measure jhe's performance and print the figures.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Validations per second of a heart-rate data point, on one core.
    Validation {
        /// How long to measure.
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "JHE_ADDR", default_value = "127.0.0.1")]
    pub addr: IpAddr,
    /// Port to listen on.
    #[arg(long, env = "JHE_PORT", default_value_t = 8000)]
    pub port: u16,
    /// The public URL of this server, used in links it hands out. Default: http://ADDR:PORT
    #[arg(long, env = "JHE_SITE_URL")]
    pub site_url: Option<String>,
    /// Directory holding the built console (pkg/ with the wasm bundle and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// RSA private key (PEM) that signs ID tokens. Default: one generated on
    /// first start and kept in the database.
    #[arg(long, env = "JHE_OIDC_PRIVATE_KEY", hide_env_values = true, conflicts_with = "oidc_private_key_file")]
    pub oidc_private_key: Option<String>,
    /// File holding that key.
    #[arg(long, env = "JHE_OIDC_PRIVATE_KEY_FILE")]
    pub oidc_private_key_file: Option<PathBuf>,
    /// Access-token lifetime in seconds.
    #[arg(long, env = "JHE_ACCESS_TOKEN_LIFETIME", default_value_t = 1_209_600, value_parser = clap::value_parser!(i64).range(1..))]
    pub access_token_lifetime: i64,
    /// Authorization-code lifetime in seconds.
    #[arg(long, env = "JHE_AUTHORIZATION_CODE_LIFETIME", default_value_t = 60, value_parser = clap::value_parser!(i64).range(1..))]
    pub authorization_code_lifetime: i64,
    /// ID-token lifetime in seconds.
    #[arg(long, env = "JHE_ID_TOKEN_LIFETIME", default_value_t = 36_000, value_parser = clap::value_parser!(i64).range(1..))]
    pub id_token_lifetime: i64,
    /// Refresh-token lifetime in seconds. Default: until used or revoked.
    #[arg(long, env = "JHE_REFRESH_TOKEN_LIFETIME", value_parser = clap::value_parser!(i64).range(1..))]
    pub refresh_token_lifetime: Option<i64>,
    /// Largest request body accepted, in bytes (Bundles have their own limit).
    #[arg(long, env = "JHE_BODY_LIMIT", default_value_t = 2 * 1024 * 1024, value_parser = clap::value_parser!(u32).range(1024..))]
    pub body_limit: u32,
    /// Largest FHIR Bundle accepted, in bytes (10,000 observations take about 8 MiB).
    #[arg(long, env = "JHE_BUNDLE_BODY_LIMIT", default_value_t = 64 * 1024 * 1024, value_parser = clap::value_parser!(u32).range(1024..))]
    pub bundle_body_limit: u32,
    /// Longest a request may take, body upload included, in seconds; slower ones get 408.
    #[arg(long, env = "JHE_REQUEST_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Attempts at a secret (sign-in, token, invitation code) allowed per client address per minute.
    #[arg(long, env = "JHE_AUTH_RATE_LIMIT", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub auth_rate_limit: u32,
    /// Addresses of reverse proxies whose X-Forwarded-For/-Proto/-Host headers are believed (comma-separated).
    #[arg(long = "trusted-proxy", env = "JHE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    #[command(flatten)]
    pub sso: SsoArgs,
}

/// Single sign-on with an external OpenID provider (all three of issuer,
/// client id and secret turn it on).
#[derive(Debug, Clone, Args)]
pub struct SsoArgs {
    /// The provider's issuer URL (its discovery document lives under it).
    #[arg(long, env = "JHE_SSO_ISSUER", requires_all = ["sso_client_id", "sso_client_secret"])]
    pub sso_issuer: Option<String>,
    /// The client id jhe is registered under at the provider.
    #[arg(long, env = "JHE_SSO_CLIENT_ID", requires = "sso_issuer")]
    pub sso_client_id: Option<String>,
    /// The client secret jhe is registered with.
    #[arg(long, env = "JHE_SSO_CLIENT_SECRET", hide_env_values = true, requires = "sso_issuer")]
    pub sso_client_secret: Option<String>,
    /// The provider's name on the log-in button ("Log in with NAME").
    #[arg(long, env = "JHE_SSO_NAME", default_value = "SSO")]
    pub sso_name: String,
    /// Add unknown (verified) emails as practitioners of this organization.
    /// Default: refuse them.
    #[arg(long, env = "JHE_SSO_PROVISION_ORGANIZATION")]
    pub sso_provision_organization: Option<i64>,
    /// Their role there: manager, member or viewer.
    #[arg(long, env = "JHE_SSO_PROVISION_ROLE", default_value = "viewer", value_parser = ["manager", "member", "viewer"])]
    pub sso_provision_role: String,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Seed even though the database holds other data.
    #[arg(long)]
    pub force: bool,
    /// The public URL stored in the `site.url` setting and the demo clients' redirect URIs.
    #[arg(long, env = "JHE_SITE_URL", default_value = "http://127.0.0.1:8000")]
    pub site_url: String,
}

#[derive(Debug, Subcommand)]
pub enum DataSourceCommand {
    /// Add a data source.
    Add {
        /// Name, e.g. "Apple Watch".
        #[arg(long)]
        name: String,
        /// personal_device, medical_device or patient_app.
        #[arg(long = "type", default_value = "personal_device")]
        kind: String,
    },
    /// List data sources with their supported scopes.
    List,
    /// Mark a data type as supported by a data source.
    AddScope {
        /// Data source id.
        #[arg(long)]
        data_source: i64,
        /// Data type id or code, e.g. omh:heart-rate:2.0.
        #[arg(long)]
        data_type: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DataTypeCommand {
    /// Add a data type.
    Add {
        /// Coding system, e.g. https://w3id.org/openmhealth.
        #[arg(long)]
        system: String,
        /// Code, e.g. omh:step-count:2.0.
        #[arg(long)]
        code: String,
        /// Display text, e.g. "Step count".
        #[arg(long)]
        text: String,
        /// JSON Schema file for a custom type.
        #[arg(long)]
        schema: Option<PathBuf>,
    },
    /// List data types.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a super user (asks for no input: give the password by flag or JHE_PASSWORD).
    CreateSuperuser {
        #[arg(long)]
        email: String,
        #[arg(long, env = "JHE_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new bearer access token for a user (for JHE_TOKEN in notebooks and scripts).
    Issue {
        #[arg(long)]
        email: String,
        /// Lifetime in days (1-365).
        #[arg(long, default_value_t = 14)]
        days: i64,
    },
    /// Revoke a token.
    Revoke {
        /// The token to revoke.
        token: String,
    },
}
