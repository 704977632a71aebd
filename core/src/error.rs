//! The domain's error type. Each variant maps to one kind of answer
//! (REST status, FHIR OperationOutcome, CLI message) in the layer above.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is malformed or breaks a rule; the text names the field.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// The write would duplicate something that exists.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    /// It existed but is no longer usable (an expired invitation).
    #[error("{0}")]
    Gone(String),
    /// The client has spent its budget of attempts for now.
    #[error(transparent)]
    Throttled(#[from] crate::throttle::Throttled),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }
}
