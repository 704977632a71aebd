//! Data sources: the devices and apps that produce observations, and the
//! data types each one supports. Only super users change them.

use serde::Serialize;

use crate::authz;
use crate::caller::Caller;
use crate::data_types::DataType;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::store::{self, StoreError, data_sources as rows};
use crate::time::{self, Micros};

/// The kinds of data source, as JHE names them.
pub const KINDS: [&str; 3] = ["personal_device", "medical_device", "patient_app"];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DataSource {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Ordered by text.
    pub supported_scopes: Vec<DataType>,
}

/// A data source without its scopes, as nested in links.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DataSourceRef {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(serialize_with = "crate::time::serialize_iso")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub last_updated: Micros,
}

impl From<rows::DataSourceRow> for DataSourceRef {
    fn from(row: rows::DataSourceRow) -> Self {
        DataSourceRef { id: row.id, name: row.name, kind: row.kind, last_updated: row.last_updated }
    }
}

/// One supported-scope link.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SupportedScope {
    pub id: i64,
    pub data_source: DataSourceRef,
    pub scope_code: DataType,
}

fn check_kind(kind: &str) -> Result<()> {
    if KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(Error::invalid(format!("type: \"{kind}\" is not one of {}", KINDS.join(", "))))
    }
}

fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        Err(Error::invalid("name: must not be empty"))
    } else if name.chars().count() > 200 {
        Err(Error::invalid("name: at most 200 characters"))
    } else {
        Ok(name)
    }
}

fn not_found(id: i64) -> Error {
    Error::NotFound(format!("No DataSource matches the given query (id {id})."))
}

pub async fn create(db: &Db, caller: &Caller, name: &str, kind: &str) -> Result<DataSource> {
    authz::require_superuser(caller)?;
    let name = check_name(name)?;
    check_kind(kind)?;
    let mut tx = db.begin().await?;
    let id = rows::insert(tx.conn(), name, kind, time::now()).await?;
    tx.commit().await?;
    Ok(DataSource { id, name: name.to_owned(), kind: kind.to_owned(), supported_scopes: vec![] })
}

/// Every data source with its supported scopes (two queries, whatever the count), ordered by name.
pub async fn list(db: &Db) -> Result<Vec<DataSource>> {
    let mut tx = db.begin_read().await?;
    let sources = rows::list(tx.conn()).await?;
    let mut scopes = rows::all_supported_scopes(tx.conn()).await?;
    tx.commit().await?;
    scopes.sort_by(|a, b| a.data_type.text.cmp(&b.data_type.text));
    let mut all: Vec<DataSource> = sources
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
        .collect();
    all.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    Ok(all)
}

pub async fn get(db: &Db, id: i64) -> Result<DataSource> {
    list(db).await?.into_iter().find(|s| s.id == id).ok_or_else(|| not_found(id))
}

/// Renames or retypes a data source.
pub async fn update(db: &Db, caller: &Caller, id: i64, name: Option<&str>, kind: Option<&str>) -> Result<DataSource> {
    authz::require_superuser(caller)?;
    let name = name.map(check_name).transpose()?;
    if let Some(kind) = kind {
        check_kind(kind)?;
    }
    let mut tx = db.begin().await?;
    let current = rows::by_id(tx.conn(), id).await?.ok_or_else(|| not_found(id))?;
    rows::update(tx.conn(), id, name.unwrap_or(&current.name), kind.unwrap_or(&current.kind), time::now()).await?;
    tx.commit().await?;
    get(db, id).await
}

/// Deletes a data source with its links; its observations stay, unlinked.
pub async fn delete(db: &Db, caller: &Caller, id: i64) -> Result<()> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin().await?;
    if !rows::delete(tx.conn(), id).await? {
        return Err(not_found(id));
    }
    tx.commit().await?;
    Ok(())
}

async fn existing(conn: Conn<'_>, id: i64) -> Result<rows::DataSourceRow> {
    rows::by_id(conn, id).await?.ok_or_else(|| not_found(id))
}

/// The supported-scope links of one data source, ordered by id.
pub async fn supported_scopes(db: &Db, data_source_id: i64) -> Result<Vec<SupportedScope>> {
    let mut tx = db.begin_read().await?;
    let source: DataSourceRef = existing(tx.conn(), data_source_id).await?.into();
    let links = rows::supported_scope_links(tx.conn(), data_source_id).await?;
    tx.commit().await?;
    Ok(links
        .into_iter()
        .map(|(id, data_type)| SupportedScope { id, data_source: source.clone(), scope_code: data_type.into() })
        .collect())
}

/// Marks a data type as supported by a data source.
pub async fn add_supported_scope(db: &Db, caller: &Caller, data_source_id: i64, data_type_id: i64) -> Result<SupportedScope> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin().await?;
    let source: DataSourceRef = existing(tx.conn(), data_source_id).await?.into();
    let data_type = store::data_types::by_id(tx.conn(), data_type_id)
        .await?
        .ok_or_else(|| Error::invalid(format!("scopeCodeId: data type {data_type_id} does not exist")))?;
    let id = match rows::add_supported_scope(tx.conn(), data_source_id, data_type_id).await {
        Ok(id) => id,
        Err(StoreError::Unique(_)) => {
            return Err(Error::Conflict(format!(
                "data source {data_source_id} already supports {}",
                data_type.coding_code
            )));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(SupportedScope { id, data_source: source, scope_code: data_type.into() })
}

pub async fn remove_supported_scope(db: &Db, caller: &Caller, data_source_id: i64, data_type_id: i64) -> Result<()> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin().await?;
    existing(tx.conn(), data_source_id).await?;
    if !rows::remove_supported_scope(tx.conn(), data_source_id, data_type_id).await? {
        return Err(Error::NotFound(format!(
            "data source {data_source_id} does not support data type {data_type_id}"
        )));
    }
    tx.commit().await?;
    Ok(())
}
