//! Fuzz target `update_account_metadata`: the bytes as a request body (see `fuzzing::update_account_metadata`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::update_account_metadata(data);
});
