//! Database connection for both supported backends.
//!
//! jhe runs on SQLite (the embedded default) and PostgreSQL. Every query is
//! written once with `$n` placeholders; [`on_conn!`] expands it for the
//! backend in use so that each arm is type-checked against its own driver.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::store::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on one of the supported backends.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool, WriteQueue),
    Postgres(PgPool),
}

/// SQLite has one writer at a time. Writers of this process queue here, in
/// arrival order, instead of polling the database lock under its busy
/// timeout (which makes the unlucky ones wait far longer than the rest).
pub type WriteQueue = Arc<tokio::sync::Mutex<()>>;

/// How long a write waits for its turn: SQLite's busy timeout, as before the queue.
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// One connection borrowed from a pool or a transaction.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// A database transaction; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    /// With its place at the head of the write queue, for a write transaction.
    Sqlite(Transaction<'static, Sqlite>, Option<OwnedMutexGuard<()>>),
    Postgres(Transaction<'static, Postgres>),
}

/// A connection from the pool outside any transaction, for a lone
/// statement: it is atomic by itself, and skipping BEGIN and COMMIT saves
/// two round trips on the hot paths.
pub enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// Runs `$body` with `$c` bound to the backend-specific connection.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite($c) => $body,
            $crate::db::Conn::Postgres($c) => $body,
        }
    };
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// `sqlite://path`, `sqlite::memory:` or `postgres://…`. `None` means the
    /// default SQLite file `jhe.sqlite3` inside `data_dir`.
    pub url: Option<String>,
    pub data_dir: std::path::PathBuf,
    /// The pool's size; `None` picks one for the backend.
    pub max_connections: Option<u32>,
}

/// PostgreSQL serves many connections at once.
const POSTGRES_CONNECTIONS: u32 = 16;

/// SQLite writes one transaction at a time, and each connection keeps its
/// own page and statement caches on its own thread. Connections beyond what
/// the cores can read with at once only hold memory (about 7 MiB each under
/// sustained load), so: two per core, between 4 and 16.
fn sqlite_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
    (2 * cores).clamp(4, 16)
}

impl Db {
    /// Connects (creating the SQLite file and data directory when missing).
    pub async fn connect(config: &DbConfig) -> Result<Db, StoreError> {
        let url = match &config.url {
            Some(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => {
                std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                    StoreError::Config(format!(
                        "cannot create data directory {}: {e}",
                        config.data_dir.display()
                    ))
                })?;
                format!("sqlite://{}", config.data_dir.join("jhe.sqlite3").display())
            }
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(&url)
                .map_err(|e| StoreError::Config(format!("invalid DATABASE_URL: {e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(config.max_connections.unwrap_or(POSTGRES_CONNECTIONS))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| StoreError::Config(format!("cannot connect to PostgreSQL: {e}")))?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let mut options = SqliteConnectOptions::from_str(&url)
                .map_err(|e| StoreError::Config(format!("invalid DATABASE_URL: {e}")))?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(WRITE_WAIT);
            if !memory {
                if let Some(parent) = Path::new(options.get_filename()).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent).map_err(|e| {
                            StoreError::Config(format!(
                                "cannot create directory {}: {e}",
                                parent.display()
                            ))
                        })?;
                    }
                }
                options = options
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal);
            }
            // An in-memory database exists once per connection, so it gets exactly one.
            let max = if memory { 1 } else { config.max_connections.unwrap_or_else(sqlite_connections) };
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .connect_with(options)
                .await
                .map_err(|e| StoreError::Config(format!("cannot open SQLite database: {e}")))?;
            Ok(Db::Sqlite(pool, WriteQueue::default()))
        } else {
            Err(StoreError::Config(format!(
                "unsupported DATABASE_URL scheme in {:?}: use sqlite:// or postgres://",
                redact_url(&url)
            )))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let result = match self {
            Db::Sqlite(pool, _) => SQLITE_MIGRATIONS.run(pool).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        };
        result.map_err(|e| StoreError::Migration(e.to_string()))
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            // Take the write lock at BEGIN: a deferred transaction that reads
            // and then writes fails at once ("database is locked") when another
            // writer got in between, whereas waiting for the lock honours the
            // busy timeout.
            Db::Sqlite(pool, queue) => {
                let turn = tokio::time::timeout(WRITE_WAIT, queue.clone().lock_owned())
                    .await
                    .map_err(|_| StoreError::Unavailable(sqlx::Error::PoolTimedOut))?;
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, Some(turn))
            }
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction that only reads: on SQLite it takes no write lock, so
    /// reads run alongside a writer (WAL) and see one consistent snapshot.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool, _) => Tx::Sqlite(pool.begin().await?, None),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A connection for one statement; see [`Pooled`].
    pub async fn acquire(&self) -> Result<Pooled, StoreError> {
        Ok(match self {
            Db::Sqlite(pool, _) => Pooled::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool, _) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Conn<'_> {
    /// A shorter borrow of the same connection, for one more call.
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(&mut **c),
            Conn::Postgres(c) => Conn::Postgres(&mut **c),
        }
    }
}

impl Pooled {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(&mut **c),
            Pooled::Postgres(c) => Conn::Postgres(&mut **c),
        }
    }
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(tx, _) => Conn::Sqlite(&mut **tx),
            Tx::Postgres(tx) => Conn::Postgres(&mut **tx),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx, _) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// The URL with any password replaced, safe to print.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
