//! Authorize a command against 1, 10 and 100 permissions; parse a permission.
//!
//! Run: `cargo bench -p capsign --bench capability`. Figures are recorded in BENCHMARKS.md.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use capsign::{Command, Permission, PermissionSet};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// `n` permissions; only the last allows `pin add -r QmX` (the worst case for a scan).
fn permissions(n: usize) -> PermissionSet {
    let mut items: Vec<String> = (0..n - 1)
        .map(|i| match i % 4 {
            0 => format!("op{i} add [-r] *"),
            1 => format!("cat /ipfs/Qm{i}"),
            2 => format!("pin ls{i} [--type=*]"),
            _ => format!("files{i} **"),
        })
        .collect();
    items.push("pin add [-r] *".into());
    PermissionSet::parse(&items).unwrap()
}

fn bench(c: &mut Criterion) {
    let command =
        Command::parse("pin add -r QmQv4YQNmRPuTTHs4AgBhKEFDdN7eQYeTbSmr8JVWVfury").unwrap();
    let mut group = c.benchmark_group("authorize");
    for n in [1, 10, 100] {
        let set = permissions(n);
        assert_eq!(set.find(&command), Some(n - 1));
        group.bench_with_input(BenchmarkId::from_parameter(n), &set, |b, set| {
            b.iter(|| set.find(black_box(&command)))
        });
    }
    group.finish();
    c.bench_function("parse/permission", |b| {
        b.iter(|| Permission::parse(black_box("pin add [-r] [--timeout=*] *")).unwrap())
    });
    c.bench_function("parse/command", |b| {
        b.iter(|| Command::parse(black_box("cat /ipfs/QmA/docs/readme.md --offset=10")).unwrap())
    });
    c.bench_function("http/rpc", |b| {
        b.iter(|| {
            capsign::http::rpc(
                "/api/v0",
                black_box("/api/v0/pin/add?arg=QmQv4YQNmRPuTTHs4AgBhKEFDdN7eQYeTbSmr8JVWVfury&recursive=true"),
            )
            .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
