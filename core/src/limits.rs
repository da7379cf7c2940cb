//! Every limit capsign enforces, each with the reason for its value.
//!
//! A limit is always an error, never a slowdown: input past a limit is refused before any
//! work proportional to it is done.

use crate::error::{Error, Result};

/// Longest policy string, in bytes (base64 as transmitted). Filestack policies are a few
/// hundred bytes; 8 KiB bounds the work done before the signature is checked.
pub const MAX_POLICY_LEN: usize = 8 * 1024;

/// Longest compact token `<policy>.<signature>`, in bytes: the longest policy, the `.`
/// and a 64-digit signature.
pub const MAX_TOKEN_LEN: usize = MAX_POLICY_LEN + 65;

/// Refuses a token longer than [`MAX_TOKEN_LEN`] as `malformed`. `len` may be any lower
/// bound of the token's UTF-8 length: a binding passes the UTF-16 length its runtime
/// knows without a scan (never more than the UTF-8 length), so a huge string is refused
/// before it is copied.
pub fn check_token_len(len: usize) -> Result<()> {
    if len > MAX_TOKEN_LEN {
        return Err(Error::malformed(format!(
            "the token is longer than {MAX_TOKEN_LEN} bytes"
        )));
    }
    Ok(())
}

/// Most permissions in one policy. A token is for one application; 256 commands is far
/// beyond any real API surface and keeps authorization under a few microseconds.
pub const MAX_PERMISSIONS: usize = 256;

/// Longest permission string, in bytes. One command line with its constraints.
pub const MAX_PERMISSION_LEN: usize = 1024;

/// Most tokens in one permission. Commands have a handful of words and flags.
pub const MAX_PERMISSION_TOKENS: usize = 64;

/// Longest request command, in bytes, before any parsing. HTTP servers refuse request
/// lines past 8 KiB too.
pub const MAX_COMMAND_LEN: usize = 8 * 1024;

/// Most tokens in one request command (positionals and flags); the same bound as for
/// permissions, since a longer command could match nothing.
pub const MAX_COMMAND_TOKENS: usize = 64;

/// Deepest JSON nesting accepted while decoding a policy. A valid policy nests two levels
/// (object, array); eight leaves room to report unknown fields by name, and bounds
/// recursion so that deep input can never exhaust the stack.
pub const MAX_JSON_DEPTH: usize = 8;

/// Shortest secret accepted unless the caller lowers the minimum: 128 bits, the security
/// level of HMAC-SHA256 against key search.
pub const MIN_SECRET_LEN: usize = 16;

/// Longest `kid`, in characters (DESIGN.md §2).
pub const MAX_KID_LEN: usize = 64;

/// Longest `jti`, in characters (DESIGN.md §2).
pub const MAX_JTI_LEN: usize = 128;

/// Largest `uses` (DESIGN.md §9): a million requests is more than a one-time or N-times
/// link needs, and keeps the counter small.
pub const MAX_USES: u64 = 1_000_000;

/// Largest leeway, in seconds. An hour covers any real clock skew; more would silently
/// extend every credential's life.
pub const MAX_LEEWAY: u64 = 3600;

/// Timestamps and sizes are below 2^53: the integers every JSON implementation (including
/// JavaScript's) represents exactly.
pub const MAX_INTEGER: u64 = (1 << 53) - 1;

/// Lifetime of a credential when the issuer gives neither `expires_in` nor `expiry`:
/// 15 minutes, as in Filestack's own tutorial.
pub const DEFAULT_LIFETIME: u64 = 900;

/// Compiled size bound for one policy regex, in bytes. Ordinary patterns (including
/// Unicode classes such as `\w`) need a few tens of KiB; `a{1000}{1000}` is refused at
/// once instead of allocating megabytes.
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// Lazy DFA cache bound for one policy regex, in bytes. Bounds the memory a cached
/// pattern can grow to while matching.
pub const REGEX_DFA_LIMIT: usize = 256 * 1024;

/// Deepest nesting of groups and repetitions in a policy regex.
pub const REGEX_NEST_LIMIT: u32 = 64;

/// Compiled regexes and permission sets a signer or verifier keeps. Enough for one
/// pattern per active user of a busy service; past it, entries are evicted so memory
/// stays bounded.
pub const CACHE_CAPACITY: usize = 4096;

/// Work the exact set-containment check ([`crate::covers_all`]) may do, in units of one
/// word of one cell's dimension looked at (every step is charged for the permissions and
/// dimensions it touches). Realistic permission sets decide in a few hundred units;
/// adversarial ones stop here, in milliseconds, and answer "not covered", which is always
/// safe (it only refuses a mint).
pub const COVERS_BUDGET: usize = 250_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_up_to_the_limit_pass_the_length_check() {
        assert_eq!(check_token_len(MAX_TOKEN_LEN), Ok(()));
        let e = check_token_len(MAX_TOKEN_LEN + 1).unwrap_err();
        assert_eq!(e.code(), "malformed");
    }
}
