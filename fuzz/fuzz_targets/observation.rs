//! An Observation resource, through the checks that need no lookup.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jhe_core::fuzzing::observation(data));
