//! A batch or transaction Bundle, and each entry's Observation.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jhe_core::fuzzing::bundle(data));
