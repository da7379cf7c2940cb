//! How long each refusal in `tests/vectors/attacks.json` takes, in Rust.
//!
//! `cargo run --release -p capsign --example refusals`. A program that prints figures, not
//! a test: the target is 1 ms per refusal, and the machine is shared. For each vector the
//! first call (cold: a fresh `Verifier`, nothing cached) and the median of the next 200 are
//! reported; vectors refused by the `Verifier`'s constructor time the constructor.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: usize = 200;
const TARGET: Duration = Duration::from_millis(1);

fn main() {
    let mut rows = Vec::new();
    for v in support::load("attacks.json") {
        let input = &v["input"];
        let now = v["now"].as_u64().unwrap();
        let refused = v["expected"].get("error").is_some();
        let mut times = Vec::with_capacity(RUNS + 1);
        for _ in 0..=RUNS {
            let start = Instant::now();
            let (elapsed, outcome) = match support::verifier(input) {
                // Refused by the constructor: time the constructor.
                Err(e) => (start.elapsed(), Err(e)),
                Ok(verifier) => {
                    let start = Instant::now();
                    let outcome = support::verify(&verifier, input, now);
                    (start.elapsed(), outcome)
                }
            };
            times.push(elapsed);
            assert_eq!(black_box(outcome).is_err(), refused, "{}", v["id"]);
        }
        let cold = times[0];
        let mut warm = times[1..].to_vec();
        warm.sort();
        rows.push((
            v["id"].as_str().unwrap().to_owned(),
            refused,
            cold,
            warm[RUNS / 2],
        ));
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.2.max(row.3)));
    println!(
        "{:<32} {:>8} {:>12} {:>12}",
        "vector", "outcome", "cold", "median"
    );
    for (id, refused, cold, median) in rows.iter().take(10) {
        let outcome = if *refused { "refused" } else { "passed" };
        println!("{id:<32} {outcome:>8} {cold:>12.2?} {median:>12.2?}");
    }
    let refusals: Vec<_> = rows.iter().filter(|row| row.1).collect();
    let over = refusals
        .iter()
        .filter(|row| row.2 > TARGET || row.3 > TARGET)
        .count();
    let slowest = refusals.iter().map(|row| row.2.max(row.3)).max().unwrap();
    println!(
        "rust: {} refusals, slowest {slowest:.2?} (cold or median), {over} over the {TARGET:?} target",
        refusals.len()
    );
}
