//! Fuzz target `send_account_email`: the bytes as a DynamoDB stream event (see `fuzzing::send_account_email`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::send_account_email(data);
});
