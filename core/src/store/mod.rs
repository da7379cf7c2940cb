//! Revocation and use limits (`DESIGN.md` §9): what a store is asked about a grant, and
//! what its answer means.
//!
//! Verification stays stateless; a store is consulted only after a grant exists (the
//! signature, the policy, the time and the request all passed), so forged, expired or
//! denied requests never reach it and never consume a use. The decisions are made here,
//! once for every language; a binding only carries [`RedisCall`]s to the user's own Redis
//! client and hands the reply back to [`Question::decide`], or uses [`MemoryStore`].
//!
//! What a store holds, under its prefix (`capsign:` by default):
//!
//! | key | value | kept until |
//! |---|---|---|
//! | `before` | everything issued before this time is revoked | removed by hand |
//! | `kid:<kid>` | everything of this key issued before this time is revoked | removed by hand |
//! | `jti:<jti>` | this credential is revoked | its expiry, plus the leeway |
//! | `uses:<jti>` | how many requests it has authorized | its expiry, plus the leeway |
//!
//! A `jti` names one credential in a store, whichever key signed it. A credential without
//! `iat` counts as issued before every revocation by time.

mod memory;

use std::borrow::Cow;

pub use memory::MemoryStore;

use crate::error::{Error, Result};
use crate::limits::{MAX_INTEGER, MAX_JTI_LEN, MAX_KID_LEN, MAX_LEEWAY};
use crate::verify::Grant;

/// The default key prefix of a store.
pub const DEFAULT_PREFIX: &str = "capsign:";

/// Longest key prefix, in bytes.
pub const MAX_PREFIX_LEN: usize = 64;

/// The Redis script that checks a grant and consumes one use, atomically (one round trip).
///
/// `KEYS`: the `before` key, the `kid:` key when `ARGV[4]` is `1`, then (for a credential
/// with a `jti`) its `jti:` and `uses:` keys. `ARGV`: the credential's `iat` (0 when it has
/// none), its `uses` (0: not counted), the time its counter expires, and whether a `kid:`
/// key is given. Replies `ok`, `revoked:before`, `revoked:kid`, `revoked:jti` or `used_up`.
pub const REDIS_CHECK_SCRIPT: &str = r"-- capsign check (DESIGN.md section 9)
local iat = tonumber(ARGV[1])
local function time_at(key)
  local value = redis.call('GET', key)
  if value and not string.match(value, '^%d+$') then error('capsign: ' .. key .. ' does not hold a time') end
  return value and tonumber(value)
end
local n = 1
local before = time_at(KEYS[n])
if before and iat < before then return 'revoked:before' end
if ARGV[4] == '1' then
  n = n + 1
  before = time_at(KEYS[n])
  if before and iat < before then return 'revoked:kid' end
end
if #KEYS > n then
  if redis.call('EXISTS', KEYS[n + 1]) == 1 then return 'revoked:jti' end
  local limit = tonumber(ARGV[2])
  if limit > 0 then
    local used = redis.call('INCR', KEYS[n + 2])
    if used == 1 then redis.call('EXPIREAT', KEYS[n + 2], ARGV[3]) end
    if used > limit then return 'used_up' end
  end
end
return 'ok'
";

/// SHA-1 of [`REDIS_CHECK_SCRIPT`], for `EVALSHA`.
pub const REDIS_CHECK_SHA1: &str = "0d0ae30158c9a892495c9577ae1771d6b3fbf7f5";

/// The Redis script that records a revocation. `KEYS[1]`: the key. `ARGV`: `jti` and the
/// time the entry expires (its value too; a revocation already recorded is only ever
/// extended, never shortened), or `before` and the time (kept only if later than the one
/// stored). Replies `ok`.
pub const REDIS_REVOKE_SCRIPT: &str = r"-- capsign revoke (DESIGN.md section 9)
if ARGV[1] == 'jti' then
  local stored = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
  if tonumber(ARGV[2]) > stored then
    redis.call('SET', KEYS[1], ARGV[2])
    redis.call('EXPIREAT', KEYS[1], ARGV[2])
  end
  return 'ok'
end
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[2]) > current then redis.call('SET', KEYS[1], ARGV[2]) end
return 'ok'
";

/// SHA-1 of [`REDIS_REVOKE_SCRIPT`], for `EVALSHA`.
pub const REDIS_REVOKE_SHA1: &str = "221b4a2c2894c5479b5f10f55539f84bf1b26c89";

/// One script run: `EVALSHA sha1 len(keys) keys… args…` (or `EVAL script …` when the
/// server does not know the script yet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisCall {
    /// The script's text.
    pub script: &'static str,
    /// Its SHA-1, hex.
    pub sha1: &'static str,
    /// The keys it touches.
    pub keys: Vec<String>,
    /// Its arguments.
    pub args: Vec<String>,
}

/// A revocation (`DESIGN.md` §9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revocation<'a> {
    /// One credential, by its `jti`, until `expiry` (its expiry: the entry is dropped then,
    /// plus the store's leeway).
    Jti {
        /// The credential's `jti`.
        jti: Cow<'a, str>,
        /// The credential's `expiry`.
        expiry: u64,
    },
    /// Every credential of a key issued (`iat`) before a time.
    Kid {
        /// The key's `kid`.
        kid: Cow<'a, str>,
        /// Unix seconds.
        before: u64,
    },
    /// Every credential issued before a time.
    Before {
        /// Unix seconds.
        before: u64,
    },
}

impl<'a> Revocation<'a> {
    /// The revocation that the options of a `revoke` call name: `jti` with `expiry`, `kid`
    /// with `before`, or `before` alone. Anything else is `invalid_argument`.
    pub fn from_options(
        jti: Option<&'a str>,
        expiry: Option<u64>,
        kid: Option<&'a str>,
        before: Option<u64>,
    ) -> Result<Revocation<'a>> {
        let bad = |why: &'static str| Err(Error::argument("revocation", why));
        // The lengths a policy allows: a longer one could name no credential.
        let nonempty = |name: &'static str, text: &'a str, max: usize| {
            if text.is_empty() || text.chars().any(char::is_control) {
                Err(Error::argument(
                    name,
                    "must be non-empty, without control characters",
                ))
            } else if text.chars().count() > max {
                Err(Error::argument(
                    name,
                    format!("is longer than {max} characters"),
                ))
            } else {
                Ok(Cow::Borrowed(text))
            }
        };
        let time = |name: &'static str, t: u64| {
            if t > MAX_INTEGER {
                Err(Error::argument(name, "must be below 2^53"))
            } else {
                Ok(t)
            }
        };
        match (jti, expiry, kid, before) {
            (Some(jti), Some(expiry), None, None) => Ok(Revocation::Jti {
                jti: nonempty("jti", jti, MAX_JTI_LEN)?,
                expiry: time("expiry", expiry)?,
            }),
            (Some(_), None, None, None) => {
                bad("a jti is revoked until its credential's expiry: give expiry too")
            }
            (None, None, Some(kid), Some(before)) => Ok(Revocation::Kid {
                kid: nonempty("kid", kid, MAX_KID_LEN)?,
                before: time("before", before)?,
            }),
            (None, None, None, Some(before)) => Ok(Revocation::Before {
                before: time("before", before)?,
            }),
            (None, None, None, None) => bad("name what to revoke: jti, kid and before, or before"),
            _ => bad("give jti (with expiry), kid with before, or before alone"),
        }
    }

    /// The same revocation, owning its text.
    pub fn into_owned(self) -> Revocation<'static> {
        match self {
            Revocation::Jti { jti, expiry } => Revocation::Jti {
                jti: Cow::Owned(jti.into_owned()),
                expiry,
            },
            Revocation::Kid { kid, before } => Revocation::Kid {
                kid: Cow::Owned(kid.into_owned()),
                before,
            },
            Revocation::Before { before } => Revocation::Before { before },
        }
    }

    /// Refuses, as of `now`, a revocation that would record nothing: a `jti` whose
    /// credential has already expired (plus `leeway`) would be dropped at once, and
    /// reporting success would mislead whoever revoked it.
    pub fn check_at(&self, now: u64, leeway: u64) -> Result<()> {
        match self {
            Revocation::Jti { expiry, .. } if expiry.saturating_add(leeway) < now => {
                Err(Error::argument(
                    "expiry",
                    "that credential has already expired: there is nothing to revoke \
                     (check the expiry given)",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// A store's layout: its key prefix and leeway (how long entries outlive what they
/// name). Give it at least the leeway of every verifier that shares the store; the
/// default, [`MAX_LEEWAY`], is always enough.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    prefix: String,
    leeway: u64,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            prefix: DEFAULT_PREFIX.to_owned(),
            leeway: MAX_LEEWAY,
        }
    }
}

impl Layout {
    /// A layout with `prefix` (1 to [`MAX_PREFIX_LEN`] bytes, no spaces or control
    /// characters) and `leeway` (0 to [`MAX_LEEWAY`] seconds).
    pub fn new(prefix: &str, leeway: i64) -> Result<Layout> {
        if prefix.is_empty()
            || prefix.len() > MAX_PREFIX_LEN
            || prefix.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::argument(
                "prefix",
                format!("must be 1 to {MAX_PREFIX_LEN} bytes without spaces or control characters"),
            ));
        }
        let leeway = u64::try_from(leeway)
            .ok()
            .filter(|l| *l <= MAX_LEEWAY)
            .ok_or_else(|| {
                Error::argument("leeway", format!("must be 0 to {MAX_LEEWAY} seconds"))
            })?;
        Ok(Layout {
            prefix: prefix.to_owned(),
            leeway,
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The leeway, in seconds.
    pub fn leeway(&self) -> u64 {
        self.leeway
    }

    /// What to ask about `grant`.
    pub fn question<'g>(&self, grant: &'g Grant) -> Question<'g> {
        let policy = grant.policy();
        Question {
            kid: policy.kid(),
            jti: policy.jti(),
            iat: policy.iat().unwrap_or(0),
            uses: policy.uses(),
            keep_until: policy
                .expiry()
                .saturating_add(self.leeway.max(grant.leeway()))
                .saturating_add(1),
        }
    }

    /// The script run that checks `grant` and consumes one of its uses.
    pub fn check_call(&self, grant: &Grant) -> RedisCall {
        let q = self.question(grant);
        let mut keys = vec![format!("{}before", self.prefix)];
        if let Some(kid) = q.kid {
            keys.push(format!("{}kid:{kid}", self.prefix));
        }
        if let Some(jti) = q.jti {
            keys.push(format!("{}jti:{jti}", self.prefix));
            keys.push(format!("{}uses:{jti}", self.prefix));
        }
        RedisCall {
            script: REDIS_CHECK_SCRIPT,
            sha1: REDIS_CHECK_SHA1,
            keys,
            args: vec![
                q.iat.to_string(),
                q.uses.unwrap_or(0).to_string(),
                q.keep_until.to_string(),
                if q.kid.is_some() { "1" } else { "0" }.to_owned(),
            ],
        }
    }

    /// What the store's reply to a revocation means: `ok` is recorded; anything else (no
    /// reply included) is `unavailable`.
    pub fn confirm(&self, reply: Option<&str>) -> Result<()> {
        match reply {
            Some("ok") => Ok(()),
            _ => Err(unavailable("the store did not record the revocation")),
        }
    }

    /// The script run that records `revocation`, refused as of `now` if it would record
    /// nothing ([`Revocation::check_at`]).
    pub fn revoke_call(&self, revocation: &Revocation<'_>, now: u64) -> Result<RedisCall> {
        revocation.check_at(now, self.leeway)?;
        let (key, args) = match revocation {
            Revocation::Jti { jti, expiry } => (
                format!("{}jti:{jti}", self.prefix),
                vec![
                    "jti".to_owned(),
                    expiry
                        .saturating_add(self.leeway)
                        .saturating_add(1)
                        .to_string(),
                ],
            ),
            Revocation::Kid { kid, before } => (
                format!("{}kid:{kid}", self.prefix),
                vec!["before".to_owned(), before.to_string()],
            ),
            Revocation::Before { before } => (
                format!("{}before", self.prefix),
                vec!["before".to_owned(), before.to_string()],
            ),
        };
        Ok(RedisCall {
            script: REDIS_REVOKE_SCRIPT,
            sha1: REDIS_REVOKE_SHA1,
            keys: vec![key],
            args,
        })
    }
}

/// What a store is asked about one grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question<'g> {
    /// The credential's `kid`.
    pub kid: Option<&'g str>,
    /// The credential's `jti`.
    pub jti: Option<&'g str>,
    /// Its `iat`, or 0 (issued before every revocation by time).
    pub iat: u64,
    /// Its `uses`, if counted.
    pub uses: Option<u32>,
    /// When what the store keeps about it may be dropped (Unix seconds): after its
    /// expiry plus the leeway.
    pub keep_until: u64,
}

impl Question<'_> {
    /// What the store's reply means: `ok` allows; the revocations are `revoked`, a spent
    /// credential `used_up`; no reply (`None`: the store is down or timed out) or any other
    /// reply is `unavailable`, never a success.
    pub fn decide(&self, reply: Option<&str>) -> Result<()> {
        match reply {
            Some("ok") => Ok(()),
            Some("revoked:jti") => Err(Error::Revoked { by: "jti" }),
            Some("revoked:kid") => Err(Error::Revoked { by: "kid" }),
            Some("revoked:before") => Err(Error::Revoked { by: "before" }),
            Some("used_up") => Err(Error::UsedUp {
                uses: self.uses.unwrap_or(0),
            }),
            Some(_) => Err(unavailable("the store gave an unexpected reply")),
            None => Err(unavailable("the store did not answer")),
        }
    }
}

/// An `unavailable` error (for bindings whose store client failed).
pub fn unavailable(reason: impl Into<Cow<'static, str>>) -> Error {
    Error::Unavailable {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests;
