//! CloudWatch Embedded Metric Format, checked against its specification
//! (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
//! CloudWatch_Embedded_Metric_Format_Specification.html): the lines a
//! function writes must be records CloudWatch turns into metrics.

use serde_json::Value;

/// The units the specification allows.
const UNITS: &[&str] = &[
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// Checks one EMF record, returning what breaks the specification: the
/// root `_aws` member with an integer `Timestamp` and a `CloudWatchMetrics`
/// array of directives; each directive's `Namespace` (1-255 characters),
/// `Dimensions` (arrays of at most 30 member names, each a string member
/// of the root) and `Metrics` (at most 100, each with a `Name` that is a
/// numeric member of the root, and an optional known `Unit`).
pub fn check_record(record: &Value) -> Result<(), String> {
    let aws = record.get("_aws").ok_or("no _aws member")?;
    aws.get("Timestamp")
        .and_then(Value::as_u64)
        .ok_or("_aws.Timestamp is not an integer")?;
    let directives = aws
        .get("CloudWatchMetrics")
        .and_then(Value::as_array)
        .ok_or("_aws.CloudWatchMetrics is not an array")?;
    for directive in directives {
        let namespace = directive
            .get("Namespace")
            .and_then(Value::as_str)
            .ok_or("a directive has no Namespace")?;
        if namespace.is_empty() || namespace.len() > 255 {
            return Err(format!("Namespace {namespace:?} is not 1-255 characters"));
        }
        for set in directive
            .get("Dimensions")
            .and_then(Value::as_array)
            .ok_or("a directive has no Dimensions array")?
        {
            let keys = set.as_array().ok_or("a dimension set is not an array")?;
            if keys.len() > 30 {
                return Err("a dimension set has more than 30 keys".into());
            }
            for key in keys {
                let key = key.as_str().ok_or("a dimension key is not a string")?;
                if !record.get(key).is_some_and(Value::is_string) {
                    return Err(format!("dimension {key} is not a string member of the root"));
                }
            }
        }
        let metrics = directive
            .get("Metrics")
            .and_then(Value::as_array)
            .ok_or("a directive has no Metrics array")?;
        if metrics.len() > 100 {
            return Err("more than 100 metrics in a directive".into());
        }
        for metric in metrics {
            let name = metric
                .get("Name")
                .and_then(Value::as_str)
                .ok_or("a metric has no Name")?;
            match record.get(name) {
                Some(Value::Number(_)) => {}
                Some(Value::Array(values)) if values.iter().all(Value::is_number) => {}
                _ => return Err(format!("metric {name} has no numeric member in the root")),
            }
            if let Some(unit) = metric.get("Unit") {
                let unit = unit.as_str().ok_or("a Unit is not a string")?;
                if !UNITS.contains(&unit) {
                    return Err(format!("metric {name} has unknown unit {unit}"));
                }
            }
        }
    }
    Ok(())
}

/// The EMF records among `logs` (lines that are JSON objects with `_aws`),
/// each checked with [`check_record`]; panics on the first that breaks the
/// specification.
pub fn records_in(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line.trim()).ok())
        .filter(|value| value.get("_aws").is_some())
        .inspect(|record| {
            if let Err(e) = check_record(record) {
                panic!("an EMF line breaks the specification ({e}): {record}");
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_checker_refuses_what_the_specification_refuses() {
        let good = json!({"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "N",
            "Dimensions": [["function"]], "Metrics": [{"Name": "latency", "Unit": "Milliseconds"}]}]},
            "function": "f", "latency": 1.5});
        assert_eq!(check_record(&good), Ok(()));
        let mut no_value = good.clone();
        no_value.as_object_mut().unwrap().remove("latency");
        assert!(check_record(&no_value).is_err());
        let mut bad_unit = good.clone();
        bad_unit["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = json!("Furlongs");
        assert!(check_record(&bad_unit).is_err());
        let mut no_dimension = good.clone();
        no_dimension.as_object_mut().unwrap().remove("function");
        assert!(check_record(&no_dimension).is_err());
        assert!(check_record(&json!({"_aws": {"CloudWatchMetrics": []}})).is_err());
    }
}
