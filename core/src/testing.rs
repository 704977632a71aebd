//! Fresh databases for tests, on the backend chosen by the environment.
//!
//! With `JHE_TEST_DATABASE_URL=postgres://…` (a role allowed to create
//! databases), each test gets its own new PostgreSQL database; otherwise each
//! gets a new SQLite file in a temporary directory.

use crate::db::{Db, DbConfig};

pub struct TestDatabase {
    /// The URL to hand to `jhe --database-url` or [`Db::connect`].
    pub url: String,
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

/// The PostgreSQL server URL tests run against, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("JHE_TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temporary directory");
        match postgres_admin_url() {
            Some(admin_url) => {
                let name = format!("jhe_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Self::admin(&admin_url).await;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                let url = replace_database(&admin_url, &name);
                TestDatabase { url, dir, postgres: Some((admin_url, name)) }
            }
            None => {
                let url = format!("sqlite://{}", dir.path().join("test.sqlite3").display());
                TestDatabase { url, dir, postgres: None }
            }
        }
    }

    /// A migrated connection pool on this database.
    pub async fn connect(&self) -> Db {
        let config = DbConfig {
            url: Some(self.url.clone()),
            data_dir: self.dir.path().to_owned(),
            max_connections: Some(4),
        };
        let db = Db::connect(&config).await.expect("connect to test database");
        db.migrate().await.expect("migrate test database");
        db
    }

    /// Runs one statement with one integer parameter, for tests that set up
    /// states no API reaches (an expired invitation, say).
    pub async fn execute(&self, sql: &str, value: i64) {
        let db = self.connect().await;
        let mut tx = db.begin().await.expect("begin");
        crate::on_conn!(tx.conn(), c => sqlx::query(sql).bind(value).execute(c).await.map(|_| ()))
            .expect("test statement");
        tx.commit().await.expect("commit");
        db.close().await;
    }

    /// A directory that lives as long as this database.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Removes the PostgreSQL database (SQLite files go with the directory).
    pub async fn remove(self) {
        if let Some((admin_url, name)) = &self.postgres {
            let admin = Self::admin(admin_url).await;
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    }

    async fn admin(url: &str) -> sqlx::PgPool {
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .expect("connect to JHE_TEST_DATABASE_URL")
    }
}

/// `postgres://u:p@h:5432/postgres?x` with its database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}
