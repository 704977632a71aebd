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
    #[error("database configuration: {0}")]
    Config(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        if let sqlx::Error::Database(db) = &error {
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
        }
        StoreError::Database(error)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
