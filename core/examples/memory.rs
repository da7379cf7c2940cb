//! Resident memory over 10 million verifications, in Rust.
//!
//! `cargo run --release -p capsign --example memory [-- COUNT]`. Verifies a mix of 10,000
//! distinct genuine tokens (authorized), tampered ones (`bad_signature`) and expired ones
//! (`expired`) through one `Verifier`, and prints the resident set size (VmRSS) at the
//! start, after a warm-up of 1% (caches full), and at the end. Growth after the warm-up
//! is what a leak would show; the caches are bounded (`limits::CACHE_CAPACITY`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use capsign::{Claims, Request, Signer, Verifier};

const SECRET: &str = "memory-check-secret-0123456789";
const NOW: u64 = 1_700_000_000;
const DISTINCT: usize = 10_000;

/// Resident set size in KiB, from /proc/self/status.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .map_or(10_000_000, |n| n.parse().expect("COUNT is a number"));
    let signer = Signer::new(SECRET).unwrap();
    let verifier = Verifier::new(SECRET).unwrap();
    let handles: Vec<String> = (0..DISTINCT).map(|i| format!("handle-{i:05}")).collect();
    let tokens: Vec<String> = handles
        .iter()
        .map(|handle| {
            let claims = Claims {
                call: Some(&["read", "store"]),
                handle: Some(handle),
                path: Some("/uploads/user-42/.*"),
                ..Claims::default()
            };
            signer.issue_at(&claims, NOW).unwrap().token().to_owned()
        })
        .collect();
    let tampered: Vec<String> = tokens
        .iter()
        .map(|t| {
            format!(
                "{}{}",
                &t[..t.len() - 1],
                if t.ends_with('0') { '1' } else { '0' }
            )
        })
        .collect();
    let start = rss_kib();
    let warmup = count / 100;
    let mut warm = start;
    let (mut ok, mut refused) = (0u64, 0u64);
    let began = Instant::now();
    for i in 0..count {
        if i == warmup {
            warm = rss_kib();
        }
        let k = i % DISTINCT;
        let request = Request {
            call: Some("read"),
            handle: Some(&handles[k]),
            path: Some("/uploads/user-42/a.png"),
            ..Request::default()
        };
        let outcome = match i % 10 {
            8 => verifier.verify_token_at(&tampered[k], &request, NOW),
            9 => verifier.verify_token_at(&tokens[k], &request, NOW + 10_000),
            _ => verifier.verify_token_at(&tokens[k], &request, NOW),
        };
        match black_box(outcome) {
            Ok(_) => ok += 1,
            Err(_) => refused += 1,
        }
    }
    let elapsed = began.elapsed();
    let end = rss_kib();
    assert_eq!(
        refused,
        ((count / 10) * 2 + (count % 10).saturating_sub(8)) as u64
    );
    println!(
        "rust: {count} verifications ({ok} granted, {refused} refused) in {:.1} s",
        elapsed.as_secs_f64()
    );
    println!(
        "rust: RSS start {:.1} MiB, after warm-up {:.1} MiB, end {:.1} MiB, growth after warm-up {:+.2} MiB",
        start as f64 / 1024.0,
        warm as f64 / 1024.0,
        end as f64 / 1024.0,
        (end as f64 - warm as f64) / 1024.0
    );
}
