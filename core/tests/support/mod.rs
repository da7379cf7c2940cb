//! The one runner of the vectors, shared by `tests/vectors.rs`, `examples/gen_vectors.rs`
//! (which records what it returns) and `examples/refusals.rs`: loads `tests/vectors/*.json`
//! and runs a vector's input through the Rust API, for every kind of vector.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::PathBuf;

use capsign::http::{Fields, HttpRequest, Route};
use capsign::{
    Claims, Command, CommandRef, Error, FieldValue, Grant, Permission, PermissionSet, PublicKey,
    Request, Signer, SigningKey, Verifier, covers_all, filestack, http,
};
use serde_json::{Map, Value, json};

/// The vector files, by name without `.json`, each run by [`run`].
pub(crate) const FILES: [&str; 7] = [
    "verify",
    "issue",
    "filestack",
    "capability",
    "attacks",
    "http",
    "store",
];

/// Runs the input of a vector in `tests/vectors/<file>.json` as of `now`: the `ok` value the
/// vectors record, or the error.
pub(crate) fn run(file: &str, input: &Value, now: Option<u64>) -> Result<Value, Error> {
    let now = || now.unwrap_or_else(|| panic!("{file} vectors need a `now`"));
    match file {
        "verify" | "attacks" | "http" => verifier(input).and_then(|v| verify(&v, input, now())),
        "issue" => issue(input, now()),
        "filestack" => filestack(input),
        "capability" => capability(input),
        "store" => store(input),
        other => panic!("no vector file {other}"),
    }
}

/// An outcome as a vector's `expected` records it: `{"ok": value}`, or the error as
/// `{"error": code, "field"?: name, "position"?: n}`.
pub(crate) fn record(outcome: Result<Value, Error>) -> Value {
    match outcome {
        Ok(value) => json!({ "ok": value }),
        Err(e) => error_summary(&e),
    }
}

/// `{"error": code, "field"?: name, "position"?: n}`.
pub(crate) fn error_summary(e: &Error) -> Value {
    let mut m = Map::new();
    m.insert("error".into(), json!(e.code()));
    if let Some(field) = e.field() {
        m.insert("field".into(), json!(field));
    }
    if let Some(position) = e.position() {
        m.insert("position".into(), json!(position));
    }
    Value::Object(m)
}

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

/// A list of strings, member of a JSON object.
fn strings<'a>(v: &'a Value, key: &str) -> Option<Vec<&'a str>> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|l| l.iter().map(|s| s.as_str().unwrap()).collect())
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
    if let Some(keys) = input.get("public_keys").and_then(Value::as_object) {
        for (kid, key) in keys {
            builder = builder.public_key(kid.as_str(), PublicKey::parse(key.as_str().unwrap())?);
        }
    }
    if let Some(set) = text(input, "key_set") {
        builder = builder.key_set(set);
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

/// Runs an issue vector: `{secret, kid, min_secret_len, claims}` (claims by their Rust names).
pub(crate) fn issue(input: &Value, now: u64) -> Result<Value, Error> {
    let c = &input["claims"];
    let (call, permissions) = (strings(c, "call"), strings(c, "permissions"));
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
        uses: c.get("uses").and_then(Value::as_u64),
    };
    let mut b = Signer::builder();
    if let Some(k) = text(input, "kid") {
        b = b.kid(k);
    }
    if let Some(n) = input.get("min_secret_len").and_then(Value::as_u64) {
        b = b.min_secret_len(n as usize);
    }
    b = match (text(input, "secret"), text(input, "signing_key")) {
        (Some(secret), None) => b.secret(secret),
        (None, Some(seed)) => b.signing_key(SigningKey::from_text(seed)?),
        _ => panic!("an issue vector has a secret or a signing_key"),
    };
    let creds = b.build()?.issue_at(&claims, now)?;
    Ok(json!({
        "policy": creds.policy(),
        "signature": creds.signature(),
        "token": creds.token(),
        "expiry": creds.expiry(),
        "json": capsign::dangerous::decode_unverified(creds.policy())?,
    }))
}

/// Runs a Filestack vector: a security task to parse (`task`), or a policy object to sign
/// as Filestack's SDKs do (`policy`, `secret`).
pub(crate) fn filestack(input: &Value) -> Result<Value, Error> {
    match text(input, "task") {
        Some(task) => {
            filestack::parse_security_task(task).map(|(p, s)| json!({"policy": p, "signature": s}))
        }
        None => filestack::security(
            &input["policy"].to_string(),
            text(input, "secret").unwrap().as_bytes(),
        )
        .map(|c| json!({"policy": c.policy(), "signature": c.signature()})),
    }
}

/// Runs a capability vector of `kind` permission, command, match, covers or http.
pub(crate) fn capability(input: &Value) -> Result<Value, Error> {
    let list = |k: &str| strings(input, k).unwrap();
    let arg = |k: &str| text(input, k).unwrap();
    match arg("kind") {
        "permission" => {
            Permission::parse(arg("permission")).map(|p| json!({"canonical": p.to_string()}))
        }
        "command" => Command::parse(arg("command")).map(|c| json!({"canonical": c.to_string()})),
        "match" => {
            let set = PermissionSet::parse(&list("permissions"))?;
            let command = Command::parse(arg("command"))?;
            Ok(json!({"matched": set.find(&command)}))
        }
        "covers" => {
            let a = PermissionSet::parse(&list("a"))?;
            let b = PermissionSet::parse(&list("b"))?;
            Ok(json!({"covers": covers_all(&a, &b)}))
        }
        "http" => match arg("mapping") {
            "rest" => http::rest(arg("method"), arg("target")),
            _ => http::rpc(arg("prefix"), arg("target")),
        }
        .map(|c| json!({"command": c.to_string()})),
        other => panic!("unknown kind {other}"),
    }
}

/// Runs a store vector: `{secret, keys, leeway, prefix, steps}`, each step's outcome in
/// order (`"ok"`, an error code, a count of entries, or a Redis call's keys and args).
/// A `check` verifies first (with `command` as the request, if given), then asks a
/// `MemoryStore`; `reply` decides what a Redis reply means for a token.
pub(crate) fn store(input: &Value) -> Result<Value, Error> {
    use capsign::store::{Layout, MemoryStore, Revocation};
    let verifier = verifier(input)?;
    let leeway = input["leeway"].as_i64().unwrap();
    let layout = Layout::new(text(input, "prefix").unwrap_or("capsign:"), leeway)?;
    let memory = MemoryStore::new(layout.clone());
    let code = |r: Result<(), Error>| json!(r.err().map_or("ok", |e| e.code()));
    let grant = |step: &Value, key: &str| {
        let request = match text(step, "command") {
            Some(c) => Request::new().command_text(c),
            None => Request::new(),
        };
        let now = step["now"].as_u64().unwrap();
        verifier.verify_token_at(text(step, key).unwrap(), &request, now)
    };
    let mut out = Vec::new();
    for step in input["steps"].as_array().unwrap() {
        let now = step.get("now").and_then(Value::as_u64).unwrap_or(0);
        let outcome = if step.get("check").is_some() {
            code(grant(step, "check").and_then(|g| memory.check_at(&g, now)))
        } else if let Some(r) = step.get("revoke") {
            let revocation = Revocation::from_options(
                text(r, "jti"),
                r.get("expiry").and_then(Value::as_u64),
                text(r, "kid"),
                r.get("before").and_then(Value::as_u64),
            );
            code(revocation.and_then(|r| memory.revoke_at(&r, now)))
        } else if step.get("entries").is_some() {
            json!(memory.len())
        } else if let Some(at) = step.get("sweep").and_then(Value::as_u64) {
            memory.sweep_at(at);
            json!("ok")
        } else if step.get("reply").is_some() {
            let reply = step["reply"].as_str();
            code(grant(step, "for").and_then(|g| layout.question(&g).decide(reply)))
        } else if step.get("call").is_some() {
            let call = layout.check_call(&grant(step, "call")?);
            json!({"keys": call.keys, "args": call.args})
        } else if let Some(r) = step.get("revoke_call") {
            let revocation = Revocation::from_options(
                text(r, "jti"),
                r.get("expiry").and_then(Value::as_u64),
                text(r, "kid"),
                r.get("before").and_then(Value::as_u64),
            )?;
            let call = layout.revoke_call(&revocation, now)?;
            json!({"keys": call.keys, "args": call.args})
        } else {
            panic!("unknown store step {step}");
        };
        out.push(outcome);
    }
    Ok(Value::Array(out))
}
