//! Generates the cross-language test vectors `tests/vectors/<name>.json` from the cases in
//! `tests/vectors/cases/<name>.json`.
//!
//! A case is data: an input and the outcome it should have. The generator expands the
//! input's vocabulary (below), runs it through the one shared runner (`tests/support`, which
//! `tests/vectors.rs` runs too), fails loudly if the core disagrees with the stated outcome,
//! and records the outcome: the `ok` value, or the error's code, field and position. Strings
//! of 64 KiB or more are written `{"repeat": c, "times": n, "then": rest}`, which every
//! language's runner expands on load.
//!
//! ```text
//! cargo run -p capsign --example gen_vectors -- tests/vectors          # write
//! cargo run -p capsign --example gen_vectors -- --check tests/vectors  # compare
//! ```
//!
//! # Cases
//!
//! Each file is a list of `{"id", "class"?, "description", "now"?, "input", "expect"}`:
//! `class` only in `attacks.json`; without `now` the vector's is `null`; `expect` is `"ok"`,
//! `{"ok": value}` (exactly that value), or `{"error": code, "field"?: name}`.
//!
//! # Vocabulary
//!
//! Anywhere in an input, in place of a string (operands are strings in the same vocabulary):
//!
//! - `"$NAME"`: a constant of [`CONSTANTS`] (also as an object's key); `"$KUBO_IGNORE"` is
//!   the core's list; `$ED_PUBLIC`, `$ED_PEER_ID`, `$ED_JWK`, `$ED_KEY_SET` and
//!   `$ED_OTHER_PUBLIC` are the public forms of the Ed25519 seeds' keys.
//! - `{"json": text}`: `text` in base64, URL-safe and padded as the core emits it;
//!   `"alphabet": "standard"` for `+` and `/`, `"padding": false` without `=`.
//! - `{"sign": secret}`: `dangerous::sign_raw(secret, policy)` over the input's `policy`
//!   (expanded), or over `"over": string`.
//! - `{"token": text, "sign": secret}`: the token `P.S`, `P` being `{"json": text}` and `S`
//!   its signature.
//! - `{"ed25519": seed}`, `{"token": text, "ed25519": seed}`: the same with an Ed25519 key
//!   (its seed as 43 base64url characters): `dangerous::sign_raw_ed25519`.
//! - `{"add_order": signature}`: an Ed25519 signature made non-canonical (the group order
//!   added to its `S`): the same signature to a lax verifier.
//! - `{"concat": [string, …]}`: the strings, joined.
//! - `{"replace": string, "at": i, "with": w}`: tampered: the characters from the `i`-th on
//!   overwritten by `w`.
//! - `{"truncate": string, "drop": n}`: cut short by `n` characters.
//! - `{"upper": string, "chars"?: n}`: in uppercase (its first `n` characters).
//! - `{"repeat": c, "times": n, "then"?: string}`: `c` `n` times, then `string`.
//!
//! Any other object is an object of the input. `tests/vectors/cases/README.md` says the same.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;
use std::path::Path;

use capsign::SigningKey;
use capsign::dangerous::{sign_raw, sign_raw_ed25519};
use serde_json::{Map, Value, json};

#[path = "../tests/support/mod.rs"]
mod support;

/// What `"$NAME"` stands for: the test secrets, and real-world outputs kept verbatim.
const CONSTANTS: [(&str, &str); 9] = [
    // Ed25519 seeds (the public keys and peer IDs below are derived from them).
    ("ED_SEED", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"),
    (
        "ED_OTHER_SEED",
        "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk",
    ),
    ("SECRET", "capsign-test-secret-0123456789"),
    ("OTHER_SECRET", "another-secret-abcdefghijkl"),
    // The example of Filestack's security docs.
    ("FILESTACK_DOCS_SECRET", "Z3IYZSH2UJA7VN3QYFVSVCF7PI"),
    (
        "FILESTACK_DOCS_SIGNATURE",
        "4098f262b9dba23e4766ce127353aaf4f37fde0fd726d164d944e031fd862c18",
    ),
    // filestack-python 4.0.0's output, with a 15-byte secret.
    ("FILESTACK_PY_SECRET", "SECURITY-SECRET"),
    (
        "FILESTACK_PY_EXPIRY_SIGNATURE",
        "2c06ba8bb0e51b8b25e0a3701d9d444399bffcdda956333fec136cefffcf6104",
    ),
    (
        "FILESTACK_PY_STORE_SIGNATURE",
        "d86a388a519c5d21471f0db3b0452e3cc034410913df8c119464f8a066b34fd1",
    ),
];

fn constant(name: &str) -> Value {
    if name == "KUBO_IGNORE" {
        return json!(capsign::http::KUBO_IGNORE);
    }
    // The public forms of `ED_SEED`'s key, and of `ED_OTHER_SEED`'s.
    let public = |seed: &str| {
        let seed = constant(seed);
        SigningKey::from_text(seed.as_str().unwrap())
            .unwrap()
            .public_key()
    };
    match name {
        "ED_PUBLIC" => return json!(public("ED_SEED").to_base64url()),
        "ED_PEER_ID" => return json!(public("ED_SEED").peer_id()),
        "ED_JWK" => return json!(public("ED_SEED").jwk(None)),
        "ED_KEY_SET" => {
            let key = public("ED_SEED");
            return json!(capsign::key_set([(key.peer_id().as_str(), &key)]));
        }
        "ED_OTHER_PUBLIC" => return json!(public("ED_OTHER_SEED").to_base64url()),
        _ => {}
    }
    let (_, value) = CONSTANTS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no constant ${name}"));
    json!(value)
}

/// Base64 of `text`, written here rather than taken from the core.
fn b64(text: &str, standard: bool, padding: bool) -> String {
    b64_bytes(text.as_bytes(), standard, padding)
}

/// Base64 of `bytes`.
fn b64_bytes(bytes: &[u8], standard: bool, padding: bool) -> String {
    const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                let c = URL_SAFE[((n >> (18 - 6 * i)) & 63) as usize] as char;
                out.push(match c {
                    '-' if standard => '+',
                    '_' if standard => '/',
                    c => c,
                });
            } else if padding {
                out.push('=');
            }
        }
    }
    out
}

/// Expands the vocabulary in `v`; `policy` is the input's expanded `policy`.
fn expand(v: &Value, policy: Option<&str>) -> Value {
    let Value::Object(m) = v else {
        return match v {
            Value::String(s) if s.starts_with('$') => constant(&s[1..]),
            Value::Array(items) => items.iter().map(|x| expand(x, policy)).collect(),
            other => other.clone(),
        };
    };
    let s = |k: &str| match expand(&m[k], policy) {
        Value::String(s) => s,
        other => panic!("{k}: {other} is not a string"),
    };
    let n = |k: &str| m[k].as_u64().unwrap_or_else(|| panic!("{k}: not a count")) as usize;
    let is = |op: &str, optional: &[&str]| {
        m.contains_key(op) && m.keys().all(|k| k == op || optional.contains(&k.as_str()))
    };
    let text = if is("json", &["alphabet", "padding"]) {
        let standard = m.get("alphabet") == Some(&json!("standard"));
        b64(
            &s("json"),
            standard,
            m.get("padding") != Some(&json!(false)),
        )
    } else if is("token", &["sign"]) && m.contains_key("sign") {
        let p = b64(&s("token"), false, true);
        format!("{p}.{}", sign_raw(s("sign").as_bytes(), &p))
    } else if is("token", &["ed25519"]) && m.contains_key("ed25519") {
        let p = b64(&s("token"), false, true);
        let key = SigningKey::from_text(&s("ed25519")).unwrap();
        format!("{p}.{}", sign_raw_ed25519(&key, &p))
    } else if is("ed25519", &["over"]) {
        let over = match m.get("over") {
            Some(_) => s("over"),
            None => policy
                .expect("{\"ed25519\"} needs an input policy or \"over\"")
                .into(),
        };
        sign_raw_ed25519(&SigningKey::from_text(&s("ed25519")).unwrap(), &over)
    } else if is("add_order", &[]) {
        add_order(&s("add_order"))
    } else if is("sign", &["over"]) {
        let over = match m.get("over") {
            Some(_) => s("over"),
            None => policy
                .expect("{\"sign\"} needs an input policy or \"over\"")
                .into(),
        };
        sign_raw(s("sign").as_bytes(), &over)
    } else if is("concat", &[]) {
        let parts = m["concat"].as_array().expect("concat: a list");
        parts
            .iter()
            .map(|part| expand(part, policy).as_str().unwrap().to_owned())
            .collect()
    } else if is("replace", &["at", "with"]) {
        let mut chars: Vec<char> = s("replace").chars().collect();
        let with = m["with"].as_str().unwrap();
        let at = n("at");
        chars.splice(at..at + with.chars().count(), with.chars());
        chars.into_iter().collect()
    } else if is("truncate", &["drop"]) {
        let text = s("truncate");
        let keep = text.chars().count() - n("drop");
        text.chars().take(keep).collect()
    } else if is("upper", &["chars"]) {
        let upto = m.get("chars").map_or(usize::MAX, |_| n("chars"));
        let text = s("upper");
        let chars = text.chars().enumerate();
        chars
            .map(|(i, c)| if i < upto { c.to_ascii_uppercase() } else { c })
            .collect()
    } else if is("repeat", &["times", "then"]) && m.contains_key("times") {
        let then = if m.contains_key("then") {
            s("then")
        } else {
            String::new()
        };
        m["repeat"].as_str().unwrap().repeat(n("times")) + &then
    } else {
        // A key may be a constant too (a kid that is a peer ID).
        let key = |k: &String| match k.strip_prefix('$') {
            Some(name) => constant(name).as_str().unwrap().to_owned(),
            None => k.clone(),
        };
        let object = m.iter().map(|(k, x)| (key(k), expand(x, policy)));
        return Value::Object(object.collect());
    };
    Value::String(text)
}

/// An Ed25519 signature (86 base64url characters) with the group order `L` added to its
/// `S` half: non-canonical, and refused by a strict verifier.
fn add_order(signature: &str) -> String {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bits: Vec<u8> = signature
        .bytes()
        .map(|c| A.iter().position(|&a| a == c).unwrap() as u8)
        .collect();
    let mut bytes = Vec::with_capacity(64);
    for chunk in bits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (18 - 6 * i)));
        bytes.extend_from_slice(&n.to_be_bytes()[1..1 + (chunk.len() * 6 / 8)]);
    }
    let mut carry = 0u16;
    for (s, l) in bytes[32..].iter_mut().zip(L) {
        let sum = u16::from(*s) + u16::from(l) + carry;
        *s = sum as u8;
        carry = sum >> 8;
    }
    b64_bytes(&bytes, false, false)
}

/// Checks an outcome against a case's `expect`; what the vector records.
fn check(id: &str, expect: &Value, outcome: Result<Value, capsign::Error>) -> Value {
    let got = support::record(outcome);
    let wrong = || format!("{id}: expected {expect}, got {got}");
    if expect == "ok" {
        assert!(got.get("ok").is_some(), "{}", wrong());
    } else if let Some(ok) = expect.get("ok") {
        assert_eq!(got.get("ok"), Some(ok), "{}", wrong());
    } else {
        let stated: Vec<&String> = expect
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert!(
            expect.get("error").is_some() && stated.iter().all(|k| *k == "error" || *k == "field"),
            "{id}: expect \"ok\", {{\"ok\": value}} or {{\"error\": code, \"field\"?: name}}"
        );
        for key in stated {
            assert_eq!(got.get(key), expect.get(key), "{}", wrong());
        }
    }
    got
}

/// Strings of 64 KiB or more that open with one repeated character are written as
/// `{"repeat": c, "times": n, "then": rest}`.
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

/// The vectors of `tests/vectors/<file>.json`, from its cases.
fn generate(file: &str, cases: &[Value]) -> Vec<Value> {
    let mut ids = BTreeSet::new();
    let keys = ["id", "class", "description", "now", "input", "expect"];
    cases
        .iter()
        .map(|case| {
            let id = case["id"].as_str().expect("every case has an id");
            assert!(ids.insert(id), "{file}: duplicate id {id}");
            for key in case.as_object().unwrap().keys() {
                assert!(keys.contains(&key.as_str()), "{id}: unknown key {key}");
            }
            let policy = case["input"].get("policy").map(|p| expand(p, None));
            let input = expand(&case["input"], policy.as_ref().and_then(Value::as_str));
            let now = case.get("now").map(|n| n.as_u64().expect("now: seconds"));
            let expected = check(id, &case["expect"], support::run(file, &input, now));
            let mut vector = Map::new();
            vector.insert("id".into(), json!(id));
            vector.insert("description".into(), case["description"].clone());
            if let Some(class) = case.get("class") {
                vector.insert("class".into(), class.clone());
            }
            vector.insert("input".into(), input);
            vector.insert("now".into(), json!(now));
            vector.insert("expected".into(), expected);
            let mut vector = Value::Object(vector);
            compact(&mut vector);
            vector
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (check_only, dir) = match args.as_slice() {
        [flag, dir] if flag == "--check" => (true, Path::new(dir)),
        [dir] => (false, Path::new(dir)),
        _ => {
            eprintln!("usage: gen_vectors [--check] DIR");
            std::process::exit(2);
        }
    };
    let mut files: Vec<String> = std::fs::read_dir(dir.join("cases"))
        .unwrap_or_else(|e| panic!("{}/cases: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .collect();
    files.sort();
    let mut known = support::FILES.to_vec();
    known.sort_unstable();
    assert_eq!(files, known, "one case file for each vector file");
    let mut stale = Vec::new();
    for file in &files {
        let cases_path = dir.join("cases").join(format!("{file}.json"));
        let cases = std::fs::read_to_string(&cases_path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Vec<Value>>(&text).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("{}: {e}", cases_path.display()));
        let vectors = generate(file, &cases);
        let mut text = serde_json::to_string_pretty(&vectors).unwrap();
        text.push('\n');
        let path = dir.join(format!("{file}.json"));
        if check_only {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        } else {
            std::fs::write(&path, text).unwrap();
            println!("wrote {} ({} vectors)", path.display(), vectors.len());
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
