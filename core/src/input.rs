//! One rule for text from clients, on both databases: no NUL character
//! (U+0000) in any field, parameter or key. PostgreSQL cannot store one in
//! `text`, and no field of jhe's has a use for it, so it is refused before
//! anything is looked up or stored. (Inside an OMH data point, which is kept
//! as the JSON text it arrived in, an escaped `\u0000` is stored as sent.)

use serde_json::Value;

/// What a refusal says after the name of the field at fault.
pub const NUL_REFUSED: &str = "contains a NUL character (U+0000), which is not allowed";

/// The refusal for `name`: `"email: contains a NUL character …"`.
pub fn nul_message(name: &str) -> String {
    format!("{name}: {NUL_REFUSED}")
}

/// The path of the first string or key holding a NUL in a JSON document:
/// `identifiers[0].value`, under `root` when one is given
/// (`Observation.identifier[0].value`). `None` when there is none.
pub fn nul_path(value: &Value, root: &str) -> Option<String> {
    match value {
        Value::String(text) => text.contains('\0').then(|| root.to_owned()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| nul_path(item, &format!("{root}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let path = if root.is_empty() { key.clone() } else { format!("{root}.{key}") };
            if key.contains('\0') { Some(path.replace('\0', "\\u0000")) } else { nul_path(item, &path) }
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

/// The first `name=value` pair of a URL-encoded query or form holding a NUL,
/// by its name (a name that itself holds one is shown escaped).
pub fn nul_pair(encoded: &[u8]) -> Option<String> {
    form_urlencoded::parse(encoded)
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| name.replace('\0', "\\u0000"))
}

/// A decoding fault as clients read it: `path: message`, naming the field
/// (a `serde_path_to_error` path, `.` for the whole document), with serde's
/// "missing field `x`" said as the field being required.
pub fn field_fault(path: &str, message: &str) -> String {
    let container = if path == "." { String::new() } else { format!("{path}.") };
    match message.strip_prefix("missing field `").and_then(|rest| rest.strip_suffix('`')) {
        Some(field) => format!("{container}{field}: this field is required"),
        None if path == "." => message.to_owned(),
        None => format!("{path}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_path_of_the_first_nul() {
        let body = json!({"name": "ok", "identifiers": [{"system": "s", "value": "a\u{0}b"}]});
        assert_eq!(nul_path(&body, "").as_deref(), Some("identifiers[0].value"));
        assert_eq!(nul_path(&body, "Patient").as_deref(), Some("Patient.identifiers[0].value"));
        assert_eq!(nul_path(&json!({"a\u{0}": 1}), "").as_deref(), Some("a\\u0000"));
        assert_eq!(nul_path(&json!({"name": "fine", "n": [1, true, null]}), ""), None);
    }

    #[test]
    fn finds_the_pair_holding_a_nul() {
        assert_eq!(nul_pair(b"a=1&email=x%00y").as_deref(), Some("email"));
        assert_eq!(nul_pair(b"k%00=1").as_deref(), Some("k\\u0000"));
        assert_eq!(nul_pair(b"a=1&b=%2500"), None);
    }

    #[test]
    fn says_which_field_is_at_fault() {
        assert_eq!(field_fault(".", "missing field `name`"), "name: this field is required");
        assert_eq!(field_fault("studyScopeConsents[0]", "missing field `studyId`"), "studyScopeConsents[0].studyId: this field is required");
        assert_eq!(field_fault("id", "invalid digit found in string"), "id: invalid digit found in string");
    }
}
