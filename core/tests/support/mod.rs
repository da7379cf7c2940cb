//! Shared by the vector tests and `examples/refusals.rs`: loads `tests/vectors/*.json` and
//! runs a verify vector through the Rust API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::PathBuf;

use capsign::http::{Fields, HttpRequest, Route};
use capsign::{CommandRef, Error, FieldValue, Grant, Permission, Request, Verifier};
use serde_json::{Map, Value, json};

/// The vectors in `tests/vectors/<name>`, huge strings expanded.
pub(crate) fn load(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut vectors: Vec<Value> = serde_json::from_str(&text).unwrap();
    vectors.iter_mut().for_each(expand);
    assert!(!vectors.is_empty(), "{name} is empty");
    vectors
}

/// Expands `{"repeat": c, "times": n, "then": rest}` (how the vectors write huge strings).
pub(crate) fn expand(value: &mut Value) {
    if let Some(unit) = value.get("repeat").and_then(Value::as_str) {
        let times = value["times"].as_u64().unwrap() as usize;
        let then = value["then"].as_str().unwrap();
        *value = Value::String(unit.repeat(times) + then);
        return;
    }
    match value {
        Value::Array(items) => items.iter_mut().for_each(expand),
        Value::Object(map) => map.values_mut().for_each(expand),
        _ => {}
    }
}

/// A string member of a JSON object.
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The verifier a verify vector describes.
pub(crate) fn verifier(input: &Value) -> Result<Verifier, Error> {
    let mut builder = Verifier::builder();
    if let Some(s) = text(input, "secret") {
        builder = builder.secret(s);
    }
    if let Some(keys) = input.get("keys").and_then(Value::as_object) {
        for (kid, s) in keys {
            builder = builder.key(kid.as_str(), s.as_str().unwrap());
        }
    }
    if let Some(n) = input.get("min_secret_len").and_then(Value::as_u64) {
        builder = builder.min_secret_len(n as usize);
    }
    if let Some(l) = input.get("leeway").and_then(Value::as_i64) {
        builder = builder.leeway(l);
    }
    builder.build()
}

/// Runs a verify vector's input through `verifier`; the grant as the vectors summarise it.
pub(crate) fn verify(verifier: &Verifier, input: &Value, now: u64) -> Result<Value, Error> {
    static EMPTY: Value = Value::Null;
    let r = input.get("request").unwrap_or(&EMPTY);
    let request = Request {
        call: text(r, "call"),
        handle: text(r, "handle"),
        url: text(r, "url"),
        path: text(r, "path"),
        container: text(r, "container"),
        size: r.get("size").and_then(Value::as_u64),
        command: match r.get("rest").and_then(Value::as_array) {
            Some(rest) => Some(CommandRef::Rest {
                method: rest[0].as_str().unwrap(),
                target: rest[1].as_str().unwrap(),
            }),
            None => text(r, "command").map(CommandRef::Text),
        },
    };
    if input.get("check").is_some() {
        return check_http(verifier, input, now).map(|g| summary(&g));
    }
    let grant = if let Some(h) = input.get("http") {
        let list = |k: &str| -> Vec<&str> {
            h[k].as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect()
        };
        match verifier.verify_http_at(
            text(h, "authorization"),
            &list("policy"),
            &list("signature"),
            &request,
            now,
        )? {
            Some(grant) => grant,
            None => return Ok(Value::Null),
        }
    } else {
        match text(input, "token") {
            Some(t) => verifier.verify_token_at(t, &request, now)?,
            None => verifier.verify_at(
                text(input, "policy").unwrap(),
                text(input, "signature").unwrap(),
                &request,
                now,
            )?,
        }
    };
    Ok(summary(&grant))
}

/// A grant as the vectors summarise it.
pub(crate) fn summary(grant: &Grant) -> Value {
    let mut policy = Map::new();
    for (name, value) in grant.policy().fields() {
        policy.insert(
            name.into(),
            match value {
                FieldValue::Integer(n) => json!(n),
                FieldValue::String(s) => json!(s),
                FieldValue::Strings(l) => json!(l),
            },
        );
    }
    json!({
        "policy": policy,
        "expiry": grant.expiry(),
        "kid": grant.kid(),
        "matched": grant.matched().map(Permission::as_str),
    })
}

/// The route an HTTP vector describes: `{call, command, rest, rpc, ignore, security_task,
/// authenticate_only, per_request, fields}`.
pub(crate) fn route(spec: &Value) -> Result<Route, Error> {
    let flag = |k: &str| spec.get(k).and_then(Value::as_bool).unwrap_or(false);
    let mut b = Route::builder();
    if let Some(call) = text(spec, "call") {
        b = b.call(call);
    }
    if let Some(command) = text(spec, "command") {
        b = b.command(command);
    }
    if flag("per_request") {
        b = b.command_per_request();
    }
    if flag("rest") {
        b = b.rest();
    }
    if let Some(prefix) = text(spec, "rpc") {
        let ignore: Vec<&str> = spec
            .get("ignore")
            .and_then(Value::as_array)
            .map(|l| l.iter().map(|s| s.as_str().unwrap()).collect())
            .unwrap_or_default();
        b = b.rpc(prefix).ignore(ignore);
    }
    if flag("authenticate_only") {
        b = b.authenticate_only();
    }
    b.fields(flag("fields"))
        .security_task(flag("security_task"))
        .build()
}

/// Runs an HTTP vector (`input.route` and `input.check`) through `verifier`. Fields other
/// than the five a request names (`handle`, `url`, `path`, `container`, `size`) are not
/// read, whatever the application's function returns.
pub(crate) fn check_http(verifier: &Verifier, input: &Value, now: u64) -> Result<Grant, Error> {
    let route = route(&input["route"])?;
    let c = &input["check"];
    let authorization: Vec<&str> = c
        .get("authorization")
        .and_then(Value::as_array)
        .map(|l| l.iter().map(|s| s.as_str().unwrap()).collect())
        .unwrap_or_default();
    static EMPTY: Value = Value::Null;
    let f = c.get("fields").unwrap_or(&EMPTY);
    let fields = Fields {
        handle: text(f, "handle"),
        url: text(f, "url"),
        path: text(f, "path"),
        container: text(f, "container"),
        size: f.get("size").and_then(Value::as_u64),
    };
    let request = HttpRequest {
        method: text(c, "method").unwrap(),
        target: text(c, "target").unwrap(),
        authorization: &authorization,
        command: text(c, "command").map(CommandRef::Text),
    };
    verifier.check_http_at(&route, &request, &fields, now)
}
