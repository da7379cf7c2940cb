//! Sign and verify with the reference policy of the core issue, and the HMAC-SHA256 floor.
//!
//! Run: `cargo bench -p capsign --bench verify`. Figures are recorded in BENCHMARKS.md.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use capsign::{Claims, Request, Signer, SigningKey, Verifier};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};

const SECRET: &[u8] = b"bench-secret-0123456789abcdef";
const NOW: u64 = 1_700_000_000;

fn reference_claims() -> Claims<'static> {
    Claims {
        expiry: Some(NOW + 900),
        call: Some(&["pick", "read", "store"]),
        handle: Some("KW9EJhYtS6y48Whm2S6D"),
        path: Some("/uploads/user-42/.*"),
        max_size: Some(10_485_760),
        ..Claims::default()
    }
}

fn bench(c: &mut Criterion) {
    let signer = Signer::new(SECRET).unwrap();
    let claims = reference_claims();
    let creds = signer.issue_at(&claims, NOW).unwrap();
    let verifier = Verifier::new(SECRET).unwrap();
    let request = Request::new()
        .call("store")
        .handle("KW9EJhYtS6y48Whm2S6D")
        .path("/uploads/user-42/photo.jpg")
        .size(123_456);
    verifier
        .verify_token_at(creds.token(), &request, NOW)
        .expect("the reference request is allowed");

    c.bench_function("sign/reference", |b| {
        b.iter(|| signer.issue_at(black_box(&claims), NOW).unwrap())
    });
    c.bench_function("verify/reference+authorize", |b| {
        b.iter(|| {
            verifier
                .verify_token_at(black_box(creds.token()), black_box(&request), NOW)
                .unwrap()
        })
    });
    c.bench_function("verify/reference (no request)", |b| {
        b.iter(|| {
            verifier
                .verify_token_at(black_box(creds.token()), &Request::new(), NOW)
                .unwrap()
        })
    });
    // Twice the cache capacity of distinct tokens, cycled in order: every call misses the
    // verified-policy cache and does the whole decode and validation.
    let fresh: Vec<String> = (0..2 * capsign::limits::CACHE_CAPACITY as u64)
        .map(|i| {
            let claims = Claims {
                expiry: Some(NOW + 900 + i),
                ..reference_claims()
            };
            signer.issue_at(&claims, NOW).unwrap().token().to_owned()
        })
        .collect();
    let mut next = 0;
    c.bench_function(
        "verify/reference+authorize, fresh token (cache miss)",
        |b| {
            b.iter(|| {
                next = (next + 1) % fresh.len();
                verifier
                    .verify_token_at(black_box(&fresh[next]), black_box(&request), NOW)
                    .unwrap()
            })
        },
    );
    let keyed = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(SECRET).unwrap();
    let policy = creds.policy().as_bytes();
    c.bench_function(
        "floor/hmac-sha256 of the policy (RustCrypto, key precomputed)",
        |b| b.iter(|| keyed.clone().chain_update(black_box(policy)).finalize()),
    );
    ed25519(c, &request);
}

/// The same policy signed with an Ed25519 key: sign, first verification (cache miss),
/// the same token again (cache hit), and the floor (ed25519-dalek's strict verification).
fn ed25519(c: &mut Criterion, request: &Request<'_>) {
    let key = SigningKey::from_seed(&[7; 32]);
    let public = key.public_key();
    let signer = Signer::builder().signing_key(key).build().unwrap();
    let verifier = Verifier::builder()
        .public_key(public.peer_id(), public)
        .build()
        .unwrap();
    let claims = reference_claims();
    c.bench_function("ed25519/sign/reference", |b| {
        b.iter(|| signer.issue_at(black_box(&claims), NOW).unwrap())
    });
    let fresh: Vec<String> = (0..2 * capsign::limits::CACHE_CAPACITY as u64)
        .map(|i| {
            let claims = Claims {
                expiry: Some(NOW + 900 + i),
                ..reference_claims()
            };
            signer.issue_at(&claims, NOW).unwrap().token().to_owned()
        })
        .collect();
    let mut next = 0;
    c.bench_function("ed25519/verify+authorize, fresh token (cache miss)", |b| {
        b.iter(|| {
            next = (next + 1) % fresh.len();
            verifier
                .verify_token_at(black_box(&fresh[next]), black_box(request), NOW)
                .unwrap()
        })
    });
    c.bench_function("ed25519/verify+authorize, same token (cache hit)", |b| {
        b.iter(|| {
            verifier
                .verify_token_at(black_box(&fresh[0]), black_box(request), NOW)
                .unwrap()
        })
    });
    let (policy, signature) = fresh[0].split_once('.').unwrap();
    let signature = {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(signature)
            .unwrap();
        ed25519_dalek::Signature::from_slice(&bytes).unwrap()
    };
    let dalek = ed25519_dalek::VerifyingKey::from_bytes(&public.to_bytes()).unwrap();
    c.bench_function("ed25519/floor: dalek verify_strict of the policy", |b| {
        b.iter(|| dalek.verify_strict(black_box(policy.as_bytes()), black_box(&signature)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
