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
//!
//! Built with mimalloc's `no_thp` feature: with transparent huge pages,
//! its arenas made a function's peak RSS over 10 000 invocations 19.1 MiB
//! (`cargo perf`, contract 000's function); without them 10.4 MiB, beside
//! glibc's 9.9 MiB.

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
