//! A table's DynamoDB stream, read the way Lambda's event source mapping
//! reads it for a function: records in shard order, as the Lambda event
//! JSON (`{"Records": [...]}`), through the mapping's filter from
//! `template.yaml`. The local run (`cargo xtask dev`) and the tests feed
//! the mailer from it, so the local path is the deployed one: the same
//! stream view, the same filter, the same event shape.

use aws_lambda_events::event::dynamodb::Event;
use aws_sdk_dynamodbstreams::{
    Client,
    config::{BehaviorVersion, Credentials, Region},
    types::{AttributeValue, Record, ShardIteratorType},
};
use serde_json::{Map, Value, json};
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

/// Reads one table's stream.
pub struct StreamReader {
    client: Client,
    arn: String,
    /// Open shards and where to read next (None: not started yet).
    shards: BTreeMap<String, Option<String>>,
    /// Shards read to their end.
    closed: Vec<String>,
    filters: Vec<Value>,
}

/// A client of the DynamoDB Streams API of the local DynamoDB at `endpoint`.
fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodbstreams::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "local"))
        .http_client(shared::store::https_client())
        .build();
    Client::from_conf(config)
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
            client: client(endpoint),
            arn,
            shards: BTreeMap::new(),
            closed: Vec::new(),
            filters,
        };
        reader.discover().await?;
        if from == From::Now {
            let ids: Vec<String> = reader.shards.keys().cloned().collect();
            for id in ids {
                let iterator = reader.iterator(&id, ShardIteratorType::Latest).await?;
                reader.shards.insert(id, Some(iterator));
            }
        }
        Ok(reader)
    }

    /// Adds the shards the stream has that this reader does not know.
    async fn discover(&mut self) -> Result<(), String> {
        let described = self
            .client
            .describe_stream()
            .stream_arn(&self.arn)
            .send()
            .await
            .map_err(|e| format!("describe stream: {e}"))?;
        for shard in described
            .stream_description
            .and_then(|d| d.shards)
            .unwrap_or_default()
        {
            let Some(id) = shard.shard_id else { continue };
            if !self.closed.contains(&id) {
                self.shards.entry(id).or_insert(None);
            }
        }
        Ok(())
    }

    async fn iterator(&self, shard: &str, kind: ShardIteratorType) -> Result<String, String> {
        self.client
            .get_shard_iterator()
            .stream_arn(&self.arn)
            .shard_id(shard)
            .shard_iterator_type(kind)
            .send()
            .await
            .map_err(|e| format!("shard iterator: {e}"))?
            .shard_iterator
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
                None => self.iterator(&id, ShardIteratorType::TrimHorizon).await?,
            };
            loop {
                let out = self
                    .client
                    .get_records()
                    .shard_iterator(&iterator)
                    .send()
                    .await
                    .map_err(|e| format!("get records: {e}"))?;
                let got = out.records.unwrap_or_default();
                let empty = got.is_empty();
                records.extend(got.iter().map(|r| record_json(r, &self.arn)));
                match out.next_shard_iterator {
                    Some(next) => iterator = next,
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

/// A stream record as Lambda puts it in the event.
fn record_json(record: &Record, arn: &str) -> Value {
    let mut dynamodb = Map::new();
    if let Some(r) = &record.dynamodb {
        if let Some(at) = &r.approximate_creation_date_time {
            dynamodb.insert("ApproximateCreationDateTime".into(), json!(at.secs()));
        }
        for (name, image) in [
            ("Keys", &r.keys),
            ("NewImage", &r.new_image),
            ("OldImage", &r.old_image),
        ] {
            if let Some(image) = image {
                dynamodb.insert(name.into(), item_json(image));
            }
        }
        dynamodb.insert("SequenceNumber".into(), json!(r.sequence_number));
        dynamodb.insert("SizeBytes".into(), json!(r.size_bytes.unwrap_or_default()));
        if let Some(view) = &r.stream_view_type {
            dynamodb.insert("StreamViewType".into(), json!(view.as_str()));
        }
    }
    json!({
        "eventID": record.event_id,
        "eventName": record.event_name.as_ref().map(|n| n.as_str()),
        "eventVersion": record.event_version,
        "eventSource": record.event_source.clone().unwrap_or_else(|| "aws:dynamodb".to_owned()),
        "awsRegion": record.aws_region.clone().unwrap_or_else(|| "us-east-1".to_owned()),
        "eventSourceARN": arn,
        "dynamodb": dynamodb,
    })
}

fn item_json(item: &std::collections::HashMap<String, AttributeValue>) -> Value {
    Value::Object(item.iter().map(|(k, v)| (k.clone(), attr_json(v))).collect())
}

/// An attribute value in DynamoDB JSON (`{"S": "..."}`).
fn attr_json(value: &AttributeValue) -> Value {
    use base64::Engine as _;
    let b64 = |b: &aws_sdk_dynamodbstreams::primitives::Blob| {
        base64::engine::general_purpose::STANDARD.encode(b.as_ref())
    };
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": b64(b) }),
        AttributeValue::Ss(v) => json!({ "SS": v }),
        AttributeValue::Ns(v) => json!({ "NS": v }),
        AttributeValue::Bs(v) => json!({ "BS": v.iter().map(b64).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": item_json(m) }),
        AttributeValue::L(l) => json!({ "L": l.iter().map(attr_json).collect::<Vec<_>>() }),
        AttributeValue::Null(b) => json!({ "NULL": b }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        _ => Value::Null,
    }
}

/// True when `record` matches the Lambda event filter `pattern`: every
/// key of the pattern matches (objects recursively; at a leaf, an array
/// of accepted values, each a literal or `{"exists": bool}`). Only the
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
                Value::Object(op) => match op.get("exists") {
                    Some(Value::Bool(exists)) if op.len() == 1 => got.is_some() == *exists,
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
