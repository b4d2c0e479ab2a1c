//! Fuzz target `json_body`: the bytes as a request body (see `fuzzing::json_body`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::json_body(data);
});
