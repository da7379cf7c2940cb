//! Runs every vector in `tests/vectors/` through the Rust API, reading only the JSON files
//! (the same files the Python and Node suites run).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use capsign::{
    Claims, Command, Error, Permission, PermissionSet, Request, Signer, Verifier, covers_all,
    filestack, http,
};
use serde_json::{Value, json};
use support::{load, text, verify};

/// Compares an outcome with a vector's `expected`.
fn compare(vector: &Value, outcome: Result<Value, Error>) {
    let id = vector["id"].as_str().unwrap();
    let expected = &vector["expected"];
    match outcome {
        Ok(got) => assert_eq!(
            expected.get("ok"),
            Some(&got),
            "{id}: expected {expected}, got ok {got}"
        ),
        Err(e) => {
            assert_eq!(
                expected.get("error").and_then(Value::as_str),
                Some(e.code()),
                "{id}: expected {expected}, got {e}"
            );
            if let Some(field) = expected.get("field") {
                assert_eq!(Some(field.as_str().unwrap()), e.field(), "{id}: field");
            }
            if let Some(position) = expected.get("position") {
                assert_eq!(
                    position.as_u64().map(|p| p as usize),
                    e.position(),
                    "{id}: position"
                );
            }
        }
    }
}

#[test]
fn verify_vectors() {
    run_verify("verify.json");
}

#[test]
fn attack_vectors() {
    run_verify("attacks.json");
}

#[test]
fn http_vectors() {
    run_verify("http.json");
}

fn run_verify(name: &str) {
    for v in load(name) {
        let input = &v["input"];
        let now = v["now"].as_u64().unwrap();
        let outcome = support::verifier(input).and_then(|verifier| verify(&verifier, input, now));
        compare(&v, outcome);
    }
}

#[test]
fn issue_vectors() {
    for v in load("issue.json") {
        let input = &v["input"];
        let c = &input["claims"];
        let strings = |k: &str| -> Option<Vec<&str>> {
            c.get(k).map(|l| {
                l.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect()
            })
        };
        let (call, permissions) = (strings("call"), strings("permissions"));
        let claims = Claims {
            expires_in: c.get("expires_in").and_then(Value::as_u64),
            expiry: c.get("expiry").and_then(Value::as_u64),
            call: call.as_deref(),
            handle: text(c, "handle"),
            url: text(c, "url"),
            path: text(c, "path"),
            container: text(c, "container"),
            max_size: c.get("max_size").and_then(Value::as_u64),
            min_size: c.get("min_size").and_then(Value::as_u64),
            permissions: permissions.as_deref(),
            nbf: c.get("nbf").and_then(Value::as_u64),
            jti: text(c, "jti"),
        };
        let outcome = (|| {
            let mut b = Signer::builder();
            if let Some(k) = text(input, "kid") {
                b = b.kid(k);
            }
            if let Some(n) = input.get("min_secret_len").and_then(Value::as_u64) {
                b = b.min_secret_len(n as usize);
            }
            let creds = b
                .secret(text(input, "secret").unwrap())
                .build()?
                .issue_at(&claims, v["now"].as_u64().unwrap())?;
            Ok(json!({
                "policy": creds.policy(),
                "signature": creds.signature(),
                "token": creds.token(),
                "expiry": creds.expiry(),
                "json": capsign::dangerous::decode_unverified(creds.policy())?,
            }))
        })();
        compare(&v, outcome);
    }
}

#[test]
fn issued_credentials_verify() {
    // Every successful issue vector verifies with the same secret, as of its `now`.
    for v in load("issue.json") {
        let Some(ok) = v["expected"].get("ok") else {
            continue;
        };
        let input = &v["input"];
        let mut b = Verifier::builder()
            .secret(text(input, "secret").unwrap())
            .min_secret_len(1);
        if let Some(k) = text(input, "kid") {
            b = Verifier::builder().key(k, text(input, "secret").unwrap());
        }
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
fn filestack_vectors() {
    for v in load("filestack.json") {
        let input = &v["input"];
        let outcome = match text(input, "task") {
            Some(task) => filestack::parse_security_task(task)
                .map(|(p, s)| json!({"policy": p, "signature": s})),
            None => filestack::security(
                &input["policy"].to_string(),
                text(input, "secret").unwrap().as_bytes(),
            )
            .map(|c| json!({"policy": c.policy(), "signature": c.signature()})),
        };
        compare(&v, outcome);
    }
}

#[test]
fn capability_vectors() {
    for v in load("capability.json") {
        let input = &v["input"];
        let list = |k: &str| -> Vec<&str> {
            input[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect()
        };
        let outcome = match text(input, "kind").unwrap() {
            "permission" => Permission::parse(text(input, "permission").unwrap())
                .map(|p| json!({"canonical": p.to_string()})),
            "command" => Command::parse(text(input, "command").unwrap())
                .map(|c| json!({"canonical": c.to_string()})),
            "match" => (|| {
                let set = PermissionSet::parse(&list("permissions"))?;
                let command = Command::parse(text(input, "command").unwrap())?;
                Ok(json!({"matched": set.find(&command)}))
            })(),
            "covers" => (|| {
                let a = PermissionSet::parse(&list("a"))?;
                let b = PermissionSet::parse(&list("b"))?;
                Ok(json!({"covers": covers_all(&a, &b)}))
            })(),
            "http" => match text(input, "mapping").unwrap() {
                "rest" => http::rest(
                    text(input, "method").unwrap(),
                    text(input, "target").unwrap(),
                ),
                _ => http::rpc(
                    text(input, "prefix").unwrap(),
                    text(input, "target").unwrap(),
                ),
            }
            .map(|c| json!({"command": c.to_string()})),
            other => panic!("unknown kind {other}"),
        };
        compare(&v, outcome);
    }
}

#[test]
fn every_error_code_is_in_the_vectors() {
    let mut seen = std::collections::BTreeSet::new();
    for name in [
        "verify.json",
        "issue.json",
        "filestack.json",
        "capability.json",
        "attacks.json",
        "http.json",
    ] {
        for v in load(name) {
            if let Some(code) = v["expected"].get("error").and_then(Value::as_str) {
                seen.insert(code.to_owned());
            }
        }
    }
    let all: std::collections::BTreeSet<String> =
        Error::CODES.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(seen, all);
}
