//! Secret hygiene and shared use: no `Debug` output or error message carries a secret's
//! bytes, and one `Verifier` shared by several threads answers as one thread does.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::sync::Arc;

use capsign::{Claims, Request, Signer, Verifier};
use support::{load, verify};

const SECRET: &str = "an-unforgettable-secret-value-42";
const NOW: u64 = 1_700_000_000;

fn assert_hidden(shown: &str) {
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!shown.contains("unforgettable"), "{shown}");
    // Nor its hex or base64 forms.
    let hex: String = SECRET.bytes().map(|b| format!("{b:02x}")).collect();
    assert!(!shown.contains(&hex[..16]), "{shown}");
    assert!(!shown.contains("YW4tdW5mb3JnZXR0YWJsZ"), "{shown}");
}

#[test]
fn debug_output_never_shows_a_secret() {
    let signer_builder = Signer::builder().secret(SECRET).kid("k1");
    let shown_signer_builder = format!("{signer_builder:?}");
    let signer = signer_builder.build().unwrap();
    let verifier_builder = Verifier::builder()
        .secret(SECRET)
        .key("k1", SECRET)
        .leeway(5);
    let shown_builder = format!("{verifier_builder:?}");
    let verifier = verifier_builder.build().unwrap();
    let creds = signer
        .issue_at(
            &Claims {
                call: Some(&["read"]),
                ..Claims::default()
            },
            NOW,
        )
        .unwrap();
    let grant = verifier
        .verify_token_at(creds.token(), &Request::new(), NOW)
        .unwrap();
    for shown in [
        shown_signer_builder,
        format!("{signer:?} {signer:#?}"),
        shown_builder,
        format!("{verifier:?} {verifier:#?}"),
        format!("{creds:?}"),
        format!("{grant:?}"),
    ] {
        assert_hidden(&shown);
    }
}

#[test]
fn error_messages_never_show_a_secret() {
    let weak = "unforgettable"; // 13 bytes: refused
    let e = Signer::new(weak).unwrap_err();
    assert_eq!(e.code(), "weak_secret");
    assert!(!e.to_string().contains(weak), "{e}");
    assert!(!format!("{e:?}").contains(weak), "{e:?}");
    let e = Verifier::builder().key("k1", weak).build().unwrap_err();
    assert!(!format!("{e} {e:?}").contains(weak), "{e}");

    // Refusals of genuine and forged credentials name no key material.
    let signer = Signer::builder().secret(SECRET).kid("k1").build().unwrap();
    let creds = signer.issue_at(&Claims::default(), NOW).unwrap();
    let other = Verifier::builder()
        .key("k1", "another-secret-0123456789")
        .build()
        .unwrap();
    let unknown = Verifier::new(SECRET).unwrap();
    for e in [
        other
            .verify_token_at(creds.token(), &Request::new(), NOW)
            .unwrap_err(),
        unknown
            .verify_token_at(creds.token(), &Request::new(), NOW)
            .unwrap_err(),
    ] {
        assert_hidden(&format!("{e} {e:?}"));
    }
}

#[test]
fn a_shared_verifier_answers_as_one_thread_does() {
    // Every verify and attack vector with the default secret and no options, through one
    // Verifier shared by four threads, each going through the list many times in its own
    // order (so that its caches fill and are read concurrently).
    let mut vectors: Vec<_> = load("verify.json")
        .into_iter()
        .chain(load("attacks.json"))
        .filter(|v| {
            let i = &v["input"];
            i["secret"] == "capsign-test-secret-0123456789"
                && i.get("keys").is_none()
                && i.get("leeway").is_none()
                && i.get("min_secret_len").is_none()
        })
        .collect();
    vectors.retain(|v| v["now"].as_u64().is_some());
    assert!(vectors.len() > 100, "{}", vectors.len());
    let alone = Verifier::new("capsign-test-secret-0123456789").unwrap();
    let expected: Vec<String> = vectors
        .iter()
        .map(|v| {
            format!(
                "{:?}",
                verify(&alone, &v["input"], v["now"].as_u64().unwrap())
            )
        })
        .collect();
    let shared = Arc::new(Verifier::new("capsign-test-secret-0123456789").unwrap());
    let vectors = Arc::new(vectors);
    let expected = Arc::new(expected);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (shared, vectors, expected) = (
                Arc::clone(&shared),
                Arc::clone(&vectors),
                Arc::clone(&expected),
            );
            std::thread::spawn(move || {
                let n = vectors.len();
                for round in 0..50 {
                    for k in 0..n {
                        // A different order per thread and round: rotated, and
                        // reversed on odd threads.
                        let r = (k + round * 7 + t) % n;
                        let i = if t % 2 == 0 { r } else { n - 1 - r };
                        let v = &vectors[i];
                        let got = verify(&shared, &v["input"], v["now"].as_u64().unwrap());
                        assert_eq!(format!("{got:?}"), expected[i], "{}", v["id"]);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
