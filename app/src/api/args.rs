//! How the console sends a server function its arguments: a URL-encoded form
//! ([`Form`], the default, so plain HTML forms can post too) or JSON
//! ([`Json`], for nested arguments). Both are the framework's encodings, but
//! decoding names the argument at fault (`id: invalid digit found in
//! string`), so the server can answer a bad call with a 400 that says which
//! argument is wrong. Every server function declares one of them.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Arguments as `application/x-www-form-urlencoded`.
pub type Form = Post<FormArgs>;
/// Arguments as `application/json`.
pub type Json = Post<JsonArgs>;

pub struct FormArgs;
pub struct JsonArgs;

impl ContentType for FormArgs {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl FormatType for FormArgs {
    const FORMAT_TYPE: Format = Format::Text;
}

impl ContentType for JsonArgs {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonArgs {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for FormArgs {
    type Error = serde_qs::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_qs::to_string(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for FormArgs {
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        // The framework's own settings: nesting up to 5 levels, lenient brackets.
        let config = serde_qs::Config::new(5, false);
        let deserializer = serde_qs::Deserializer::with_config(&config, &bytes).map_err(|e| format!("the arguments are not a form: {e}"))?;
        serde_path_to_error::deserialize(deserializer).map_err(|e| named(&e.path().to_string(), &e.inner().to_string()))
    }
}

impl<T: Serialize> Encodes<T> for JsonArgs {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonArgs {
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let parsed = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let inner = e.inner();
            if inner.is_syntax() || inner.is_eof() {
                format!("the arguments are not JSON: {inner}")
            } else {
                let message = inner.to_string();
                let position = format!(" at line {} column {}", inner.line(), inner.column());
                named(&e.path().to_string(), message.strip_suffix(&position).unwrap_or(&message))
            }
        })?;
        deserializer.end().map_err(|e| format!("the arguments are not JSON: {e}"))?;
        Ok(parsed)
    }
}

/// `path: message` (see `jhe_core::input::field_fault`, which the server uses).
#[cfg(feature = "ssr")]
fn named(path: &str, message: &str) -> String {
    jhe_core::input::field_fault(path, message).replace("this field is required", "this argument is required")
}

/// Arguments are decoded only on the server.
#[cfg(not(feature = "ssr"))]
fn named(path: &str, message: &str) -> String {
    format!("{path}: {message}")
}
