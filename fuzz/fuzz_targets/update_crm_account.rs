//! Fuzz target `update_crm_account`: the bytes as a request body (see `fuzzing::update_crm_account`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::update_crm_account(data);
});
