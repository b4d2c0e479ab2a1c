//! The smallest lambda_http function: answers every request `200 hello`.
//! `cargo perf` builds it with the same profile as the functions and
//! compares their cold start and size with it.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_req: Request| async {
        Ok::<_, Error>(Response::new(Body::from("hello")))
    }))
    .await
}
