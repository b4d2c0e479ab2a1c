//! [`endpoint_suite!`](crate::endpoint_suite): the generic suites as named tests.

/// Expands to the named `#[tokio::test]` functions of the listed suites
/// for `$tested`, a type implementing [`Tested`](crate::suite::Tested)
/// (and [`Isolated`](crate::suite::isolation::Isolated) for `isolation`,
/// [`safe_edits::Endpoint`](crate::suite::safe_edits::Endpoint) for
/// `safe_edits`): one module per suite, each test named as the generic
/// body it runs, so a test reads
/// `events::shipped_events_give_their_documented_status`. Suites:
/// `events`, `logs`, `faults`, `storage`, `safe_edits`, `isolation`. Name the type by an
/// absolute path (`crate::common::Fixture`): the tests live in modules of
/// their own.
#[macro_export]
macro_rules! endpoint_suite {
    ($tested:ty; $($suite:ident),+ $(,)?) => {
        $( $crate::endpoint_suite!(@suite $suite, $tested); )+
    };
    (@suite events, $tested:ty) => {
        $crate::endpoint_suite!(@tests events, $tested, shipped_events_give_their_documented_status);
    };
    (@suite logs, $tested:ty) => {
        $crate::endpoint_suite!(@tests logs, $tested, no_secret_is_logged_at_trace);
    };
    (@suite faults, $tested:ty) => {
        $crate::endpoint_suite!(
            @tests faults, $tested, dynamodb_faults_are_unavailable_in_budget_and_change_nothing
        );
    };
    (@suite storage, $tested:ty) => {
        $crate::endpoint_suite!(
            @tests storage, $tested,
            storage_failures_are_500_without_internals,
            throttling_that_outlasts_retries_is_unavailable_with_retry_after
        );
    };
    (@suite safe_edits, $tested:ty) => {
        $crate::endpoint_suite!(
            @tests safe_edits, $tested,
            etag_and_if_match,
            idempotent_retries,
            concurrent_duplicates,
            credentials_and_preconditions,
            answer_lost_after_commit,
            killed_after_commit
        );
    };
    (@suite isolation, $tested:ty) => {
        $crate::endpoint_suite!(@tests isolation, $tested, isolation_matrix);
    };
    (@tests $suite:ident, $tested:ty, $($test:ident),+) => {
        mod $suite {
            $(
                #[tokio::test]
                async fn $test() {
                    $crate::suite::$suite::$test::<$tested>().await;
                }
            )+
        }
    };
}
