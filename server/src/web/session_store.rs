//! Browser sessions in the database (tower-sessions' SQLite or PostgreSQL
//! store, chosen by the backend), so every replica sees every session.

use async_trait::async_trait;
use jhe_core::Db;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Result, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Debug, Clone)]
pub enum DbSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl DbSessionStore {
    /// The tables come from jhe's own migrations.
    pub fn new(db: &Db) -> DbSessionStore {
        match db {
            Db::Sqlite(pool, _) => DbSessionStore::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool) => DbSessionStore::Postgres(PostgresStore::new(pool.clone())),
        }
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        match self {
            DbSessionStore::Sqlite(store) => store.create(record).await,
            DbSessionStore::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        match self {
            DbSessionStore::Sqlite(store) => store.save(record).await,
            DbSessionStore::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        match self {
            DbSessionStore::Sqlite(store) => store.load(id).await,
            DbSessionStore::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        match self {
            DbSessionStore::Sqlite(store) => store.delete(id).await,
            DbSessionStore::Postgres(store) => store.delete(id).await,
        }
    }
}
