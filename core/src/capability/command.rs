//! Request commands: what a request asks to do, as positionals and flags.
//!
//! A command is written like a permission without wildcards (`pin add -r QmX`,
//! `cat /ipfs/QmA/b.txt`) or built field by field. Validation is strict so that a command
//! is either normalized or refused, never matched in a surprising way:
//! - a positional that starts with `/` is a **path**: no empty, `.` or `..` segments, no
//!   backslash, no `%` (percent-encoding must be gone before a path becomes a command);
//! - any other positional containing `/` or `\` may not have `.` or `..` segments;
//! - no control characters anywhere; flag names follow `[A-Za-z0-9_][A-Za-z0-9_.-]*`;
//! - each flag at most once.

use std::fmt;

use super::lex::{self, Raw};
use crate::error::{Error, Result, quote};
use crate::limits::{MAX_COMMAND_LEN, MAX_COMMAND_TOKENS};

/// One positional argument of a command.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Arg {
    /// A value that is not a path.
    Literal(Box<str>),
    /// A normalized absolute path (`/` alone is the root).
    Path(Box<str>),
}

impl Arg {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Arg::Literal(s) | Arg::Path(s) => s,
        }
    }
}

/// Segments of a normalized path (none for the root `/`).
pub(crate) fn segments(path: &str) -> impl Iterator<Item = &str> {
    let rest = &path[1..];
    rest.split('/').filter(move |_| !rest.is_empty())
}

/// One flag of a command: its name with dashes (`-r`, `--recursive`) and its value, if any.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Flag {
    pub(crate) name: Box<str>,
    pub(crate) value: Option<Box<str>>,
}

/// A validated request command. Two commands are equal when they have the same
/// positionals in order and the same flags (flag order does not matter).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Command {
    pub(crate) args: Vec<Arg>,
    /// Sorted by name, names unique.
    pub(crate) flags: Vec<Flag>,
}

impl Command {
    /// Parses a command line such as `pin add -r QmX` or `cat "/ipfs/QmA/my file.txt"`.
    pub fn parse(text: &str) -> Result<Command> {
        if text.len() > MAX_COMMAND_LEN {
            return Err(Error::command(format!(
                "longer than {MAX_COMMAND_LEN} bytes"
            )));
        }
        let tokens = lex::lex(text, MAX_COMMAND_TOKENS)
            .map_err(|(at, why)| Error::command(format!("{why} (at byte {at})")))?;
        let mut builder = CommandBuilder::default();
        for token in tokens {
            let at = token.at;
            let located = |e: Error| match e {
                Error::InvalidCommand { reason } => {
                    Error::command(format!("{reason} (at byte {at})"))
                }
                other => other,
            };
            match token.raw {
                Raw::Quoted(value) => builder.push_arg(&value).map_err(located)?,
                Raw::FlagQuoted {
                    head,
                    value,
                    bracket,
                } => {
                    if bracket {
                        return Err(located(Error::command(
                            "optional flags belong in permissions, not commands",
                        )));
                    }
                    let name = &head[..head.len() - 1];
                    builder.push_flag(name, Some(&value)).map_err(located)?;
                }
                Raw::Bare(word) => {
                    if word.starts_with('[') {
                        return Err(located(Error::command(
                            "optional flags belong in permissions, not commands",
                        )));
                    }
                    if word.contains(['*', '[', ']']) {
                        return Err(located(Error::command(
                            "wildcards belong in permissions; quote the token for a literal `*`, `[` or `]`",
                        )));
                    }
                    if word.starts_with('-') {
                        match word.split_once('=') {
                            Some((name, "")) => {
                                return Err(located(Error::command(format!(
                                    "empty value for {name}: write {name}=\"\""
                                ))));
                            }
                            Some((name, value)) => builder.push_flag(name, Some(value)),
                            None => builder.push_flag(word, None),
                        }
                        .map_err(located)?;
                    } else {
                        builder.push_arg(word).map_err(located)?;
                    }
                }
            }
        }
        builder.build()
    }

    /// Starts a command built field by field (for example from an HTTP request).
    pub fn builder() -> CommandBuilder {
        CommandBuilder::default()
    }

    /// Builds a command from its positionals (in order) and its flags, `(name with
    /// dashes, value)` in any order, as the bindings receive them. Flags are checked in
    /// name order, so the problem reported does not depend on the order given.
    pub fn from_parts<'s>(
        args: impl IntoIterator<Item = &'s str>,
        flags: impl IntoIterator<Item = (&'s str, Option<&'s str>)>,
    ) -> Result<Command> {
        let mut builder = args
            .into_iter()
            .fold(Command::builder(), CommandBuilder::arg);
        let mut flags: Vec<_> = flags.into_iter().collect();
        flags.sort_unstable();
        for (name, value) in flags {
            builder = match value {
                Some(value) => builder.flag_value(name, value),
                None => builder.flag(name),
            };
        }
        builder.build()
    }

    /// The positional arguments, in order.
    pub fn args(&self) -> impl ExactSizeIterator<Item = &str> {
        self.args.iter().map(Arg::as_str)
    }

    /// The flags, sorted by name: `(name with dashes, value)`.
    pub fn flags(&self) -> impl ExactSizeIterator<Item = (&str, Option<&str>)> {
        self.flags
            .iter()
            .map(|f| (f.name.as_ref(), f.value.as_deref()))
    }
}

impl std::str::FromStr for Command {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Command::parse(s)
    }
}

impl fmt::Display for Command {
    /// The canonical text: positionals in order, then flags sorted by name, quoted where
    /// needed so that parsing it gives the same command back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for arg in &self.args {
            if !out.is_empty() {
                out.push(' ');
            }
            match arg {
                Arg::Literal(v) if lex::literal_needs_quotes(v) => lex::write_quoted(&mut out, v),
                Arg::Path(v) if lex::path_needs_quotes(v) => lex::write_quoted(&mut out, v),
                other => out.push_str(other.as_str()),
            }
        }
        for flag in &self.flags {
            if !out.is_empty() {
                out.push(' ');
            }
            write_flag(&mut out, &flag.name, flag.value.as_deref());
        }
        f.write_str(&out)
    }
}

/// Writes `name`, `name=value` or `name="value"`.
pub(crate) fn write_flag(out: &mut String, name: &str, value: Option<&str>) {
    out.push_str(name);
    if let Some(v) = value {
        out.push('=');
        if lex::value_needs_quotes(v) {
            lex::write_quoted(out, v);
        } else {
            out.push_str(v);
        }
    }
}

/// Builds a [`Command`] field by field; the first invalid field is reported by
/// [`CommandBuilder::build`].
#[derive(Clone, Debug, Default)]
pub struct CommandBuilder {
    args: Vec<Arg>,
    flags: Vec<Flag>,
    /// Flags given as false (RPC `name=false`): not part of the command, but a repeat of
    /// the name is still refused.
    absent: Vec<Box<str>>,
    len: usize,
    error: Option<Error>,
}

impl CommandBuilder {
    /// Adds a positional argument; one starting with `/` is a path and must be normalized.
    pub fn arg(mut self, value: &str) -> Self {
        if self.error.is_none()
            && let Err(e) = self.push_arg(value)
        {
            self.error = Some(e);
        }
        self
    }

    /// Adds a flag without a value, named with its dashes (`-r`, `--recursive`).
    pub fn flag(mut self, name: &str) -> Self {
        if self.error.is_none()
            && let Err(e) = self.push_flag(name, None)
        {
            self.error = Some(e);
        }
        self
    }

    /// Adds a flag with a value (`--timeout=5s` is `flag_value("--timeout", "5s")`).
    pub fn flag_value(mut self, name: &str, value: &str) -> Self {
        if self.error.is_none()
            && let Err(e) = self.push_flag(name, Some(value))
        {
            self.error = Some(e);
        }
        self
    }

    /// Names a flag that is given as false: it is not part of the command (a command
    /// without the flag means the same), but the name counts as given, so repeating it is
    /// refused like any repeated flag.
    pub fn absent_flag(mut self, name: &str) -> Self {
        if self.error.is_none() {
            match check_flag_name(name) {
                Ok(()) => self.absent.push(name.into()),
                Err(why) => self.error = Some(Error::command(why)),
            }
        }
        self
    }

    /// The command, or the first problem found.
    pub fn build(mut self) -> Result<Command> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.args.is_empty() && self.flags.is_empty() {
            return Err(Error::command("the command is empty"));
        }
        self.flags.sort();
        let mut names: Vec<&str> = self
            .flags
            .iter()
            .map(|f| f.name.as_ref())
            .chain(self.absent.iter().map(AsRef::as_ref))
            .collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::command(format!(
                "flag {} appears more than once",
                quote(pair[0])
            )));
        }
        Ok(Command {
            args: self.args,
            flags: self.flags,
        })
    }

    fn count(&mut self, len: usize) -> Result<()> {
        self.len += len + 1;
        if self.len > MAX_COMMAND_LEN + 1 {
            return Err(Error::command(format!(
                "longer than {MAX_COMMAND_LEN} bytes"
            )));
        }
        if self.args.len() + self.flags.len() >= MAX_COMMAND_TOKENS {
            return Err(Error::command(format!(
                "more than {MAX_COMMAND_TOKENS} tokens"
            )));
        }
        Ok(())
    }

    pub(crate) fn push_arg(&mut self, value: &str) -> Result<()> {
        self.count(value.len())?;
        no_controls(value)?;
        let arg = if value.starts_with('/') {
            check_path(value).map_err(Error::command)?;
            Arg::Path(value.into())
        } else {
            check_literal(value).map_err(Error::command)?;
            Arg::Literal(value.into())
        };
        self.args.push(arg);
        Ok(())
    }

    pub(crate) fn push_flag(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        self.count(name.len() + value.map_or(0, |v| v.len() + 1))?;
        check_flag_name(name).map_err(Error::command)?;
        if let Some(v) = value {
            no_controls(v)?;
        }
        self.flags.push(Flag {
            name: name.into(),
            value: value.map(Into::into),
        });
        Ok(())
    }
}

fn no_controls(value: &str) -> Result<()> {
    if value.chars().any(char::is_control) {
        return Err(Error::command(format!(
            "{} contains a control character",
            quote(value)
        )));
    }
    Ok(())
}

/// Checks a normalized absolute path. The error says what is wrong.
pub(crate) fn check_path(path: &str) -> std::result::Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("{} is not an absolute path", quote(path)));
    }
    for segment in segments(path) {
        check_segment(segment).map_err(|why| format!("path {}: {why}", quote(path)))?;
    }
    Ok(())
}

/// Checks one path segment.
pub(crate) fn check_segment(segment: &str) -> std::result::Result<(), &'static str> {
    match segment {
        "" => Err("empty segment (`//` or a trailing `/`)"),
        s if dot_like(s) => Err("a segment that reads as `.` or `..`"),
        s if s.contains('\\') => Err("backslash in a path"),
        s if s.contains(SLASHES) => Err("a character read as `/` or `\\` in a path"),
        s if s.contains('%') => Err("percent-encoding left in a path"),
        s if s.chars().any(char::is_control) => Err("control character in a path"),
        _ => Ok(()),
    }
}

/// Characters that Unicode compatibility normalization (NFKC) turns into `/` or `\`: the
/// full-width solidus and reverse solidus, and the small reverse solidus. A server or file
/// system that normalizes would read `．．／x` as `../x`.
pub(crate) const SLASHES: [char; 3] = ['\u{ff0f}', '\u{ff3c}', '\u{fe68}'];

/// Characters that some server or file system reads as `.` (the full stop itself, and the
/// ones Unicode compatibility normalization turns into one or more full stops).
const DOTS: [char; 6] = [
    '.', '\u{2024}', '\u{2025}', '\u{2026}', '\u{fe52}', '\u{ff0e}',
];

/// Whether a segment could be taken for `.` or `..` somewhere: made only of dots once
/// everything from its first `;` is set aside (a path parameter: Tomcat reads `..;x` as
/// `..`) and spaces are ignored (Windows drops trailing dots and spaces). `.`, `..`,
/// `...`, `..;x`, `.;`, `.. ` and `．．` all are; `.a`, `a.` and `;x` are not.
pub(crate) fn dot_like(segment: &str) -> bool {
    let head = segment.split(';').next().unwrap_or_default();
    let mut dots = false;
    for c in head.chars() {
        match c {
            c if DOTS.contains(&c) => dots = true,
            ' ' => {}
            _ => return false,
        }
    }
    dots
}

/// Checks a positional that is not a path: it may not read as `.` or `..` itself, nor
/// have such a piece between `/` or `\` (an application that later treats it as a path
/// must not be walked out of its root).
pub(crate) fn check_literal(value: &str) -> std::result::Result<(), String> {
    let separator = |c: char| c == '/' || c == '\\' || SLASHES.contains(&c);
    if value.split(separator).any(dot_like) {
        return Err(format!("{} has a `.` or `..` segment", quote(value)));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{} contains a control character", quote(value)));
    }
    Ok(())
}

/// Checks a flag name written with its dashes: `-x…` or `--x…`, then
/// `[A-Za-z0-9_][A-Za-z0-9_.-]*`.
pub(crate) fn check_flag_name(name: &str) -> std::result::Result<(), String> {
    let bare = name
        .strip_prefix("--")
        .or_else(|| name.strip_prefix('-'))
        .unwrap_or("");
    let mut chars = bare.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not a flag name (`-x` or `--name`, letters, digits, `_`, `.`, `-`)",
            quote(name)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        Command::parse(text).unwrap().to_string()
    }

    fn refused(text: &str) -> String {
        let err = Command::parse(text).unwrap_err();
        assert_eq!(err.code(), "invalid_command", "{text}");
        err.to_string()
    }

    #[test]
    fn from_parts_is_the_builder_in_flag_name_order() {
        let built = Command::builder()
            .arg("pin")
            .arg("add")
            .flag("-r")
            .flag_value("--timeout", "5s")
            .build()
            .unwrap();
        let parts =
            Command::from_parts(["pin", "add"], [("-r", None), ("--timeout", Some("5s"))]).unwrap();
        assert_eq!(parts, built);
        // Two bad flags: the one first by name is reported, whatever the order given.
        let a = Command::from_parts(["x"], [("-b\n", None), ("-a\n", None)]).unwrap_err();
        let b = Command::from_parts(["x"], [("-a\n", None), ("-b\n", None)]).unwrap_err();
        assert_eq!(a.to_string(), b.to_string());
        assert_eq!(a.code(), "invalid_command");
        assert!(Command::from_parts([], []).is_err());
    }

    #[test]
    fn parses_and_prints_canonically() {
        assert_eq!(canon("pin add -r QmX"), "pin add QmX -r");
        assert_eq!(canon("cat /ipfs/QmA/b.txt"), "cat /ipfs/QmA/b.txt");
        assert_eq!(canon(r#"cat "/ipfs/my file""#), r#"cat "/ipfs/my file""#);
        assert_eq!(canon(r#"x "-r" "*" """#), r#"x "-r" "*" """#);
        assert_eq!(canon(r#"x --b=2 --a="x y" -c"#), r#"x --a="x y" --b=2 -c"#);
        assert_eq!(canon("GET /"), "GET /");
        assert_eq!(
            Command::parse("a -r b").unwrap(),
            Command::parse("a b -r").unwrap()
        );
    }

    #[test]
    fn paths_must_be_normalized() {
        for bad in [
            "cat /ipfs/QmA/../QmB",
            "cat /ipfs/./x",
            "cat /ipfs//x",
            "cat /ipfs/",
            "cat /ipfs/%2e%2e",
            "cat /a\\b",
            "cat /ipfs/..",
            "cat QmA/../x",
            "cat ..\\x",
            // Look-alikes that some server or file system reads as `.` or `..`.
            "cat /a/..;/x",
            "cat /a/.;/x",
            "cat /a/..;jsessionid=1/x",
            r#"cat "/a/.. /x""#,
            r#"cat "/a/. . /x""#,
            "cat /a/.../x",
            "cat /a/\u{ff0e}\u{ff0e}/x",
            "cat /a/\u{2025}/x",
            "cat ..",
            "cat .",
            "cat ...",
            "cat a/..;",
            "cat a\\.;\\b",
        ] {
            refused(bad);
        }
        for fine in [
            "cat /a/.x/b",
            "cat /a/x./b",
            "cat /a/;x/b",
            "cat a.b",
            ".x",
            "cat ;",
        ] {
            assert!(Command::parse(fine).is_ok(), "{fine}");
        }
        assert!(Command::parse("get https://example.com/x").is_ok());
    }

    #[test]
    fn wildcards_and_brackets_are_refused() {
        refused("cat *");
        refused("cat **");
        refused("pin add [-r] x");
        refused("x [--a=\"b\"]");
        refused("cat a*b");
        refused("cat /a/*");
        assert_eq!(canon(r#"cat "/a/*""#), r#"cat "/a/*""#);
    }

    #[test]
    fn flags_are_checked() {
        refused("x -");
        refused("x --");
        refused("x ---a");
        refused("x --a=");
        refused("x -r -r");
        refused("x --a=1 --a=2");
        refused("x --a!b");
        assert_eq!(canon("x --a=\"\""), "x --a=\"\"");
    }

    #[test]
    fn limits() {
        refused("");
        refused("   ");
        let many = vec!["a"; MAX_COMMAND_TOKENS + 1].join(" ");
        assert!(refused(&many).contains("tokens"));
        let ok = vec!["a"; MAX_COMMAND_TOKENS].join(" ");
        assert!(Command::parse(&ok).is_ok());
        let long = format!("cat /{}", "a".repeat(MAX_COMMAND_LEN));
        assert!(refused(&long).contains("bytes"));
        assert!(
            Command::builder()
                .arg(&"a".repeat(MAX_COMMAND_LEN + 1))
                .build()
                .is_err()
        );
    }

    #[test]
    fn control_characters_are_refused() {
        refused("cat a\u{0}b");
        assert!(Command::builder().arg("a\u{7f}").build().is_err());
        assert!(
            Command::builder()
                .flag_value("--a", "x\ny")
                .build()
                .is_err()
        );
    }

    #[test]
    fn builder_matches_parser() {
        let built = Command::builder()
            .arg("pin")
            .arg("add")
            .arg("Qm X")
            .flag("--recursive")
            .build()
            .unwrap();
        assert_eq!(
            built,
            Command::parse(r#"pin add "Qm X" --recursive"#).unwrap()
        );
        assert_eq!(built.to_string(), r#"pin add "Qm X" --recursive"#);
        assert_eq!(built.args().collect::<Vec<_>>(), ["pin", "add", "Qm X"]);
        assert_eq!(built.flags().collect::<Vec<_>>(), [("--recursive", None)]);
    }

    #[test]
    fn errors_say_where() {
        assert!(refused("cat /a/../b").contains("at byte 4"));
    }
}
