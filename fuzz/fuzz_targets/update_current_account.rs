//! Fuzz target `update_current_account`: the bytes as a request body (see `fuzzing::update_current_account`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::update_current_account(data);
});
