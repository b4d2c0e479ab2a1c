//! [`endpoint_suite!`](crate::endpoint_suite): the generic suites as named tests.

/// Expands to the named `#[tokio::test]` functions of the listed suites
/// for `$tested`, a type implementing [`Tested`](crate::suite::Tested)
/// (and [`Isolated`](crate::suite::isolation::Isolated) for
/// `isolation`): one module per suite, each test named as the generic
/// body it runs, so a test reads
/// `events::shipped_events_give_their_documented_status`. Suites:
/// `events`, `logs`, `faults`, `isolation`. Name the type by an absolute
/// path (`crate::common::Fixture`): the tests live in modules of their own.
#[macro_export]
macro_rules! endpoint_suite {
    ($tested:ty; $($suite:ident),+ $(,)?) => {
        $( $crate::endpoint_suite!(@suite $suite, $tested); )+
    };
    (@suite events, $tested:ty) => {
        $crate::endpoint_suite!(@test events, shipped_events_give_their_documented_status, $tested);
    };
    (@suite logs, $tested:ty) => {
        $crate::endpoint_suite!(@test logs, no_secret_is_logged_at_trace, $tested);
    };
    (@suite faults, $tested:ty) => {
        $crate::endpoint_suite!(
            @test faults, dynamodb_faults_are_unavailable_in_budget_and_change_nothing, $tested
        );
    };
    (@suite isolation, $tested:ty) => {
        $crate::endpoint_suite!(@test isolation, isolation_matrix, $tested);
    };
    (@test $suite:ident, $test:ident, $tested:ty) => {
        mod $suite {
            #[tokio::test]
            async fn $test() {
                $crate::suite::$suite::$test::<$tested>().await;
            }
        }
    };
}
