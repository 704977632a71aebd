//! Settings: the system's typed key–value settings, for super users.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingView {
    pub id: i64,
    pub key: String,
    pub value_type: String,
    /// The value as typed in a form (a string without quotes).
    pub value: String,
    /// Microseconds since the epoch.
    pub last_updated: Option<i64>,
}

/// What the user typed, as the JSON value the domain reads: JSON text for
/// `json`, the text itself for the others (the domain parses numbers and
/// booleans from text and names what is wrong).
#[cfg(feature = "ssr")]
fn typed(value_type: &str, text: &str) -> Result<serde_json::Value, ServerFnError> {
    if value_type == "json" {
        serde_json::from_str(text).map_err(|e| super::server::refuse(400, &format!("value: not JSON ({e})")))
    } else {
        Ok(serde_json::Value::String(text.to_owned()))
    }
}

#[cfg(feature = "ssr")]
fn view_of(s: jhe_core::settings::Setting) -> SettingView {
    let value = match s.resolved_value {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    };
    let last_updated = jhe_core::time::parse_iso(&s.last_updated);
    SettingView { id: s.id, key: s.key, value_type: s.value_type, value, last_updated }
}

#[server(prefix = "/console/api", endpoint = "settings", input = crate::api::args::Form)]
pub async fn settings() -> Result<Vec<SettingView>, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let all = jhe_core::settings::list(&db, &caller).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(all.into_iter().map(view_of).collect())
}

/// The value types a setting may have.
#[server(prefix = "/console/api", endpoint = "setting_types", input = crate::api::args::Form)]
pub async fn setting_types() -> Result<Vec<String>, ServerFnError> {
    super::server::caller().await?;
    Ok(jhe_core::settings::VALUE_TYPES.iter().map(|t| (*t).to_owned()).collect())
}

#[server(prefix = "/console/api", endpoint = "add_setting", input = crate::api::args::Form)]
pub async fn add_setting(key: String, value_type: String, value: String) -> Result<i64, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let value = typed(&value_type, &value)?;
    jhe_core::settings::create(&db, &caller, &key, &value_type, &value)
        .await
        .map(|s| s.id)
        .map_err(|e| super::server::refuse_with(&e))
}

/// Changes a setting's value, keeping its type.
#[server(prefix = "/console/api", endpoint = "update_setting", input = crate::api::args::Form)]
pub async fn update_setting(id: i64, value: String) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let refuse = |e: jhe_core::Error| super::server::refuse_with(&e);
    let current = jhe_core::settings::get(&db, &caller, id).await.map_err(refuse)?;
    let value = typed(&current.value_type, &value)?;
    jhe_core::settings::update(&db, &caller, id, None, Some(&value)).await.map(|_| ()).map_err(refuse)
}

#[server(prefix = "/console/api", endpoint = "delete_setting", input = crate::api::args::Form)]
pub async fn delete_setting(id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::settings::delete(&db, &caller, id).await.map_err(|e| super::server::refuse_with(&e))
}
