//! An OMH data point, body or custom schema, through the schema validators.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jhe_core::fuzzing::data_point(data));
