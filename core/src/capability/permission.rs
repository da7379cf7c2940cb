//! Permissions: parsing the grammar of `DESIGN.md` §4 into a compiled form, printing it
//! back, and matching commands.
//!
//! - a literal matches the same token exactly;
//! - `*` matches any one positional; `**` matches zero or more and must be last;
//! - a path pattern (starting with `/`) matches that path or anything beneath it, segment
//!   by segment, with `*` matching any one segment;
//! - `-r`, `--name`, `--name=value`, `--name=*` are required flags; in brackets they are
//!   optional; a command flag that no pattern flag allows denies.

use std::fmt;

use super::command::{self, Arg, Command, Flag};
use super::lex::{self, Raw};
use crate::error::{Error, Result};
use crate::limits::{MAX_PERMISSION_LEN, MAX_PERMISSION_TOKENS, MAX_PERMISSIONS};

/// A pattern for one positional token.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Pos {
    /// Exactly this value (never starts with `/`).
    Literal(Box<str>),
    /// Any one positional.
    Any,
    /// This path or anything beneath it.
    Path(Vec<Segment>),
}

/// A pattern for one path segment.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Segment {
    Literal(Box<str>),
    Any,
}

/// What a flag pattern accepts as the flag's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum FlagValue {
    /// No value: `--name`.
    Bare,
    /// Exactly this value: `--name=value`.
    Exact(Box<str>),
    /// Any value (but a value): `--name=*`.
    Any,
}

/// A flag pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FlagPattern {
    pub(crate) name: Box<str>,
    pub(crate) value: FlagValue,
    pub(crate) required: bool,
}

/// One token of a permission, in written order (for printing).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Part {
    Pos(Pos),
    Rest,
    Flag(FlagPattern),
}

/// A compiled permission such as `pin add [-r] *`.
#[derive(Clone, Debug)]
pub struct Permission {
    source: Box<str>,
    parts: Vec<Part>,
    /// Positional patterns in order (without the trailing `**`).
    pub(crate) positionals: Vec<Pos>,
    /// Whether a trailing `**` accepts further positionals.
    pub(crate) rest: bool,
    /// Flag patterns sorted by name, names unique.
    pub(crate) flags: Vec<FlagPattern>,
}

impl PartialEq for Permission {
    /// Structural equality: the same tokens in the same order, however they were spaced or
    /// quoted.
    fn eq(&self, other: &Self) -> bool {
        self.parts == other.parts
    }
}

impl Eq for Permission {}

impl Permission {
    /// Parses one permission. Errors are `invalid_permission` with the byte offset.
    pub fn parse(text: &str) -> Result<Permission> {
        if text.len() > MAX_PERMISSION_LEN {
            return Err(Error::permission(
                MAX_PERMISSION_LEN,
                format!("longer than {MAX_PERMISSION_LEN} bytes"),
            ));
        }
        let tokens = lex::lex(text, MAX_PERMISSION_TOKENS)
            .map_err(|(at, why)| Error::permission(at, why))?;
        if tokens.is_empty() {
            return Err(Error::permission(0, "the permission is empty"));
        }
        let last = tokens.len() - 1;
        let mut parts = Vec::with_capacity(tokens.len());
        for (i, token) in tokens.into_iter().enumerate() {
            let at = token.at;
            let part = match token.raw {
                Raw::Quoted(value) => Part::Pos(positional(&value, at)?),
                Raw::FlagQuoted {
                    head,
                    value,
                    bracket,
                } => {
                    let name = head.trim_start_matches('[');
                    let name = &name[..name.len() - 1];
                    command::check_flag_name(name).map_err(|why| Error::permission(at, why))?;
                    Part::Flag(FlagPattern {
                        name: name.into(),
                        value: FlagValue::Exact(value.into()),
                        required: !bracket,
                    })
                }
                Raw::Bare("*") => Part::Pos(Pos::Any),
                Raw::Bare("**") if i == last => Part::Rest,
                Raw::Bare("**") => {
                    return Err(Error::permission(at, "`**` must be the last token"));
                }
                Raw::Bare(word) if word.starts_with('[') => {
                    let inner = word
                        .strip_prefix('[')
                        .and_then(|w| w.strip_suffix(']'))
                        .filter(|w| w.starts_with('-'))
                        .ok_or_else(|| {
                            Error::permission(at, "expected an optional flag such as `[-r]`")
                        })?;
                    Part::Flag(flag(inner, false, at + 1)?)
                }
                Raw::Bare(word) if word.starts_with('-') => Part::Flag(flag(word, true, at)?),
                Raw::Bare(word) => {
                    if !word.starts_with('/')
                        && let Some(off) = word.find(['*', '[', ']'])
                    {
                        return Err(Error::permission(
                            at + off,
                            "`*` must be a whole token and `[` `]` enclose optional flags; \
                                 quote the token for a literal",
                        ));
                    }
                    Part::Pos(positional(word, at)?)
                }
            };
            parts.push(part);
        }
        Permission::from_parts(text, parts)
    }

    fn from_parts(source: &str, parts: Vec<Part>) -> Result<Permission> {
        let mut positionals = Vec::new();
        let mut flags = Vec::new();
        let mut rest = false;
        for part in &parts {
            match part {
                Part::Pos(p) => positionals.push(p.clone()),
                Part::Rest => rest = true,
                Part::Flag(f) => flags.push(f.clone()),
            }
        }
        flags.sort_by(|a: &FlagPattern, b: &FlagPattern| a.name.cmp(&b.name));
        if let Some(pair) = flags.windows(2).find(|w| w[0].name == w[1].name) {
            let offset = source.find(pair[0].name.as_ref()).unwrap_or(0);
            return Err(Error::permission(
                offset,
                format!("flag {} appears more than once", pair[0].name),
            ));
        }
        Ok(Permission {
            source: source.into(),
            parts,
            positionals,
            rest,
            flags,
        })
    }

    /// The permission as it was written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether this permission allows `command`.
    pub fn matches(&self, command: &Command) -> bool {
        let args = &command.args;
        let n = self.positionals.len();
        if args.len() < n || (!self.rest && args.len() != n) {
            return false;
        }
        self.positionals
            .iter()
            .zip(args)
            .all(|(pattern, arg)| pos_matches(pattern, arg))
            && flags_match(&self.flags, &command.flags)
    }
}

impl std::str::FromStr for Permission {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Permission::parse(s)
    }
}

impl fmt::Display for Permission {
    /// The canonical text: tokens in written order separated by one space, quoted only
    /// where needed. Parsing it gives an equal permission.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for part in &self.parts {
            if !out.is_empty() {
                out.push(' ');
            }
            match part {
                Part::Rest => out.push_str("**"),
                Part::Pos(Pos::Any) => out.push('*'),
                Part::Pos(Pos::Literal(v)) => {
                    if lex::literal_needs_quotes(v) {
                        lex::write_quoted(&mut out, v);
                    } else {
                        out.push_str(v);
                    }
                }
                Part::Pos(Pos::Path(segments)) => {
                    let mut path = String::from("/");
                    for (i, s) in segments.iter().enumerate() {
                        if i > 0 {
                            path.push('/');
                        }
                        match s {
                            Segment::Any => path.push('*'),
                            Segment::Literal(v) => path.push_str(v),
                        }
                    }
                    if path.contains([' ', '"']) {
                        lex::write_quoted(&mut out, &path);
                    } else {
                        out.push_str(&path);
                    }
                }
                Part::Flag(flag) => {
                    if !flag.required {
                        out.push('[');
                    }
                    match &flag.value {
                        FlagValue::Bare => command::write_flag(&mut out, &flag.name, None),
                        FlagValue::Exact(v) => command::write_flag(&mut out, &flag.name, Some(v)),
                        FlagValue::Any => {
                            out.push_str(&flag.name);
                            out.push_str("=*");
                        }
                    }
                    if !flag.required {
                        out.push(']');
                    }
                }
            }
        }
        f.write_str(&out)
    }
}

/// Parses a positional pattern written quoted or bare (already checked for `*`/brackets
/// when bare).
fn positional(value: &str, at: usize) -> Result<Pos> {
    if value.starts_with('/') {
        return path_pattern(value, at);
    }
    command::check_literal(value).map_err(|why| Error::permission(at, why))?;
    Ok(Pos::Literal(value.into()))
}

/// Parses a path pattern: normalized segments, `*` as a whole segment only.
fn path_pattern(path: &str, at: usize) -> Result<Pos> {
    let mut segments = Vec::new();
    let mut offset = at + 1;
    for segment in command::segments(path) {
        let parsed = match segment {
            "*" => Segment::Any,
            s if s.contains('*') => {
                return Err(Error::permission(
                    offset,
                    "`*` must be a whole path segment",
                ));
            }
            s if s.contains(['[', ']']) => {
                return Err(Error::permission(
                    offset,
                    "`[` and `]` are not allowed in a path pattern",
                ));
            }
            s => {
                command::check_segment(s).map_err(|why| Error::permission(offset, why))?;
                Segment::Literal(s.into())
            }
        };
        segments.push(parsed);
        offset += segment.len() + 1;
    }
    Ok(Pos::Path(segments))
}

/// Parses a bare flag pattern `-r`, `--name`, `--name=value` or `--name=*`.
fn flag(word: &str, required: bool, at: usize) -> Result<FlagPattern> {
    let (name, value) = match word.split_once('=') {
        None => (word, FlagValue::Bare),
        Some((name, "*")) => (name, FlagValue::Any),
        Some((name, "")) => {
            return Err(Error::permission(
                at + name.len(),
                format!("empty value for {name}: write {name}=\"\""),
            ));
        }
        Some((name, value)) => {
            if let Some(off) = value.find(['*', '[', ']']) {
                return Err(Error::permission(
                    at + name.len() + 1 + off,
                    "`*` alone means any value; quote the value for a literal `*`, `[` or `]`",
                ));
            }
            (name, FlagValue::Exact(value.into()))
        }
    };
    command::check_flag_name(name).map_err(|why| Error::permission(at, why))?;
    Ok(FlagPattern {
        name: name.into(),
        value,
        required,
    })
}

fn pos_matches(pattern: &Pos, arg: &Arg) -> bool {
    match (pattern, arg) {
        (Pos::Any, _) => true,
        (Pos::Literal(want), Arg::Literal(got)) => want == got,
        (Pos::Path(pattern), Arg::Path(path)) => {
            let mut segments = command::segments(path);
            pattern.iter().all(|p| match (p, segments.next()) {
                (Segment::Any, Some(_)) => true,
                (Segment::Literal(want), Some(got)) => **want == *got,
                (_, None) => false,
            })
        }
        _ => false,
    }
}

/// Both lists are sorted by name with unique names: a merge walk.
fn flags_match(patterns: &[FlagPattern], flags: &[Flag]) -> bool {
    let mut flags = flags.iter().peekable();
    for pattern in patterns {
        if flags.peek().is_some_and(|f| f.name < pattern.name) {
            return false; // a command flag that no pattern allows
        }
        match flags.next_if(|f| f.name == pattern.name) {
            Some(flag) => {
                let ok = match (&pattern.value, flag.value.as_deref()) {
                    (FlagValue::Bare, None) | (FlagValue::Any, Some(_)) => true,
                    (FlagValue::Exact(want), Some(got)) => **want == *got,
                    _ => false,
                };
                if !ok {
                    return false;
                }
            }
            None if pattern.required => return false,
            None => {}
        }
    }
    flags.next().is_none()
}

/// An ordered set of permissions, as carried by a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionSet {
    permissions: Vec<Permission>,
}

impl PermissionSet {
    /// Parses every permission; the error names the first bad one by index and offset.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<PermissionSet> {
        if items.len() > MAX_PERMISSIONS {
            return Err(Error::permission(
                0,
                format!("{} permissions, more than {MAX_PERMISSIONS}", items.len()),
            ));
        }
        let permissions = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                Permission::parse(item.as_ref()).map_err(|e| match e {
                    Error::InvalidPermission { position, reason } => {
                        Error::permission(position, format!("permission #{i}: {reason}"))
                    }
                    other => other,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(PermissionSet { permissions })
    }

    /// The first permission that allows `command`, by index.
    pub fn find(&self, command: &Command) -> Option<usize> {
        self.permissions.iter().position(|p| p.matches(command))
    }

    /// Whether some permission allows `command`.
    pub fn allows(&self, command: &Command) -> bool {
        self.find(command).is_some()
    }

    /// The permissions, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Permission> {
        self.permissions.iter()
    }

    /// The permission at `index`.
    pub fn get(&self, index: usize) -> Option<&Permission> {
        self.permissions.get(index)
    }

    /// How many permissions the set holds.
    pub fn len(&self) -> usize {
        self.permissions.len()
    }

    /// Whether the set is empty (it then allows no command).
    pub fn is_empty(&self) -> bool {
        self.permissions.is_empty()
    }

    pub(crate) fn as_slice(&self) -> &[Permission] {
        &self.permissions
    }
}

impl<'a> IntoIterator for &'a PermissionSet {
    type Item = &'a Permission;
    type IntoIter = std::slice::Iter<'a, Permission>;

    fn into_iter(self) -> Self::IntoIter {
        self.permissions.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Permission {
        Permission::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn c(text: &str) -> Command {
        Command::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn bad(text: &str) -> usize {
        let err = Permission::parse(text).unwrap_err();
        assert_eq!(err.code(), "invalid_permission", "{text}");
        err.position().unwrap_or(usize::MAX)
    }

    #[test]
    fn design_examples() {
        let pin = p("pin add [-r] *");
        assert!(pin.matches(&c("pin add QmX")));
        assert!(pin.matches(&c("pin add -r QmX")));
        assert!(!pin.matches(&c("pin add QmX QmY")));
        assert!(!pin.matches(&c("pin rm QmX")));
        assert!(!pin.matches(&c("pin add --recursive QmX")));

        let cat = p("cat /ipfs/QmA");
        assert!(cat.matches(&c("cat /ipfs/QmA")));
        assert!(cat.matches(&c("cat /ipfs/QmA/x")));
        assert!(!cat.matches(&c("cat /ipfs/QmAB")));
        assert!(Command::parse("cat /ipfs/QmA/../QmB").is_err());

        let peers = p("swarm peers");
        assert!(peers.matches(&c("swarm peers")));
        assert!(!peers.matches(&c("swarm peers -v")));
        assert!(!peers.matches(&c("swarm peers x")));
        assert!(!peers.matches(&c("swarm")));

        let files = p("GET /files");
        assert!(files.matches(&c("GET /files/abc")));
        assert!(!files.matches(&c("POST /files/abc")));
        assert!(!files.matches(&c("GET /filesx")));
    }

    #[test]
    fn seed_permissions() {
        let cid = "QmQv4YQNmRPuTTHs4AgBhKEFDdN7eQYeTbSmr8JVWVfury";
        let cat = p(&format!("cat /ipfs/{cid}"));
        assert!(cat.matches(&c(&format!("cat /ipfs/{cid}/readme.md"))));
        assert!(!cat.matches(&c("cat /ipfs/QmOther")));
        assert!(
            !cat.matches(&c(&format!("cat {cid}"))),
            "a literal is not a path"
        );
    }

    #[test]
    fn wildcards() {
        let any = p("cat *");
        assert!(any.matches(&c("cat /any/path")));
        assert!(any.matches(&c("cat QmX")));
        assert!(!any.matches(&c("cat")));
        let rest = p("files **");
        assert!(rest.matches(&c("files")));
        assert!(rest.matches(&c("files a b c")));
        assert!(!rest.matches(&c("files a -r")));
        let seg = p("cat /ipfs/*/readme");
        assert!(seg.matches(&c("cat /ipfs/QmA/readme")));
        assert!(seg.matches(&c("cat /ipfs/QmA/readme/x")));
        assert!(!seg.matches(&c("cat /ipfs/QmA/other")));
        assert!(!seg.matches(&c("cat /ipfs/QmA")));
        let root = p("cat /");
        assert!(root.matches(&c("cat /")));
        assert!(root.matches(&c("cat /a/b")));
        assert!(!root.matches(&c("cat a")));
    }

    #[test]
    fn flags() {
        let t = p("get [--timeout=*] --format=json -v");
        assert!(t.matches(&c("get --format=json -v")));
        assert!(t.matches(&c("get --format=json -v --timeout=5s")));
        assert!(!t.matches(&c("get --format=json -v --timeout")));
        assert!(!t.matches(&c("get --format=xml -v")));
        assert!(!t.matches(&c("get -v")));
        assert!(!t.matches(&c("get --format=json -v -x")));
        assert!(!t.matches(&c("get --format=json -v --aaa")));
        assert!(!t.matches(&c("get --format=json -v --zzz")));
        let q = p(r#"x [--name="a b"] --star="*""#);
        assert!(q.matches(&c(r#"x --name="a b" --star="*""#)));
        assert!(!q.matches(&c(r#"x --star=other"#)));
    }

    #[test]
    fn quoted_tokens_are_literals() {
        let q = p(r#"echo "*" "-r" "a b""#);
        assert!(q.matches(&c(r#"echo "*" "-r" "a b""#)));
        assert!(!q.matches(&c(r#"echo x "-r" "a b""#)));
        assert!(!q.matches(&c(r#"echo "*" -r "a b""#)));
    }

    #[test]
    fn grammar_errors_have_positions() {
        assert_eq!(bad("pin ** x"), 4);
        assert_eq!(bad(r#"cat "abc"#), 4);
        assert_eq!(bad("cat a*b"), 5);
        assert_eq!(bad("cat /ipfs/a*"), 10);
        assert_eq!(bad("cat /ipfs//x"), 10);
        assert_eq!(bad("cat /ipfs/../x"), 10);
        assert_eq!(bad("cat [x]"), 4);
        assert_eq!(bad("cat [-r"), 4);
        assert_eq!(bad("cat --a="), 7);
        assert_eq!(bad("cat -r -r"), 4);
        assert_eq!(bad(""), 0);
        assert_eq!(bad("   "), 0);
        assert_eq!(bad("x --=y"), 2);
        assert_eq!(bad("cat /a/%2e"), 7);
        assert!(bad(&"a ".repeat(MAX_PERMISSION_TOKENS + 1)) > 0);
        assert_eq!(bad(&"a".repeat(MAX_PERMISSION_LEN + 1)), MAX_PERMISSION_LEN);
        assert!(Permission::parse(&"a".repeat(MAX_PERMISSION_LEN)).is_ok());
    }

    #[test]
    fn display_is_canonical_and_reparses() {
        for (text, canonical) in [
            ("pin  add [-r]   *", "pin add [-r] *"),
            (r#""cat" "/my dir/*""#, r#"cat "/my dir/*""#),
            (
                r#"x "" "-r" [--a="x y"] --b=*"#,
                r#"x "" "-r" [--a="x y"] --b=*"#,
            ),
            (r#"x --b="*""#, r#"x --b="*""#),
            ("files **", "files **"),
            ("cat /", "cat /"),
        ] {
            let parsed = p(text);
            assert_eq!(parsed.to_string(), canonical, "{text}");
            assert_eq!(p(canonical), parsed, "{text}");
            assert_eq!(parsed.as_str(), text);
        }
    }

    #[test]
    fn sets_find_the_first_match() {
        let set = PermissionSet::parse(&["pin ls", "pin add [-r] *", "pin *"]).unwrap();
        assert_eq!(set.find(&c("pin add QmX")), Some(1));
        assert_eq!(set.find(&c("pin rm")), Some(2));
        assert_eq!(set.find(&c("cat x")), None);
        let err = PermissionSet::parse(&["ok", "bad **  x"]).unwrap_err();
        assert!(err.to_string().contains("permission #1"), "{err}");
        let too_many = vec!["a"; MAX_PERMISSIONS + 1];
        assert!(PermissionSet::parse(&too_many).is_err());
        assert!(PermissionSet::parse(&vec!["a"; MAX_PERMISSIONS]).is_ok());
    }
}
