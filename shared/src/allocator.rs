//! The functions' global allocator: mimalloc instead of glibc's malloc.
//!
//! callgrind on the bench's in-process requests (BENCHMARKS.md, "CPU")
//! found a third of a plain update's own instructions in glibc's `malloc`
//! and `free` (parsing, the SDK's request and response, the expressions,
//! the telemetry line: many small short-lived allocations), and as much
//! again inside every SDK call. mimalloc's thread-local free lists make
//! each of them a few instructions. Every function binary declares it
//! through [`crate::lambda_main!`] (the mailer with
//! [`crate::global_allocator!`]), and so does the bench's measuring side,
//! so that what it measures in process is what is deployed.

pub use mimalloc::MiMalloc;

/// Declares [`MiMalloc`] the binary's global allocator (once per binary,
/// at the crate root).
#[macro_export]
macro_rules! global_allocator {
    () => {
        #[global_allocator]
        static GLOBAL_ALLOCATOR: $crate::allocator::MiMalloc = $crate::allocator::MiMalloc;
    };
}
