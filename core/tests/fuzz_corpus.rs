//! The committed fuzz corpus (`fuzz/corpus/<target>/`) as a regression
//! test: every input through what its fuzz target runs.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use jhe_core::fuzzing::TARGETS;

#[test]
fn every_corpus_input_runs_clean() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let mut failures = Vec::new();
    for (target, run) in TARGETS {
        let mut files: Vec<_> = std::fs::read_dir(corpus.join(target))
            .unwrap_or_else(|e| panic!("{target}: {e}"))
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no corpus for {target}");
        for file in files {
            let data = std::fs::read(&file).unwrap();
            if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                failures.push(file.display().to_string());
            }
        }
    }
    assert!(failures.is_empty(), "inputs that panic:\n{}", failures.join("\n"));
}
