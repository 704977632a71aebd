//! Data types over HTTP: custom schemas registered at run time, schema
//! checks, and "try a sample" validation with each error's path.

mod common;

use common::{Server, call, seeded, token_for};
use reqwest::Method;
use serde_json::{Value, json};

fn glucose_schema() -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {
            "timestamp": {"type": "string", "format": "date-time"},
            "glucose_mg_dl": {"type": "number"},
            "meal_context": {"type": "string", "enum": ["fasting", "before_meal", "after_meal"]}
        },
        "required": ["timestamp", "glucose_mg_dl"]
    })
}

fn glucose_point(body: Value) -> Value {
    json!({
        "header": {
            "uuid": "5b3bf5a7-83b3-4f4a-9a53-8c4ee0f7d6a1",
            "schema_id": {"namespace": "custom", "name": "glucose-meter", "version": "1.0"},
            "source_creation_date_time": "2025-03-01T08:00:00Z"
        },
        "body": body
    })
}

#[tokio::test]
async fn the_guides_custom_glucose_meter_type_validates_with_no_code_change() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let sam = token_for(&test, "sam@example.com");
    let (status, created) = call(&server, Method::POST, "/api/v1/data_types", Some(&sam), Some(json!({
        "codingSystem": "https://yourdomain.com/schemas", "codingCode": "custom:glucose-meter:1.0",
        "text": "Custom Glucose Meter Reading", "schema": glucose_schema()
    }))).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/data_types/{id}/validate");
    let mary = token_for(&test, "mary@example.com");

    let good = glucose_point(json!({"timestamp": "2025-03-01T07:55:00Z", "glucose_mg_dl": 104, "meal_context": "fasting"}));
    let (status, answer) = call(&server, Method::POST, &path, Some(&mary), Some(good)).await;
    assert_eq!((status, answer), (200, json!({"valid": true, "errors": []})));

    let bad = glucose_point(json!({"timestamp": "yesterday", "meal_context": "brunch"}));
    let (status, answer) = call(&server, Method::POST, &path, Some(&mary), Some(bad)).await;
    assert_eq!(status, 200);
    assert_eq!(answer["valid"], false);
    let errors: Vec<String> = answer["errors"].as_array().unwrap().iter()
        .map(|e| format!("{}: {}", e["path"].as_str().unwrap(), e["message"].as_str().unwrap())).collect();
    assert!(errors.contains(&r#"body.timestamp: "yesterday" is not a "date-time""#.to_owned()), "{errors:?}");
    assert!(errors.contains(&r#"body.meal_context: "brunch" is not one of ["fasting","before_meal","after_meal"]"#.to_owned()), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("body: ") && e.contains("glucose_mg_dl")), "{errors:?}");

    // The header must name this type.
    let mut wrong_header = glucose_point(json!({"timestamp": "2025-03-01T07:55:00Z", "glucose_mg_dl": 104}));
    wrong_header["header"]["schema_id"]["name"] = json!("heart-rate");
    let (_, answer) = call(&server, Method::POST, &path, Some(&mary), Some(wrong_header)).await;
    assert_eq!(answer["errors"][0]["path"], "header.schema_id.name");

    // A body that is not JSON is the only 400.
    let response = reqwest::Client::new().post(server.url(&path)).bearer_auth(&mary)
        .header("Content-Type", "application/json").body("{nope").send().await.unwrap();
    assert_eq!(response.status(), 400);
    test.remove().await;
}

#[tokio::test]
async fn built_in_types_report_every_error_with_its_path() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let peter = token_for(&test, "peter@example.com");
    let point = json!({
        "header": {"uuid": "not-a-uuid", "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                   "source_creation_date_time": "2025-01-01T00:00:00Z"},
        "body": {"heart_rate": {"value": 60, "unit": "bpm"}, "effective_time_frame": {"date_time": "2025-01-01T00:00:00Z"}}
    });
    let (status, answer) = call(&server, Method::POST, "/api/v1/data_types/50004/validate", Some(&peter), Some(point)).await;
    assert_eq!(status, 200);
    let errors: Vec<String> = answer["errors"].as_array().unwrap().iter()
        .map(|e| format!("{}: {}", e["path"].as_str().unwrap(), e["message"].as_str().unwrap())).collect();
    assert_eq!(errors, [r#"header.uuid: "not-a-uuid" is not a "uuid""#, r#"body.heart_rate.unit: "bpm" is not one of ["beats/min"]"#]);
    let (status, _) = call(&server, Method::POST, "/api/v1/data_types/59999/validate", Some(&peter), Some(json!({}))).await;
    assert_eq!(status, 404);
    test.remove().await;
}

#[tokio::test]
async fn schemas_are_checked_before_a_data_type_is_stored() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let sam = token_for(&test, "sam@example.com");
    let create = |code: &str, schema: Option<Value>| {
        let mut body = json!({"codingSystem": "https://example.org/types", "codingCode": code, "text": "T"});
        if let Some(schema) = schema {
            body["schema"] = schema;
        }
        body
    };
    for (body, needle) in [
        (create("x:1", Some(json!({"type": "objekt"}))), "not a valid JSON Schema"),
        (create("x:2", Some(json!({"$ref": "https://example.org/elsewhere.json"}))), "schema"),
        (create("x:3", Some(json!([1, 2]))), "schema"),
        (create("x:4", None), "needs its JSON Schema"),
    ] {
        let (status, answer) = call(&server, Method::POST, "/api/v1/data_types", Some(&sam), Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["detail"].as_str().unwrap().contains(needle), "{body}: {answer}");
    }
    // A custom schema may use the built-in OMH pieces by name.
    let (status, answer) = call(&server, Method::POST, "/api/v1/data_types", Some(&sam), Some(create("x:5", Some(json!({
        "type": "object", "required": ["effective_time_frame"],
        "properties": {"effective_time_frame": {"$ref": "time-frame-1.x.json"}}
    }))))).await;
    assert_eq!(status, 201, "{answer}");
    let (status, _) = call(&server, Method::POST, "/api/v1/data_types", Some(&sam), Some(create("x:5", Some(json!({}))))).await;
    assert_eq!(status, 409);
    // Built-in codes need no schema; the listing has every type.
    let (status, _) = call(&server, Method::POST, "/api/v1/data_types", Some(&sam), Some(json!({
        "codingSystem": "https://w3id.org/openmhealth", "codingCode": "omh:step-count:2.0", "text": "Step count"}))).await;
    assert_eq!(status, 201);
    let (_, listed) = call(&server, Method::GET, "/api/v1/data_types?pageSize=100", Some(&sam), None).await;
    assert_eq!(listed["count"], 18);
    test.remove().await;
}
