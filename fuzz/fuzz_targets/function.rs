//! Fuzz target `function`: the bytes as input to the function whose fuzz
//! target `FUZZ_TARGET` names (`update_account_v2`, ...; see
//! `fuzzing::target`), chosen once when the run starts.
#![no_main]

use std::sync::OnceLock;

static TARGET: OnceLock<fuzzing::Target> = OnceLock::new();

libfuzzer_sys::fuzz_target!(
    init: {
        let _ = TARGET.set(fuzzing::target_from_env());
    },
    |data: &[u8]| {
        let target = TARGET.get().expect("set when the run starts");
        let _ = (target.run)(data);
    }
);
