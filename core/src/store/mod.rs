//! The store layer: every SQL statement of jhe lives under this module.
//!
//! One module per resource, each with its row types and the queries on them.
//! Functions take a [`Conn`](crate::db::Conn), so callers decide whether a
//! call runs alone or inside a transaction.

pub mod audit;
pub mod clients;
pub mod consents;
pub mod data_sources;
pub mod data_types;
pub mod invitations;
pub mod login_failures;
pub mod oauth;
pub mod observations;
pub mod organizations;
pub mod patients;
pub mod practitioners;
pub mod settings;
pub mod signing_keys;
pub mod studies;
pub mod users;

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A UNIQUE constraint refused the write; the text names the constraint.
    #[error("duplicate value: {0}")]
    Unique(String),
    /// A row refers to a row that does not exist, or a delete would orphan rows.
    #[error("reference to a missing or protected row: {0}")]
    ForeignKey(String),
    /// A CHECK or NOT NULL constraint refused the write.
    #[error("value not allowed: {0}")]
    Check(String),
    /// The database cannot hold a value it was given (PostgreSQL's data
    /// exceptions, SQLite's too-big and mismatch errors): the input's fault.
    #[error("value cannot be stored: {0}")]
    Invalid(String),
    #[error("database configuration: {0}")]
    Config(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The database cannot be reached, or is busy: try again later.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// Anything else the database refused: a fault of jhe's, not the client's.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl StoreError {
    /// The HTTP status for this failure. Only an unreachable or busy database
    /// is an outage (503); a value the database cannot hold is the client's
    /// fault (400), and anything else is jhe's own (500).
    pub fn status(&self) -> u16 {
        match self {
            StoreError::Unique(_) => 409,
            StoreError::ForeignKey(_) | StoreError::Check(_) | StoreError::Invalid(_) => 400,
            StoreError::Config(_) | StoreError::Migration(_) | StoreError::Unavailable(_) => 503,
            StoreError::Database(_) => 500,
        }
    }

    /// What a client is told; the details stay in the log, where failures
    /// that are not the client's are written.
    pub fn public_message(&self) -> &'static str {
        match self {
            StoreError::Unique(_) => "This record already exists.",
            StoreError::ForeignKey(_) => "A referenced record does not exist or is still in use.",
            StoreError::Check(_) => "A value is not allowed.",
            StoreError::Invalid(_) => "A value cannot be stored: it holds a character or number the database refuses.",
            StoreError::Config(_) | StoreError::Migration(_) | StoreError::Unavailable(_) => {
                tracing::error!(error = %self, "storage failure");
                "The database is unavailable; try again shortly."
            }
            StoreError::Database(_) => {
                tracing::error!(error = %self, "database error");
                "The server failed to process the request; the failure has been logged."
            }
        }
    }
}

/// SQLSTATE classes (PostgreSQL) that mean the database is out of reach or
/// busy: connection exceptions, insufficient resources, operator
/// intervention, and transaction rollbacks (serialization, deadlock).
const UNAVAILABLE_CLASSES: [&str; 4] = ["08", "53", "57", "40"];

/// SQLite result codes with the same meaning: BUSY, LOCKED, IOERR, FULL, CANTOPEN.
const SQLITE_UNAVAILABLE: [&str; 5] = ["5", "6", "10", "13", "14"];

/// SQLite result codes for values it cannot hold: TOOBIG, MISMATCH, RANGE.
const SQLITE_INVALID: [&str; 3] = ["18", "20", "25"];

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match &error {
            sqlx::Error::Database(db) => {
                let what = db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned());
                // SQLite reports ON DELETE RESTRICT as a trigger constraint, not a
                // foreign-key one; its message says what it is.
                let restrict = db.message().contains("FOREIGN KEY constraint failed");
                match db.kind() {
                    ErrorKind::UniqueViolation => return StoreError::Unique(what),
                    ErrorKind::ForeignKeyViolation => return StoreError::ForeignKey(what),
                    _ if restrict => return StoreError::ForeignKey(what),
                    ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
                        return StoreError::Check(what);
                    }
                    _ => {}
                }
                let code = db.code().unwrap_or_default();
                // SQLite's extended codes carry the primary code in the low byte.
                let sqlite_primary = code.parse::<u32>().map(|c| (c & 0xff).to_string()).unwrap_or_default();
                let postgres = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some();
                if postgres && code.starts_with("22") || !postgres && SQLITE_INVALID.contains(&sqlite_primary.as_str()) {
                    return StoreError::Invalid(db.message().to_owned());
                }
                let unavailable = if postgres {
                    UNAVAILABLE_CLASSES.iter().any(|class| code.starts_with(class))
                } else {
                    SQLITE_UNAVAILABLE.contains(&sqlite_primary.as_str())
                };
                if unavailable { StoreError::Unavailable(error) } else { StoreError::Database(error) }
            }
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error),
            _ => StoreError::Database(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
