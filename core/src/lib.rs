//! jhe's domain: the rules (validation, consent, authorization) and the
//! storage they run on. The console's server functions, the REST and FHIR
//! handlers and the CLI all call this crate; none of them holds a rule.

pub mod audit;
pub mod authz;
pub mod caller;
pub mod clients;
pub mod consents;
pub mod data_sources;
pub mod data_types;
pub mod db;
pub mod error;
pub mod fhir;
pub mod fuzzing;
pub mod input;
pub mod invitations;
pub mod oauth;
pub mod observations;
pub mod organizations;
pub mod paging;
pub mod patients;
pub mod password;
pub mod practitioner_clients;
pub mod practitioners;
pub mod secret;
pub mod schemas;
pub mod seed;
pub mod settings;
pub mod signing_keys;
pub mod store;
pub mod studies;
pub mod throttle;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod users;

pub use db::{Backend, Db, DbConfig};
pub use error::{Error, Result};

/// jhe's version, as reported by `/health` and `jhe --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
