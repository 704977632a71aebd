//! What each `jhe` subcommand does. Every failure is one line on stderr
//! and a non-zero exit (see `main`).

use jhe_core::caller::Caller;
use jhe_core::{Db, DbConfig, data_sources, data_types, oauth, seed, users};

use crate::cli::{BenchCommand, Cli, Command, DataSourceCommand, DataTypeCommand, TokenCommand, UserCommand};

/// An error worth one line to the operator.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Domain(#[from] jhe_core::Error),
    #[error(transparent)]
    Store(#[from] jhe_core::store::StoreError),
    #[error("{0}")]
    Input(String),
    #[error("server: {0}")]
    Serve(#[from] std::io::Error),
}

pub async fn run(cli: Cli) -> Result<(), CommandError> {
    // One-shot commands need no more than a couple of connections.
    let max_connections = match cli.command {
        Command::Serve(_) => cli.database.max_connections,
        _ => Some(cli.database.max_connections.map_or(2, |n| n.min(2))),
    };
    let config = DbConfig { url: cli.database.database_url, data_dir: cli.database.data_dir, max_connections };
    let db = Db::connect(&config).await?;
    db.migrate().await?;
    let result = match cli.command {
        Command::Serve(args) => crate::web::serve(db.clone(), args).await,
        Command::Migrate => {
            println!("database is up to date");
            Ok(())
        }
        Command::Seed(args) => run_seed(&db, &args.site_url, args.force).await,
        Command::DataSource(command) => run_data_source(&db, command).await,
        Command::DataType(command) => run_data_type(&db, command).await,
        Command::User(command) => run_user(&db, command).await,
        Command::Token(command) => run_token(&db, command).await,
        Command::Bench(command) => run_bench(command),
    };
    db.close().await;
    result
}

async fn run_seed(db: &Db, site_url: &str, force: bool) -> Result<(), CommandError> {
    match seed::seed(db, site_url, force).await? {
        seed::Outcome::Seeded => {
            println!("seeded the demo data; every demo account's password is {}", seed::DEMO_PASSWORD);
        }
        seed::Outcome::AlreadySeeded => println!("the demo data is already there; nothing changed"),
    }
    Ok(())
}

async fn run_data_source(db: &Db, command: DataSourceCommand) -> Result<(), CommandError> {
    match command {
        DataSourceCommand::Add { name, kind } => {
            let source = data_sources::create(db, &Caller::operator(), &name, &kind).await?;
            println!("created data source {} \"{}\" ({})", source.id, source.name, source.kind);
        }
        DataSourceCommand::List => {
            println!("{:<7} {:<24} {:<16} SUPPORTED SCOPES", "ID", "NAME", "TYPE");
            for source in data_sources::list(db).await? {
                let scopes: Vec<&str> =
                    source.supported_scopes.iter().map(|t| t.coding_code.as_str()).collect();
                println!("{:<7} {:<24} {:<16} {}", source.id, source.name, source.kind, scopes.join(", "));
            }
        }
        DataSourceCommand::AddScope { data_source, data_type } => {
            let data_type = data_types::find(db, &data_type).await?;
            data_sources::add_supported_scope(db, &Caller::operator(), data_source, data_type.id).await?;
            println!("data source {data_source} now supports {} ({})", data_type.coding_code, data_type.text);
        }
    }
    Ok(())
}

async fn run_data_type(db: &Db, command: DataTypeCommand) -> Result<(), CommandError> {
    match command {
        DataTypeCommand::Add { system, code, text, schema } => {
            let schema = match schema {
                None => None,
                Some(path) => {
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        CommandError::Input(format!("cannot read schema file {}: {e}", path.display()))
                    })?;
                    Some(serde_json::from_str::<serde_json::Value>(&text).map_err(|e| {
                        CommandError::Input(format!("schema file {} is not JSON: {e}", path.display()))
                    })?)
                }
            };
            let created = data_types::create(
                db,
                &Caller::operator(),
                &data_types::NewDataType {
                    coding_system: &system,
                    coding_code: &code,
                    text: &text,
                    schema: schema.as_ref(),
                },
            )
            .await?;
            println!("created data type {} {} \"{}\"", created.id, created.coding_code, created.text);
        }
        DataTypeCommand::List => {
            println!("{:<7} {:<34} {:<45} TEXT", "ID", "SYSTEM", "CODE");
            for t in data_types::list(db).await? {
                println!("{:<7} {:<34} {:<45} {}", t.id, t.coding_system, t.coding_code, t.text);
            }
        }
    }
    Ok(())
}

async fn run_user(db: &Db, command: UserCommand) -> Result<(), CommandError> {
    match command {
        UserCommand::CreateSuperuser { email, password } => {
            let id = users::create_superuser(db, &email, &password).await?;
            println!("created super user {id} {}", email.trim().to_lowercase());
        }
    }
    Ok(())
}

async fn run_token(db: &Db, command: TokenCommand) -> Result<(), CommandError> {
    match command {
        TokenCommand::Issue { email, days } => {
            println!("{}", oauth::issue_operator_token(db, &email, days).await?);
        }
        TokenCommand::Revoke { token } => {
            if !oauth::revoke_any(db, &token).await? {
                return Err(CommandError::Input("no such active token".into()));
            }
            println!("token revoked");
        }
    }
    Ok(())
}

fn run_bench(command: BenchCommand) -> Result<(), CommandError> {
    match command {
        BenchCommand::Validation { seconds } => {
            if !(0.1..=600.0).contains(&seconds) {
                return Err(CommandError::Input("--seconds: between 0.1 and 600".into()));
            }
            let point = serde_json::json!({
                "header": {
                    "uuid": "3f5a2b1c-8d4e-4f60-9a7b-1c2d3e4f5a6b",
                    "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                    "source_creation_date_time": "2025-01-01T00:00:00Z",
                    "modality": "sensed"
                },
                "body": {"heart_rate": {"value": 62, "unit": "beats/min"}, "effective_time_frame": {"date_time": "2025-01-01T00:00:00Z"}}
            });
            let validate = || jhe_core::schemas::validate_data_point("omh:heart-rate:2.0", None, &point);
            let issues = validate().map_err(|e| CommandError::Input(e.to_string()))?;
            if !issues.is_empty() {
                return Err(CommandError::Input(format!("the benchmark data point is invalid: {issues:?}")));
            }
            let started = std::time::Instant::now();
            let mut count: u64 = 0;
            while started.elapsed().as_secs_f64() < seconds {
                for _ in 0..1000 {
                    let _ = validate();
                }
                count += 1000;
            }
            let elapsed = started.elapsed().as_secs_f64();
            println!("heart-rate data point validation (header + body + schema_id), one core");
            println!("  {count} validations in {elapsed:.2} s: {:.0} validations/s, {:.1} µs each", count as f64 / elapsed, elapsed * 1e6 / count as f64);
        }
    }
    Ok(())
}
