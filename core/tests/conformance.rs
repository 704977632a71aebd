//! The built-in schemas against the official Open mHealth test documents:
//! every `shouldPass` document accepted, every `shouldFail` one rejected,
//! and the sample data points valid (header and body).
//!
//! The corpus comes from `OMH_CONFORMANCE_DIR` (default: the `conformance`
//! folder of the `shared` directory beside the checkout). Without it the test
//! says so and skips — except under CI (`CI=true`), where it must be there.

use std::path::{Path, PathBuf};

use jhe_core::schemas::{self, OMH_BASE};
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("OMH_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance"));
    if dir.join("omh/test-data").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the OMH conformance corpus is missing at {} (set OMH_CONFORMANCE_DIR)", dir.display());
    }
    eprintln!("skipping: no OMH conformance corpus at {} (set OMH_CONFORMANCE_DIR)", dir.display());
    None
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn builtin_omh_schemas_accept_the_passing_and_reject_the_failing_test_documents() {
    let Some(corpus) = corpus() else { return };
    let test_data = corpus.join("omh/test-data/omh");
    let (mut checked_types, mut documents, mut failures) = (0, 0, Vec::new());
    for type_dir in std::fs::read_dir(&test_data).unwrap().flatten() {
        let name = type_dir.file_name().to_string_lossy().into_owned();
        for version_dir in std::fs::read_dir(type_dir.path()).unwrap().flatten() {
            let version = version_dir.file_name().to_string_lossy().into_owned();
            let uri = format!("{OMH_BASE}{name}-{version}.json");
            if schemas::builtin_schema(&uri).is_none() {
                continue; // not in jhe's built-in set
            }
            checked_types += 1;
            for (folder, should_pass) in [("shouldPass", true), ("shouldFail", false)] {
                for file in json_files(&version_dir.path().join(folder)) {
                    documents += 1;
                    let issues = schemas::validate_builtin(&uri, &read(&file)).unwrap();
                    if issues.is_empty() != should_pass {
                        failures.push(format!("{}: {issues:?}", file.display()));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {documents} documents misjudged:\n{}", failures.len(), failures.join("\n"));
    // Every type the seed and the guide use is covered by official tests.
    for required in ["heart-rate-2.0", "blood-pressure-4.0", "blood-glucose-4.0", "step-count-2.0", "step-count-3.0", "body-weight-2.0"] {
        assert!(test_data.join(required.rsplit_once('-').map(|(n, v)| format!("{n}/{v}")).unwrap()).is_dir(), "{required}");
    }
    assert!(checked_types >= 30 && documents >= 200, "only {checked_types} types / {documents} documents checked");
}

#[test]
fn sample_data_points_validate_header_and_body() {
    let Some(corpus) = corpus() else { return };
    let examples = json_files(&corpus.join("omh-examples"));
    assert!(!examples.is_empty());
    for file in examples {
        let point = read(&file);
        let id = &point["header"]["schema_id"];
        let code = format!("{}:{}:{}", id["namespace"].as_str().unwrap(), id["name"].as_str().unwrap(), id["version"].as_str().unwrap());
        let issues = schemas::validate_data_point(&code, None, &point).unwrap();
        assert!(issues.is_empty(), "{}: {issues:?}", file.display());
    }
}
