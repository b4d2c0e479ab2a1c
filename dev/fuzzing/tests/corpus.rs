//! Every fuzz target over its committed corpus (`fuzz/corpus/<target>/`)
//! and over the bodies of the API Gateway events in `events/`, so the
//! targets run in every test run without cargo-fuzz: no input panics, and
//! every refusal is a documented 4xx (checked inside each target).

use fuzzing::{Verdict, targets};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// The body of an event file, as the function would receive it.
fn event_body(path: &Path) -> Option<Vec<u8>> {
    let text = std::fs::read_to_string(path).unwrap();
    let event: serde_json::Value = serde_json::from_str(&text).unwrap();
    let body = event.get("body")?.as_str()?;
    if event["isBase64Encoded"].as_bool() == Some(true) {
        return None;
    }
    Some(body.as_bytes().to_vec())
}

/// A committed corpus, where a target has one: a function with routes may
/// start from its events' bodies alone (`cargo xtask fuzz` adds them); a
/// target without events (the shared body parsing, a stream function) must
/// have one.
#[test]
fn every_corpus_file_runs_through_its_target() {
    for target in targets() {
        let dir = root().join("fuzz/corpus").join(target.name);
        if !dir.is_dir() {
            assert!(
                !target.events().is_empty(),
                "fuzz/corpus/{}/ is missing: a target without events starts from its committed \
                 corpus alone (valid and refused inputs)",
                target.name
            );
            continue;
        }
        let inputs = files(&dir);
        assert!(
            inputs.len() >= 10,
            "{}: only {} corpus files",
            target.name,
            inputs.len()
        );
        let (mut accepted, mut refused) = (0, 0);
        for input in &inputs {
            let data = std::fs::read(input).unwrap();
            match (target.run)(&data) {
                Verdict::Accepted => accepted += 1,
                Verdict::Refused(_) => refused += 1,
            }
        }
        // Each corpus reaches both sides: valid bodies and refused ones.
        assert!(
            accepted > 0 && refused > 0,
            "{}: {accepted} accepted, {refused} refused",
            target.name
        );
    }
}

#[test]
fn every_event_body_runs_through_its_target() {
    for target in targets() {
        for function in target.events() {
            let mut bodies = 0;
            for event in files(&root().join("events").join(function)) {
                if let Some(body) = event_body(&event) {
                    let verdict = (target.run)(&body);
                    // An event named 400/413 for its body may be refused; one
                    // answered 2xx must have passed parse and validate.
                    let expected = event.file_name().unwrap().to_string_lossy().to_string();
                    if expected.starts_with('2') {
                        assert_eq!(verdict, Verdict::Accepted, "{}", event.display());
                    }
                    bodies += 1;
                }
            }
            assert!(bodies > 0, "{function}: no event bodies");
        }
    }
}

#[test]
fn hostile_inputs_are_refused_not_panics() {
    let nesting = format!(
        "{{\"metadata\":{{\"a\":{}{}}}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let oversized = vec![b' '; 70 * 1024];
    for target in targets() {
        for input in [
            &b""[..],
            b"\xff\xfe",
            b"[]",
            b"null",
            nesting.as_bytes(),
            &oversized,
        ] {
            assert!(
                matches!((target.run)(input), Verdict::Refused(400 | 413)),
                "{}: {:?}",
                target.name,
                String::from_utf8_lossy(&input[..input.len().min(40)])
            );
        }
        // Duplicate fields: refused by every endpoint's model (a plain JSON
        // object, json_body's other half, keeps the last one).
        if target.name != "json_body" {
            let duplicate = br#"{"name":"a","name":"b"}"#;
            assert_eq!((target.run)(duplicate), Verdict::Refused(400), "{}", target.name);
        }
    }
}
