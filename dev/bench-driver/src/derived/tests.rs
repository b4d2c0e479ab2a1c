use super::*;
use crate::scenarios::{self, workspace};
use catalog::{FUNCTIONS, Trigger};
use shared::store::Table;

fn function(package: &str) -> &'static Function {
    FUNCTIONS.iter().find(|f| f.package == package).unwrap()
}

/// (label, binary, path, status, secret) of each scenario.
fn summary(scenarios: &[Scenario]) -> Vec<(String, &str, String, u16, String)> {
    scenarios
        .iter()
        .map(|s| {
            let (label, path) = (s.endpoint.clone(), s.path.clone());
            (label, s.binary, path, s.expected, s.secret.clone())
        })
        .collect()
}

fn file(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(workspace().join(path)).unwrap()).unwrap()
}

#[test]
fn a_function_is_measured_by_its_bench_event_and_its_first_401_and_400() {
    let derived = of(function("update-account-v2"), &workspace()).unwrap();
    let admin = "demo-token-v2-admin".to_owned();
    assert_eq!(
        summary(&derived),
        [
            (
                "004 v2".into(),
                "update-account-v2",
                "plain update".into(),
                200,
                admin.clone()
            ),
            (
                "004 v2".into(),
                "update-account-v2",
                "401 missing token".into(),
                401,
                String::new()
            ),
            (
                "004 v2".into(),
                "update-account-v2",
                "400 immutable plan".into(),
                400,
                admin
            ),
        ]
    );
    let sent = [
        "200-update-account-name",
        "401-missing-token",
        "400-immutable-plan",
    ];
    for (scenario, name) in derived.iter().zip(sent) {
        let event = file(&format!("events/update-account-v2/{name}.json"));
        for i in [0, 1, 1_000_000] {
            assert_eq!((scenario.event)(i), event, "{} request {i}", scenario.name());
        }
    }
    // Its bench event, not its first 2xx file (`200-admin-names-account`).
    let current = of(function("update-current-account"), &workspace()).unwrap();
    assert_eq!(current[0].binary, "update-current-account");
    assert_eq!(
        (current[0].event)(0),
        file("events/update-current-account/200-contract-example.json")
    );
    assert_eq!(current[0].secret, "demo-token-v1-owner");
}

/// A function of a catalog written here, its events in a directory of its
/// own: `files` in `events/update-things/`, its bench event `bench_event`.
fn things(files: &[&str], name: &str) -> (std::path::PathBuf, Function) {
    static BINARIES: [Binary; 2] = [
        Binary {
            name: "update-things",
            trigger: Trigger::Http,
            table: "ThingsTable",
            bench_event: "events/update-things/401-b.json",
        },
        Binary {
            name: "confirm-things",
            trigger: Trigger::Http,
            table: "ThingsTable",
            bench_event: "events/confirm-things/200-a.json",
        },
    ];
    let root = std::env::temp_dir().join(format!("bench-derived-{}-{name}", std::process::id()));
    let dir = root.join("events/update-things");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&dir).unwrap();
    for f in files {
        let event = format!(r#"{{"headers": {{"Authorization": "Bearer secret-of-{f}"}}}}"#);
        std::fs::write(dir.join(f), event).unwrap();
    }
    let function = Function {
        package: "update-things",
        contract: Some("005"),
        fuzz_target: "update_things",
        binaries: &BINARIES,
    };
    (root, function)
}

#[test]
fn a_bench_event_that_is_not_2xx_gives_way_to_the_first_2xx_file() {
    let files = [
        "401-b.json",
        "204-z.json",
        "200-a.json",
        "400-y.json",
        "400-x.json",
        "notes.json",
    ];
    let (root, function) = things(&files, "first-2xx");
    let derived = of(&function, &root).unwrap();
    let _ = std::fs::remove_dir_all(&root);
    let secrets: Vec<&str> = derived.iter().map(|s| s.secret.as_str()).collect();
    assert_eq!(
        secrets,
        [
            "secret-of-200-a.json",
            "secret-of-401-b.json",
            "secret-of-400-x.json"
        ]
    );
    let paths: Vec<(&str, &str, u16)> = derived
        .iter()
        .map(|s| (s.endpoint.as_str(), s.path.as_str(), s.expected))
        .collect();
    assert_eq!(
        paths,
        [
            ("005 things", "plain update", 200),
            ("005 things", "401 b", 401),
            ("005 things", "400 x", 400)
        ]
    );
    assert!(
        derived
            .iter()
            .all(|s| s.binary == "update-things" && s.table == "ThingsTable")
    );
}

#[test]
fn a_path_without_its_event_is_left_out() {
    let (root, function) = things(&["201-made.json"], "plain-only");
    let derived = of(&function, &root).unwrap();
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(
        summary(&derived),
        [(
            "005 things".into(),
            "update-things",
            "plain update".into(),
            201,
            "secret-of-201-made.json".into()
        )]
    );
}

#[test]
fn a_function_without_a_2xx_event_fails_naming_the_file_to_add() {
    let (root, function) = things(&["401-b.json", "400-x.json", "404-gone.json"], "no-2xx");
    let refused = of(&function, &root).err().unwrap();
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        refused.contains("add events/update-things/200-<case>.json"),
        "{refused}"
    );
}

#[test]
fn the_labels_derived_are_those_written_by_hand() {
    let written = scenarios::written();
    for f in FUNCTIONS {
        if let Some(s) = written
            .iter()
            .find(|s| f.binaries.iter().any(|b| b.name == s.binary))
        {
            assert_eq!(label(f), s.endpoint, "{}", f.package);
        }
    }
    let mut stream = *function("send-account-email");
    assert_eq!(label(&stream), "send-account-email");
    stream.contract = Some("009");
    assert_eq!(label(&stream), "009 send-email");
}

/// What every function of the catalog would be measured with, were its
/// scenarios not written by hand: each request parses as lambda_http
/// parses an API Gateway event, and its binary has a handler.
#[test]
fn every_derived_scenario_parses_as_a_request_of_a_binary_with_a_handler() {
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .build(),
    );
    let mut count = 0;
    for f in FUNCTIONS {
        for scenario in of(f, &workspace()).unwrap() {
            let event = (scenario.event)(0).to_string();
            let parsed = lambda_http::request::from_str(&event);
            assert!(parsed.is_ok(), "{}: {:?}", scenario.name(), parsed.err());
            let table = Table::new(client.clone(), scenario.table);
            assert!(
                endpoints::handler(scenario.binary, table).is_some(),
                "{}: dev/endpoints has no handler for {}",
                scenario.name(),
                scenario.binary
            );
            count += 1;
        }
    }
    // A plain update, a 401 and a 400 for each of the five HTTP functions
    // at least.
    assert!(count >= 15, "{count} scenarios");
}

/// Each function's derived paths, sent as the bench sends them (the same
/// event again and again) to its handler on the demo seed in the embedded
/// DynamoDB, get their file's status every time.
#[test]
fn every_derived_path_answers_its_status_every_time_on_the_demo_seed() {
    let root = workspace();
    let server = local_dynamo::LocalDynamo::start_in_memory().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = fixtures::client::local_client(&server.endpoint());
        for table in fixtures::template::tables(&root.join("template.yaml")).unwrap() {
            table.create(&client, "").await.unwrap();
        }
        let demo = fixtures::seed::SeedFile::demo(&root).unwrap();
        seeding::seed_into(&demo, &client, "").await.unwrap();
        let mut sent = 0;
        for f in FUNCTIONS {
            for scenario in of(f, &root).unwrap() {
                let handler = scenario.handler(Table::new(client.clone(), scenario.table));
                for i in 0..4 {
                    let response = handler(scenario.request(i)).await;
                    assert_eq!(
                        response.status().as_u16(),
                        scenario.expected,
                        "{}, request {i}: {}",
                        scenario.name(),
                        String::from_utf8_lossy(response.body().as_ref())
                    );
                    sent += 1;
                }
            }
        }
        assert!(sent >= 60, "{sent} requests");
    });
}
