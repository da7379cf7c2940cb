//! Runs every vector in `tests/vectors/` through the Rust API, reading only the JSON files
//! (the same files the Python and Node suites run), with the runner in `support` that
//! `examples/gen_vectors.rs` records them with.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use capsign::{Error, Request, SigningKey, Verifier};
use serde_json::Value;
use support::{FILES, load, text};

/// Runs every vector of `tests/vectors/<file>.json` and compares the outcome with its
/// `expected`: the `ok` value, or the error's code, field and position, exactly.
fn run_file(file: &str) {
    for v in load(&format!("{file}.json")) {
        let id = v["id"].as_str().unwrap();
        let expected = &v["expected"];
        let got = support::record(support::run(file, &v["input"], v["now"].as_u64()));
        assert_eq!(&got, expected, "{id}: expected {expected}, got {got}");
    }
}

#[test]
fn verify_vectors() {
    run_file("verify");
}

#[test]
fn attack_vectors() {
    run_file("attacks");
}

#[test]
fn http_vectors() {
    run_file("http");
}

#[test]
fn issue_vectors() {
    run_file("issue");
}

#[test]
fn filestack_vectors() {
    run_file("filestack");
}

#[test]
fn capability_vectors() {
    run_file("capability");
}

#[test]
fn store_vectors() {
    run_file("store");
}

#[test]
fn issued_credentials_verify() {
    // Every successful issue vector verifies with the same secret, as of its `now`.
    for v in load("issue.json") {
        let Some(ok) = v["expected"].get("ok") else {
            continue;
        };
        let input = &v["input"];
        let b = match (text(input, "secret"), text(input, "signing_key")) {
            (_, Some(seed)) => {
                let key = SigningKey::from_text(seed).unwrap().public_key();
                let kid = text(input, "kid").map_or_else(|| key.peer_id(), str::to_owned);
                Verifier::builder().public_key(kid, key)
            }
            (Some(secret), None) => match text(input, "kid") {
                Some(k) => Verifier::builder().key(k, secret),
                None => Verifier::builder().secret(secret).min_secret_len(1),
            },
            (None, None) => panic!("{}: no key", v["id"]),
        };
        let now = v["now"].as_u64().unwrap();
        let nbf = input["claims"]
            .get("nbf")
            .and_then(Value::as_u64)
            .unwrap_or(now);
        let grant = b
            .build()
            .unwrap()
            .verify_token_at(ok["token"].as_str().unwrap(), &Request::new(), now.max(nbf))
            .unwrap_or_else(|e| panic!("{}: {e}", v["id"]));
        assert_eq!(grant.policy().to_json(), ok["json"].as_str().unwrap());
    }
}

#[test]
fn every_error_code_is_in_the_vectors() {
    let mut seen = std::collections::BTreeSet::new();
    for file in FILES {
        for v in load(&format!("{file}.json")) {
            if let Some(code) = v["expected"].get("error").and_then(Value::as_str) {
                seen.insert(code.to_owned());
            }
            // Store vectors record each step's outcome: the codes among them count too.
            if let Some(steps) = v["expected"].get("ok").and_then(Value::as_array) {
                let codes = steps.iter().filter_map(Value::as_str);
                seen.extend(
                    codes
                        .filter(|c| Error::CODES.contains(c))
                        .map(str::to_owned),
                );
            }
        }
    }
    let all: std::collections::BTreeSet<String> =
        Error::CODES.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(seen, all);
}
