//! Fuzz target `update_tenant_account`: the bytes as a request body (see `fuzzing::update_tenant_account`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::update_tenant_account(data);
});
