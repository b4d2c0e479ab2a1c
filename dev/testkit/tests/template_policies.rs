//! Least privilege in `template.yaml`: every function may read credential
//! items but never write or delete them, no function may scan or
//! administer its table, and the mailer reads only its table's stream and
//! account partitions, and sends only as the configured identity.

use serde_norway::Value;
use shared::auth::CREDENTIAL_PK_PREFIX;
use testkit::workspace_root;

const WRITE_ACTIONS: &[&str] = &[
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
];
const ALLOWED_ACTIONS: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
];
/// Stream reads (the mailer's event source mapping): on a stream only.
const STREAM_ACTIONS: &[&str] = &[
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
];
/// The mailer's other actions: its failure queue, and SES.
const MAILER_ACTIONS: &[&str] = &["sqs:SendMessage", "ses:SendEmail"];

/// A resource as text: a `!GetAtt X.Y` as `X.Y`, a `!Sub` as its string.
fn resource_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Tagged(t) => match &t.value {
            Value::Sequence(parts) => parts.first().map(resource_text).unwrap_or_default(),
            other => resource_text(other),
        },
        Value::Sequence(items) => items.iter().map(resource_text).collect::<Vec<_>>().join(" "),
        other => format!("{other:?}"),
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// (function logical id, its policy statements)
fn function_statements() -> Vec<(String, Vec<Value>)> {
    let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
    let template: Value = serde_norway::from_str(&text).unwrap();
    let mut out = Vec::new();
    for (id, resource) in template["Resources"].as_mapping().unwrap() {
        if resource.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
            continue;
        }
        let mut statements = Vec::new();
        for policy in resource["Properties"]["Policies"]
            .as_sequence()
            .expect("inline policies")
        {
            statements.extend(policy["Statement"].as_sequence().unwrap().iter().cloned());
        }
        out.push((id.as_str().unwrap().to_owned(), statements));
    }
    out
}

#[test]
fn no_function_can_write_a_credential_item() {
    let functions = function_statements();
    assert!(functions.len() >= 6, "{}", functions.len());
    for (id, statements) in functions {
        let allowed: Vec<String> = statements
            .iter()
            .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
            .flat_map(|s| strings(s.get("Action")))
            .collect();
        let writes: Vec<&String> = allowed
            .iter()
            .filter(|a| WRITE_ACTIONS.contains(&a.as_str()))
            .collect();
        let denies = statements.iter().any(|s| {
            let denied = strings(s.get("Action"));
            let leading = s
                .get("Condition")
                .and_then(|c| c.get("ForAnyValue:StringLike"))
                .and_then(|c| c.get("dynamodb:LeadingKeys"));
            s.get("Effect").and_then(Value::as_str) == Some("Deny")
                && WRITE_ACTIONS.iter().all(|w| denied.iter().any(|d| d == w))
                && strings(leading).contains(&format!("{CREDENTIAL_PK_PREFIX}*"))
        });
        assert!(
            writes.is_empty() || denies,
            "{id} may {writes:?} but no Deny on partitions {CREDENTIAL_PK_PREFIX}* covers every write action"
        );
    }
}

#[test]
fn functions_only_get_item_level_actions() {
    for (id, statements) in function_statements() {
        for statement in &statements {
            if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
                continue;
            }
            let resource = resource_text(&statement["Resource"]);
            for action in strings(statement.get("Action")) {
                if STREAM_ACTIONS.contains(&action.as_str()) {
                    assert!(
                        resource.contains("StreamArn") || resource.contains("/stream/*"),
                        "{id} may {action} on {resource}, not only on a stream"
                    );
                    continue;
                }
                assert!(
                    ALLOWED_ACTIONS.contains(&action.as_str()) || MAILER_ACTIONS.contains(&action.as_str()),
                    "{id} is allowed {action}"
                );
                if action == "ses:SendEmail" {
                    // Identities of this account and region only, and only
                    // from the configured address.
                    assert!(
                        resource.contains(":${AWS::AccountId}:identity/*"),
                        "{id} may send as {resource}"
                    );
                    assert_eq!(
                        resource_text(&statement["Condition"]["StringEquals"]["ses:FromAddress"]),
                        "MailFromAddress",
                        "{id} may send from any address"
                    );
                    assert!(
                        !resource.replace(":identity/*", "").contains('*'),
                        "{id} may send as {resource}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_mailer_reads_account_partitions_only() {
    let (_, statements) = function_statements()
        .into_iter()
        .find(|(id, _)| id == "SendAccountEmailFunction")
        .expect("the mailer is in the template");
    for statement in statements
        .iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
    {
        let actions = strings(statement.get("Action"));
        if actions.iter().any(|a| ALLOWED_ACTIONS.contains(&a.as_str())) {
            let leading = statement
                .get("Condition")
                .and_then(|c| c.get("ForAllValues:StringLike"))
                .and_then(|c| c.get("dynamodb:LeadingKeys"));
            assert_eq!(strings(leading), ["ACCOUNT#*"], "{actions:?}");
        }
    }
}

#[test]
fn every_table_is_protected_from_deletion() {
    let template: Value =
        serde_norway::from_str(&std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap())
            .unwrap();
    let resources = template["Resources"].as_mapping().unwrap();
    let tables: Vec<_> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::DynamoDB::Table"))
        .collect();
    assert!(tables.len() >= 5, "{}", tables.len());
    for (id, table) in tables {
        assert_eq!(
            table["Properties"]["DeletionProtectionEnabled"].as_bool(),
            Some(true),
            "{id:?}: DeletionProtectionEnabled"
        );
        assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"), "{id:?}");
    }
}

/// The alarms' metric dimensions, as `Name=Value` texts (a `!Ref X` value
/// as `X`), for each alarm's single metric or each metric of its math.
fn alarm_dimensions(template: &Value) -> Vec<(String, Vec<String>)> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Tagged(t) => t.value.as_str().unwrap_or_default().to_owned(),
        other => format!("{other:?}"),
    };
    let dims = |list: &Value| -> Vec<String> {
        list.as_sequence()
            .into_iter()
            .flatten()
            .map(|d| format!("{}={}", text(&d["Name"]), text(&d["Value"])))
            .collect()
    };
    let mut out = Vec::new();
    for (_, r) in template["Resources"].as_mapping().unwrap() {
        if r["Type"].as_str() != Some("AWS::CloudWatch::Alarm") {
            continue;
        }
        let p = &r["Properties"];
        if let Some(name) = p["MetricName"].as_str() {
            out.push((name.to_owned(), dims(&p["Dimensions"])));
        }
        for m in p["Metrics"].as_sequence().into_iter().flatten() {
            let metric = &m["MetricStat"]["Metric"];
            if let Some(name) = metric["MetricName"].as_str() {
                out.push((name.to_owned(), dims(&metric["Dimensions"])));
            }
        }
    }
    out
}

#[test]
fn every_route_function_and_table_has_its_alarms_and_the_api_logs_access() {
    let template: Value =
        serde_norway::from_str(&std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap())
            .unwrap();
    let alarms = alarm_dimensions(&template);
    let has = |metric: &str, dim: &str| {
        alarms
            .iter()
            .any(|(m, d)| m == metric && d.iter().any(|x| x == dim))
    };
    for route in testkit::routes::template_routes(&workspace_root().join("template.yaml")).unwrap() {
        for metric in ["5xx", "Latency"] {
            assert!(
                has(metric, &format!("Resource={}", route.path))
                    && has(metric, &format!("Method={}", route.method)),
                "no {metric} alarm for {}",
                route.key()
            );
        }
    }
    let resources = template["Resources"].as_mapping().unwrap();
    for (id, r) in resources {
        let id = id.as_str().unwrap();
        match r["Type"].as_str() {
            Some("AWS::Serverless::Function") => {
                for metric in ["Errors", "Throttles"] {
                    assert!(
                        has(metric, &format!("FunctionName={id}")),
                        "no {metric} alarm for {id}"
                    );
                }
            }
            Some("AWS::SQS::Queue") => {
                assert!(
                    alarms
                        .iter()
                        .any(|(m, d)| m == "ApproximateNumberOfMessagesVisible"
                            && d.iter().any(|x| x.starts_with(&format!("QueueName={id}")))),
                    "no depth alarm for the queue {id}"
                );
            }
            Some("AWS::DynamoDB::Table") => {
                for metric in ["ThrottledRequests", "SystemErrors"] {
                    assert!(
                        has(metric, &format!("TableName={id}")),
                        "no {metric} alarm for {id}"
                    );
                }
            }
            Some("AWS::Serverless::HttpApi") => {
                let format = r["Properties"]["AccessLogSettings"]["Format"]
                    .as_str()
                    .unwrap_or_default();
                for field in [
                    "$context.requestId",
                    "$context.identity.sourceIp",
                    "$context.routeKey",
                    "$context.status",
                ] {
                    assert!(format.contains(field), "access log lacks {field}");
                }
                assert_eq!(
                    r["Properties"]["DefaultRouteSettings"]["DetailedMetricsEnabled"].as_bool(),
                    Some(true)
                );
            }
            _ => {}
        }
    }
}
