//! Data sources: the devices and apps that produce observations, and the
//! data types each one supports.

use serde::Serialize;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::{self, StoreError, data_sources as rows};
use crate::time;

/// The kinds of data source, as JHE names them.
pub const KINDS: [&str; 3] = ["personal_device", "medical_device", "patient_app"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataSource {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub supported_scopes: Vec<crate::data_types::DataType>,
}

fn check_kind(kind: &str) -> Result<()> {
    if KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "type: \"{kind}\" is not one of {}",
            KINDS.join(", ")
        )))
    }
}

pub async fn create(db: &Db, name: &str, kind: &str) -> Result<DataSource> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name: must not be empty"));
    }
    check_kind(kind)?;
    let mut tx = db.begin().await?;
    let id = rows::insert(tx.conn(), name, kind, time::now()).await?;
    tx.commit().await?;
    Ok(DataSource { id, name: name.to_owned(), kind: kind.to_owned(), supported_scopes: vec![] })
}

/// Every data source with its supported scopes (two queries, whatever the count).
pub async fn list(db: &Db) -> Result<Vec<DataSource>> {
    let mut tx = db.begin().await?;
    let sources = rows::list(tx.conn()).await?;
    let scopes = rows::all_supported_scopes(tx.conn()).await?;
    tx.commit().await?;
    Ok(sources
        .into_iter()
        .map(|s| DataSource {
            supported_scopes: scopes
                .iter()
                .filter(|scope| scope.data_source_id == s.id)
                .map(|scope| scope.data_type.clone().into())
                .collect(),
            id: s.id,
            name: s.name,
            kind: s.kind,
        })
        .collect())
}

/// Marks a data type as supported by a data source.
pub async fn add_supported_scope(db: &Db, data_source_id: i64, data_type_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    if rows::by_id(tx.conn(), data_source_id).await?.is_none() {
        return Err(Error::NotFound(format!("data source {data_source_id} does not exist")));
    }
    let data_type = store::data_types::by_id(tx.conn(), data_type_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("data type {data_type_id} does not exist")))?;
    match rows::add_supported_scope(tx.conn(), data_source_id, data_type_id).await {
        Ok(_) => {}
        Err(StoreError::Unique(_)) => {
            return Err(Error::Conflict(format!(
                "data source {data_source_id} already supports {}",
                data_type.coding_code
            )));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(())
}
