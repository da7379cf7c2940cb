//! Containment cross-checked against matching: whenever `covers_all(a, b)`, every command
//! that `b` allows (among commands built from the permissions' own words), `a` allows.

#![no_main]

use arbitrary::Arbitrary;
use capsign::{Command, PermissionSet, covers_all};
use libfuzzer_sys::fuzz_target;

const WORDS: [&str; 8] = ["x", "y", "/", "/x", "/x/y", "/y", "-r", "--n=v"];
const PATTERNS: [&str; 14] = [
    "x", "y", "*", "/", "/x", "/*", "/x/y", "/*/y", "-r", "[-r]", "--n=v", "[--n=*]", "--n", "**",
];

#[derive(Arbitrary, Debug)]
struct Input {
    a: Vec<Vec<u8>>,
    b: Vec<Vec<u8>>,
    commands: Vec<Vec<u8>>,
}

fn permission(tokens: &[u8]) -> String {
    tokens
        .iter()
        .take(5)
        .map(|t| PATTERNS[usize::from(*t) % PATTERNS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn set(items: &[Vec<u8>]) -> Option<PermissionSet> {
    let texts: Vec<String> = items.iter().take(4).map(|t| permission(t)).collect();
    PermissionSet::parse(&texts).ok()
}

fuzz_target!(|input: Input| {
    let (Some(a), Some(b)) = (set(&input.a), set(&input.b)) else {
        return;
    };
    if !covers_all(&a, &b) {
        return;
    }
    for words in input.commands.iter().take(32) {
        let mut builder = Command::builder();
        for w in words
            .iter()
            .take(5)
            .map(|w| WORDS[usize::from(*w) % WORDS.len()])
        {
            builder = match w.split_once('=') {
                Some((name, value)) => builder.flag_value(name, value),
                None if w.starts_with('-') => builder.flag(w),
                None => builder.arg(w),
            };
        }
        let Ok(command) = builder.build() else {
            continue;
        };
        if b.allows(&command) {
            assert!(
                a.allows(&command),
                "covers({a:?}, {b:?}) but not for {command}"
            );
        }
    }
});
