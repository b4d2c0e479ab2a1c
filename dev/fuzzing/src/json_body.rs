//! The shared body parsing, into any JSON object and into a typed model.

use crate::{Verdict, refused};
use lambda_http::Body;

/// The shared body parsing ([`shared::http::parse_json_object`]), into any
/// JSON object and into a typed model with `deny_unknown_fields` and
/// [`shared::patch::Patch`] fields. Accepted objects survive a round trip.
pub fn json_body(data: &[u8]) -> Verdict {
    use serde_json::{Map, Value};
    use shared::error::Common;
    use shared::http::{BodyError, MAX_BODY_BYTES, parse_json_object};
    use shared::patch::Patch;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Model {
        #[serde(default)]
        name: Patch<String>,
        #[serde(default)]
        count: Patch<u32>,
        #[serde(default)]
        metadata: Patch<Map<String, Value>>,
    }

    // The status every endpoint answers a body error with.
    let status = |e: BodyError| Common::from(e).status();
    let body = Body::from(data.to_vec());
    let _ = parse_json_object::<Model>(&body, MAX_BODY_BYTES).map_err(|e| refused(status(e)));
    match parse_json_object::<Map<String, Value>>(&body, MAX_BODY_BYTES) {
        Ok(object) => {
            let again: Map<String, Value> =
                serde_json::from_str(&Value::Object(object.clone()).to_string()).expect("re-parse");
            assert_eq!(again, object, "an accepted object changes in a round trip");
            Verdict::Accepted
        }
        Err(e) => refused(status(e)),
    }
}
