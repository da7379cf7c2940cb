//! Generates the cross-language test vectors in `tests/vectors/`.
//!
//! Every case states its intended outcome (an error code, a field, a match); the generator
//! runs the core on it, fails if the core disagrees, and records the computed details
//! (signatures, canonical forms). Inputs are fixed (the pseudo-random cases come from a
//! fixed seed), so the output is byte-for-byte stable.
//!
//! ```text
//! cargo run -p capsign --example gen_vectors -- tests/vectors          # write
//! cargo run -p capsign --example gen_vectors -- --check tests/vectors  # compare
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;

use capsign::{
    Claims, Command, Error, FieldValue, Grant, Permission, PermissionSet, Request, Signer,
    Verifier, covers_all, dangerous, filestack, http,
};
use serde_json::{Map, Value, json};

#[path = "../tests/support/mod.rs"]
mod support;

const SECRET: &str = "capsign-test-secret-0123456789";
const OTHER_SECRET: &str = "another-secret-abcdefghijkl";
const FILESTACK_DOCS_SECRET: &str = "Z3IYZSH2UJA7VN3QYFVSVCF7PI";
const FILESTACK_DOCS_POLICY: &str =
    "eyJoYW5kbGUiOiJLVzlFSmhZdFM2eTQ4V2htMlM2RCIsImV4cGlyeSI6MTUwODE0MTUwNH0=";
const FILESTACK_DOCS_SIGNATURE: &str =
    "4098f262b9dba23e4766ce127353aaf4f37fde0fd726d164d944e031fd862c18";
const FILESTACK_PY_SECRET: &str = "SECURITY-SECRET";
const FILESTACK_PY_EXPIRY_POLICY: &str = "eyJleHBpcnkiOiAxNzAwMDAwMDAwfQ==";
const FILESTACK_PY_EXPIRY_SIGNATURE: &str =
    "2c06ba8bb0e51b8b25e0a3701d9d444399bffcdda956333fec136cefffcf6104";
const FILESTACK_PY_STORE_POLICY: &str = "eyJjYWxsIjogWyJzdG9yZSJdLCAiZXhwaXJ5IjogMTcwMDAwMDAwMCwgInBhdGgiOiAiXi9hdmF0YXJzL1swLTldKy8_JCJ9";
const FILESTACK_PY_STORE_SIGNATURE: &str =
    "d86a388a519c5d21471f0db3b0452e3cc034410913df8c119464f8a066b34fd1";
const NOW: u64 = 1_700_000_000;
const CID: &str = "QmQv4YQNmRPuTTHs4AgBhKEFDdN7eQYeTbSmr8JVWVfury";

/// What a case should do.
enum Expect {
    /// Succeed; the generator records the details.
    Ok,
    /// Fail with this code (and, if given, this field).
    Err(&'static str, Option<&'static str>),
}

use Expect::{Err as Fails, Ok as Passes};

fn fails(code: &'static str) -> Expect {
    Fails(code, None)
}

fn fails_on(code: &'static str, field: &'static str) -> Expect {
    Fails(code, Some(field))
}

struct Writer {
    vectors: Vec<Value>,
    ids: std::collections::BTreeSet<String>,
}

impl Writer {
    fn new() -> Self {
        Writer {
            vectors: Vec::new(),
            ids: Default::default(),
        }
    }

    fn push(
        &mut self,
        id: &str,
        description: &str,
        input: Value,
        now: Option<u64>,
        expected: Value,
    ) {
        assert!(self.ids.insert(id.to_owned()), "duplicate id {id}");
        self.vectors.push(json!({
            "id": id,
            "description": description,
            "input": input,
            "now": now,
            "expected": expected,
        }));
    }
}

/// Strings of 64 KiB or more that open with one repeated character are written as
/// `{"repeat": c, "times": n, "then": rest}`; every runner expands them on load.
fn compact(value: &mut Value) {
    match value {
        Value::String(text) if text.len() >= 1 << 16 => {
            let Some(first) = text.chars().next() else {
                return;
            };
            let run = text.chars().take_while(|&c| c == first).count();
            let rest = &text[run * first.len_utf8()..];
            *value = json!({"repeat": first.to_string(), "times": run, "then": rest});
        }
        Value::Array(items) => items.iter_mut().for_each(compact),
        Value::Object(map) => map.values_mut().for_each(compact),
        _ => {}
    }
}

fn error_json(e: &Error) -> Value {
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

fn check(id: &str, expect: &Expect, outcome: Result<Value, Error>) -> Value {
    match (expect, outcome) {
        (Passes, Ok(v)) => json!({ "ok": v }),
        (Fails(code, field), Err(e)) => {
            assert_eq!(e.code(), *code, "{id}: wrong code ({e})");
            if let Some(field) = field {
                assert_eq!(e.field(), Some(*field), "{id}: wrong field ({e})");
            }
            error_json(&e)
        }
        (Passes, Err(e)) => panic!("{id}: expected success, got {e}"),
        (Fails(code, _), Ok(v)) => panic!("{id}: expected {code}, got {v}"),
    }
}

fn b64(json: &str) -> String {
    // URL-safe, padded: the same encoding the core emits.
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = json.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn standard(url_safe: &str) -> String {
    url_safe.replace('-', "+").replace('_', "/")
}

fn policy_value(grant: &Grant) -> Value {
    let mut m = Map::new();
    for (name, value) in grant.policy().fields() {
        let v = match value {
            FieldValue::Integer(n) => json!(n),
            FieldValue::String(s) => json!(s),
            FieldValue::Strings(list) => json!(list),
        };
        m.insert(name.into(), v);
    }
    Value::Object(m)
}

// ---------------------------------------------------------------------------------------
// verify.json
// ---------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct VerifyCase {
    secret: Option<&'static str>,
    keys: Vec<(&'static str, &'static str)>,
    min_secret_len: Option<usize>,
    leeway: Option<i64>,
    policy: String,
    signature: String,
    token: Option<String>,
    /// `(authorization header, policy parameters, signature parameters)`.
    http: Option<(Option<String>, Vec<String>, Vec<String>)>,
    request: Option<Value>,
}

impl VerifyCase {
    fn pair(secret: &'static str, policy: &str, signature: &str) -> Self {
        VerifyCase {
            secret: Some(secret),
            policy: policy.into(),
            signature: signature.into(),
            ..Default::default()
        }
    }

    /// `json` encoded and signed with `secret` as given, valid or not.
    fn signed(secret: &'static str, json: &str) -> Self {
        let policy = b64(json);
        let signature = dangerous::sign_raw(secret.as_bytes(), &policy);
        VerifyCase::pair(secret, &policy, &signature)
    }

    fn request(mut self, request: Value) -> Self {
        self.request = Some(request);
        self
    }

    fn leeway(mut self, leeway: i64) -> Self {
        self.leeway = Some(leeway);
        self
    }

    fn input(&self) -> Value {
        let mut m = Map::new();
        m.insert("secret".into(), json!(self.secret));
        if !self.keys.is_empty() {
            let keys: BTreeMap<_, _> = self.keys.iter().cloned().collect();
            m.insert("keys".into(), json!(keys));
        }
        if let Some(n) = self.min_secret_len {
            m.insert("min_secret_len".into(), json!(n));
        }
        if let Some(l) = self.leeway {
            m.insert("leeway".into(), json!(l));
        }
        match (&self.token, &self.http) {
            (Some(t), _) => {
                m.insert("token".into(), json!(t));
            }
            (None, Some((authorization, policy, signature))) => {
                m.insert(
                    "http".into(),
                    json!({"authorization": authorization, "policy": policy, "signature": signature}),
                );
            }
            (None, None) => {
                m.insert("policy".into(), json!(self.policy));
                m.insert("signature".into(), json!(self.signature));
            }
        }
        if let Some(r) = &self.request {
            m.insert("request".into(), r.clone());
        }
        Value::Object(m)
    }

    fn run(&self, now: u64) -> Result<Value, Error> {
        let mut builder = Verifier::builder();
        if let Some(s) = self.secret {
            builder = builder.secret(s);
        }
        for (kid, s) in &self.keys {
            builder = builder.key(*kid, *s);
        }
        if let Some(n) = self.min_secret_len {
            builder = builder.min_secret_len(n);
        }
        if let Some(l) = self.leeway {
            builder = builder.leeway(l);
        }
        let verifier = builder.build()?;
        let r = self.request.clone().unwrap_or(json!({}));
        let text = |k: &str| r.get(k).and_then(Value::as_str);
        let request = Request {
            call: text("call"),
            handle: text("handle"),
            url: text("url"),
            path: text("path"),
            container: text("container"),
            size: r.get("size").and_then(Value::as_u64),
            command: match r.get("rest").and_then(Value::as_array) {
                Some(rest) => Some(capsign::CommandRef::Rest {
                    method: rest[0].as_str().unwrap(),
                    target: rest[1].as_str().unwrap(),
                }),
                None => text("command").map(capsign::CommandRef::Text),
            },
        };
        let grant = match (&self.token, &self.http) {
            (Some(t), _) => verifier.verify_token_at(t, &request, now)?,
            (None, Some((authorization, policy, signature))) => {
                let policy: Vec<&str> = policy.iter().map(String::as_str).collect();
                let signature: Vec<&str> = signature.iter().map(String::as_str).collect();
                match verifier.verify_http_at(
                    authorization.as_deref(),
                    &policy,
                    &signature,
                    &request,
                    now,
                )? {
                    Some(grant) => grant,
                    None => return Ok(Value::Null),
                }
            }
            (None, None) => verifier.verify_at(&self.policy, &self.signature, &request, now)?,
        };
        Ok(json!({
            "policy": policy_value(&grant),
            "expiry": grant.expiry(),
            "kid": grant.kid(),
            "matched": grant.matched().map(Permission::as_str),
        }))
    }
}

fn verify_vectors() -> Writer {
    let mut w = Writer::new();
    let mut add = |id: &str, description: &str, case: VerifyCase, now: u64, expect: Expect| {
        let expected = check(id, &expect, case.run(now));
        w.push(id, description, case.input(), Some(now), expected);
    };
    let signer = Signer::new(SECRET).unwrap();
    let issue = |claims: Claims| signer.issue_at(&claims, NOW).unwrap();

    // Real-world credentials.
    let docs = VerifyCase::pair(
        FILESTACK_DOCS_SECRET,
        FILESTACK_DOCS_POLICY,
        FILESTACK_DOCS_SIGNATURE,
    );
    add(
        "filestack-docs",
        "the example from Filestack's security docs verifies",
        docs.clone(),
        1_508_141_000,
        Passes,
    );
    add(
        "filestack-docs-read",
        "…and allows reading its handle",
        docs.clone()
            .request(json!({"call": "read", "handle": "KW9EJhYtS6y48Whm2S6D"})),
        1_508_141_000,
        Passes,
    );
    add(
        "filestack-docs-other-handle",
        "…but not another handle",
        docs.clone()
            .request(json!({"call": "read", "handle": "KW9EJhYtS6y48Whm2S6E"})),
        1_508_141_000,
        fails_on("denied", "handle"),
    );
    add(
        "filestack-docs-expired",
        "…and expires at its expiry",
        docs,
        1_508_141_504,
        fails("expired"),
    );
    let mut fs_expiry = VerifyCase::pair(
        FILESTACK_PY_SECRET,
        FILESTACK_PY_EXPIRY_POLICY,
        FILESTACK_PY_EXPIRY_SIGNATURE,
    );
    fs_expiry.min_secret_len = Some(15);
    add(
        "filestack-python-expiry",
        "filestack-python 4.0.0 output (15-byte secret, minimum lowered)",
        fs_expiry.clone(),
        NOW - 1,
        Passes,
    );
    let mut fs_strict = fs_expiry;
    fs_strict.min_secret_len = None;
    add(
        "filestack-python-short-secret",
        "the same 15-byte secret without lowering the minimum",
        fs_strict,
        NOW - 1,
        fails("weak_secret"),
    );
    let mut fs_store = VerifyCase::pair(
        FILESTACK_PY_SECRET,
        FILESTACK_PY_STORE_POLICY,
        FILESTACK_PY_STORE_SIGNATURE,
    );
    fs_store.min_secret_len = Some(15);
    add(
        "filestack-python-store",
        "filestack-python output using `_` of the URL-safe alphabet; a store to a matching path",
        fs_store
            .clone()
            .request(json!({"call": "store", "path": "/avatars/12/"})),
        NOW - 1,
        Passes,
    );
    add(
        "filestack-python-store-wrong-path",
        "…to a path the regex does not fully match",
        fs_store
            .clone()
            .request(json!({"call": "store", "path": "/avatars/12/x"})),
        NOW - 1,
        fails_on("denied", "path"),
    );
    let std_policy = standard(FILESTACK_PY_STORE_POLICY);
    let mut fs_std = VerifyCase::pair(
        FILESTACK_PY_SECRET,
        &std_policy,
        &dangerous::sign_raw(FILESTACK_PY_SECRET.as_bytes(), &std_policy),
    );
    fs_std.min_secret_len = Some(15);
    add(
        "standard-alphabet",
        "the same policy in the standard alphabet (as Filestack's JS SDK sends it), signed over that string",
        fs_std,
        NOW - 1,
        Passes,
    );
    let mut swapped = VerifyCase::pair(
        FILESTACK_PY_SECRET,
        &std_policy,
        FILESTACK_PY_STORE_SIGNATURE,
    );
    swapped.min_secret_len = Some(15);
    add(
        "alphabet-swapped-after-signing",
        "the URL-safe signature on the standard-alphabet string",
        swapped,
        NOW - 1,
        fails("bad_signature"),
    );
    let unpadded = FILESTACK_PY_EXPIRY_POLICY.trim_end_matches('=');
    let mut fs_unpadded = VerifyCase::pair(
        FILESTACK_PY_SECRET,
        unpadded,
        &dangerous::sign_raw(FILESTACK_PY_SECRET.as_bytes(), unpadded),
    );
    fs_unpadded.min_secret_len = Some(15);
    add(
        "unpadded",
        "padding left off, signed that way",
        fs_unpadded,
        NOW - 1,
        Passes,
    );
    let mut stripped =
        VerifyCase::pair(FILESTACK_PY_SECRET, unpadded, FILESTACK_PY_EXPIRY_SIGNATURE);
    stripped.min_secret_len = Some(15);
    add(
        "padding-stripped-after-signing",
        "padding removed after signing",
        stripped,
        NOW - 1,
        fails("bad_signature"),
    );
    let mut upper = VerifyCase::pair(
        FILESTACK_PY_SECRET,
        FILESTACK_PY_EXPIRY_POLICY,
        &FILESTACK_PY_EXPIRY_SIGNATURE.to_uppercase(),
    );
    upper.min_secret_len = Some(15);
    add(
        "signature-uppercase",
        "an uppercase hex signature is the same signature",
        upper,
        NOW - 1,
        Passes,
    );

    // Round trips.
    let reference = issue(Claims {
        expires_in: Some(900),
        call: Some(&["pick", "read", "store"]),
        handle: Some("KW9EJhYtS6y48Whm2S6D"),
        path: Some("/uploads/user-42/.*"),
        max_size: Some(10_485_760),
        ..Claims::default()
    });
    let token_case = |t: &str| VerifyCase {
        secret: Some(SECRET),
        token: Some(t.to_owned()),
        ..Default::default()
    };
    let store = json!({"call": "store", "handle": "KW9EJhYtS6y48Whm2S6D", "path": "/uploads/user-42/photo.jpg", "size": 123456});
    add(
        "reference-store",
        "the reference policy allows a store under the user's path",
        token_case(reference.token()).request(store.clone()),
        NOW,
        Passes,
    );
    add(
        "reference-no-request",
        "an empty request only checks authenticity and time",
        token_case(reference.token()),
        NOW,
        Passes,
    );
    let with = |k: &str, v: Value| {
        let mut r = store.clone();
        r[k] = v;
        r
    };
    let without = |k: &str| {
        let mut r = store.clone();
        r.as_object_mut().unwrap().remove(k);
        r
    };
    add(
        "denied-path",
        "a store under another user's path",
        token_case(reference.token()).request(with("path", json!("/uploads/user-43/photo.jpg"))),
        NOW,
        fails_on("denied", "path"),
    );
    add(
        "denied-path-missing",
        "a storing call that names no path",
        token_case(reference.token()).request(without("path")),
        NOW,
        fails_on("denied", "path"),
    );
    add(
        "denied-size",
        "an upload over maxSize",
        token_case(reference.token()).request(with("size", json!(10_485_761))),
        NOW,
        fails_on("denied", "maxSize"),
    );
    add(
        "denied-size-missing",
        "a storing call that names no size",
        token_case(reference.token()).request(without("size")),
        NOW,
        fails_on("denied", "maxSize"),
    );
    add(
        "denied-handle-missing",
        "a request that names no handle",
        token_case(reference.token()).request(without("handle")),
        NOW,
        fails_on("denied", "handle"),
    );
    add(
        "denied-handle-lookalike",
        "a handle with a Cyrillic look-alike (compared as bytes)",
        token_case(reference.token()).request(with("handle", json!("KW9EJhYtS6y48Whm2S6Д"))),
        NOW,
        fails_on("denied", "handle"),
    );
    add(
        "denied-call",
        "a call outside the list",
        token_case(reference.token()).request(with("call", json!("remove"))),
        NOW,
        fails_on("denied", "call"),
    );
    add(
        "denied-unknown-call",
        "a call Filestack does not have",
        token_case(reference.token()).request(with("call", json!("delete"))),
        NOW,
        fails_on("denied", "call"),
    );
    add(
        "denied-nothing-named",
        "a request naming only a path names no call",
        token_case(reference.token()).request(json!({"path": "/uploads/user-42/a"})),
        NOW,
        fails_on("denied", "call"),
    );
    add(
        "read-without-path",
        "a read names no storage restriction and is allowed",
        token_case(reference.token())
            .request(json!({"call": "read", "handle": "KW9EJhYtS6y48Whm2S6D"})),
        NOW,
        Passes,
    );

    let defaults = issue(Claims::default());
    add(
        "default-calls",
        "no call and no permissions: every call but exif",
        token_case(defaults.token()).request(json!({"call": "convert"})),
        NOW,
        Passes,
    );
    add(
        "default-calls-exif",
        "…and exif is not among them",
        token_case(defaults.token()).request(json!({"call": "exif"})),
        NOW,
        fails_on("denied", "call"),
    );
    add(
        "default-calls-no-commands",
        "…and no commands",
        token_case(defaults.token()).request(json!({"command": "id"})),
        NOW,
        fails_on("denied", "permissions"),
    );
    let full = issue(Claims {
        expires_in: Some(600),
        call: Some(&["store", "exif"]),
        container: Some("bucket-[0-9]+"),
        url: Some(r"https://example\.com/.*"),
        min_size: Some(10),
        max_size: Some(100),
        jti: Some("req-7"),
        nbf: Some(NOW - 10),
        ..Claims::default()
    });
    let store_url = json!({"call": "store", "container": "bucket-7", "url": "https://example.com/a.png", "size": 50});
    add(
        "every-restriction",
        "a request meeting container, url and both size bounds",
        token_case(full.token()).request(store_url.clone()),
        NOW,
        Passes,
    );
    let mut r = store_url.clone();
    r["container"] = json!("bucket-x");
    add(
        "denied-container",
        "a container the regex does not match",
        token_case(full.token()).request(r),
        NOW,
        fails_on("denied", "container"),
    );
    let mut r = store_url.clone();
    r["url"] = json!("https://example.com.evil/a.png");
    add(
        "denied-url",
        "a URL the full-match regex refuses",
        token_case(full.token()).request(r),
        NOW,
        fails_on("denied", "url"),
    );
    let mut r = store_url.clone();
    r.as_object_mut().unwrap().remove("url");
    add(
        "denied-url-missing",
        "a storing call that names no url",
        token_case(full.token()).request(r),
        NOW,
        fails_on("denied", "url"),
    );
    let mut r = store_url.clone();
    r["size"] = json!(9);
    add(
        "denied-min-size",
        "an upload under minSize",
        token_case(full.token()).request(r),
        NOW,
        fails_on("denied", "minSize"),
    );
    add(
        "exif-listed",
        "exif is allowed when listed",
        token_case(full.token()).request(json!({"call": "exif"})),
        NOW,
        Passes,
    );
    add(
        "not-yet-valid",
        "before nbf",
        token_case(full.token()),
        NOW - 11,
        fails("not_yet_valid"),
    );
    add(
        "not-yet-valid-leeway",
        "before nbf but within the leeway",
        token_case(full.token()).leeway(5),
        NOW - 11,
        Passes,
    );
    add(
        "expired",
        "at expiry",
        token_case(defaults.token()),
        NOW + 900,
        fails("expired"),
    );
    add(
        "just-valid",
        "one second before expiry",
        token_case(defaults.token()),
        NOW + 899,
        Passes,
    );
    add(
        "expired-leeway",
        "past expiry but within the leeway",
        token_case(defaults.token()).leeway(30),
        NOW + 929,
        Passes,
    );
    add(
        "expired-past-leeway",
        "past expiry and the leeway",
        token_case(defaults.token()).leeway(30),
        NOW + 930,
        fails("expired"),
    );
    add(
        "negative-leeway",
        "a negative leeway is refused",
        token_case(defaults.token()).leeway(-1),
        NOW,
        fails_on("invalid_argument", "leeway"),
    );
    add(
        "huge-leeway",
        "a leeway over an hour is refused",
        token_case(defaults.token()).leeway(3601),
        NOW,
        fails_on("invalid_argument", "leeway"),
    );

    // Capabilities.
    let caps = issue(Claims {
        permissions: Some(&["pin add [-r] *", &format!("cat /ipfs/{CID}"), "swarm peers"]),
        ..Claims::default()
    });
    for (id, command, expect) in [
        ("cap-pin-add", "pin add QmX", Passes),
        ("cap-pin-add-recursive", "pin add -r QmX", Passes),
        (
            "cap-cat-beneath",
            &*format!("cat /ipfs/{CID}/readme.md"),
            Passes,
        ),
        ("cap-swarm-peers", "swarm peers", Passes),
        (
            "cap-pin-rm",
            "pin rm QmX",
            fails_on("denied", "permissions"),
        ),
        (
            "cap-pin-add-two",
            "pin add QmX QmY",
            fails_on("denied", "permissions"),
        ),
        (
            "cap-cat-other",
            "cat /ipfs/QmOther",
            fails_on("denied", "permissions"),
        ),
        (
            "cap-traversal",
            &*format!("cat /ipfs/{CID}/../QmOther"),
            fails("invalid_command"),
        ),
    ] {
        add(
            id,
            &format!("command `{command}` against the seed's permissions"),
            token_case(caps.token()).request(json!({"command": command})),
            NOW,
            expect,
        );
    }
    add(
        "cap-no-calls",
        "a policy with permissions but no call grants no calls",
        token_case(caps.token()).request(json!({"call": "read"})),
        NOW,
        fails_on("denied", "call"),
    );

    // Keys.
    let k1 = Signer::builder()
        .secret(SECRET)
        .kid("k1")
        .build()
        .unwrap()
        .issue_at(&Claims::default(), NOW)
        .unwrap();
    let keyed = |keys: Vec<(&'static str, &'static str)>, secret: Option<&'static str>, t: &str| {
        VerifyCase {
            secret,
            keys,
            token: Some(t.to_owned()),
            ..Default::default()
        }
    };
    add(
        "kid-selects-key",
        "the kid selects the key",
        keyed(vec![("k1", SECRET), ("k2", OTHER_SECRET)], None, k1.token()),
        NOW,
        Passes,
    );
    add(
        "kid-unknown",
        "a kid the verifier does not hold",
        keyed(vec![("k2", OTHER_SECRET)], Some(SECRET), k1.token()),
        NOW,
        fails("unknown_key"),
    );
    add(
        "kid-no-fallback",
        "a kid never falls back to the default secret",
        keyed(vec![], Some(SECRET), k1.token()),
        NOW,
        fails("unknown_key"),
    );
    add(
        "kid-missing-no-default",
        "no kid and no default secret",
        keyed(vec![("k1", SECRET)], None, defaults.token()),
        NOW,
        fails("unknown_key"),
    );
    add(
        "kid-other-key",
        "a kid pointing at another key",
        keyed(vec![("k1", OTHER_SECRET)], None, k1.token()),
        NOW,
        fails("bad_signature"),
    );
    add(
        "kid-empty",
        "an empty kid is not in any key map",
        VerifyCase {
            keys: vec![("k1", SECRET)],
            ..VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"kid":""}"#)
        },
        NOW,
        fails("unknown_key"),
    );
    add(
        "kid-twice",
        "a kid given twice cannot select a key",
        VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"kid":"k1","kid":"k2"}"#),
        NOW,
        fails("malformed"),
    );
    add(
        "kid-not-string",
        "a kid that is not a string cannot select a key",
        VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"kid":7}"#),
        NOW,
        fails("malformed"),
    );
    add(
        "no-key",
        "a verifier without any key",
        VerifyCase {
            secret: None,
            token: Some(defaults.token().into()),
            ..Default::default()
        },
        NOW,
        fails_on("invalid_argument", "secret"),
    );
    add(
        "empty-secret",
        "an empty secret",
        VerifyCase {
            secret: Some(""),
            token: Some(defaults.token().into()),
            ..Default::default()
        },
        NOW,
        fails("weak_secret"),
    );
    add(
        "short-secret",
        "a 15-byte secret",
        VerifyCase {
            secret: Some("fifteen-bytes!!"),
            token: Some(defaults.token().into()),
            ..Default::default()
        },
        NOW,
        fails("weak_secret"),
    );

    // Credentials as HTTP requests carry them.
    let http = |authorization: Option<String>, policy: &[&str], signature: &[&str]| VerifyCase {
        secret: Some(SECRET),
        http: Some((
            authorization,
            policy.iter().map(|s| (*s).to_owned()).collect(),
            signature.iter().map(|s| (*s).to_owned()).collect(),
        )),
        request: Some(json!({"call": "read"})),
        ..Default::default()
    };
    let (dp, ds) = (defaults.policy(), defaults.signature());
    add(
        "http-bearer",
        "Authorization: Bearer <token>",
        http(Some(format!("Bearer {}", defaults.token())), &[], &[]),
        NOW,
        Passes,
    );
    add(
        "http-bearer-case",
        "the scheme is case-insensitive, spaces around the token are ignored",
        http(Some(format!("bearer   {} ", defaults.token())), &[], &[]),
        NOW,
        Passes,
    );
    add(
        "http-query",
        "policy and signature query parameters",
        http(None, &[dp], &[ds]),
        NOW,
        Passes,
    );
    add(
        "http-none",
        "no credentials at all (the middleware answers 401 with a bare challenge)",
        http(None, &[], &[]),
        NOW,
        Passes,
    );
    add(
        "http-basic",
        "another Authorization scheme is not credentials",
        http(Some("Basic dXNlcjpwYXNz".into()), &[], &[]),
        NOW,
        Passes,
    );
    add(
        "http-both",
        "credentials in the header and the query at once",
        http(Some(format!("Bearer {}", defaults.token())), &[dp], &[ds]),
        NOW,
        fails("malformed"),
    );
    add(
        "http-policy-only",
        "a policy parameter without a signature",
        http(None, &[dp], &[]),
        NOW,
        fails("malformed"),
    );
    add(
        "http-repeated",
        "a repeated policy parameter",
        http(None, &[dp, dp], &[ds]),
        NOW,
        fails("malformed"),
    );
    add(
        "http-empty-bearer",
        "an empty bearer token",
        http(Some("Bearer ".into()), &[], &[]),
        NOW,
        fails("malformed"),
    );
    add(
        "http-bearer-pair",
        "a bearer token that is not <policy>.<signature>",
        http(Some(format!("Bearer {dp}")), &[], &[]),
        NOW,
        fails("malformed"),
    );
    add(
        "http-denied",
        "genuine credentials that do not allow the request",
        VerifyCase {
            request: Some(json!({"call": "exif"})),
            ..http(None, &[dp], &[ds])
        },
        NOW,
        fails_on("denied", "call"),
    );

    // Tampering and decoding.
    let (p, s) = (defaults.policy(), defaults.signature());
    let flip = |text: &str, at: usize| {
        let mut b = text.as_bytes().to_vec();
        b[at] = if b[at] == b'a' { b'b' } else { b'a' };
        String::from_utf8(b).unwrap()
    };
    add(
        "tampered-signature",
        "one hex digit of the signature changed",
        VerifyCase::pair(SECRET, p, &flip(s, 10)),
        NOW,
        fails("bad_signature"),
    );
    let later = b64(r#"{"expiry":1800000900}"#);
    add(
        "tampered-policy",
        "a later expiry with the original signature",
        VerifyCase::pair(SECRET, &later, s),
        NOW,
        fails("bad_signature"),
    );
    add(
        "wrong-secret",
        "signed with another secret",
        VerifyCase::pair(OTHER_SECRET, p, s),
        NOW,
        fails("bad_signature"),
    );
    let spaced = b64(r#"{"expiry": 1700000900}"#);
    add(
        "reencoded",
        "the same policy with other whitespace, original signature",
        VerifyCase::pair(SECRET, &spaced, s),
        NOW,
        fails("bad_signature"),
    );
    add(
        "bad-signature-before-expiry",
        "nothing in the policy is trusted before the signature: a forged, expired policy is bad_signature",
        VerifyCase::pair(SECRET, &b64(r#"{"expiry":1}"#), s),
        NOW,
        fails("bad_signature"),
    );
    for (id, description, policy, signature) in [
        (
            "signature-short",
            "63 hex digits",
            p.to_owned(),
            s[..63].to_owned(),
        ),
        (
            "signature-long",
            "65 hex digits",
            p.to_owned(),
            format!("{s}0"),
        ),
        (
            "signature-not-hex",
            "a non-hex digit",
            p.to_owned(),
            format!("{}g", &s[..63]),
        ),
        (
            "signature-space",
            "a trailing space",
            p.to_owned(),
            format!("{s} "),
        ),
        (
            "signature-base64",
            "the MAC in base64 instead of hex",
            p.to_owned(),
            "LAa6i7DlG4slo3A3HZ1EQ5m//N2pVjM/7BNs7//PYQQ=".to_owned(),
        ),
        (
            "signature-empty",
            "no signature",
            p.to_owned(),
            String::new(),
        ),
        ("policy-empty", "no policy", String::new(), s.to_owned()),
        (
            "policy-not-base64",
            "characters outside base64",
            "eyJ!eHBpcnki".to_owned(),
            s.to_owned(),
        ),
        (
            "policy-mixed-alphabets",
            "`-` and `/` in one string",
            "eyJ-/w==".to_owned(),
            s.to_owned(),
        ),
        (
            "policy-bad-padding",
            "a single `=` where two are due",
            "eyJ9=".to_owned(),
            s.to_owned(),
        ),
        (
            "policy-trailing-bits",
            "non-zero trailing bits",
            "eyJ9fR==".to_owned(),
            s.to_owned(),
        ),
        (
            "policy-not-json",
            "base64 of text that is not JSON",
            b64("expiry=1700000900"),
            s.to_owned(),
        ),
        (
            "policy-json-array",
            "base64 of a JSON array",
            b64("[1700000900]"),
            s.to_owned(),
        ),
        (
            "policy-not-utf8",
            "base64 of bytes that are not UTF-8",
            "_w==".to_owned(),
            s.to_owned(),
        ),
        (
            "policy-lone-surrogate",
            "a lone surrogate escape",
            b64(r#"{"expiry":1,"handle":"\ud800"}"#),
            s.to_owned(),
        ),
        (
            "policy-deep-json",
            "JSON nested 1,000 deep (refused, no stack overflow)",
            b64(&format!(
                r#"{{"x":{}{}}}"#,
                "[".repeat(1000),
                "]".repeat(1000)
            )),
            s.to_owned(),
        ),
        (
            "policy-too-long",
            "a policy string over 8 KiB",
            "A".repeat(8 * 1024 + 4),
            s.to_owned(),
        ),
        (
            "policy-nul",
            "a NUL byte in the policy string",
            format!("{}\u{0}", &p[..p.len() - 4]),
            s.to_owned(),
        ),
    ] {
        add(
            id,
            description,
            VerifyCase::pair(SECRET, &policy, &signature),
            NOW,
            fails("malformed"),
        );
    }
    for (id, description, token) in [
        ("token-no-dot", "a token without `.`", format!("{p}{s}")),
        (
            "token-two-dots",
            "a token with two `.`",
            format!("{p}.{s}.x"),
        ),
        ("token-empty", "an empty token", String::new()),
    ] {
        add(id, description, token_case(&token), NOW, fails("malformed"));
    }

    // The rules of §2 on signed policies.
    let rules: Vec<(&str, &str, String, Expect)> = vec![
        (
            "zero-fraction-expiry",
            "an expiry written 1700000900.0, as some SDKs do, is accepted",
            r#"{"expiry":1700000900.0}"#.into(),
            Passes,
        ),
        (
            "exponent-expiry",
            "an expiry written 1.7000009e9 is an integer too",
            r#"{"expiry":1.7000009e9}"#.into(),
            Passes,
        ),
        (
            "missing-expiry",
            "no expiry",
            r#"{"call":["read"]}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "unknown-field-calls",
            "`calls` (misspelt) is not a field",
            r#"{"expiry":1700000900,"calls":["read"]}"#.into(),
            fails_on("invalid_policy", "calls"),
        ),
        (
            "unknown-field-expires",
            "`expires` instead of expiry",
            r#"{"expires":1700000900}"#.into(),
            fails_on("invalid_policy", "expires"),
        ),
        (
            "unknown-field-type",
            "the IPFS seed's `@type`",
            r#"{"expiry":1700000900,"@type":"capability"}"#.into(),
            fails_on("invalid_policy", "@type"),
        ),
        (
            "duplicate-expiry",
            "expiry given twice with conflicting values",
            r#"{"expiry":1700000900,"expiry":1800000000}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "duplicate-call",
            "call given twice",
            r#"{"expiry":1700000900,"call":["read"],"call":["remove"]}"#.into(),
            fails_on("invalid_policy", "call"),
        ),
        (
            "expiry-string",
            "expiry as a string",
            r#"{"expiry":"1700000900"}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "expiry-negative",
            "a negative expiry",
            r#"{"expiry":-1}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "expiry-fraction",
            "a fractional expiry",
            r#"{"expiry":1700000900.5}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "expiry-2-53",
            "expiry 2^53 is out of range",
            r#"{"expiry":9007199254740992}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "expiry-huge",
            "expiry 1e400",
            r#"{"expiry":1e400}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "expiry-overflow",
            "an expiry past u64",
            r#"{"expiry":123456789012345678901234567890}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "expiry-bool",
            "expiry true",
            r#"{"expiry":true}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "expiry-null",
            "expiry null",
            r#"{"expiry":null}"#.into(),
            fails_on("invalid_policy", "expiry"),
        ),
        (
            "nbf-negative",
            "a negative nbf",
            r#"{"expiry":1700000900,"nbf":-5}"#.into(),
            fails_on("invalid_policy", "nbf"),
        ),
        (
            "nbf-after-expiry",
            "nbf at or after expiry",
            r#"{"expiry":1700000900,"nbf":1700000900}"#.into(),
            fails_on("invalid_policy", "nbf"),
        ),
        (
            "call-not-array",
            "call as a string",
            r#"{"expiry":1700000900,"call":"read"}"#.into(),
            fails_on("invalid_policy", "call"),
        ),
        (
            "call-unknown",
            "a call name outside the list",
            r#"{"expiry":1700000900,"call":["upload"]}"#.into(),
            fails_on("invalid_policy", "call"),
        ),
        (
            "call-case",
            "call names are case-sensitive",
            r#"{"expiry":1700000900,"call":["writeurl"]}"#.into(),
            fails_on("invalid_policy", "call"),
        ),
        (
            "handle-number",
            "a handle that is a number",
            r#"{"expiry":1700000900,"handle":42}"#.into(),
            fails_on("invalid_policy", "handle"),
        ),
        (
            "handle-empty",
            "an empty handle",
            r#"{"expiry":1700000900,"handle":""}"#.into(),
            fails_on("invalid_policy", "handle"),
        ),
        (
            "handle-nul",
            "a NUL in the handle",
            r#"{"expiry":1700000900,"handle":"a\u0000b"}"#.into(),
            fails_on("invalid_policy", "handle"),
        ),
        (
            "size-order",
            "minSize greater than maxSize",
            r#"{"expiry":1700000900,"minSize":10,"maxSize":9}"#.into(),
            fails_on("invalid_policy", "minSize"),
        ),
        (
            "size-negative",
            "a negative maxSize",
            r#"{"expiry":1700000900,"maxSize":-1}"#.into(),
            fails_on("invalid_policy", "maxSize"),
        ),
        (
            "regex-invalid",
            "a path regex that does not compile",
            r#"{"expiry":1700000900,"path":"(unclosed"}"#.into(),
            fails_on("invalid_policy", "path"),
        ),
        (
            "regex-escape",
            "a regex closing the anchor group early",
            r#"{"expiry":1700000900,"path":"a)|(.*"}"#.into(),
            fails_on("invalid_policy", "path"),
        ),
        (
            "regex-backreference",
            "backreferences are not in the syntax",
            r#"{"expiry":1700000900,"url":"(a)\\1"}"#.into(),
            fails_on("invalid_policy", "url"),
        ),
        (
            "regex-huge",
            "a regex that compiles too big",
            r#"{"expiry":1700000900,"container":"a{1000}{1000}"}"#.into(),
            fails_on("invalid_policy", "container"),
        ),
        (
            "regex-backtracking",
            "a regex built to backtrack is linear here, and allowed",
            r#"{"expiry":1700000900,"path":"(a+)+$"}"#.into(),
            Passes,
        ),
        (
            "permissions-not-array",
            "permissions as a string",
            r#"{"expiry":1700000900,"permissions":"pin add"}"#.into(),
            fails_on("invalid_policy", "permissions"),
        ),
        (
            "permissions-invalid",
            "a permission that does not parse",
            r#"{"expiry":1700000900,"permissions":["pin ** x"]}"#.into(),
            fails_on("invalid_policy", "permissions"),
        ),
        (
            "permissions-too-many",
            "257 permissions",
            format!(
                r#"{{"expiry":1700000900,"permissions":[{}]}}"#,
                (0..257)
                    .map(|i| format!("\"p{i}\""))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            fails_on("invalid_policy", "permissions"),
        ),
        (
            "permissions-256",
            "256 permissions are allowed",
            format!(
                r#"{{"expiry":1700000900,"permissions":[{}]}}"#,
                (0..256)
                    .map(|i| format!("\"p{i}\""))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Passes,
        ),
        (
            "kid-too-long",
            "a 65-character kid",
            format!(r#"{{"expiry":1700000900,"kid":"{}"}}"#, "k".repeat(65)),
            fails("unknown_key"),
        ),
        (
            "jti-too-long",
            "a 129-character jti",
            format!(r#"{{"expiry":1700000900,"jti":"{}"}}"#, "j".repeat(129)),
            fails_on("invalid_policy", "jti"),
        ),
        (
            "jti-128",
            "a 128-character jti",
            format!(r#"{{"expiry":1700000900,"jti":"{}"}}"#, "j".repeat(128)),
            Passes,
        ),
        (
            "nested-object",
            "an unknown field holding an object",
            r#"{"expiry":1700000900,"extra":{"a":[1]}}"#.into(),
            fails_on("invalid_policy", "extra"),
        ),
        (
            "unicode-handle",
            "non-ASCII strings decode as UTF-8",
            r#"{"expiry":1700000900,"handle":"caf\u00e9-☕"}"#.into(),
            Passes,
        ),
    ];
    for (id, description, json, expect) in rules {
        add(
            id,
            description,
            VerifyCase::signed(SECRET, &json),
            NOW,
            expect,
        );
    }
    w
}

// ---------------------------------------------------------------------------------------
// issue.json
// ---------------------------------------------------------------------------------------

fn claims_json(c: &Claims) -> Value {
    let mut m = Map::new();
    macro_rules! put {
        ($($f:ident),*) => {$(
            if let Some(v) = &c.$f {
                m.insert(stringify!($f).into(), json!(v));
            }
        )*};
    }
    put!(
        expires_in,
        expiry,
        call,
        handle,
        url,
        path,
        container,
        max_size,
        min_size,
        permissions,
        nbf,
        jti
    );
    Value::Object(m)
}

fn issue_vectors() -> Writer {
    let mut w = Writer::new();
    let mut add = |id: &str,
                   description: &str,
                   kid: Option<&str>,
                   secret: &str,
                   min: Option<usize>,
                   claims: Claims,
                   expect: Expect| {
        let outcome = (|| {
            let mut b = Signer::builder();
            if let Some(k) = kid {
                b = b.kid(k);
            }
            if let Some(m) = min {
                b = b.min_secret_len(m);
            }
            let creds = b.secret(secret).build()?.issue_at(&claims, NOW)?;
            let json = dangerous::decode_unverified(creds.policy())?;
            Ok(json!({
                "policy": creds.policy(),
                "signature": creds.signature(),
                "token": creds.token(),
                "expiry": creds.expiry(),
                "json": json,
            }))
        })();
        let expected = check(id, &expect, outcome);
        let mut input = json!({"secret": secret, "kid": kid, "claims": claims_json(&claims)});
        if let Some(m) = min {
            input["min_secret_len"] = json!(m);
        }
        w.push(id, description, input, Some(NOW), expected);
    };
    let c = Claims::default;
    add(
        "default-lifetime",
        "no expiry given: 15 minutes",
        None,
        SECRET,
        None,
        c(),
        Passes,
    );
    add(
        "expires-in",
        "upload-only for 15 minutes, as in the seed",
        None,
        SECRET,
        None,
        Claims {
            expires_in: Some(900),
            call: Some(&["pick"]),
            ..c()
        },
        Passes,
    );
    add(
        "absolute-expiry",
        "an absolute expiry",
        None,
        SECRET,
        None,
        Claims {
            expiry: Some(NOW + 60),
            ..c()
        },
        Passes,
    );
    add(
        "reference",
        "the reference policy of the benchmarks",
        None,
        SECRET,
        None,
        Claims {
            expiry: Some(NOW + 900),
            call: Some(&["pick", "read", "store"]),
            handle: Some("KW9EJhYtS6y48Whm2S6D"),
            path: Some("/uploads/user-42/.*"),
            max_size: Some(10_485_760),
            ..c()
        },
        Passes,
    );
    add(
        "every-field",
        "every field, serialized with sorted keys",
        Some("2026-11"),
        SECRET,
        None,
        Claims {
            expires_in: Some(300),
            call: Some(&["store", "pick"]),
            handle: Some("h"),
            url: Some(r"https://cdn\.example\.com/.*"),
            path: Some("/u/[0-9]+/.*"),
            container: Some("bucket"),
            max_size: Some(1000),
            min_size: Some(1),
            permissions: Some(&["pin add [-r] *", "cat  /ipfs/QmA"]),
            nbf: Some(NOW - 5),
            jti: Some("t-1"),
            ..c()
        },
        Passes,
    );
    add(
        "unicode",
        "non-ASCII text stays UTF-8 in the canonical form",
        None,
        SECRET,
        None,
        Claims {
            handle: Some("café ☕ \"quoted\" \\ /"),
            ..c()
        },
        Passes,
    );
    add(
        "short-secret-lowered",
        "a 15-byte secret with the minimum lowered",
        None,
        FILESTACK_PY_SECRET,
        Some(15),
        c(),
        Passes,
    );
    add(
        "short-secret",
        "a 15-byte secret",
        None,
        FILESTACK_PY_SECRET,
        None,
        c(),
        fails("weak_secret"),
    );
    add(
        "empty-secret",
        "an empty secret, even with the minimum lowered",
        None,
        "",
        Some(0),
        c(),
        fails("weak_secret"),
    );
    add(
        "bad-kid",
        "an empty kid",
        Some(""),
        SECRET,
        None,
        c(),
        fails_on("invalid_argument", "kid"),
    );
    add(
        "expiry-past",
        "an expiry already past",
        None,
        SECRET,
        None,
        Claims {
            expiry: Some(NOW - 1),
            ..c()
        },
        fails_on("invalid_policy", "expiry"),
    );
    add(
        "expiry-now",
        "an expiry equal to now",
        None,
        SECRET,
        None,
        Claims {
            expiry: Some(NOW),
            ..c()
        },
        fails_on("invalid_policy", "expiry"),
    );
    add(
        "expiry-both",
        "expires_in and expiry together",
        None,
        SECRET,
        None,
        Claims {
            expiry: Some(NOW + 5),
            expires_in: Some(5),
            ..c()
        },
        fails_on("invalid_policy", "expiry"),
    );
    add(
        "expiry-out-of-range",
        "an expiry past 2^53",
        None,
        SECRET,
        None,
        Claims {
            expiry: Some(1 << 53),
            ..c()
        },
        fails_on("invalid_policy", "expiry"),
    );
    add(
        "call-unknown",
        "an unknown call",
        None,
        SECRET,
        None,
        Claims {
            call: Some(&["upload"]),
            ..c()
        },
        fails_on("invalid_policy", "call"),
    );
    add(
        "size-order",
        "minSize over maxSize",
        None,
        SECRET,
        None,
        Claims {
            min_size: Some(5),
            max_size: Some(4),
            ..c()
        },
        fails_on("invalid_policy", "minSize"),
    );
    add(
        "regex",
        "a path that does not compile",
        None,
        SECRET,
        None,
        Claims {
            path: Some("["),
            ..c()
        },
        fails_on("invalid_policy", "path"),
    );
    add(
        "permission",
        "a permission with `**` not last",
        None,
        SECRET,
        None,
        Claims {
            permissions: Some(&["pin ** x"]),
            ..c()
        },
        fails("invalid_permission"),
    );
    add(
        "permissions-too-many",
        "257 permissions",
        None,
        SECRET,
        None,
        Claims {
            permissions: Some(
                &(0..257)
                    .map(|i| format!("p{i}"))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            ),
            ..c()
        },
        fails_on("invalid_policy", "permissions"),
    );
    add(
        "jti-empty",
        "an empty jti",
        None,
        SECRET,
        None,
        Claims {
            jti: Some(""),
            ..c()
        },
        fails_on("invalid_policy", "jti"),
    );
    add(
        "too-long",
        "a policy that encodes past 8 KiB",
        None,
        SECRET,
        None,
        Claims {
            handle: Some(&"h".repeat(6200)),
            ..c()
        },
        fails_on("invalid_policy", "policy"),
    );
    // Pseudo-random valid claims from a fixed seed: every language must produce these bytes.
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let calls = [
        "pick",
        "read",
        "stat",
        "write",
        "writeUrl",
        "store",
        "convert",
        "remove",
        "exif",
        "runWorkflow",
    ];
    let words = ["pin", "add", "cat", "ls", "QmA", "Qm B", "é", "-x"];
    for i in 0..12 {
        let expires_in = Some(1 + next(86_400));
        let call: Option<Vec<&str>> =
            (next(2) == 0).then(|| (0..1 + next(4)).map(|_| calls[next(10) as usize]).collect());
        let handle = (next(2) == 0).then(|| format!("h{}-{}", next(1000), words[next(8) as usize]));
        let path = (next(3) == 0).then(|| format!("/u/{}/.*", next(100)));
        let sizes = (next(3) == 0).then(|| {
            let lo = next(100);
            (lo, lo + next(1 << 30))
        });
        let permissions: Option<Vec<String>> = (next(2) == 0).then(|| {
            (0..1 + next(3))
                .map(|_| {
                    let w = words[next(6) as usize];
                    let quoted = if w.contains(' ') {
                        format!("\"{w}\"")
                    } else {
                        w.to_owned()
                    };
                    format!("{} {quoted} [-r] *", words[next(3) as usize])
                })
                .collect()
        });
        let jti = (next(4) == 0).then(|| format!("jti-{}", next(1 << 20)));
        let permissions: Option<Vec<&str>> = permissions
            .as_ref()
            .map(|p| p.iter().map(String::as_str).collect());
        let claims = Claims {
            expires_in,
            call: call.as_deref(),
            handle: handle.as_deref(),
            path: path.as_deref(),
            min_size: sizes.map(|(lo, _)| lo),
            max_size: sizes.map(|(_, hi)| hi),
            permissions: permissions.as_deref(),
            jti: jti.as_deref(),
            ..c()
        };
        add(
            &format!("seeded-{i:02}"),
            "pseudo-random valid claims from a fixed seed",
            None,
            SECRET,
            None,
            claims,
            Passes,
        );
    }
    w
}

// ---------------------------------------------------------------------------------------
// filestack.json
// ---------------------------------------------------------------------------------------

fn filestack_vectors() -> Writer {
    let mut w = Writer::new();
    let mut add = |id: &str, description: &str, policy: Value, secret: &str, expect: Expect| {
        let text = policy.to_string();
        let outcome = filestack::security(&text, secret.as_bytes())
            .map(|c| json!({"policy": c.policy(), "signature": c.signature()}));
        let expected = check(id, &expect, outcome);
        w.push(
            id,
            description,
            json!({"policy": policy, "secret": secret}),
            None,
            expected,
        );
    };
    add(
        "python-expiry",
        "filestack-python 4.0.0: {\"expiry\": 1700000000}",
        json!({"expiry": 1_700_000_000}),
        FILESTACK_PY_SECRET,
        Passes,
    );
    add(
        "python-store-path",
        "filestack-python 4.0.0: call, expiry and a path regex (keys sorted)",
        json!({"path": "^/avatars/[0-9]+/?$", "expiry": 1_700_000_000, "call": ["store"]}),
        FILESTACK_PY_SECRET,
        Passes,
    );
    add(
        "seed-upload",
        "the seed's upload credentials",
        json!({"call": ["pick"], "expiry": 1_700_000_900}),
        "YOUR_APP_SECRET",
        Passes,
    );
    add(
        "unicode",
        "non-ASCII strings are \\u-escaped like json.dumps",
        json!({"expiry": 1_700_000_000, "handle": "café-☕-😀"}),
        FILESTACK_PY_SECRET,
        Passes,
    );
    add(
        "backslashes",
        "regexes with backslashes and quotes",
        json!({"expiry": 1_700_000_000, "url": r#"https://example\.com/"[a-z]+"\d*"#, "path": r"\w+/\.png"}),
        FILESTACK_PY_SECRET,
        Passes,
    );
    add(
        "lists",
        "lists of calls keep their order",
        json!({"expiry": 1_700_000_000, "call": ["store", "pick", "read"], "maxSize": 10, "minSize": 1}),
        FILESTACK_PY_SECRET,
        Passes,
    );
    add(
        "float-expiry",
        "a float expiry (filestack-python 2.x refused it too)",
        json!({"expiry": 1.5}),
        FILESTACK_PY_SECRET,
        fails_on("invalid_policy", "expiry"),
    );
    add(
        "unknown-field",
        "an unknown field",
        json!({"expiry": 1, "calls": ["read"]}),
        FILESTACK_PY_SECRET,
        fails_on("invalid_policy", "calls"),
    );
    add(
        "empty-secret",
        "an empty secret",
        json!({"expiry": 1}),
        "",
        fails("weak_secret"),
    );
    let mut tasks = |id: &str, task: &str, expect: Expect| {
        let outcome =
            filestack::parse_security_task(task).map(|(p, s)| json!({"policy": p, "signature": s}));
        let expected = check(id, &expect, outcome);
        w.push(
            id,
            "a Filestack security URL task",
            json!({"task": task}),
            None,
            expected,
        );
    };
    tasks("task-short", "security=p:eyJ9,s:abc", Passes);
    tasks(
        "task-long-reversed",
        "security=signature:abc,policy:eyJ9",
        Passes,
    );
    tasks("task-bare", "p:eyJ9,s:abc", Passes);
    tasks(
        "task-missing-signature",
        "security=p:eyJ9",
        fails("malformed"),
    );
    tasks(
        "task-repeated",
        "security=p:eyJ9,s:abc,p:eyJ8",
        fails("malformed"),
    );
    tasks("task-unknown", "security=p:eyJ9,x:abc", fails("malformed"));
    w
}

// ---------------------------------------------------------------------------------------
// capability.json: permissions, commands, matching, containment, HTTP mappings
// ---------------------------------------------------------------------------------------

fn capability_vectors() -> Writer {
    let mut w = Writer::new();
    let permission = |w: &mut Writer, id: &str, text: &str, expect: Expect| {
        let outcome = Permission::parse(text).map(|p| json!({"canonical": p.to_string()}));
        let expected = check(id, &expect, outcome);
        w.push(
            &format!("permission-{id}"),
            "parse a permission",
            json!({"kind": "permission", "permission": text}),
            None,
            expected,
        );
    };
    for (id, text) in [
        ("seed-pin", "pin add [-r] *"),
        ("seed-cat", &*format!("cat /ipfs/{CID}")),
        ("seed-swarm", "swarm peers"),
        ("spacing", "  pin   add  "),
        ("quoted", r#"echo "a b" "*" "-r" "" "q\"\\""#),
        ("quoted-path", r#"cat "/my files/*""#),
        ("rest", "files **"),
        ("root", "cat /"),
        (
            "flags",
            r#"get -v --format=json [--timeout=*] [--name="a b"] --star="*""#,
        ),
        ("rest-method", "GET /files"),
        ("segment-wildcard", "cat /ipfs/*/docs"),
        ("unicode", "cat /café/☕"),
        ("tokens-64", &vec!["a"; 64].join(" ")),
        ("len-1024", &"a".repeat(1024)),
    ] {
        permission(&mut w, id, text, Passes);
    }
    for (id, text) in [
        ("rest-not-last", "pin ** x"),
        ("unclosed-quote", r#"cat "abc"#),
        ("bad-escape", r#"cat "a\nb""#),
        ("quote-inside", r#"cat ab"c""#),
        ("no-space-after-quote", r#"cat "a"b"#),
        ("partial-star", "cat Qm*"),
        ("partial-star-path", "cat /ipfs/Qm*"),
        ("empty-segment", "cat /ipfs//x"),
        ("trailing-slash", "cat /ipfs/"),
        ("dot-segment", "cat /ipfs/./x"),
        ("dotdot-segment", "cat /ipfs/../x"),
        ("percent", "cat /ipfs/%2e%2e"),
        ("backslash-path", "cat /a\\b"),
        ("dotdot-literal", "cat QmA/../x"),
        ("bracket-not-flag", "cat [x]"),
        ("bracket-unclosed", "cat [-r"),
        ("flag-empty-value", "cat --a="),
        ("flag-no-name", "cat --"),
        ("flag-bad-name", "cat --a!b"),
        ("flag-triple-dash", "cat ---a"),
        ("flag-twice", "cat -r [-r]"),
        ("flag-partial-star", "cat --a=b*"),
        ("control", "cat\tx"),
        ("nul", "cat \u{0}"),
        ("empty", ""),
        ("blank", "   "),
        ("tokens-65", &vec!["a"; 65].join(" ")),
        ("len-1025", &"a".repeat(1025)),
    ] {
        permission(&mut w, id, text, fails("invalid_permission"));
    }

    let command = |w: &mut Writer, id: &str, text: &str, expect: Expect| {
        let outcome = Command::parse(text).map(|c| json!({"canonical": c.to_string()}));
        let expected = check(id, &expect, outcome);
        w.push(
            &format!("command-{id}"),
            "parse a command",
            json!({"kind": "command", "command": text}),
            None,
            expected,
        );
    };
    for (id, text) in [
        ("pin-add", "pin add -r QmX"),
        ("cat-path", "cat /ipfs/QmA/b.txt"),
        ("quoted", r#"cat "/ipfs/my file" "-r" "*""#),
        ("flags-sorted", "x --b=2 --a=\"x y\" -c"),
        ("url-literal", "get https://example.com/a"),
        ("root", "GET /"),
        ("unicode", "cat /café/☕"),
    ] {
        command(&mut w, id, text, Passes);
    }
    for (id, text) in [
        ("traversal", "cat /ipfs/QmA/../QmB"),
        ("trailing-dotdot", "cat /ipfs/QmA/.."),
        ("dot", "cat /ipfs/./QmA"),
        ("double-slash", "cat /ipfs//QmA"),
        ("trailing-slash", "cat /ipfs/"),
        ("percent", "cat /ipfs/%2e%2e"),
        ("backslash", "cat /ipfs\\QmA"),
        ("literal-traversal", "cat QmA/../x"),
        ("literal-backslash-traversal", "cat ..\\x"),
        ("wildcard", "cat *"),
        ("optional-flag", "pin add [-r] QmX"),
        ("flag-twice", "x -r -r"),
        ("flag-empty", "x --a="),
        ("control", "cat \u{1b}[31m"),
        ("empty", ""),
        ("tokens-65", &vec!["a"; 65].join(" ")),
    ] {
        command(&mut w, id, text, fails("invalid_command"));
    }

    let matches =
        |w: &mut Writer, id: &str, permissions: &[&str], command: &str, want: Option<usize>| {
            let set = PermissionSet::parse(permissions).unwrap();
            let found = set.find(&Command::parse(command).unwrap());
            assert_eq!(found, want, "match-{id}");
            w.push(
                &format!("match-{id}"),
                "first permission allowing a command",
                json!({"kind": "match", "permissions": permissions, "command": command}),
                None,
                json!({"ok": {"matched": found}}),
            );
        };
    let seed = [
        "pin add [-r] *",
        &*format!("cat /ipfs/{CID}"),
        "swarm peers",
    ];
    for (id, cmd, want) in [
        ("seed-pin-add", "pin add QmX", Some(0)),
        ("seed-pin-add-r", "pin add -r QmX", Some(0)),
        ("seed-pin-add-two", "pin add QmX QmY", None),
        ("seed-pin-rm", "pin rm QmX", None),
        ("seed-pin-add-long-flag", "pin add --recursive QmX", None),
        ("seed-cat", &*format!("cat /ipfs/{CID}"), Some(1)),
        (
            "seed-cat-beneath",
            &*format!("cat /ipfs/{CID}/a/b"),
            Some(1),
        ),
        ("seed-cat-prefix", &*format!("cat /ipfs/{CID}x"), None),
        ("seed-cat-literal", &*format!("cat {CID}"), None),
        ("seed-swarm", "swarm peers", Some(2)),
        ("seed-swarm-flag", "swarm peers -v", None),
    ] {
        matches(&mut w, id, &seed, cmd, want);
    }
    for (id, perms, cmd, want) in [
        ("get-files", &["GET /files"][..], "GET /files/abc", Some(0)),
        (
            "get-files-other-method",
            &["GET /files"][..],
            "POST /files/abc",
            None,
        ),
        ("rest-empty", &["files **"][..], "files", Some(0)),
        ("rest-many", &["files **"][..], "files a b c", Some(0)),
        ("star-path", &["cat *"][..], "cat /any/where", Some(0)),
        (
            "segment-star",
            &["cat /ipfs/*/docs"][..],
            "cat /ipfs/QmA/docs/x",
            Some(0),
        ),
        (
            "segment-star-short",
            &["cat /ipfs/*/docs"][..],
            "cat /ipfs/QmA",
            None,
        ),
        ("flag-any-value", &["get [--t=*]"][..], "get --t=5", Some(0)),
        (
            "flag-any-needs-value",
            &["get [--t=*]"][..],
            "get --t",
            None,
        ),
        ("flag-required", &["get --f=json"][..], "get", None),
        ("flag-extra", &["get [--t=*]"][..], "get --x", None),
        ("quoted-star", &[r#"echo "*""#][..], r#"echo "*""#, Some(0)),
        ("quoted-star-literal", &[r#"echo "*""#][..], "echo x", None),
        ("first-wins", &["pin *", "pin ls"][..], "pin ls", Some(0)),
    ] {
        matches(&mut w, id, perms, cmd, want);
    }

    let covers = |w: &mut Writer, id: &str, a: &[&str], b: &[&str], want: bool| {
        let got = covers_all(
            &PermissionSet::parse(a).unwrap(),
            &PermissionSet::parse(b).unwrap(),
        );
        assert_eq!(got, want, "covers-{id}");
        w.push(
            &format!("covers-{id}"),
            "containment: every command b allows, a allows",
            json!({"kind": "covers", "a": a, "b": b}),
            None,
            json!({"ok": {"covers": got}}),
        );
    };
    for (id, a, b, want) in [
        (
            "same",
            &["pin add [-r] *"][..],
            &["pin add [-r] *"][..],
            true,
        ),
        (
            "narrower-literal",
            &["pin add [-r] *"],
            &["pin add QmX"],
            true,
        ),
        (
            "wider-literal",
            &["pin add QmX"],
            &["pin add [-r] *"],
            false,
        ),
        (
            "optional-vs-required",
            &["pin add [-r] *"],
            &["pin add -r *"],
            true,
        ),
        (
            "required-vs-optional",
            &["pin add -r *"],
            &["pin add [-r] *"],
            false,
        ),
        ("rest-covers-fixed", &["pin **"], &["pin add * *"], true),
        ("rest-not-flags", &["pin **"], &["pin add [-r] *"], false),
        ("fixed-not-rest", &["pin * *"], &["pin **"], false),
        ("path-beneath", &["cat /ipfs"], &["cat /ipfs/QmA"], true),
        ("path-above", &["cat /ipfs/QmA"], &["cat /ipfs"], false),
        ("star-covers-path", &["cat *"], &["cat /ipfs"], true),
        ("path-not-star", &["cat /"], &["cat *"], false),
        ("segment-star", &["cat /ipfs/*"], &["cat /ipfs/QmA/x"], true),
        ("value-any", &["get [--t=*]"], &["get --t=5"], true),
        ("value-exact", &["get [--t=5]"], &["get [--t=*]"], false),
        ("union-flag", &["x", "x -r"], &["x [-r]"], true),
        ("union-lengths", &["ls", "ls * **"], &["ls **"], true),
        ("union-gap", &["ls", "ls * * **"], &["ls **"], false),
        ("union-values", &["x --v=a", "x --v=*"], &["x --v=*"], true),
        (
            "union-values-finite",
            &["x --v=a", "x --v=b"],
            &["x --v=*"],
            false,
        ),
        (
            "set-each",
            &["pin add [-r] *", "cat /ipfs"],
            &["pin add QmX", "cat /ipfs/QmA"],
            true,
        ),
        (
            "set-one-missing",
            &["pin add [-r] *"],
            &["pin add QmX", "pin rm QmX"],
            false,
        ),
        ("empty-b", &["id"], &[], true),
        ("empty-a", &[], &["id"], false),
        (
            "token-create-widen",
            &["token create", "cat /ipfs/QmA"],
            &["cat /ipfs"],
            false,
        ),
        ("flags-only", &["-r"], &["[-r]"], true),
        ("rest-needs-a-cover", &[], &["**"], false),
        ("rest-from-one", &["* **"], &["**"], true),
    ] {
        covers(&mut w, id, a, b, want);
    }

    let mapping = |w: &mut Writer, id: &str, input: Value, expect: Expect| {
        let outcome = match input["mapping"].as_str().unwrap() {
            "rest" => http::rest(
                input["method"].as_str().unwrap(),
                input["target"].as_str().unwrap(),
            ),
            _ => http::rpc(
                input["prefix"].as_str().unwrap(),
                input["target"].as_str().unwrap(),
            ),
        }
        .map(|c| json!({"command": c.to_string()}));
        let expected = check(id, &expect, outcome);
        let mut input = input;
        input["kind"] = json!("http");
        w.push(
            &format!("http-{id}"),
            "an HTTP request as a command",
            input,
            None,
            expected,
        );
    };
    for (id, method, target, expect) in [
        ("rest-get", "GET", "/files/abc", Passes),
        ("rest-query-ignored", "GET", "/files/abc?x=1", Passes),
        ("rest-space", "GET", "/files/a%20b", Passes),
        ("rest-utf8", "PUT", "/files/caf%C3%A9", Passes),
        ("rest-root", "GET", "/", Passes),
        (
            "rest-dotdot",
            "GET",
            "/files/../etc/passwd",
            fails("invalid_command"),
        ),
        (
            "rest-encoded-dotdot",
            "GET",
            "/files/%2e%2e/etc",
            fails("invalid_command"),
        ),
        (
            "rest-double-encoded",
            "GET",
            "/files/%252e%252e/etc",
            fails("invalid_command"),
        ),
        (
            "rest-encoded-slash",
            "GET",
            "/files/a%2fb",
            fails("invalid_command"),
        ),
        (
            "rest-encoded-slash-upper",
            "GET",
            "/files/..%2F..%2Fetc",
            fails("invalid_command"),
        ),
        (
            "rest-double-slash",
            "GET",
            "//files",
            fails("invalid_command"),
        ),
        (
            "rest-trailing-dotdot",
            "GET",
            "/files/..",
            fails("invalid_command"),
        ),
        (
            "rest-trailing-slash",
            "GET",
            "/files/",
            fails("invalid_command"),
        ),
        (
            "rest-backslash",
            "GET",
            "/files/a%5c..%5cb",
            fails("invalid_command"),
        ),
        ("rest-nul", "GET", "/files/%00", fails("invalid_command")),
        (
            "rest-bad-percent",
            "GET",
            "/files/%zz",
            fails("invalid_command"),
        ),
        (
            "rest-not-utf8",
            "GET",
            "/files/%ff",
            fails("invalid_command"),
        ),
        ("rest-relative", "GET", "files", fails("invalid_command")),
        ("rest-bad-method", "G T", "/", fails("invalid_command")),
        // Look-alikes of `.` and `..` that some server or file system honours.
        (
            "rest-dotdot-semicolon",
            "GET",
            "/files/..;/x",
            fails("invalid_command"),
        ),
        (
            "rest-dot-semicolon",
            "GET",
            "/files/.;/",
            fails("invalid_command"),
        ),
        (
            "rest-dotdot-space",
            "GET",
            "/files/..%20/x",
            fails("invalid_command"),
        ),
        (
            "rest-three-dots",
            "GET",
            "/files/.../x",
            fails("invalid_command"),
        ),
        (
            "rest-fullwidth-dots",
            "GET",
            "/files/%EF%BC%8E%EF%BC%8E/x",
            fails("invalid_command"),
        ),
        ("rest-dot-prefix-ok", "GET", "/files/.well-known", Passes),
        (
            "rest-absolute-form",
            "GET",
            "http://127.0.0.1/files/x",
            fails("invalid_command"),
        ),
    ] {
        mapping(
            &mut w,
            id,
            json!({"mapping": "rest", "method": method, "target": target}),
            expect,
        );
    }
    for (id, prefix, target, expect) in [
        (
            "rpc-pin-add",
            "/api/v0",
            "/api/v0/pin/add?arg=QmX&recursive=true",
            Passes,
        ),
        ("rpc-pin-ls", "/api/v0", "/api/v0/pin/ls", Passes),
        (
            "rpc-cat",
            "/api/v0",
            "/api/v0/cat?arg=/ipfs/QmA/b.txt&offset=10",
            Passes,
        ),
        (
            "rpc-encoded-arg",
            "/api/v0",
            "/api/v0/cat?arg=%2Fipfs%2FQmA",
            Passes,
        ),
        ("rpc-plus", "/api/v0", "/api/v0/x?arg=a+b&arg=c", Passes),
        ("rpc-bare-flag", "/api/v0", "/api/v0/x?quiet", Passes),
        ("rpc-false", "/api/v0", "/api/v0/x?recursive=false", Passes),
        ("rpc-dash-arg", "/api/v0", "/api/v0/x?arg=-r", Passes),
        ("rpc-root-prefix", "", "/pin/add?arg=QmX", Passes),
        (
            "rpc-seed-csrf",
            "/api/v0",
            "/api/v0/pin/rm?arg=QmPrecious",
            Passes,
        ),
        (
            "rpc-prefix-only",
            "/api/v0",
            "/api/v0",
            fails("invalid_command"),
        ),
        (
            "rpc-other-prefix",
            "/api/v0",
            "/api/v1/pin/ls",
            fails("invalid_command"),
        ),
        (
            "rpc-prefix-lookalike",
            "/api/v0",
            "/api/v0x/pin",
            fails("invalid_command"),
        ),
        (
            "rpc-empty-segment",
            "/api/v0",
            "/api/v0/pin//ls",
            fails("invalid_command"),
        ),
        (
            "rpc-encoded-slash",
            "/api/v0",
            "/api/v0/pin%2Fls",
            fails("invalid_command"),
        ),
        (
            "rpc-arg-traversal",
            "/api/v0",
            "/api/v0/cat?arg=/ipfs/QmA/../QmB",
            fails("invalid_command"),
        ),
        (
            "rpc-arg-encoded-traversal",
            "/api/v0",
            "/api/v0/cat?arg=%2Fipfs%2F..%2Fx",
            fails("invalid_command"),
        ),
        (
            "rpc-arg-double-encoded",
            "/api/v0",
            "/api/v0/cat?arg=/ipfs/%252e%252e",
            fails("invalid_command"),
        ),
        (
            "rpc-duplicate-flag",
            "/api/v0",
            "/api/v0/x?a=1&a=2",
            fails("invalid_command"),
        ),
        (
            "rpc-control-value",
            "/api/v0",
            "/api/v0/x?a=%0a",
            fails("invalid_command"),
        ),
        (
            "rpc-bad-prefix",
            "/api/v0/",
            "/api/v0/x",
            fails_on("invalid_argument", "prefix"),
        ),
        // Go's ParseBool spellings: true is the bare flag, false the flag's absence.
        (
            "rpc-parsebool-true",
            "/api/v0",
            "/api/v0/pin/add?arg=QmX&recursive=True",
            Passes,
        ),
        (
            "rpc-parsebool-false",
            "/api/v0",
            "/api/v0/pin/add?arg=QmX&recursive=False",
            Passes,
        ),
        (
            "rpc-parsebool-other",
            "/api/v0",
            "/api/v0/pin/add?arg=QmX&recursive=yes",
            Passes,
        ),
        (
            "rpc-repeated-true-false",
            "/api/v0",
            "/api/v0/x?a=true&a=false",
            fails("invalid_command"),
        ),
        (
            "rpc-credentials-not-flags",
            "/api/v0",
            "/api/v0/version?policy=eyJ9&signature=ab",
            Passes,
        ),
        (
            "rpc-arg-dotdot",
            "/api/v0",
            "/api/v0/cat?arg=..",
            fails("invalid_command"),
        ),
        (
            "rpc-arg-dot",
            "/api/v0",
            "/api/v0/cat?arg=.",
            fails("invalid_command"),
        ),
        (
            "rpc-arg-dotdot-semicolon",
            "/api/v0",
            "/api/v0/cat?arg=/ipfs/QmA/..;/QmB",
            fails("invalid_command"),
        ),
    ] {
        mapping(
            &mut w,
            id,
            json!({"mapping": "rpc", "prefix": prefix, "target": target}),
            expect,
        );
    }
    w
}

// ---------------------------------------------------------------------------------------
// attacks.json: the attack-class suite, run by every language
// ---------------------------------------------------------------------------------------

fn attack_vectors() -> Writer {
    let mut w = Writer::new();
    let signer = Signer::new(SECRET).unwrap();
    let base = signer.issue_at(&Claims::default(), NOW).unwrap();
    let (p, s) = (base.policy().to_owned(), base.signature().to_owned());
    let verify = |w: &mut Writer,
                  class: &str,
                  id: &str,
                  description: &str,
                  case: VerifyCase,
                  expect: Expect| {
        let expected = check(id, &expect, case.run(NOW));
        let mut input = case.input();
        compact(&mut input);
        input["kind"] = json!("verify");
        w.push(id, description, input, Some(NOW), expected);
        let last = w.vectors.last_mut().unwrap();
        last["class"] = json!(class);
    };
    let pair = |policy: &str, signature: &str| VerifyCase::pair(SECRET, policy, signature);
    let flip_last = |text: &str| {
        let mut t = text.to_owned();
        let last = t.pop().unwrap();
        t.push(if last == '0' { '1' } else { '0' });
        t
    };
    // Tampering.
    verify(
        &mut w,
        "tampering",
        "tamper-signature-last-digit",
        "the last hex digit changed",
        pair(&p, &flip_last(&s)),
        fails("bad_signature"),
    );
    verify(
        &mut w,
        "tampering",
        "tamper-policy-expiry",
        "a later expiry, original signature",
        pair(&b64(r#"{"expiry":1800000900}"#), &s),
        fails("bad_signature"),
    );
    verify(
        &mut w,
        "tampering",
        "tamper-policy-call",
        "calls added, original signature",
        pair(&b64(r#"{"call":["remove"],"expiry":1700000900}"#), &s),
        fails("bad_signature"),
    );
    verify(
        &mut w,
        "tampering",
        "tamper-truncated-policy",
        "the policy cut short: it no longer decodes, refused before the signature",
        pair(&p[..p.len() - 4], &s),
        fails("malformed"),
    );
    // Signature games.
    verify(
        &mut w,
        "signature-games",
        "signature-uppercase",
        "uppercase hex is the same signature",
        pair(&p, &s.to_uppercase()),
        Passes,
    );
    verify(
        &mut w,
        "signature-games",
        "signature-mixed-case",
        "mixed-case hex is the same signature",
        pair(&p, &format!("{}{}", s[..32].to_uppercase(), &s[32..])),
        Passes,
    );
    verify(
        &mut w,
        "signature-games",
        "signature-short",
        "63 digits",
        pair(&p, &s[..63]),
        fails("malformed"),
    );
    verify(
        &mut w,
        "signature-games",
        "signature-long",
        "65 digits",
        pair(&p, &format!("{s}a")),
        fails("malformed"),
    );
    verify(
        &mut w,
        "signature-games",
        "signature-leading-space",
        "a leading space",
        pair(&p, &format!(" {s}")),
        fails("malformed"),
    );
    verify(
        &mut w,
        "signature-games",
        "signature-newline",
        "a trailing newline",
        pair(&p, &format!("{s}\n")),
        fails("malformed"),
    );
    verify(
        &mut w,
        "signature-games",
        "signature-0x",
        "a 0x prefix",
        pair(&p, &format!("0x{}", &s[2..])),
        fails("malformed"),
    );
    verify(
        &mut w,
        "signature-games",
        "signature-fullwidth",
        "full-width digits look like hex",
        pair(&p, &format!("{}１", &s[..63])),
        fails("malformed"),
    );
    verify(
        &mut w,
        "signature-games",
        "signature-zero",
        "all zeros",
        pair(&p, &"0".repeat(64)),
        fails("bad_signature"),
    );
    // Alphabet and padding.
    let std_p = standard(FILESTACK_PY_STORE_POLICY);
    let mut fs_case = VerifyCase::pair(FILESTACK_PY_SECRET, &std_p, FILESTACK_PY_STORE_SIGNATURE);
    fs_case.min_secret_len = Some(15);
    verify(
        &mut w,
        "encoding-games",
        "alphabet-swap",
        "URL-safe signed, standard sent",
        fs_case,
        fails("bad_signature"),
    );
    verify(
        &mut w,
        "encoding-games",
        "padding-added",
        "wrong padding added after signing an unpadded policy: refused as malformed",
        pair(
            &format!("{}==", p.trim_end_matches('=')),
            &dangerous::sign_raw(SECRET.as_bytes(), p.trim_end_matches('=')),
        ),
        fails("malformed"),
    );
    verify(
        &mut w,
        "encoding-games",
        "padding-partial",
        "one `=` of two",
        pair(&p[..p.len() - 1], &s),
        fails("malformed"),
    );
    verify(
        &mut w,
        "encoding-games",
        "percent-encoded-policy",
        "the policy's padding left percent-encoded (`%3D`): not base64",
        {
            let padded = b64(r#"{"expiry":1700000900 }"#);
            assert!(padded.ends_with('='), "the policy must carry padding");
            let signature = dangerous::sign_raw(SECRET.as_bytes(), &padded);
            pair(&padded.replace('=', "%3D"), &signature)
        },
        fails("malformed"),
    );
    // Duplicates and unknown fields.
    for (id, json, field) in [
        (
            "duplicate-expiry-later",
            r#"{"expiry":1700000900,"expiry":9999999999}"#,
            "expiry",
        ),
        (
            "duplicate-expiry-earlier",
            r#"{"expiry":9999999999,"expiry":1700000900}"#,
            "expiry",
        ),
        (
            "duplicate-handle",
            r#"{"expiry":1700000900,"handle":"a","handle":"b"}"#,
            "handle",
        ),
        (
            "duplicate-permissions",
            r#"{"expiry":1700000900,"permissions":["id"],"permissions":["**"]}"#,
            "permissions",
        ),
        (
            "misspelt-calls",
            r#"{"expiry":1700000900,"calls":["read"]}"#,
            "calls",
        ),
        ("misspelt-expires", r#"{"expires":1700000900}"#, "expires"),
        (
            "misspelt-max-size",
            r#"{"expiry":1700000900,"max_size":10}"#,
            "max_size",
        ),
        ("case-Expiry", r#"{"Expiry":1700000900}"#, "Expiry"),
        ("exp-jwt", r#"{"exp":1700000900}"#, "exp"),
    ] {
        verify(
            &mut w,
            "fields",
            id,
            "signed, so it is judged by the rules of §2",
            VerifyCase::signed(SECRET, json),
            fails_on("invalid_policy", field),
        );
    }
    verify(
        &mut w,
        "fields",
        "duplicate-kid",
        "a kid given twice cannot select a key",
        VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"kid":"a","kid":"b"}"#),
        fails("malformed"),
    );
    // Numbers.
    for (id, value, field) in [
        ("expiry-negative", "-1", "expiry"),
        ("expiry-negative-zero-fraction", "-1.0", "expiry"),
        ("expiry-fraction", "1700000900.5", "expiry"),
        ("expiry-tiny-fraction", "1700000900.0000001", "expiry"),
        ("expiry-2-53", "9007199254740992", "expiry"),
        ("expiry-u64-max", "18446744073709551615", "expiry"),
        ("expiry-u64-overflow", "18446744073709551616", "expiry"),
        ("expiry-1e308", "1e308", "expiry"),
        ("expiry-negative-exponent", "17000009005e-1", "expiry"),
        ("expiry-string", "\"1700000900\"", "expiry"),
        ("expiry-array", "[1700000900]", "expiry"),
        ("expiry-object", "{\"at\":1}", "expiry"),
    ] {
        let json = format!(r#"{{"expiry":{value}}}"#);
        verify(
            &mut w,
            "numbers",
            id,
            "expiry that is not an integer in [0, 2^53)",
            VerifyCase::signed(SECRET, &json),
            fails_on("invalid_policy", field),
        );
    }
    for (id, value) in [
        ("nbf-negative", "-5"),
        ("nbf-fraction", "5.5"),
        ("nbf-huge", "1e30"),
        ("nbf-string", "\"5\""),
    ] {
        let json = format!(r#"{{"expiry":1700000900,"nbf":{value}}}"#);
        verify(
            &mut w,
            "numbers",
            id,
            "nbf that is not an integer",
            VerifyCase::signed(SECRET, &json),
            fails_on("invalid_policy", "nbf"),
        );
    }
    verify(
        &mut w,
        "numbers",
        "number-infinity",
        "NaN and Infinity are not JSON",
        VerifyCase::signed(SECRET, r#"{"expiry":Infinity}"#),
        fails("malformed"),
    );
    verify(
        &mut w,
        "numbers",
        "leeway-negative",
        "a negative leeway",
        VerifyCase::pair(SECRET, &p, &s).leeway(-1),
        fails_on("invalid_argument", "leeway"),
    );
    verify(
        &mut w,
        "numbers",
        "leeway-huge",
        "a leeway of a day",
        VerifyCase::pair(SECRET, &p, &s).leeway(86_400),
        fails_on("invalid_argument", "leeway"),
    );
    // kid games.
    let k1 = Signer::builder()
        .secret(SECRET)
        .kid("k1")
        .build()
        .unwrap()
        .issue_at(&Claims::default(), NOW)
        .unwrap();
    let keyed = |keys: Vec<(&'static str, &'static str)>,
                 secret: Option<&'static str>,
                 token: &str| VerifyCase {
        secret,
        keys,
        token: Some(token.to_owned()),
        ..Default::default()
    };
    verify(
        &mut w,
        "kid-games",
        "kid-unknown",
        "a kid the verifier does not hold",
        keyed(vec![("k2", OTHER_SECRET)], Some(SECRET), k1.token()),
        fails("unknown_key"),
    );
    verify(
        &mut w,
        "kid-games",
        "kid-empty",
        "an empty kid",
        VerifyCase {
            keys: vec![("k1", SECRET)],
            ..VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"kid":""}"#)
        },
        fails("unknown_key"),
    );
    verify(
        &mut w,
        "kid-games",
        "kid-other-key",
        "a kid pointing at another key",
        keyed(vec![("k1", OTHER_SECRET), ("k2", SECRET)], None, k1.token()),
        fails("bad_signature"),
    );
    verify(
        &mut w,
        "kid-games",
        "kid-no-fallback",
        "a kid never falls back to the default secret",
        keyed(vec![], Some(SECRET), k1.token()),
        fails("unknown_key"),
    );
    verify(
        &mut w,
        "kid-games",
        "kid-case",
        "kids are case-sensitive",
        keyed(vec![("K1", SECRET)], None, k1.token()),
        fails("unknown_key"),
    );
    verify(
        &mut w,
        "kid-games",
        "kid-null",
        "a null kid",
        VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"kid":null}"#),
        fails("malformed"),
    );
    // Secrets.
    let secret_case = |secret: &'static str| VerifyCase {
        secret: Some(secret),
        token: Some(base.token().to_owned()),
        ..Default::default()
    };
    verify(
        &mut w,
        "secrets",
        "secret-empty",
        "an empty secret",
        secret_case(""),
        fails("weak_secret"),
    );
    verify(
        &mut w,
        "secrets",
        "secret-15-bytes",
        "a 15-byte secret",
        secret_case("fifteen-bytes!!"),
        fails("weak_secret"),
    );
    verify(
        &mut w,
        "secrets",
        "secret-16-bytes-wrong",
        "a 16-byte secret that is not the key",
        secret_case("sixteen-bytes!!!"),
        fails("bad_signature"),
    );
    // Sizes and depth.
    verify(
        &mut w,
        "sizes",
        "policy-1mib",
        "a 1 MiB policy (refused before decoding)",
        pair(&"A".repeat(1 << 20), &s),
        fails("malformed"),
    );
    let deep = format!(r#"{{"x":{}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
    verify(
        &mut w,
        "sizes",
        "json-10000-deep",
        "JSON nested 10,000 deep (over 8 KiB: refused before decoding)",
        pair(&b64(&deep), &s),
        fails("malformed"),
    );
    let deep_small = format!(r#"{{"x":{}{}}}"#, "[".repeat(3000), "]".repeat(3000));
    verify(
        &mut w,
        "sizes",
        "json-3000-deep-signed",
        "signed JSON nested 3,000 deep (refused while decoding, no stack overflow)",
        VerifyCase::signed(SECRET, &deep_small),
        fails("malformed"),
    );
    verify(
        &mut w,
        "sizes",
        "token-1mib",
        "a 1 MiB token",
        VerifyCase {
            secret: Some(SECRET),
            token: Some(format!("{}.{s}", "A".repeat(1 << 20))),
            ..Default::default()
        },
        fails("malformed"),
    );
    // NUL and control bytes.
    verify(
        &mut w,
        "control-bytes",
        "nul-in-policy-string",
        "a NUL in the policy string",
        pair(&format!("{}\u{0}", &p[..p.len() - 4]), &s),
        fails("malformed"),
    );
    verify(
        &mut w,
        "control-bytes",
        "nul-in-handle",
        "an escaped NUL in the handle",
        VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"handle":"abc\u0000"}"#),
        fails_on("invalid_policy", "handle"),
    );
    verify(
        &mut w,
        "control-bytes",
        "raw-newline-in-string",
        "a raw newline inside a JSON string",
        VerifyCase::signed(SECRET, "{\"expiry\":1700000900,\"handle\":\"a\nb\"}"),
        fails("malformed"),
    );
    verify(
        &mut w,
        "control-bytes",
        "escape-in-jti",
        "an escape character in the jti",
        VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"jti":"\u001b[31m"}"#),
        fails_on("invalid_policy", "jti"),
    );
    let caps = signer
        .issue_at(
            &Claims {
                permissions: Some(&["cat /files"]),
                ..Claims::default()
            },
            NOW,
        )
        .unwrap();
    let cmd = |command: &str| VerifyCase {
        secret: Some(SECRET),
        token: Some(caps.token().to_owned()),
        request: Some(json!({"command": command})),
        ..Default::default()
    };
    verify(
        &mut w,
        "control-bytes",
        "nul-in-command",
        "a NUL in a command",
        cmd("cat /files/a\u{0}b"),
        fails("invalid_command"),
    );
    verify(
        &mut w,
        "control-bytes",
        "ansi-in-command",
        "an ANSI escape in a command",
        cmd("cat /files/\u{1b}[2J"),
        fails("invalid_command"),
    );
    // Look-alikes.
    let exact = signer
        .issue_at(
            &Claims {
                call: Some(&["read", "store"]),
                handle: Some("KW9EJhYtS6y48Whm2S6D"),
                path: Some("/uploads/alice/.*"),
                max_size: Some(100),
                ..Claims::default()
            },
            NOW,
        )
        .unwrap();
    let req = |r: Value| VerifyCase {
        secret: Some(SECRET),
        token: Some(exact.token().to_owned()),
        request: Some(r),
        ..Default::default()
    };
    verify(
        &mut w,
        "look-alikes",
        "handle-cyrillic",
        "a Cyrillic letter in the handle",
        req(json!({"call": "read", "handle": "KW9EJhYtS6y48Whm2S6Д"})),
        fails_on("denied", "handle"),
    );
    verify(
        &mut w,
        "look-alikes",
        "handle-fullwidth",
        "a full-width letter in the handle",
        req(json!({"call": "read", "handle": "KW9EJhYtS6y48Whm2S6Ｄ"})),
        fails_on("denied", "handle"),
    );
    verify(
        &mut w,
        "look-alikes",
        "handle-trailing-space",
        "a trailing space in the handle",
        req(json!({"call": "read", "handle": "KW9EJhYtS6y48Whm2S6D "})),
        fails_on("denied", "handle"),
    );
    verify(
        &mut w,
        "look-alikes",
        "path-cyrillic",
        "a Cyrillic letter in the path",
        req(
            json!({"call": "store", "handle": "KW9EJhYtS6y48Whm2S6D", "path": "/uploads/аlice/x", "size": 1}),
        ),
        fails_on("denied", "path"),
    );
    verify(
        &mut w,
        "look-alikes",
        "path-combining",
        "a combining accent in the path",
        req(
            json!({"call": "store", "handle": "KW9EJhYtS6y48Whm2S6D", "path": "/uploads/alice\u{301}/x", "size": 1}),
        ),
        fails_on("denied", "path"),
    );
    verify(
        &mut w,
        "look-alikes",
        "call-case",
        "a call name in the wrong case",
        req(json!({"call": "Read", "handle": "KW9EJhYtS6y48Whm2S6D"})),
        fails_on("denied", "call"),
    );
    // Regexes built to hurt.
    let evil = signer
        .issue_at(
            &Claims {
                call: Some(&["store"]),
                path: Some("(a+)+$"),
                max_size: Some(10),
                ..Claims::default()
            },
            NOW,
        )
        .unwrap();
    verify(
        &mut w,
        "regex",
        "backtracking-input",
        "(a+)+$ against 30,000 a's and a !: linear time, denied",
        VerifyCase {
            secret: Some(SECRET),
            token: Some(evil.token().to_owned()),
            request: Some(
                json!({"call": "store", "path": format!("{}!", "a".repeat(30_000)), "size": 1}),
            ),
            ..Default::default()
        },
        fails_on("denied", "path"),
    );
    verify(
        &mut w,
        "regex",
        "size-blowup",
        "a{1000}{1000} does not compile within bounds",
        VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"path":"a{1000}{1000}"}"#),
        fails_on("invalid_policy", "path"),
    );
    verify(
        &mut w,
        "regex",
        "nested-repetition",
        "((a{100}){100}){100}",
        VerifyCase::signed(
            SECRET,
            r#"{"expiry":1700000900,"path":"((a{100}){100}){100}"}"#,
        ),
        fails_on("invalid_policy", "path"),
    );
    verify(
        &mut w,
        "regex",
        "deep-groups",
        "500 nested groups",
        VerifyCase::signed(
            SECRET,
            &format!(
                r#"{{"expiry":1700000900,"path":"{}a{}"}}"#,
                "(".repeat(500),
                ")".repeat(500)
            ),
        ),
        fails_on("invalid_policy", "path"),
    );
    verify(
        &mut w,
        "regex",
        "anchor-escape",
        "closing the anchoring group early",
        VerifyCase::signed(SECRET, r#"{"expiry":1700000900,"path":"x)|(.*"}"#),
        fails_on("invalid_policy", "path"),
    );
    // Traversal in every encoding.
    let files = signer
        .issue_at(
            &Claims {
                permissions: Some(&["GET /files"]),
                ..Claims::default()
            },
            NOW,
        )
        .unwrap();
    for (id, target) in [
        ("dotdot", "/files/../etc/passwd"),
        ("encoded-dotdot", "/files/%2e%2e/etc/passwd"),
        ("encoded-dotdot-upper", "/files/%2E%2E/etc/passwd"),
        ("mixed-dotdot", "/files/.%2e/etc/passwd"),
        ("double-encoded", "/files/%252e%252e/etc/passwd"),
        ("encoded-slash", "/files/..%2fetc%2fpasswd"),
        ("encoded-backslash", "/files/..%5cetc"),
        ("backslash", "/files/..\\etc"),
        ("overlong-utf8", "/files/%c0%ae%c0%ae/etc"),
        ("trailing-dotdot", "/files/x/.."),
        ("double-slash", "/files//etc"),
        ("nul", "/files/x%00.png"),
    ] {
        let case = VerifyCase {
            secret: Some(SECRET),
            token: Some(files.token().to_owned()),
            request: Some(json!({"rest": ["GET", target]})),
            ..Default::default()
        };
        verify(
            &mut w,
            "traversal",
            &format!("traversal-{id}"),
            target,
            case,
            fails("invalid_command"),
        );
    }
    w
}

// ---------------------------------------------------------------------------------------
// http.json: requests as an adapter sees them, checked against a route
// ---------------------------------------------------------------------------------------

fn http_vectors() -> Writer {
    let mut w = Writer::new();
    let signer = Signer::new(SECRET).unwrap();
    let token = |claims: Claims| signer.issue_at(&claims, NOW).unwrap();
    let mut add = |id: &str, description: &str, route: Value, check: Value, expect: Expect| {
        let input = json!({"secret": SECRET, "route": route, "check": check});
        let outcome = support::verifier(&input).and_then(|v| support::verify(&v, &input, NOW));
        let expected = check_outcome(id, &expect, outcome);
        w.push(id, description, input, Some(NOW), expected);
    };
    let read = token(Claims {
        call: Some(&["read"]),
        handle: Some("KW9EJhYtS6y48Whm2S6D"),
        ..Claims::default()
    });
    let bearer = |c: &capsign::Credentials| json!([format!("Bearer {}", c.token())]);
    let read_route = json!({"call": "read", "fields": true});
    let handle = json!({"handle": "KW9EJhYtS6y48Whm2S6D"});
    add(
        "bearer-read",
        "a read of the handle the policy names, with a bearer token",
        read_route.clone(),
        json!({"method": "GET", "target": "/files/KW9EJhYtS6y48Whm2S6D", "authorization": bearer(&read), "fields": handle}),
        Passes,
    );
    add(
        "no-credentials",
        "a request without credentials: 401 with the bare challenge",
        read_route.clone(),
        json!({"method": "GET", "target": "/files/x", "authorization": [], "fields": handle}),
        fails("missing_credentials"),
    );
    add(
        "other-scheme",
        "another Authorization scheme counts as no credentials",
        read_route.clone(),
        json!({"method": "GET", "target": "/files/x", "authorization": ["Basic dXNlcjpwYXNz"], "fields": handle}),
        fails("missing_credentials"),
    );
    add(
        "authorization-twice",
        "the Authorization header given twice is refused, whichever comes first",
        read_route.clone(),
        json!({"method": "GET", "target": "/files/x", "authorization": [format!("Bearer {}", read.token()), "Bearer x.y"], "fields": handle}),
        fails("malformed"),
    );
    add(
        "query-pair",
        "the Filestack query form",
        read_route.clone(),
        json!({"method": "GET", "target": format!("/files/x?policy={}&signature={}", read.policy(), read.signature()), "authorization": [], "fields": handle}),
        Passes,
    );
    add(
        "header-and-query",
        "credentials in the header and the query at once",
        read_route.clone(),
        json!({"method": "GET", "target": format!("/files/x?policy={}&signature={}", read.policy(), read.signature()), "authorization": bearer(&read), "fields": handle}),
        fails("malformed"),
    );
    add(
        "fields-cannot-set-now",
        "an expired token stays expired whatever the fields hold (`now` is never a request field)",
        read_route.clone(),
        json!({"method": "GET", "target": "/files/x", "authorization": bearer(&signer.issue_at(&Claims { call: Some(&["read"]), expiry: Some(NOW - 10), ..Claims::default() }, NOW - 100).unwrap()), "fields": {"now": 0, "call": "read"}}),
        fails("expired"),
    );
    add(
        "fields-cannot-set-call",
        "a `call` in the fields is not read: the route's call is checked",
        json!({"call": "remove", "fields": true}),
        json!({"method": "GET", "target": "/files/x", "authorization": bearer(&read), "fields": {"call": "read", "handle": "KW9EJhYtS6y48Whm2S6D"}}),
        fails_on("denied", "call"),
    );
    add(
        "storage-path-traversal",
        "a storage path that is not normalized, under a path restriction it would match",
        json!({"call": "pick", "fields": true}),
        json!({"method": "POST", "target": "/files", "authorization": bearer(&token(Claims { call: Some(&["pick"]), path: Some("/uploads/alice/.*"), max_size: Some(1000), ..Claims::default() })), "fields": {"path": "/uploads/alice/../bob/evil.txt", "size": 10}}),
        fails("invalid_command"),
    );
    add(
        "route-names-nothing",
        "a route that names no call and no command is a configuration error",
        json!({}),
        json!({"method": "GET", "target": "/x", "authorization": bearer(&read)}),
        fails_on("invalid_argument", "route"),
    );
    add(
        "route-fields-only",
        "fields alone name no request",
        json!({"fields": true}),
        json!({"method": "GET", "target": "/x", "authorization": bearer(&read), "fields": handle}),
        fails_on("invalid_argument", "route"),
    );
    add(
        "authenticate-only",
        "a route that says it only authenticates admits any genuine, current token",
        json!({"authenticate_only": true}),
        json!({"method": "GET", "target": "/x", "authorization": bearer(&read)}),
        Passes,
    );
    let ipfs = token(Claims {
        permissions: Some(&[
            "add",
            "cat /ipfs/*",
            "pin add [--recursive] *",
            "pin rm [--recursive] *",
            "pin ls [--type=*]",
            "id",
            "version",
        ]),
        ..Claims::default()
    });
    let kubo = json!({"rpc": "/api/v0", "ignore": capsign::http::KUBO_IGNORE});
    for (id, description, target, expect) in [
        (
            "kubo-add",
            "kubo-rpc-client's add",
            "/api/v0/add?stream-channels=true&progress=false",
            Passes,
        ),
        (
            "kubo-pin-add",
            "kubo-rpc-client's pin add",
            "/api/v0/pin/add?recursive=true&stream=true&arg=QmX",
            Passes,
        ),
        (
            "kubo-pin-rm",
            "kubo-rpc-client's pin rm",
            "/api/v0/pin/rm?recursive=true&arg=QmX",
            Passes,
        ),
        (
            "kubo-pin-ls",
            "kubo-rpc-client's pin ls",
            "/api/v0/pin/ls?names=false&stream=true",
            Passes,
        ),
        (
            "kubo-pin-ls-type",
            "pin ls of one type",
            "/api/v0/pin/ls?type=recursive&names=false&stream=true",
            Passes,
        ),
        (
            "kubo-cat",
            "cat of a path",
            "/api/v0/cat?arg=%2Fipfs%2FQmX",
            Passes,
        ),
        (
            "kubo-version-timeout",
            "a per-call timeout",
            "/api/v0/version?timeout=5000ms",
            Passes,
        ),
        (
            "ipfshttpclient-pin-add",
            "ipfshttpclient's pin add (booleans as True)",
            "/api/v0/pin/add?stream-channels=true&recursive=True&arg=QmX",
            Passes,
        ),
        (
            "ipfshttpclient-id",
            "ipfshttpclient's id",
            "/api/v0/id?stream-channels=true",
            Passes,
        ),
        (
            "kubo-swarm-peers",
            "an operation the token does not name",
            "/api/v0/swarm/peers",
            fails_on("denied", "permissions"),
        ),
        (
            "kubo-add-only-hash",
            "add with an option that changes what it does",
            "/api/v0/add?stream-channels=true&only-hash=true",
            fails_on("denied", "permissions"),
        ),
        (
            "kubo-cat-offset",
            "cat with an offset the token does not allow",
            "/api/v0/cat?arg=%2Fipfs%2FQmX&offset=10",
            fails_on("denied", "permissions"),
        ),
    ] {
        add(
            &format!("rpc-{id}"),
            description,
            kubo.clone(),
            json!({"method": "POST", "target": target, "authorization": bearer(&ipfs)}),
            expect,
        );
    }
    add(
        "rpc-query-credentials",
        "query credentials on an RPC route are never flags",
        kubo.clone(),
        json!({"method": "POST", "target": format!("/api/v0/version?policy={}&signature={}", ipfs.policy(), ipfs.signature()), "authorization": []}),
        Passes,
    );
    add(
        "rpc-no-ignore-list",
        "without the preset, an output switch is a flag like any other",
        json!({"rpc": "/api/v0"}),
        json!({"method": "POST", "target": "/api/v0/pin/ls?stream=true", "authorization": bearer(&ipfs)}),
        fails_on("denied", "permissions"),
    );
    add(
        "rpc-arg-dotdot",
        "an `arg` that reads as `..`",
        kubo.clone(),
        json!({"method": "POST", "target": "/api/v0/cat?arg=..", "authorization": bearer(&ipfs)}),
        fails("invalid_command"),
    );
    add(
        "rpc-traversal-without-credentials",
        "credentials are checked before the request is mapped",
        kubo.clone(),
        json!({"method": "POST", "target": "/api/v0/cat?arg=/ipfs/QmX/../QmY", "authorization": []}),
        fails("missing_credentials"),
    );
    add(
        "rest-absolute-form",
        "an absolute-form target cannot be mapped",
        json!({"rest": true}),
        json!({"method": "GET", "target": "http://127.0.0.1/files/x", "authorization": bearer(&ipfs)}),
        fails("invalid_command"),
    );
    add(
        "per-request-command",
        "the application names the command",
        json!({"per_request": true}),
        json!({"method": "POST", "target": "/x", "authorization": bearer(&ipfs), "command": "pin ls --type=all"}),
        Passes,
    );
    let files = token(Claims {
        call: Some(&["read", "convert"]),
        handle: Some("KW9EJhYtS6y48Whm2S6D"),
        ..Claims::default()
    });
    let standard = files.policy().replace('-', "+").replace('_', "/");
    let standard_sig = dangerous::sign_raw(SECRET.as_bytes(), &standard);
    let transform = json!({"call": "convert", "fields": true, "security_task": true});
    add(
        "security-task-transform",
        "filestack-js's transform URL: a security task with long names and a quoted policy",
        transform.clone(),
        json!({"method": "GET", "target": format!("/APIKEY/resize=width:100/security=policy:%22{standard}%22,signature:{standard_sig}/KW9EJhYtS6y48Whm2S6D"), "authorization": [], "fields": handle}),
        Passes,
    );
    add(
        "security-task-download",
        "filestack-js's download URL: signature first",
        json!({"call": "read", "fields": true, "security_task": true}),
        json!({"method": "GET", "target": format!("/APIKEY/security=signature:{},policy:{}/KW9EJhYtS6y48Whm2S6D", files.signature(), files.policy()), "authorization": [], "fields": handle}),
        Passes,
    );
    add(
        "security-task-short-names",
        "filestack-python's short names",
        transform.clone(),
        json!({"method": "GET", "target": format!("/security=p:{},s:{}/KW9EJhYtS6y48Whm2S6D", files.policy(), files.signature()), "authorization": [], "fields": handle}),
        Passes,
    );
    add(
        "security-task-not-opted-in",
        "a route that does not read the path task sees no credentials",
        json!({"call": "convert", "fields": true}),
        json!({"method": "GET", "target": format!("/security=p:{},s:{}/KW9EJhYtS6y48Whm2S6D", files.policy(), files.signature()), "authorization": [], "fields": handle}),
        fails("missing_credentials"),
    );
    add(
        "security-task-and-header",
        "a path task and a bearer token at once",
        transform.clone(),
        json!({"method": "GET", "target": format!("/security=p:{},s:{}/KW9EJhYtS6y48Whm2S6D", files.policy(), files.signature()), "authorization": bearer(&files), "fields": handle}),
        fails("malformed"),
    );
    add(
        "security-task-malformed",
        "a path task without a signature",
        transform,
        json!({"method": "GET", "target": format!("/security=p:{}/KW9EJhYtS6y48Whm2S6D", files.policy()), "authorization": [], "fields": handle}),
        fails("malformed"),
    );
    w
}

/// [`check`] under the name the http cases use.
fn check_outcome(id: &str, expect: &Expect, outcome: Result<Value, Error>) -> Value {
    check(id, expect, outcome)
}

fn render(w: &Writer) -> String {
    let mut text = serde_json::to_string_pretty(&w.vectors).unwrap();
    text.push('\n');
    text
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (check_only, dir) = match args.as_slice() {
        [flag, dir] if flag == "--check" => (true, dir.clone()),
        [dir] => (false, dir.clone()),
        _ => {
            eprintln!("usage: gen_vectors [--check] DIR");
            std::process::exit(2);
        }
    };
    let files = [
        ("verify.json", verify_vectors()),
        ("issue.json", issue_vectors()),
        ("filestack.json", filestack_vectors()),
        ("capability.json", capability_vectors()),
        ("attacks.json", attack_vectors()),
        ("http.json", http_vectors()),
    ];
    let mut stale = Vec::new();
    for (name, writer) in &files {
        let path = Path::new(&dir).join(name);
        let text = render(writer);
        if check_only {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        } else {
            std::fs::write(&path, text).unwrap();
            println!(
                "wrote {} ({} vectors)",
                path.display(),
                writer.vectors.len()
            );
        }
    }
    if !stale.is_empty() {
        eprintln!(
            "vectors out of date: {}\nregenerate with: cargo run -p capsign --example gen_vectors -- tests/vectors",
            stale.join(", ")
        );
        std::process::exit(1);
    }
    if check_only {
        println!("vectors up to date ({} files)", files.len());
    }
}
