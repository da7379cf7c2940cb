use super::*;
use crate::limits::MAX_USES;
use crate::{Claims, Request, Signer, Verifier};

const SECRET: &[u8] = b"store-test-secret-0123456789";
const NOW: u64 = 1_700_000_000;

fn grant(claims: Claims<'_>, issued: u64) -> Grant {
    let signer = Signer::builder().secret(SECRET).kid("k1").build().unwrap();
    let token = signer.issue_at(&claims, issued).unwrap();
    Verifier::builder()
        .key("k1", SECRET)
        .build()
        .unwrap()
        .verify_token_at(token.token(), &Request::new(), issued)
        .unwrap()
}

fn counted(jti: &str, uses: u64) -> Grant {
    grant(
        Claims {
            jti: Some(jti),
            uses: Some(uses),
            expires_in: Some(60),
            ..Claims::default()
        },
        NOW,
    )
}

#[test]
fn the_script_hashes_are_their_sha1() {
    use sha1::{Digest, Sha1};
    for (script, sha1) in [
        (REDIS_CHECK_SCRIPT, REDIS_CHECK_SHA1),
        (REDIS_REVOKE_SCRIPT, REDIS_REVOKE_SHA1),
    ] {
        assert_eq!(hex::encode(Sha1::digest(script.as_bytes())), sha1);
    }
}

#[test]
fn replies_decide_and_anything_else_fails_closed() {
    let g = counted("a", 3);
    let q = Layout::default().question(&g);
    assert_eq!(q.decide(Some("ok")), Ok(()));
    assert_eq!(q.decide(Some("revoked:jti")).unwrap_err().code(), "revoked");
    assert_eq!(q.decide(Some("revoked:kid")).unwrap_err().code(), "revoked");
    assert_eq!(
        q.decide(Some("revoked:before")).unwrap_err().code(),
        "revoked"
    );
    assert_eq!(q.decide(Some("used_up")).unwrap_err().code(), "used_up");
    for reply in [None, Some(""), Some("OK"), Some("1"), Some("ok ")] {
        let e = q.decide(reply).unwrap_err();
        assert_eq!(
            (e.code(), e.http_status()),
            ("unavailable", 503),
            "{reply:?}"
        );
    }
}

#[test]
fn calls_name_the_keys_of_the_layout() {
    let layout = Layout::new("app1:", 30).unwrap();
    let g = counted("t-1", 5);
    let call = layout.check_call(&g);
    assert_eq!(
        call.keys,
        [
            "app1:before",
            "app1:kid:k1",
            "app1:jti:t-1",
            "app1:uses:t-1"
        ]
    );
    assert_eq!(
        call.args,
        ["1700000000", "5", &(NOW + 60 + 30 + 1).to_string(), "1"]
    );
    let plain = grant(Claims::default(), NOW);
    assert_eq!(
        layout.check_call(&plain).keys,
        ["app1:before", "app1:kid:k1"]
    );
    let revoke = layout
        .revoke_call(
            &Revocation::Jti {
                jti: "t-1".into(),
                expiry: NOW,
            },
            NOW,
        )
        .unwrap();
    assert_eq!(revoke.keys, ["app1:jti:t-1"]);
    assert_eq!(revoke.args, ["jti", &(NOW + 31).to_string()]);
    for (prefix, leeway) in [("", 0), ("a b", 0), ("x\n", 0), ("p", -1), ("p", 3601)] {
        assert_eq!(
            Layout::new(prefix, leeway).unwrap_err().code(),
            "invalid_argument"
        );
    }
    assert!(Layout::new(&"p".repeat(MAX_PREFIX_LEN + 1), 0).is_err());
}

#[test]
fn revocations_name_one_thing() {
    let ok = |jti, expiry, kid, before| Revocation::from_options(jti, expiry, kid, before);
    assert!(ok(Some("a"), Some(9), None, None).is_ok());
    assert!(ok(None, None, Some("k"), Some(9)).is_ok());
    assert!(ok(None, None, None, Some(9)).is_ok());
    for bad in [
        ok(Some("a"), None, None, None),
        ok(None, None, None, None),
        ok(Some("a"), Some(1), Some("k"), Some(1)),
        ok(None, None, Some("k"), None),
        ok(None, Some(1), None, None),
        ok(Some(""), Some(1), None, None),
        ok(None, None, Some("k\u{7}"), Some(1)),
        ok(None, None, None, Some(1 << 60)),
    ] {
        assert_eq!(bad.unwrap_err().code(), "invalid_argument");
    }
}

#[test]
fn uses_are_counted_exactly_across_threads() {
    let store = std::sync::Arc::new(MemoryStore::default());
    let g = counted("t", 5);
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (store, g) = (store.clone(), g.clone());
            std::thread::spawn(move || (0..8).filter(|_| store.check_at(&g, NOW).is_ok()).count())
        })
        .collect();
    let allowed: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(allowed, 5);
    assert_eq!(store.check_at(&g, NOW).unwrap_err().code(), "used_up");
    // Another credential has its own counter; one without uses is never counted.
    assert!(store.check_at(&counted("u", 1), NOW).is_ok());
    assert!(store.check_at(&grant(Claims::default(), NOW), NOW).is_ok());
}

#[test]
fn revocations_by_jti_kid_and_time() {
    let store = MemoryStore::new(Layout::new("x", 0).unwrap());
    let old = grant(
        Claims {
            jti: Some("old"),
            ..Claims::default()
        },
        NOW - 100,
    );
    let new = grant(
        Claims {
            jti: Some("new"),
            ..Claims::default()
        },
        NOW,
    );
    assert!(store.check_at(&old, NOW).is_ok());
    store
        .revoke_at(
            &Revocation::Jti {
                jti: "old".into(),
                expiry: old.expiry(),
            },
            NOW,
        )
        .unwrap();
    assert_eq!(store.check_at(&old, NOW).unwrap_err().code(), "revoked");
    assert!(store.check_at(&new, NOW).is_ok());
    store
        .revoke_at(
            &Revocation::Kid {
                kid: "k1".into(),
                before: NOW,
            },
            NOW,
        )
        .unwrap();
    assert!(
        store.check_at(&new, NOW).is_ok(),
        "issued at the time: not before it"
    );
    store
        .revoke_at(&Revocation::Before { before: NOW + 1 }, NOW)
        .unwrap();
    let e = store.check_at(&new, NOW).unwrap_err();
    assert_eq!(
        e.to_string(),
        "every credential issued before the revocation was revoked"
    );
    // An earlier time never undoes a later one.
    store
        .revoke_at(&Revocation::Before { before: 5 }, NOW)
        .unwrap();
    assert!(store.check_at(&new, NOW).is_err());
}

#[test]
fn entries_go_when_their_credentials_expire() {
    let store = MemoryStore::new(Layout::new("x", 0).unwrap());
    let g = counted("short", 2);
    store.check_at(&g, NOW).unwrap();
    store
        .revoke_at(
            &Revocation::Jti {
                jti: "other".into(),
                expiry: NOW + 10,
            },
            NOW,
        )
        .unwrap();
    assert_eq!(store.len(), 2);
    store.sweep_at(NOW + 11);
    assert_eq!(store.len(), 1);
    store.sweep_at(NOW + 61);
    assert!(store.is_empty());
    // Past its expiry the counter starts again only for a credential that is no longer
    // valid anyway (a verifier refuses it as expired first).
    for i in 0..3000 {
        // Each revocation names a credential that expires a second later.
        let t = NOW + 100 + i;
        store
            .revoke_at(
                &Revocation::Jti {
                    jti: format!("j{i}").into(),
                    expiry: t,
                },
                t,
            )
            .unwrap();
    }
    assert!(store.len() <= 2 * 1024, "{}", store.len());
}

#[test]
fn uses_and_iat_are_validated() {
    let signer = Signer::builder().secret(SECRET).build().unwrap();
    let err = |claims: Claims<'_>| signer.issue_at(&claims, NOW).unwrap_err();
    let e = err(Claims {
        uses: Some(3),
        ..Claims::default()
    });
    assert_eq!((e.code(), e.field()), ("invalid_policy", Some("uses")));
    for uses in [0, MAX_USES + 1] {
        let e = err(Claims {
            uses: Some(uses),
            jti: Some("j"),
            ..Claims::default()
        });
        assert_eq!(e.field(), Some("uses"));
    }
    let policy = signer.issue_at(&Claims::default(), NOW).unwrap();
    let v = Verifier::builder().secret(SECRET).build().unwrap();
    let g = v
        .verify_token_at(policy.token(), &Request::new(), NOW)
        .unwrap();
    assert_eq!(g.policy().iat(), Some(NOW));
}

#[test]
fn revocations_that_would_record_nothing_are_refused() {
    let store = MemoryStore::new(Layout::new("x", 0).unwrap());
    let gone = Revocation::Jti {
        jti: "gone".into(),
        expiry: NOW - 1,
    };
    assert_eq!(
        store.revoke_at(&gone, NOW).unwrap_err().field(),
        Some("expiry")
    );
    assert!(
        Layout::default().revoke_call(&gone, NOW).is_ok(),
        "within the leeway"
    );
    let long = "j".repeat(129);
    let e = Revocation::from_options(Some(&long), Some(NOW), None, None).unwrap_err();
    assert_eq!(e.field(), Some("jti"));
    let kid = "k".repeat(65);
    assert!(Revocation::from_options(None, None, Some(&kid), Some(NOW)).is_err());
}

#[test]
fn a_credential_issued_in_the_future_is_not_valid_yet() {
    let mut policy = String::new();
    crate::encoding::base64_encode(
        format!(r#"{{"expiry":{},"iat":{}}}"#, NOW + 900, NOW + 600).as_bytes(),
        &mut policy,
    );
    let token = format!("{policy}.{}", crate::dangerous::sign_raw(SECRET, &policy));
    let v = Verifier::builder().secret(SECRET).build().unwrap();
    let e = v.verify_token_at(&token, &Request::new(), NOW).unwrap_err();
    assert_eq!(e.code(), "not_yet_valid");
    assert!(
        v.verify_token_at(&token, &Request::new(), NOW + 600)
            .is_ok()
    );
}
