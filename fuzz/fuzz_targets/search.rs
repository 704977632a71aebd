//! Observation search parameters, one `name=value` a line.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jhe_core::fuzzing::search(data));
