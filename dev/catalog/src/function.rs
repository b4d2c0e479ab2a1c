//! What the catalog says of one function.

/// How a binary is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// An API Gateway HTTP API route: the binary's `main` is
    /// `shared::lambda_main!(..)`, it has a route in `template.yaml` and
    /// operations in `openapi.yaml`.
    Http,
    /// A DynamoDB stream (an `AWS::Lambda::EventSourceMapping`).
    Stream,
}

/// One crate of `functions/`.
#[derive(Debug, Clone, Copy)]
pub struct Function {
    /// The package, which is also its directory under `functions/`
    /// (`update-current-account`).
    pub package: &'static str,
    /// The seed contract it implements (`"003"`), none for a function no
    /// route reaches.
    pub contract: Option<&'static str>,
    /// Its fuzz target (`FUZZ_TARGET=<name>` of `fuzz/`'s `function`
    /// binary, `fuzz/corpus/<name>/`, `fuzzing::target`): the package's
    /// crate name.
    pub fuzz_target: &'static str,
    /// Every binary the package builds, each deployed as one Lambda
    /// function (`Metadata: BuildProperties: Binary` in the template).
    pub binaries: &'static [Binary],
}

/// One binary of a function crate: one deployed Lambda function.
#[derive(Debug, Clone, Copy)]
pub struct Binary {
    /// The cargo binary (`confirm-account-email`); its events are in
    /// `events/<name>/`.
    pub name: &'static str,
    /// How it is invoked.
    pub trigger: Trigger,
    /// The logical id of its table in `template.yaml`.
    pub table: &'static str,
    /// Its main example, a path from the workspace root under
    /// `events/<name>/`: the event `cargo perf` invokes it with (cold
    /// start, peak RSS); for an HTTP binary also the request its fuzz
    /// target sends bodies in (its path, query and headers) and, when it is
    /// a 2xx event, its route's preferred success event (smoke probe,
    /// schemathesis credentials) and, for the function's first HTTP binary,
    /// its derived bench path.
    pub bench_event: &'static str,
}

impl Function {
    /// The package's crate name (`update_current_account`): its log target
    /// and its name in Rust code.
    pub fn crate_name(&self) -> String {
        self.package.replace('-', "_")
    }

    /// Its binaries invoked through API Gateway.
    pub fn http_binaries(&self) -> impl Iterator<Item = &'static Binary> + use<> {
        self.binaries.iter().filter(|b| b.trigger == Trigger::Http)
    }
}

impl Binary {
    /// The binary's crate name (`confirm_account_email`): the log target
    /// of its `main`.
    pub fn crate_name(&self) -> String {
        self.name.replace('-', "_")
    }
}
