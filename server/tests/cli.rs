//! The `jhe` command line, run as an operator would run it.

mod common;

use std::process::{Command, Output};

use common::{jhe, jhe_ok as ok};
use jhe_core::testing::TestDatabase;

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a command that must fail with one clear line on stderr; returns it.
fn fails(test: &TestDatabase, args: &[&str]) -> String {
    let output = jhe(test, args);
    assert!(!output.status.success(), "jhe {args:?} should have failed: {}", stdout(&output));
    let message = stderr(&output);
    assert_eq!(message.trim_end().lines().count(), 1, "one line expected, got {message:?}");
    assert!(message.starts_with("error: "), "{message}");
    message
}

#[tokio::test]
async fn seed_then_list_the_catalogue_and_seed_again_changes_nothing() {
    let test = TestDatabase::create().await;
    assert!(ok(&test, &["migrate"]).contains("up to date"));
    assert!(ok(&test, &["seed"]).contains("Jhe1234!"));
    let sources = ok(&test, &["data-source", "list"]);
    assert!(sources.contains("70001") && sources.contains("CareX"), "{sources}");
    assert!(sources.contains("omh:blood-pressure:4.0, omh:heart-rate:2.0"), "{sources}");
    assert!(sources.contains("Patient Access API") && sources.contains("medical_device"), "{sources}");
    let types = ok(&test, &["data-type", "list"]);
    assert!(types.contains("50004") && types.contains("omh:heart-rate:2.0") && types.contains("Heart Rate"));
    assert!(types.contains("ieee:sleep-stage-summary:1.0"), "{types}");
    assert_eq!(types.lines().count(), 17, "a header and 16 data types");

    assert!(ok(&test, &["seed"]).contains("nothing changed"));
    assert_eq!(ok(&test, &["data-source", "list"]), sources);
    assert_eq!(ok(&test, &["data-type", "list"]), types);
    test.remove().await;
}

#[tokio::test]
async fn the_guides_shell_steps_as_subcommands() {
    let test = TestDatabase::create().await;
    ok(&test, &["seed"]);
    let created = ok(&test, &["data-source", "add", "--name", "Apple Watch", "--type", "personal_device"]);
    assert!(created.contains("created data source 70007 \"Apple Watch\""), "{created}");

    let schema = test.dir().join("step-count.json");
    std::fs::write(&schema, r#"{"type": "object", "required": ["step_count"]}"#).unwrap();
    let added = ok(&test, &[
        "data-type", "add", "--system", "https://w3id.org/openmhealth", "--code", "omh:step-count:2.0",
        "--text", "Step count", "--schema", schema.to_str().unwrap(),
    ]);
    assert!(added.contains("created data type 50017 omh:step-count:2.0"), "{added}");

    for code in ["omh:heart-rate:2.0", "omh:step-count:2.0", "50005"] {
        ok(&test, &["data-source", "add-scope", "--data-source", "70007", "--data-type", code]);
    }
    let listed = ok(&test, &["data-source", "list"]);
    let apple = listed.lines().find(|l| l.contains("Apple Watch")).unwrap();
    assert!(apple.ends_with("omh:heart-rate:2.0, omh:oxygen-saturation:2.0, omh:step-count:2.0"), "{apple}");

    let created = ok(&test, &["user", "create-superuser", "--email", " Root@Example.com ", "--password", "s3cure-enough"]);
    assert!(created.contains("created super user 10012 root@example.com"), "{created}");
    test.remove().await;
}

#[tokio::test]
async fn bad_input_is_one_clear_line_and_changes_nothing() {
    let test = TestDatabase::create().await;
    ok(&test, &["seed"]);
    let before = (ok(&test, &["data-source", "list"]), ok(&test, &["data-type", "list"]));

    assert!(fails(&test, &["data-source", "add", "--name", "X", "--type", "robot"]).contains("type: \"robot\" is not one of"));
    assert!(fails(&test, &["data-source", "add", "--name", "  "]).contains("name: must not be empty"));
    assert!(fails(&test, &["data-source", "add-scope", "--data-source", "99999", "--data-type", "50001"])
        .contains("No DataSource matches the given query (id 99999)"));
    assert!(fails(&test, &["data-source", "add-scope", "--data-source", "70001", "--data-type", "omh:nope:1.0"])
        .contains("data type omh:nope:1.0 does not exist"));
    assert!(fails(&test, &["data-source", "add-scope", "--data-source", "70001", "--data-type", "50002"])
        .contains("already supports omh:blood-pressure:4.0"));
    assert!(fails(&test, &[
        "data-type", "add", "--system", "https://w3id.org/openmhealth", "--code", "omh:heart-rate:2.0", "--text", "HR",
    ])
    .contains("already exists"));
    let broken = test.dir().join("broken.json");
    std::fs::write(&broken, "{not json").unwrap();
    assert!(fails(&test, &[
        "data-type", "add", "--system", "s", "--code", "c", "--text", "t", "--schema", broken.to_str().unwrap(),
    ])
    .contains("is not JSON"));
    let not_a_schema = test.dir().join("not-a-schema.json");
    std::fs::write(&not_a_schema, r#"{"type": "objekt"}"#).unwrap();
    assert!(fails(&test, &[
        "data-type", "add", "--system", "s", "--code", "c", "--text", "t", "--schema", not_a_schema.to_str().unwrap(),
    ])
    .contains("not a valid JSON Schema"));
    assert!(fails(&test, &["data-type", "add", "--system", "s", "--code", "c", "--text", "t", "--schema", "/no/such/file.json"])
        .contains("cannot read schema file"));
    assert!(fails(&test, &["user", "create-superuser", "--email", "sam@example.com", "--password", "long-enough-1"])
        .contains("already exists"));
    assert!(fails(&test, &["user", "create-superuser", "--email", "new@example.com", "--password", "short"])
        .contains("at least 8 characters"));
    assert!(fails(&test, &["user", "create-superuser", "--email", "not-an-email", "--password", "long-enough-1"])
        .contains("not a valid email address"));

    assert_eq!((ok(&test, &["data-source", "list"]), ok(&test, &["data-type", "list"])), before);
    test.remove().await;
}

#[tokio::test]
async fn seed_refuses_other_data_without_force() {
    let test = TestDatabase::create().await;
    ok(&test, &["data-source", "add", "--name", "Omron"]);
    assert!(fails(&test, &["seed"]).contains("--force"));
    assert!(ok(&test, &["seed", "--force"]).contains("seeded"));
    assert!(ok(&test, &["data-source", "list"]).contains("Omron"));
    test.remove().await;
}

#[test]
fn an_unusable_database_url_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_jhe"))
        .args(["--database-url", "mysql://nobody@localhost/x", "migrate"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("unsupported DATABASE_URL scheme"), "{}", stderr(&output));
}
