//! A table's DynamoDB stream, read the way Lambda's event source mapping
//! reads it for a function: records in shard order, as the Lambda event
//! JSON (`{"Records": [...]}`), through the mapping's filter from
//! `template.yaml`. The local run (`cargo xtask dev`) and the tests feed
//! the mailer from it, so the local path is the deployed one: the same
//! stream view, the same filter, the same event shape.

use aws_lambda_events::event::dynamodb::Event;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use std::{collections::BTreeMap, path::Path};

/// Where a reader starts on the shards that exist when it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    /// The oldest record still in the stream (tests on a fresh table).
    Start,
    /// Only records written from now on (`cargo xtask dev` on a kept
    /// database, like a mapping created with `StartingPosition: LATEST`).
    Now,
}

/// Reads one table's stream through the DynamoDB Streams API (JSON over
/// HTTP: its records are already in the shape Lambda's event has, which
/// an SDK's typed records would have to be turned back into).
pub struct StreamReader {
    endpoint: String,
    arn: String,
    /// Open shards and where to read next (None: not started yet).
    shards: BTreeMap<String, Option<String>>,
    /// Shards read to their end.
    closed: Vec<String>,
    filters: Vec<Value>,
}

impl StreamReader {
    /// Opens the stream of `table` on the DynamoDB at `endpoint`, passing
    /// only records that match one of `filters` (Lambda event filter
    /// patterns; none: every record).
    pub async fn open(
        endpoint: &str,
        dynamodb: &aws_sdk_dynamodb::Client,
        table: &str,
        from: From,
        filters: Vec<Value>,
    ) -> Result<Self, String> {
        let described = dynamodb
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| format!("describe {table}: {e}"))?;
        let arn = described
            .table
            .and_then(|t| t.latest_stream_arn)
            .ok_or_else(|| format!("{table} has no stream"))?;
        let mut reader = StreamReader {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            arn,
            shards: BTreeMap::new(),
            closed: Vec::new(),
            filters,
        };
        reader.discover().await?;
        if from == From::Now {
            let ids: Vec<String> = reader.shards.keys().cloned().collect();
            for id in ids {
                let iterator = reader.iterator(&id, "LATEST").await?;
                reader.shards.insert(id, Some(iterator));
            }
        }
        Ok(reader)
    }

    /// One call of the Streams API. Local DynamoDBs check only that a
    /// request names an access key, not its signature.
    async fn call(&self, action: &str, body: Value) -> Result<Value, String> {
        let authority = self
            .endpoint
            .strip_prefix("http://")
            .ok_or("an http:// endpoint")?;
        let stream = tokio::net::TcpStream::connect(authority)
            .await
            .map_err(|e| format!("{action}: {e}"))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| format!("{action}: {e}"))?;
        tokio::spawn(connection);
        let request = hyper::Request::post("/")
            .header("host", authority)
            .header("x-amz-target", format!("DynamoDBStreams_20120810.{action}"))
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-date", "20260101T000000Z")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, \
                 SignedHeaders=host, Signature=0",
            )
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| format!("{action}: {e}"))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("{action}: {e}"))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{action}: {e}"))?
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        if !status.is_success() {
            return Err(format!("{action}: {status}: {text}"));
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("{action}: {e}: {text}"))
    }

    /// Adds the shards the stream has that this reader does not know.
    async fn discover(&mut self) -> Result<(), String> {
        let described = self
            .call("DescribeStream", json!({ "StreamArn": self.arn }))
            .await?;
        for shard in described["StreamDescription"]["Shards"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let Some(id) = shard["ShardId"].as_str() else {
                continue;
            };
            if !self.closed.iter().any(|c| c == id) {
                self.shards.entry(id.to_owned()).or_insert(None);
            }
        }
        Ok(())
    }

    async fn iterator(&self, shard: &str, kind: &str) -> Result<String, String> {
        let out = self
            .call(
                "GetShardIterator",
                json!({ "StreamArn": self.arn, "ShardId": shard, "ShardIteratorType": kind }),
            )
            .await?;
        out["ShardIterator"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "no shard iterator".to_owned())
    }

    /// Every record written since the last call that passes the filters,
    /// as one Lambda event (possibly with no records).
    pub async fn next_batch(&mut self) -> Result<Event, String> {
        self.discover().await?;
        let mut records = Vec::new();
        let ids: Vec<String> = self.shards.keys().cloned().collect();
        for id in ids {
            let mut iterator = match self.shards.get(&id).cloned().flatten() {
                Some(iterator) => iterator,
                None => self.iterator(&id, "TRIM_HORIZON").await?,
            };
            loop {
                let out = self
                    .call("GetRecords", json!({ "ShardIterator": iterator }))
                    .await?;
                let got = out["Records"].as_array().cloned().unwrap_or_default();
                let empty = got.is_empty();
                records.extend(got.into_iter().map(|r| as_lambda_record(r, &self.arn)));
                match out["NextShardIterator"].as_str() {
                    Some(next) => iterator = next.to_owned(),
                    None => {
                        self.shards.remove(&id);
                        self.closed.push(id.clone());
                        break;
                    }
                }
                if empty {
                    self.shards.insert(id.clone(), Some(iterator.clone()));
                    break;
                }
            }
        }
        let records: Vec<Value> = records
            .into_iter()
            .filter(|r| self.filters.is_empty() || self.filters.iter().any(|f| matches(f, r)))
            .collect();
        serde_json::from_value(json!({ "Records": records })).map_err(|e| format!("stream event: {e}"))
    }
}

/// A Streams API record as Lambda puts it in the event: the same fields,
/// plus `eventSourceARN`. DynamoDB Local writes an empty map attribute as
/// `{}` instead of `{"M": {}}`; it is read as the empty map it is.
fn as_lambda_record(mut record: Value, arn: &str) -> Value {
    fn typed(value: &mut Value) {
        if let Value::Object(map) = value {
            if map.is_empty() {
                map.insert("M".to_owned(), json!({}));
            }
            for inner in map.values_mut() {
                match inner {
                    Value::Object(items) => items.values_mut().for_each(typed),
                    Value::Array(items) => items.iter_mut().for_each(typed),
                    _ => {}
                }
            }
        }
    }
    for image in ["Keys", "NewImage", "OldImage"] {
        if let Some(Value::Object(item)) = record["dynamodb"].get_mut(image) {
            item.values_mut().for_each(typed);
        }
    }
    record["eventSourceARN"] = json!(arn);
    record
}

/// True when `record` matches the Lambda event filter `pattern`: every
/// key of the pattern matches (objects recursively; at a leaf, an array
/// of accepted values, each a literal or `{"exists": bool}`, which, as in
/// Lambda, holds only of a leaf value). Only the
/// parts of the filter language the template uses are implemented; any
/// other operator matches nothing.
pub fn matches(pattern: &Value, record: &Value) -> bool {
    let Some(pattern) = pattern.as_object() else {
        return false;
    };
    pattern.iter().all(|(key, want)| {
        let got = record.get(key);
        match want {
            Value::Object(_) => matches(want, got.unwrap_or(&Value::Null)),
            Value::Array(accepted) => accepted.iter().any(|a| match a {
                // `exists` applies to leaves only, as in Lambda's filtering:
                // an object or array present does not "exist".
                Value::Object(op) => match op.get("exists") {
                    Some(Value::Bool(exists)) if op.len() == 1 => {
                        got.is_some_and(|v| !v.is_object() && !v.is_array()) == *exists
                    }
                    _ => false,
                },
                literal => got == Some(literal),
            }),
            _ => false,
        }
    })
}

/// The filter patterns of the event source mapping of `function` (a
/// logical id) in the template at `path`.
pub fn template_filters(path: &Path, function: &str) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let template: serde_norway::Value = serde_norway::from_str(&text).map_err(|e| e.to_string())?;
    let resources = template["Resources"]
        .as_mapping()
        .ok_or("template: no Resources")?;
    let mut filters = Vec::new();
    for (_, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Lambda::EventSourceMapping") {
            continue;
        }
        let target = &resource["Properties"]["FunctionName"];
        let names = |v: &serde_norway::Value| match v {
            serde_norway::Value::Tagged(t) => t.value.as_str().map(str::to_owned),
            other => other.as_str().map(str::to_owned),
        };
        if names(target).as_deref() != Some(function) {
            continue;
        }
        for filter in resource["Properties"]["FilterCriteria"]["Filters"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            let pattern = filter["Pattern"].as_str().ok_or("a filter without a Pattern")?;
            filters.push(serde_json::from_str(pattern).map_err(|e| format!("filter pattern: {e}"))?);
        }
    }
    if filters.is_empty() {
        return Err(format!(
            "template: no filtered event source mapping for {function}"
        ));
    }
    Ok(filters)
}
