//! Property tests: signing round trips, tamper evidence, parse/print identity, and the
//! soundness and exactness of containment.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use capsign::{
    Claims, Command, Permission, PermissionSet, Request, Signer, Verifier, covers, covers_all,
};
use proptest::prelude::*;

const SECRET: &[u8] = b"property-test-secret-0123456789";
const NOW: u64 = 1_700_000_000;

/// Cases per property: `default`, or `CAPSIGN_PROPTEST_CASES` for a longer hunt
/// (`CAPSIGN_PROPTEST_CASES=5000 cargo test --release -p capsign --test properties`).
fn cases(default: u32) -> u32 {
    std::env::var("CAPSIGN_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn text_strategy() -> impl Strategy<Value = String> {
    // Printable text including quotes, backslashes, spaces and non-ASCII, no controls.
    proptest::string::string_regex(r#"[a-zA-Z0-9 "\\/._\-é☕😀]{1,24}"#).unwrap()
}

/// Claims with owned fields, so that proptest can generate them.
#[derive(Clone, Debug)]
struct Owned {
    expires_in: u64,
    call: Option<Vec<&'static str>>,
    handle: Option<String>,
    path: Option<String>,
    sizes: Option<(u64, u64)>,
    permissions: Option<Vec<String>>,
    jti: Option<String>,
}

impl Owned {
    fn with<T>(&self, f: impl FnOnce(&Claims<'_>) -> T) -> T {
        let permissions: Option<Vec<&str>> = self
            .permissions
            .as_ref()
            .map(|p| p.iter().map(String::as_str).collect());
        f(&Claims {
            expires_in: Some(self.expires_in),
            call: self.call.as_deref(),
            handle: self.handle.as_deref(),
            path: self.path.as_deref(),
            min_size: self.sizes.map(|(a, b)| a.min(b)),
            max_size: self.sizes.map(|(a, b)| a.max(b)),
            permissions: permissions.as_deref(),
            jti: self.jti.as_deref(),
            ..Claims::default()
        })
    }
}

fn claims_strategy() -> impl Strategy<Value = Owned> {
    let calls = proptest::sample::subsequence(
        vec![
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
        ],
        0..=10,
    );
    (
        1u64..=365 * 86_400,
        proptest::option::of(calls),
        proptest::option::of(text_strategy()),
        proptest::option::of(
            "[a-z/.*+?]{0,12}".prop_filter("compiles", |p| regex::Regex::new(p).is_ok()),
        ),
        proptest::option::of((0u64..1 << 40, 0u64..1 << 40)),
        proptest::option::of(proptest::collection::vec(permission_text(), 0..4)),
        proptest::option::of("[a-zA-Z0-9-]{1,32}"),
    )
        .prop_map(
            |(expires_in, call, handle, path, sizes, permissions, jti)| Owned {
                expires_in,
                call,
                handle,
                path,
                sizes,
                permissions,
                jti,
            },
        )
}

/// Permission text over a small alphabet, so that containment can be checked by brute
/// force: literals `x`, `y`; paths over segments `x`, `y`, `*`; flags `-r` and `--n`.
fn permission_text() -> impl Strategy<Value = String> {
    let positional = prop_oneof![
        Just("x"),
        Just("y"),
        Just("*"),
        Just("/"),
        Just("/x"),
        Just("/*"),
        Just("/x/y"),
        Just("/*/y"),
        Just("/x/*"),
    ];
    let r_flag = prop_oneof![Just(""), Just("-r"), Just("[-r]")];
    let n_flag = prop_oneof![
        Just(""),
        Just("--n"),
        Just("[--n]"),
        Just("--n=v"),
        Just("[--n=v]"),
        Just("--n=*"),
        Just("[--n=*]"),
    ];
    (
        proptest::collection::vec(positional, 0..=2),
        any::<bool>(),
        r_flag,
        n_flag,
    )
        .prop_filter_map("non-empty", |(pos, rest, r, n)| {
            let mut tokens: Vec<&str> = pos;
            for f in [r, n] {
                if !f.is_empty() {
                    tokens.insert(tokens.len() / 2, f);
                }
            }
            if rest {
                tokens.push("**");
            }
            (!tokens.is_empty()).then(|| tokens.join(" "))
        })
}

/// Every command that tells the classes of `permission_text` apart: literals x, y and
/// another; paths to depth two over x, y and another segment; every flag state.
fn universe() -> Vec<Command> {
    let mut tokens: Vec<String> = vec!["x".into(), "y".into(), "z".into(), "/".into()];
    let segments = ["x", "y", "z"];
    for a in segments {
        tokens.push(format!("/{a}"));
        for b in segments {
            tokens.push(format!("/{a}/{b}"));
        }
    }
    let mut positionals: Vec<Vec<String>> = vec![vec![]];
    for len in 1..=3 {
        let mut next = Vec::new();
        for prefix in positionals.iter().filter(|p| p.len() == len - 1) {
            for t in &tokens {
                let mut p = prefix.clone();
                p.push(t.clone());
                next.push(p);
            }
        }
        positionals.extend(next);
    }
    let r_states: [Option<Option<&str>>; 3] = [None, Some(None), Some(Some("w"))];
    let n_states: [Option<Option<&str>>; 4] = [None, Some(None), Some(Some("v")), Some(Some("w"))];
    let mut out = Vec::new();
    for p in &positionals {
        for r in r_states {
            for n in n_states {
                let mut b = Command::builder();
                for t in p {
                    b = b.arg(t);
                }
                for (name, state) in [("-r", r), ("--n", n)] {
                    b = match state {
                        None => b,
                        Some(None) => b.flag(name),
                        Some(Some(v)) => b.flag_value(name, v),
                    };
                }
                if let Ok(c) = b.build() {
                    out.push(c);
                }
            }
        }
    }
    out
}

fn allows(set: &PermissionSet, c: &Command) -> bool {
    set.allows(c)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), ..ProptestConfig::default() })]

    #[test]
    fn issue_then_verify_round_trips(owned in claims_strategy()) {
        let signer = Signer::new(SECRET).unwrap();
        let creds = owned.with(|c| signer.issue_at(c, NOW)).unwrap();
        let grant = Verifier::new(SECRET).unwrap()
            .verify_token_at(creds.token(), &Request::new(), NOW)
            .unwrap();
        prop_assert_eq!(grant.expiry(), NOW + owned.expires_in);
        prop_assert_eq!(grant.policy().handle(), owned.handle.as_deref());
        prop_assert_eq!(grant.policy().jti(), owned.jti.as_deref());
        let perms: Option<Vec<&str>> = grant.permissions().map(|s| s.iter().map(Permission::as_str).collect());
        prop_assert_eq!(perms, owned.permissions.as_ref().map(|p| p.iter().map(String::as_str).collect()));
        // The canonical JSON is what was signed: re-issuing gives the same bytes.
        prop_assert_eq!(owned.with(|c| signer.issue_at(c, NOW)).unwrap(), creds);
    }

    #[test]
    fn any_byte_change_fails(owned in claims_strategy(), at in any::<prop::sample::Index>(), byte in 0x20u8..0x7f) {
        let creds = owned.with(|c| Signer::new(SECRET).unwrap().issue_at(c, NOW)).unwrap();
        let verifier = Verifier::new(SECRET).unwrap();
        let token = creds.token().as_bytes();
        let i = at.index(token.len());
        prop_assume!(token[i] != byte);
        let in_signature = i > creds.policy().len();
        // A hex digit in the other case is the same signature (DESIGN.md §1).
        prop_assume!(!(in_signature && token[i].eq_ignore_ascii_case(&byte)));
        let mut changed = token.to_vec();
        changed[i] = byte;
        let changed = String::from_utf8(changed).unwrap();
        prop_assert!(verifier.verify_token_at(&changed, &Request::new(), NOW).is_err());
    }

    #[test]
    fn permissions_print_and_parse_back(text in permission_text()) {
        let p = Permission::parse(&text).unwrap();
        let printed = p.to_string();
        let again = Permission::parse(&printed).unwrap();
        prop_assert_eq!(&again, &p);
        prop_assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn quoted_literals_print_and_parse_back(words in proptest::collection::vec(text_strategy(), 1..5)) {
        let mut b = Command::builder().arg("echo");
        for w in &words {
            b = b.arg(w.trim_start_matches('/'));
        }
        let Ok(command) = b.build() else { return Ok(()) };
        let printed = command.to_string();
        let again = Command::parse(&printed).unwrap();
        prop_assert_eq!(&again, &command);
        prop_assert_eq!(again.to_string(), printed.clone());
        // A permission made of the same words, quoted as printed, allows exactly it.
        let permission = Permission::parse(&printed).unwrap();
        prop_assert!(permission.matches(&command));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// Soundness and exactness at once, against brute force over a universe that has a
    /// command in every class the patterns can tell apart.
    #[test]
    fn covers_is_exact(a in proptest::collection::vec(permission_text(), 0..4),
                       b in proptest::collection::vec(permission_text(), 1..3)) {
        let (a, b) = (PermissionSet::parse(&a).unwrap(), PermissionSet::parse(&b).unwrap());
        let brute = universe().iter().all(|c| !allows(&b, c) || allows(&a, c));
        prop_assert_eq!(covers_all(&a, &b), brute, "a = {:?}, b = {:?}", a, b);
        if let ([pa], [pb]) = (a.iter().collect::<Vec<_>>().as_slice(), b.iter().collect::<Vec<_>>().as_slice()) {
            prop_assert_eq!(covers(pa, pb), brute);
        }
    }
}

/// Splits a permission into pieces whose union is the same language: an optional flag
/// becomes "absent" and "required", a trailing `**` becomes "nothing more" and "`* **`".
fn split(text: &str) -> Vec<String> {
    let mut pieces = vec![Vec::<String>::new()];
    for token in text.split(' ') {
        let alternatives: Vec<String> =
            if let Some(flag) = token.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                vec![String::new(), flag.to_owned()]
            } else if token == "**" {
                vec![String::new(), "* **".to_owned()]
            } else {
                vec![token.to_owned()]
            };
        pieces = pieces
            .into_iter()
            .flat_map(|p| {
                alternatives.iter().map(move |alt| {
                    let mut p = p.clone();
                    if !alt.is_empty() {
                        p.push(alt.clone());
                    }
                    p
                })
            })
            .collect();
    }
    pieces
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.join(" "))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Unions that cover only together (and the same with a piece missing).
    #[test]
    fn covers_is_exact_on_splits(b in permission_text(), drop in any::<prop::sample::Index>(),
                                 dropping in any::<bool>(), extra in proptest::collection::vec(permission_text(), 0..2)) {
        let mut pieces = split(&b);
        if dropping && pieces.len() > 1 {
            pieces.remove(drop.index(pieces.len()));
        }
        pieces.extend(extra);
        let (a, b) = (PermissionSet::parse(&pieces).unwrap(), PermissionSet::parse(&[b]).unwrap());
        let brute = universe().iter().all(|c| !allows(&b, c) || allows(&a, c));
        prop_assert_eq!(covers_all(&a, &b), brute, "a = {:?}, b = {:?}", a, b);
    }
}

#[test]
fn universe_is_rich_enough() {
    // Sanity: the brute-force universe distinguishes the classes it must.
    let u = universe();
    assert!(u.len() > 10_000);
    let any = PermissionSet::parse(&["* *"]).unwrap();
    assert!(u.iter().any(|c| allows(&any, c)));
}
