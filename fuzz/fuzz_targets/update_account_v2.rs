//! Fuzz target `update_account_v2`: the bytes as a request body (see `fuzzing::update_account_v2`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::update_account_v2(data);
});
