//! The list: every crate of `functions/`, in the order the tools show them
//! (the contracts' order, then the functions no route reaches), as the
//! build script reads it from each crate's `Cargo.toml`
//! ([`manifest`](crate::manifest) says what each holds).

use crate::{Binary, Function, Trigger};

include!(concat!(env!("OUT_DIR"), "/functions.rs"));
