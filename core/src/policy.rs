//! The policy object (`DESIGN.md` §2): strict parsing, canonical serialization, and the
//! Filestack matching rules.
//!
//! Parsing fails closed: unknown fields, duplicate keys, wrong types, integers outside
//! `[0, 2^53)`, `minSize > maxSize`, unknown call names, regexes that do not compile and
//! permissions that do not parse all make the policy invalid, naming the field.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::cache::Cache;
use crate::capability::{Command, Permission, PermissionSet};
use crate::error::{Error, Result, quote};
use crate::json::{self, ObjectWriter, Style, Value};
use crate::keys::kid_problem;
use crate::limits::{MAX_INTEGER, MAX_JTI_LEN, MAX_PERMISSIONS};
use crate::pattern::Pattern;

/// A Filestack operation that a policy's `call` field can allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Call {
    /// Upload through the picker.
    Pick,
    /// Download a file.
    Read,
    /// Read a file's metadata.
    Stat,
    /// Overwrite a file.
    Write,
    /// Overwrite a file from a URL.
    WriteUrl,
    /// Store a file (from an upload or a URL).
    Store,
    /// Transform a file.
    Convert,
    /// Delete a file.
    Remove,
    /// Read a file's EXIF data; only allowed when listed explicitly.
    Exif,
    /// Run a workflow.
    RunWorkflow,
}

impl Call {
    /// Every call, in the order Filestack documents them.
    pub const ALL: [Call; 10] = [
        Call::Pick,
        Call::Read,
        Call::Stat,
        Call::Write,
        Call::WriteUrl,
        Call::Store,
        Call::Convert,
        Call::Remove,
        Call::Exif,
        Call::RunWorkflow,
    ];

    /// The name used in policies (`writeUrl`, `runWorkflow`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Pick => "pick",
            Call::Read => "read",
            Call::Stat => "stat",
            Call::Write => "write",
            Call::WriteUrl => "writeUrl",
            Call::Store => "store",
            Call::Convert => "convert",
            Call::Remove => "remove",
            Call::Exif => "exif",
            Call::RunWorkflow => "runWorkflow",
        }
    }

    /// The call with this exact name.
    pub fn from_name(name: &str) -> Option<Call> {
        Some(match name {
            "pick" => Call::Pick,
            "read" => Call::Read,
            "stat" => Call::Stat,
            "write" => Call::Write,
            "writeUrl" => Call::WriteUrl,
            "store" => Call::Store,
            "convert" => Call::Convert,
            "remove" => Call::Remove,
            "exif" => Call::Exif,
            "runWorkflow" => Call::RunWorkflow,
            _ => return None,
        })
    }

    /// Whether the call stores a file (`pick`, `store`, `write`, `writeUrl`): such a call
    /// must name every storage restriction the policy has.
    pub fn is_storing(self) -> bool {
        matches!(
            self,
            Call::Pick | Call::Store | Call::Write | Call::WriteUrl
        )
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'a> From<Call> for &'a str {
    fn from(call: Call) -> &'a str {
        call.as_str()
    }
}

/// Parses a list of call names; an unknown one makes the policy invalid.
pub(crate) fn parse_calls<'s>(names: impl IntoIterator<Item = &'s str>) -> Result<Vec<Call>> {
    names
        .into_iter()
        .map(|name| {
            Call::from_name(name).ok_or_else(|| {
                Error::policy(
                    "call",
                    format!(
                        "{} is not a Filestack call (pick read stat write writeUrl store \
                         convert remove exif runWorkflow)",
                        quote(name)
                    ),
                )
            })
        })
        .collect()
}

/// Calls allowed when a policy has neither `call` nor `permissions`: all but `exif`
/// (Filestack's rule).
const DEFAULT_CALLS: u16 = {
    let mut bits = 0;
    let mut i = 0;
    while i < Call::ALL.len() {
        bits |= Call::ALL[i].bit();
        i += 1;
    }
    bits & !Call::Exif.bit()
};

/// The policy fields, in sorted (serialization) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Call,
    Container,
    Expiry,
    Handle,
    Jti,
    Kid,
    MaxSize,
    MinSize,
    Nbf,
    Path,
    Permissions,
    Url,
}

impl Field {
    const COUNT: usize = 12;
    const ALL: [Field; Field::COUNT] = [
        Field::Call,
        Field::Container,
        Field::Expiry,
        Field::Handle,
        Field::Jti,
        Field::Kid,
        Field::MaxSize,
        Field::MinSize,
        Field::Nbf,
        Field::Path,
        Field::Permissions,
        Field::Url,
    ];

    fn name(self) -> &'static str {
        match self {
            Field::Call => "call",
            Field::Container => "container",
            Field::Expiry => "expiry",
            Field::Handle => "handle",
            Field::Jti => "jti",
            Field::Kid => "kid",
            Field::MaxSize => "maxSize",
            Field::MinSize => "minSize",
            Field::Nbf => "nbf",
            Field::Path => "path",
            Field::Permissions => "permissions",
            Field::Url => "url",
        }
    }

    fn from_name(name: &str) -> Option<Field> {
        Some(match name {
            "call" => Field::Call,
            "container" => Field::Container,
            "expiry" => Field::Expiry,
            "handle" => Field::Handle,
            "jti" => Field::Jti,
            "kid" => Field::Kid,
            "maxSize" => Field::MaxSize,
            "minSize" => Field::MinSize,
            "nbf" => Field::Nbf,
            "path" => Field::Path,
            "permissions" => Field::Permissions,
            "url" => Field::Url,
            _ => return None,
        })
    }
}

/// Compiled regexes and permission sets, kept by each signer and verifier.
#[derive(Debug)]
pub(crate) struct Compiled {
    patterns: Cache<Pattern>,
    permissions: Cache<PermissionSet>,
}

impl Compiled {
    pub(crate) fn new() -> Self {
        Compiled {
            patterns: Cache::new(),
            permissions: Cache::new(),
        }
    }

    fn pattern(&self, field: Field, source: &str) -> Result<Arc<Pattern>> {
        self.patterns
            .get_or_try_insert(source, || Pattern::new(source))
            .map_err(|why| Error::policy(field.name(), why))
    }

    /// `key` is JSON text for the array of `items`, so it determines them exactly.
    fn permissions(&self, key: &str, items: &[Cow<'_, str>]) -> Result<Arc<PermissionSet>> {
        if items.len() > MAX_PERMISSIONS {
            return Err(Error::policy(
                "permissions",
                format!("{} permissions, more than {MAX_PERMISSIONS}", items.len()),
            ));
        }
        self.permissions
            .get_or_try_insert(key, || PermissionSet::parse(items))
    }
}

/// The fields of a policy with their types checked, from JSON or from issuing arguments.
#[derive(Default)]
pub(crate) struct Parts<'a> {
    pub(crate) expiry: Option<u64>,
    pub(crate) call: Option<Vec<Call>>,
    pub(crate) handle: Option<Cow<'a, str>>,
    pub(crate) url: Option<Cow<'a, str>>,
    pub(crate) path: Option<Cow<'a, str>>,
    pub(crate) container: Option<Cow<'a, str>>,
    pub(crate) max_size: Option<u64>,
    pub(crate) min_size: Option<u64>,
    /// The permission strings and JSON text of their array (the cache key).
    pub(crate) permissions: Option<(Vec<Cow<'a, str>>, Cow<'a, str>)>,
    pub(crate) kid: Option<Cow<'a, str>>,
    pub(crate) nbf: Option<u64>,
    pub(crate) jti: Option<Cow<'a, str>>,
}

/// A field's value while walking a policy (without allocating).
enum Item<'a> {
    Integer(u64),
    String(&'a str),
    Calls(&'a [Call]),
    Permissions(&'a PermissionSet),
}

/// A validated policy: what a credential allows.
#[derive(Clone, Debug)]
pub struct Policy {
    expiry: u64,
    call: Option<Vec<Call>>,
    allowed_calls: u16,
    handle: Option<Box<str>>,
    url: Option<Arc<Pattern>>,
    path: Option<Arc<Pattern>>,
    container: Option<Arc<Pattern>>,
    max_size: Option<u64>,
    min_size: Option<u64>,
    permissions: Option<Arc<PermissionSet>>,
    kid: Option<Box<str>>,
    nbf: Option<u64>,
    jti: Option<Box<str>>,
}

/// One field of a policy, for bindings and tools that rebuild the policy object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// `expiry`, `nbf`, `maxSize`, `minSize`.
    Integer(u64),
    /// `handle`, `url`, `path`, `container`, `kid`, `jti`.
    String(&'a str),
    /// `call`, `permissions`.
    Strings(Vec<&'a str>),
}

impl Policy {
    /// Checks every rule of §2 and compiles patterns and permissions (through `compiled`).
    pub(crate) fn assemble(parts: Parts<'_>, compiled: &Compiled) -> Result<Policy> {
        let expiry = integer(
            Field::Expiry,
            parts
                .expiry
                .ok_or_else(|| Error::policy("expiry", "is required"))?,
        )?;
        let call = parts.call;
        let handle = parts
            .handle
            .map(|h| text(Field::Handle, &h, usize::MAX))
            .transpose()?;
        let url = parts
            .url
            .map(|s| compiled.pattern(Field::Url, &s))
            .transpose()?;
        let path = parts
            .path
            .map(|s| compiled.pattern(Field::Path, &s))
            .transpose()?;
        let container = parts
            .container
            .map(|s| compiled.pattern(Field::Container, &s))
            .transpose()?;
        let max_size = parts
            .max_size
            .map(|v| integer(Field::MaxSize, v))
            .transpose()?;
        let min_size = parts
            .min_size
            .map(|v| integer(Field::MinSize, v))
            .transpose()?;
        if let (Some(min), Some(max)) = (min_size, max_size)
            && min > max
        {
            return Err(Error::policy(
                "minSize",
                format!("minSize {min} is greater than maxSize {max}"),
            ));
        }
        let permissions = parts
            .permissions
            .map(|(items, key)| compiled.permissions(&key, &items))
            .transpose()?;
        let kid = match parts.kid {
            Some(kid) => match kid_problem(&kid) {
                Some(why) => return Err(Error::policy("kid", why)),
                None => Some(kid.as_ref().into()),
            },
            None => None,
        };
        let nbf = parts.nbf.map(|v| integer(Field::Nbf, v)).transpose()?;
        if let Some(nbf) = nbf
            && nbf >= expiry
        {
            return Err(Error::policy(
                "nbf",
                format!("nbf {nbf} is not before expiry {expiry}"),
            ));
        }
        let jti = parts
            .jti
            .map(|j| text(Field::Jti, &j, MAX_JTI_LEN))
            .transpose()?;
        let allowed_calls = match (&call, &permissions) {
            (Some(calls), _) => calls.iter().fold(0, |bits, c| bits | c.bit()),
            (None, Some(_)) => 0,
            (None, None) => DEFAULT_CALLS,
        };
        Ok(Policy {
            expiry,
            call,
            allowed_calls,
            handle,
            url,
            path,
            container,
            max_size,
            min_size,
            permissions,
            kid,
            nbf,
            jti,
        })
    }

    /// Calls `visit` with each field present, in sorted order.
    fn each<'s>(&'s self, mut visit: impl FnMut(&'static str, Item<'s>)) {
        if let Some(calls) = &self.call {
            visit("call", Item::Calls(calls));
        }
        if let Some(p) = &self.container {
            visit("container", Item::String(p.as_str()));
        }
        visit("expiry", Item::Integer(self.expiry));
        if let Some(h) = &self.handle {
            visit("handle", Item::String(h));
        }
        if let Some(j) = &self.jti {
            visit("jti", Item::String(j));
        }
        if let Some(k) = &self.kid {
            visit("kid", Item::String(k));
        }
        if let Some(v) = self.max_size {
            visit("maxSize", Item::Integer(v));
        }
        if let Some(v) = self.min_size {
            visit("minSize", Item::Integer(v));
        }
        if let Some(v) = self.nbf {
            visit("nbf", Item::Integer(v));
        }
        if let Some(p) = &self.path {
            visit("path", Item::String(p.as_str()));
        }
        if let Some(set) = &self.permissions {
            visit("permissions", Item::Permissions(set));
        }
        if let Some(p) = &self.url {
            visit("url", Item::String(p.as_str()));
        }
    }

    /// Writes the policy as JSON: keys sorted, in the given style.
    pub(crate) fn write(&self, style: Style) -> String {
        let mut out = String::with_capacity(192);
        self.write_into(&mut out, style);
        out
    }

    /// Appends the policy as JSON to `out`.
    pub(crate) fn write_into(&self, out: &mut String, style: Style) {
        let mut w = ObjectWriter::new(out, style);
        self.each(|name, item| match item {
            Item::Integer(v) => w.integer(name, v),
            Item::String(v) => w.string(name, v),
            Item::Calls(calls) => w.strings(name, calls.iter().map(|c| c.as_str())),
            Item::Permissions(set) => w.strings(name, set.iter().map(Permission::as_str)),
        });
        w.finish();
    }

    /// The policy as canonical JSON (sorted keys, compact, UTF-8): the bytes a signer
    /// encodes.
    pub fn to_json(&self) -> String {
        self.write(Style::Canonical)
    }

    /// The fields present, in sorted order.
    pub fn fields(&self) -> Vec<(&'static str, FieldValue<'_>)> {
        let mut out = Vec::with_capacity(Field::COUNT);
        self.each(|name, item| {
            let value = match item {
                Item::Integer(v) => FieldValue::Integer(v),
                Item::String(v) => FieldValue::String(v),
                Item::Calls(calls) => {
                    FieldValue::Strings(calls.iter().map(|c| c.as_str()).collect())
                }
                Item::Permissions(set) => {
                    FieldValue::Strings(set.iter().map(Permission::as_str).collect())
                }
            };
            out.push((name, value));
        });
        out
    }

    /// `expiry`: Unix seconds; valid while `now < expiry + leeway`.
    pub fn expiry(&self) -> u64 {
        self.expiry
    }

    /// `call`, if present.
    pub fn call(&self) -> Option<&[Call]> {
        self.call.as_deref()
    }

    /// `handle`, if present.
    pub fn handle(&self) -> Option<&str> {
        self.handle.as_deref()
    }

    /// `url` (a full-match regex), if present.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref().map(Pattern::as_str)
    }

    /// `path` (a full-match regex), if present.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref().map(Pattern::as_str)
    }

    /// `container` (a full-match regex), if present.
    pub fn container(&self) -> Option<&str> {
        self.container.as_deref().map(Pattern::as_str)
    }

    /// `maxSize` in bytes, if present.
    pub fn max_size(&self) -> Option<u64> {
        self.max_size
    }

    /// `minSize` in bytes, if present.
    pub fn min_size(&self) -> Option<u64> {
        self.min_size
    }

    /// `permissions`, if present.
    pub fn permissions(&self) -> Option<&PermissionSet> {
        self.permissions.as_deref()
    }

    /// `kid`, if present.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `nbf`, if present.
    pub fn nbf(&self) -> Option<u64> {
        self.nbf
    }

    /// `jti`, if present.
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// Whether the policy allows `call` (Filestack's rules, including the `exif` exception
    /// and "a policy with `permissions` but no `call` grants no calls").
    pub fn allows_call(&self, call: Call) -> bool {
        self.allowed_calls & call.bit() != 0
    }

    /// Checks `expiry` and `nbf` against `now`, with `leeway` seconds of tolerance.
    pub(crate) fn check_time(&self, now: u64, leeway: u64) -> Result<()> {
        if now >= self.expiry.saturating_add(leeway) {
            return Err(Error::Expired {
                expiry: self.expiry,
                now,
            });
        }
        if let Some(nbf) = self.nbf
            && now < nbf.saturating_sub(leeway)
        {
            return Err(Error::NotYetValid { nbf, now });
        }
        Ok(())
    }

    /// Authorizes `request` (§2): the request must name a call in the allowed list or a
    /// command a permission allows (or both), the handle if the policy restricts it, and
    /// whatever it names must satisfy the restrictions; a storing call must name every
    /// storage restriction. Returns the index of the permission that allowed the command.
    pub(crate) fn authorize(&self, request: &Request<'_>) -> Result<Option<usize>> {
        let parsed;
        let command = match request.command {
            None => None,
            Some(CommandRef::Parsed(c)) => Some(c),
            Some(CommandRef::Text(text)) => {
                parsed = Command::parse(text)?;
                Some(&parsed)
            }
            Some(CommandRef::Rest { method, target }) => {
                parsed = crate::http::rest(method, target)?;
                Some(&parsed)
            }
            Some(CommandRef::Rpc { prefix, target }) => {
                parsed = crate::http::rpc(prefix, target)?;
                Some(&parsed)
            }
        };
        if request.call.is_none() && command.is_none() {
            return Err(Error::denied(
                "call",
                "the request names no call and no command",
            ));
        }
        let mut storing = false;
        if let Some(name) = request.call {
            let call = Call::from_name(name).ok_or_else(|| {
                Error::denied("call", format!("{} is not a Filestack call", quote(name)))
            })?;
            if !self.allows_call(call) {
                return Err(Error::denied(
                    "call",
                    format!("the policy does not allow {call}"),
                ));
            }
            storing = call.is_storing();
        }
        let matched = match command {
            None => None,
            Some(command) => {
                let set = self
                    .permissions
                    .as_deref()
                    .ok_or_else(|| Error::denied("permissions", "the policy grants no commands"))?;
                Some(set.find(command).ok_or_else(|| {
                    Error::denied(
                        "permissions",
                        format!("no permission allows {}", quote(&command.to_string())),
                    )
                })?)
            }
        };
        if let Some(handle) = &self.handle {
            match request.handle {
                Some(h) if h == &**handle => {}
                Some(h) => {
                    return Err(Error::denied(
                        "handle",
                        format!("the policy does not allow handle {}", quote(h)),
                    ));
                }
                None => return Err(Error::denied("handle", "the request names no handle")),
            }
        }
        for (field, pattern, value) in [
            ("path", &self.path, request.path),
            ("container", &self.container, request.container),
            ("url", &self.url, request.url),
        ] {
            let Some(pattern) = pattern else { continue };
            match value {
                Some(v) if pattern.is_match(v) => {}
                Some(v) => {
                    return Err(Error::denied(
                        field,
                        format!("{} does not match the policy", quote(v)),
                    ));
                }
                None if storing => {
                    return Err(Error::denied(
                        field,
                        format!("a storing call must name its {field}"),
                    ));
                }
                None => {}
            }
        }
        if let Some(max) = self.max_size {
            match request.size {
                Some(size) if size > max => {
                    return Err(Error::denied(
                        "maxSize",
                        format!("{size} bytes is more than {max}"),
                    ));
                }
                None if storing => {
                    return Err(Error::denied(
                        "maxSize",
                        "a storing call must name its size",
                    ));
                }
                _ => {}
            }
        }
        if let Some(min) = self.min_size {
            match request.size {
                Some(size) if size < min => {
                    return Err(Error::denied(
                        "minSize",
                        format!("{size} bytes is less than {min}"),
                    ));
                }
                None if storing => {
                    return Err(Error::denied(
                        "minSize",
                        "a storing call must name its size",
                    ));
                }
                _ => {}
            }
        }
        Ok(matched)
    }
}

fn integer(field: Field, value: u64) -> Result<u64> {
    if value > MAX_INTEGER {
        return Err(Error::policy(
            field.name(),
            format!("{value} is outside [0, 2^53)"),
        ));
    }
    Ok(value)
}

fn text(field: Field, value: &str, max_chars: usize) -> Result<Box<str>> {
    if value.is_empty() {
        return Err(Error::policy(field.name(), "is empty"));
    }
    let control = || Error::policy(field.name(), "contains a control character");
    let chars = if value.is_ascii() {
        if value.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err(control());
        }
        value.len()
    } else {
        let mut chars = 0;
        for c in value.chars() {
            if c.is_control() {
                return Err(control());
            }
            chars += 1;
        }
        chars
    };
    if chars > max_chars {
        return Err(Error::policy(
            field.name(),
            format!("has {chars} characters, more than {max_chars}"),
        ));
    }
    Ok(value.into())
}

/// A decoded, **unverified** policy: its members by field, and the first problem found
/// (reported only once the signature holds).
pub(crate) struct RawPolicy<'a> {
    slots: [Option<(Value<'a>, &'a str)>; Field::COUNT],
    problem: Option<Error>,
    kid_repeated: bool,
}

impl<'a> RawPolicy<'a> {
    /// Parses the decoded policy JSON. Only syntax errors are reported here (`malformed`).
    pub(crate) fn parse(json: &'a str) -> Result<Self> {
        let mut raw = RawPolicy {
            slots: Default::default(),
            problem: None,
            kid_repeated: false,
        };
        json::parse_object(json, |key, value, source| match Field::from_name(&key) {
            Some(field) => {
                let slot = &mut raw.slots[field as usize];
                if slot.is_some() {
                    raw.kid_repeated |= field == Field::Kid;
                    raw.problem.get_or_insert_with(|| {
                        Error::policy(field.name(), "appears more than once")
                    });
                } else {
                    *slot = Some((value, source));
                }
            }
            None => {
                raw.problem.get_or_insert_with(|| {
                    Error::policy(key.into_owned(), "is not a policy field")
                });
            }
        })
        .map_err(|e| {
            Error::malformed(format!("{} at byte {} of the decoded policy", e.what, e.at))
        })?;
        Ok(raw)
    }

    /// The `kid` that selects the key. A `kid` that is repeated or not a string cannot
    /// select one: `malformed`.
    pub(crate) fn kid(&self) -> Result<Option<&str>> {
        if self.kid_repeated {
            return Err(Error::malformed("the policy names more than one kid"));
        }
        match &self.slots[Field::Kid as usize] {
            None => Ok(None),
            Some((Value::String(kid), _)) => Ok(Some(kid)),
            Some(_) => Err(Error::malformed("the policy's kid is not a string")),
        }
    }

    /// Checks the types and rules of every field. With `strict_integers`, numbers must be
    /// written as integers (`1.0` is refused), as filestack-python requires.
    pub(crate) fn validate(self, compiled: &Compiled, strict_integers: bool) -> Result<Policy> {
        if let Some(problem) = self.problem {
            return Err(problem);
        }
        let mut parts = Parts::default();
        for (field, slot) in Field::ALL.into_iter().zip(self.slots) {
            let Some((value, source)) = slot else {
                continue;
            };
            match field {
                Field::Expiry => parts.expiry = Some(json_integer(field, &value, strict_integers)?),
                Field::Nbf => parts.nbf = Some(json_integer(field, &value, strict_integers)?),
                Field::MaxSize => {
                    parts.max_size = Some(json_integer(field, &value, strict_integers)?);
                }
                Field::MinSize => {
                    parts.min_size = Some(json_integer(field, &value, strict_integers)?);
                }
                Field::Call => {
                    let names = json_strings(field, value)?;
                    parts.call = Some(parse_calls(names.iter().map(|n| n.as_ref()))?);
                }
                Field::Permissions => {
                    parts.permissions = Some((json_strings(field, value)?, Cow::Borrowed(source)));
                }
                Field::Handle => parts.handle = Some(json_string(field, value)?),
                Field::Url => parts.url = Some(json_string(field, value)?),
                Field::Path => parts.path = Some(json_string(field, value)?),
                Field::Container => parts.container = Some(json_string(field, value)?),
                Field::Kid => parts.kid = Some(json_string(field, value)?),
                Field::Jti => parts.jti = Some(json_string(field, value)?),
            }
        }
        Policy::assemble(parts, compiled).map_err(|e| match e {
            Error::InvalidPermission { position, reason } => {
                Error::policy("permissions", format!("{reason} (at byte {position})"))
            }
            other => other,
        })
    }
}

fn wrong_type(field: Field, expected: &str, value: &Value<'_>) -> Error {
    Error::policy(
        field.name(),
        format!("must be {expected}, not {}", value.type_name()),
    )
}

fn json_string<'a>(field: Field, value: Value<'a>) -> Result<Cow<'a, str>> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(wrong_type(field, "a string", &other)),
    }
}

fn json_strings<'a>(field: Field, value: Value<'a>) -> Result<Vec<Cow<'a, str>>> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(wrong_type(field, "an array of strings", &other)),
            })
            .collect(),
        other => Err(wrong_type(field, "an array of strings", &other)),
    }
}

/// A JSON number whose value is an integer in `[0, 2^53)`. A zero fraction (`1.0`, `1e3`)
/// is accepted unless `strict`.
fn json_integer(field: Field, value: &Value<'_>, strict: bool) -> Result<u64> {
    let Value::Number(text) = value else {
        return Err(wrong_type(field, "an integer", value));
    };
    // Fast path: plain digits, the form every SDK writes.
    if !text.is_empty() && text.len() <= 16 && text.bytes().all(|b| b.is_ascii_digit()) {
        let v = text.bytes().fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
        if v <= MAX_INTEGER {
            return Ok(v);
        }
    }
    let out_of_range = || Error::policy(field.name(), format!("{text} is outside [0, 2^53)"));
    let not_integer = || Error::policy(field.name(), format!("{text} is not an integer"));
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, *text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if strict && (exponent.is_some() || !frac_part.is_empty() || negative) {
        return Err(if negative {
            out_of_range()
        } else {
            Error::policy(
                field.name(),
                format!("{text} must be written as an integer"),
            )
        });
    }
    // value = digits × 10^scale
    let digits: String = int_part.chars().chain(frac_part.chars()).collect();
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(0);
    }
    if negative {
        return Err(out_of_range());
    }
    let exp: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (sign, magnitude) = match e.as_bytes().first() {
                Some(b'-') => (-1, &e[1..]),
                Some(b'+') => (1, &e[1..]),
                _ => (1, e),
            };
            // Saturate: any exponent past a few dozen is out of range or fractional anyway.
            let m: i64 = magnitude.trim_start_matches('0').parse().unwrap_or(
                if magnitude.trim_start_matches('0').is_empty() {
                    0
                } else {
                    i64::MAX / 2
                },
            );
            sign * m.min(i64::MAX / 2)
        }
    };
    let scale = exp - frac_part.len() as i64;
    let (significant, zeros) = if scale < 0 {
        let cut = usize::try_from(-scale).unwrap_or(usize::MAX);
        if cut > digits.len() || digits[digits.len() - cut..].bytes().any(|b| b != b'0') {
            return Err(not_integer());
        }
        (&digits[..digits.len() - cut], 0)
    } else {
        (digits, scale)
    };
    // 2^53 has 16 digits.
    if significant.len() as i64 + zeros > 16 {
        return Err(out_of_range());
    }
    let mut v: u64 = significant.parse().map_err(|_| out_of_range())?;
    for _ in 0..zeros {
        v = v.checked_mul(10).ok_or_else(out_of_range)?;
    }
    if v > MAX_INTEGER {
        return Err(out_of_range());
    }
    Ok(v)
}

/// A command in a request: text to parse, already parsed, or an HTTP request to map.
///
/// The mappings run during authorization, after the credentials have been checked: a
/// request that cannot be a command is `invalid_command`, but only once its credentials
/// are known to be good.
#[derive(Clone, Copy, Debug)]
pub enum CommandRef<'a> {
    /// A command line such as `pin add -r QmX`.
    Text(&'a str),
    /// A command built with [`Command::parse`], [`Command::builder`] or the HTTP mappings.
    Parsed(&'a Command),
    /// A REST request: [`crate::http::rest`] of its method and target.
    Rest {
        /// The HTTP method.
        method: &'a str,
        /// The request target as sent (path still percent-encoded, optional query).
        target: &'a str,
    },
    /// An RPC request: [`crate::http::rpc`] under `prefix`.
    Rpc {
        /// Where the RPC API is mounted, such as `/api/v0`.
        prefix: &'a str,
        /// The request target as sent.
        target: &'a str,
    },
}

impl<'a> CommandRef<'a> {
    /// The command of a request given in at most one of three ways — a command, a REST
    /// request `(method, target)` or an RPC request `(prefix, target)` — as the bindings'
    /// keyword arguments take it. None given: `Ok(None)`; more than one:
    /// `invalid_argument` naming `command`.
    pub fn one_of(
        command: Option<CommandRef<'a>>,
        rest: Option<(&'a str, &'a str)>,
        rpc: Option<(&'a str, &'a str)>,
    ) -> Result<Option<CommandRef<'a>>> {
        match (command, rest, rpc) {
            (command, None, None) => Ok(command),
            (None, Some((method, target)), None) => Ok(Some(CommandRef::Rest { method, target })),
            (None, None, Some((prefix, target))) => Ok(Some(CommandRef::Rpc { prefix, target })),
            _ => Err(Error::invalid_argument(
                "command",
                "give one of command, rest and rpc",
            )),
        }
    }
}

impl<'a> From<&'a str> for CommandRef<'a> {
    fn from(text: &'a str) -> Self {
        CommandRef::Text(text)
    }
}

impl<'a> From<&'a Command> for CommandRef<'a> {
    fn from(command: &'a Command) -> Self {
        CommandRef::Parsed(command)
    }
}

/// What a request asks to do, to be authorized against a policy. Name only what the
/// request does; a restriction it does not address denies (§2).
#[derive(Clone, Copy, Debug, Default)]
pub struct Request<'a> {
    /// The Filestack call (`pick`, `read`, …).
    pub call: Option<&'a str>,
    /// The file handle the request acts on.
    pub handle: Option<&'a str>,
    /// The source URL of a store-from-URL or transformation.
    pub url: Option<&'a str>,
    /// The storage path.
    pub path: Option<&'a str>,
    /// The storage container or bucket.
    pub container: Option<&'a str>,
    /// The size of the stored upload, in bytes.
    pub size: Option<u64>,
    /// The command (IPFS style).
    pub command: Option<CommandRef<'a>>,
}

impl<'a> Request<'a> {
    /// An empty request (it names nothing).
    pub fn new() -> Self {
        Request::default()
    }

    /// Names the call (`Call::Store` or `"store"`).
    pub fn call(mut self, call: impl Into<&'a str>) -> Self {
        self.call = Some(call.into());
        self
    }

    /// Names the handle.
    pub fn handle(mut self, handle: &'a str) -> Self {
        self.handle = Some(handle);
        self
    }

    /// Names the source URL.
    pub fn url(mut self, url: &'a str) -> Self {
        self.url = Some(url);
        self
    }

    /// Names the storage path.
    pub fn path(mut self, path: &'a str) -> Self {
        self.path = Some(path);
        self
    }

    /// Names the storage container.
    pub fn container(mut self, container: &'a str) -> Self {
        self.container = Some(container);
        self
    }

    /// Names the upload size.
    pub fn size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }

    /// Names a parsed command.
    pub fn command(mut self, command: &'a Command) -> Self {
        self.command = Some(CommandRef::Parsed(command));
        self
    }

    /// Names a command by its text (parsed during authorization).
    pub fn command_text(mut self, text: &'a str) -> Self {
        self.command = Some(CommandRef::Text(text));
        self
    }

    /// Whether the request names nothing at all.
    pub fn is_empty(&self) -> bool {
        self.call.is_none()
            && self.handle.is_none()
            && self.url.is_none()
            && self.path.is_none()
            && self.container.is_none()
            && self.size.is_none()
            && self.command.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: &str) -> Result<Policy> {
        RawPolicy::parse(json)?.validate(&Compiled::new(), false)
    }

    fn field_of(json: &str) -> String {
        let err = policy(json).unwrap_err();
        assert_eq!(err.code(), "invalid_policy", "{json}: {err}");
        err.field().unwrap().to_owned()
    }

    #[test]
    fn a_request_names_its_command_one_way() {
        assert!(CommandRef::one_of(None, None, None).unwrap().is_none());
        assert!(matches!(
            CommandRef::one_of(Some("cat /x".into()), None, None),
            Ok(Some(CommandRef::Text("cat /x")))
        ));
        assert!(matches!(
            CommandRef::one_of(None, Some(("GET", "/x")), None),
            Ok(Some(CommandRef::Rest { method: "GET", .. }))
        ));
        assert!(matches!(
            CommandRef::one_of(None, None, Some(("/api/v0", "/api/v0/id"))),
            Ok(Some(CommandRef::Rpc {
                prefix: "/api/v0",
                ..
            }))
        ));
        let both = CommandRef::one_of(Some("id".into()), Some(("GET", "/x")), None).unwrap_err();
        assert_eq!(
            (both.code(), both.field()),
            ("invalid_argument", Some("command"))
        );
        assert!(CommandRef::one_of(None, Some(("GET", "/x")), Some(("", "/id"))).is_err());
    }

    #[test]
    fn integers() {
        let ok = |n: &str| {
            json_integer(Field::Expiry, &Value::Number(n), false)
                .unwrap_or_else(|e| panic!("{n}: {e}"))
        };
        assert_eq!(ok("1700000000"), 1700000000);
        assert_eq!(ok("1700000000.0"), 1700000000);
        assert_eq!(ok("1700000000.000"), 1700000000);
        assert_eq!(ok("1.7e9"), 1700000000);
        assert_eq!(ok("17E+8"), 1700000000);
        assert_eq!(ok("170000000000e-2"), 1700000000);
        assert_eq!(ok("0"), 0);
        assert_eq!(ok("-0"), 0);
        assert_eq!(ok("0.0e5"), 0);
        assert_eq!(ok("9007199254740991"), MAX_INTEGER);
        let bad = |n: &str| json_integer(Field::Expiry, &Value::Number(n), false).is_err();
        for n in [
            "-1",
            "1.5",
            "9007199254740992",
            "1e16",
            "1e400",
            "1e99999999999999999999",
            "123456789012345678901234567890",
            "1e-1",
            "15e-1",
            "1.0000000000000001",
        ] {
            assert!(bad(n), "{n}");
        }
        let strict = |n: &str| json_integer(Field::Expiry, &Value::Number(n), true);
        assert!(strict("1700000000").is_ok());
        assert!(strict("1700000000.0").is_err());
        assert!(strict("1e3").is_err());
    }

    #[test]
    fn every_field_parses() {
        let p = policy(
            r#"{"call":["pick","store"],"container":"bucket-[0-9]+","expiry":100,
                "handle":"KW9EJhYtS6y48Whm2S6D","jti":"t-1","kid":"k1","maxSize":10,
                "minSize":1,"nbf":50,"path":"/u/.*","permissions":["pin add [-r] *"],
                "url":"https://example\\.com/.*"}"#,
        )
        .unwrap();
        assert_eq!(p.call(), Some(&[Call::Pick, Call::Store][..]));
        assert_eq!(p.handle(), Some("KW9EJhYtS6y48Whm2S6D"));
        assert_eq!(p.permissions().unwrap().len(), 1);
        assert_eq!(
            p.to_json(),
            r#"{"call":["pick","store"],"container":"bucket-[0-9]+","expiry":100,"handle":"KW9EJhYtS6y48Whm2S6D","jti":"t-1","kid":"k1","maxSize":10,"minSize":1,"nbf":50,"path":"/u/.*","permissions":["pin add [-r] *"],"url":"https://example\\.com/.*"}"#
        );
        assert_eq!(p.fields().len(), 12);
    }

    #[test]
    fn strictness_names_the_field() {
        assert_eq!(field_of(r#"{}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":1,"calls":["read"]}"#), "calls");
        assert_eq!(field_of(r#"{"expires":1}"#), "expires");
        assert_eq!(field_of(r#"{"expiry":1,"expiry":2}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":"1"}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":true}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":null}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":-1}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":1.5}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":9007199254740992}"#), "expiry");
        assert_eq!(field_of(r#"{"expiry":9,"call":"read"}"#), "call");
        assert_eq!(field_of(r#"{"expiry":9,"call":["delete"]}"#), "call");
        assert_eq!(field_of(r#"{"expiry":9,"call":[1]}"#), "call");
        assert_eq!(field_of(r#"{"expiry":9,"handle":""}"#), "handle");
        assert_eq!(field_of(r#"{"expiry":9,"handle":"a\u0000"}"#), "handle");
        assert_eq!(field_of(r#"{"expiry":9,"path":"("}"#), "path");
        assert_eq!(field_of(r#"{"expiry":9,"url":"a{1000}{1000}"}"#), "url");
        assert_eq!(field_of(r#"{"expiry":9,"container":"a)|(b"}"#), "container");
        assert_eq!(
            field_of(r#"{"expiry":9,"minSize":5,"maxSize":4}"#),
            "minSize"
        );
        assert_eq!(field_of(r#"{"expiry":9,"maxSize":-4}"#), "maxSize");
        assert_eq!(
            field_of(r#"{"expiry":9,"permissions":["pin **  x"]}"#),
            "permissions"
        );
        assert_eq!(
            field_of(r#"{"expiry":9,"permissions":"pin"}"#),
            "permissions"
        );
        assert_eq!(field_of(r#"{"expiry":9,"kid":""}"#), "kid");
        assert_eq!(
            field_of(&format!(r#"{{"expiry":9,"kid":"{}"}}"#, "k".repeat(65))),
            "kid"
        );
        assert_eq!(
            field_of(&format!(r#"{{"expiry":9,"jti":"{}"}}"#, "j".repeat(129))),
            "jti"
        );
        assert_eq!(field_of(r#"{"expiry":9,"nbf":9}"#), "nbf");
        assert_eq!(field_of(r#"{"expiry":9,"nested":{"a":1}}"#), "nested");
        assert!(policy(&format!(r#"{{"expiry":9,"jti":"{}"}}"#, "j".repeat(128))).is_ok());
        let many: Vec<String> = (0..=MAX_PERMISSIONS).map(|i| format!("\"p{i}\"")).collect();
        assert_eq!(
            field_of(&format!(
                r#"{{"expiry":9,"permissions":[{}]}}"#,
                many.join(",")
            )),
            "permissions"
        );
    }

    #[test]
    fn kid_selection_is_guarded() {
        let raw = RawPolicy::parse(r#"{"kid":"a","kid":"b","expiry":1}"#).unwrap();
        assert_eq!(raw.kid().unwrap_err().code(), "malformed");
        let raw = RawPolicy::parse(r#"{"kid":5,"expiry":1}"#).unwrap();
        assert_eq!(raw.kid().unwrap_err().code(), "malformed");
        let raw = RawPolicy::parse(r#"{"kid":"k\u00e9","expiry":1}"#).unwrap();
        assert_eq!(raw.kid().unwrap(), Some("ké"));
    }

    #[test]
    fn time_checks() {
        let p = policy(r#"{"expiry":100,"nbf":50}"#).unwrap();
        assert!(p.check_time(99, 0).is_ok());
        assert_eq!(p.check_time(100, 0).unwrap_err().code(), "expired");
        assert!(p.check_time(104, 5).is_ok());
        assert_eq!(p.check_time(105, 5).unwrap_err().code(), "expired");
        assert_eq!(p.check_time(49, 0).unwrap_err().code(), "not_yet_valid");
        assert!(p.check_time(50, 0).is_ok());
        assert!(p.check_time(45, 5).is_ok());
        assert_eq!(p.check_time(44, 5).unwrap_err().code(), "not_yet_valid");
        let far = policy(r#"{"expiry":9007199254740991}"#).unwrap();
        assert!(far.check_time(u64::MAX - 1, 0).is_err());
        assert!(far.check_time(0, u64::MAX).is_ok());
    }

    fn denied(p: &Policy, r: Request<'_>) -> &'static str {
        match p.authorize(&r) {
            Err(Error::Denied { field, .. }) => field,
            other => panic!("expected denied, got {other:?}"),
        }
    }

    #[test]
    fn calls() {
        let default = policy(r#"{"expiry":9}"#).unwrap();
        assert!(default.authorize(&Request::new().call(Call::Read)).is_ok());
        assert_eq!(denied(&default, Request::new().call(Call::Exif)), "call");
        assert_eq!(denied(&default, Request::new().call("delete")), "call");
        assert_eq!(denied(&default, Request::new().handle("x")), "call");
        let listed = policy(r#"{"expiry":9,"call":["exif"]}"#).unwrap();
        assert!(listed.authorize(&Request::new().call(Call::Exif)).is_ok());
        assert_eq!(denied(&listed, Request::new().call(Call::Read)), "call");
        let perms_only = policy(r#"{"expiry":9,"permissions":["id"]}"#).unwrap();
        assert_eq!(denied(&perms_only, Request::new().call(Call::Read)), "call");
        assert_eq!(
            perms_only
                .authorize(&Request::new().command_text("id"))
                .unwrap(),
            Some(0)
        );
        assert_eq!(
            denied(&default, Request::new().command_text("id")),
            "permissions"
        );
        assert_eq!(
            denied(&perms_only, Request::new().command_text("version")),
            "permissions"
        );
        assert_eq!(
            perms_only
                .authorize(&Request::new().command_text("cat /a/../b"))
                .unwrap_err()
                .code(),
            "invalid_command"
        );
    }

    #[test]
    fn filestack_restrictions() {
        let p = policy(
            r#"{"expiry":9,"call":["pick","read","store"],"handle":"H","path":"/uploads/user-42/.*",
                "container":"b1","url":"https://ok/.*","maxSize":100,"minSize":10}"#,
        )
        .unwrap();
        let full = Request::new()
            .call(Call::Store)
            .handle("H")
            .path("/uploads/user-42/a.png")
            .container("b1")
            .url("https://ok/x")
            .size(50);
        assert!(p.authorize(&full).is_ok());
        assert_eq!(denied(&p, full.handle("h")), "handle");
        assert_eq!(
            denied(
                &p,
                Request {
                    handle: None,
                    ..full
                }
            ),
            "handle"
        );
        assert_eq!(denied(&p, full.path("/uploads/user-43/a.png")), "path");
        assert_eq!(denied(&p, full.path("x/uploads/user-42/a")), "path");
        assert_eq!(denied(&p, Request { path: None, ..full }), "path");
        assert_eq!(denied(&p, full.container("b2")), "container");
        assert_eq!(
            denied(
                &p,
                Request {
                    container: None,
                    ..full
                }
            ),
            "container"
        );
        assert_eq!(denied(&p, full.url("https://evil/x")), "url");
        assert_eq!(denied(&p, Request { url: None, ..full }), "url");
        assert_eq!(denied(&p, full.size(101)), "maxSize");
        assert_eq!(denied(&p, full.size(9)), "minSize");
        assert_eq!(denied(&p, Request { size: None, ..full }), "maxSize");
        // A read names no storage restriction: allowed without them, checked if named.
        let read = Request::new().call(Call::Read).handle("H");
        assert!(p.authorize(&read).is_ok());
        assert_eq!(denied(&p, read.path("/elsewhere")), "path");
        // Unicode look-alikes are different bytes.
        assert_eq!(denied(&p, read.handle("Н")), "handle");
    }

    #[test]
    fn http_mappings_run_during_authorization() {
        let p = policy(r#"{"expiry":9,"permissions":["GET /files","pin add *"]}"#).unwrap();
        let rest = |method, target| Request {
            command: Some(CommandRef::Rest { method, target }),
            ..Request::default()
        };
        assert_eq!(p.authorize(&rest("GET", "/files/a%20b")).unwrap(), Some(0));
        assert_eq!(denied(&p, rest("PUT", "/files/a")), "permissions");
        assert_eq!(
            p.authorize(&rest("GET", "/files/%2e%2e/x"))
                .unwrap_err()
                .code(),
            "invalid_command"
        );
        let rpc = Request {
            command: Some(CommandRef::Rpc {
                prefix: "/api/v0",
                target: "/api/v0/pin/add?arg=Q",
            }),
            ..Request::default()
        };
        assert_eq!(p.authorize(&rpc).unwrap(), Some(1));
    }

    #[test]
    fn request_emptiness() {
        assert!(Request::new().is_empty());
        assert!(!Request::new().size(0).is_empty());
    }
}
