//! Filestack compatibility: the `security` helper of filestack-python, byte for byte, and
//! the `security=p:…,s:…` URL task.
//!
//! filestack-python signs `base64url(json.dumps(policy, sort_keys=True))`: Python's default
//! separators (`", "`, `": "`) and `\uXXXX` escapes for everything outside printable
//! ASCII. [`security`] validates the policy by the rules of `DESIGN.md` §2 first (fail
//! closed, as filestack-python 2.x did for unknown fields and non-integer numbers), then
//! writes it exactly that way.

use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::json::Style;
use crate::policy::compiled::Compiled;
use crate::policy::decode::RawPolicy;
use crate::sign::{Credentials, Signer};

/// Validates `policy_json` (a JSON object of policy fields) and signs it the way
/// filestack-python does. Numbers must be written as integers. Any non-empty secret is
/// accepted: Filestack generates app secrets, and existing apps must keep theirs.
pub fn security(policy_json: &str, secret: &[u8]) -> Result<Credentials> {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    let raw = RawPolicy::parse(policy_json).map_err(|e| match e {
        Error::Malformed { reason } => Error::policy("policy", reason),
        other => other,
    })?;
    let policy = raw.validate(COMPILED.get_or_init(Compiled::new), true)?;
    Signer::builder()
        .secret(secret)
        .min_secret_len(1)
        .build()?
        .sign_policy(&policy, Style::Python)
}

/// Reads a Filestack security task, `security=p:<policy>,s:<signature>` (the `security=`
/// prefix optional; `policy:`/`signature:` or `p:`/`s:`, in either order). Returns
/// `(policy, signature)`; anything else is `malformed`.
pub fn parse_security_task(task: &str) -> Result<(&str, &str)> {
    let body = task.strip_prefix("security=").unwrap_or(task);
    let (mut policy, mut signature) = (None, None);
    let bad = || Error::malformed("a security task is security=p:<policy>,s:<signature>");
    for part in body.split(',') {
        let (name, value) = part.split_once(':').ok_or_else(bad)?;
        let slot = match name {
            "p" | "policy" => &mut policy,
            "s" | "signature" => &mut signature,
            _ => return Err(bad()),
        };
        if value.is_empty() || slot.replace(value).is_some() {
            return Err(bad());
        }
    }
    Ok((policy.ok_or_else(bad)?, signature.ok_or_else(bad)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filestack_python_vectors() {
        let c = security(r#"{"expiry": 1700000000}"#, b"SECURITY-SECRET").unwrap();
        assert_eq!(c.policy(), "eyJleHBpcnkiOiAxNzAwMDAwMDAwfQ==");
        assert_eq!(
            c.signature(),
            "2c06ba8bb0e51b8b25e0a3701d9d444399bffcdda956333fec136cefffcf6104"
        );
        let c = security(
            r#"{"path":"^/avatars/[0-9]+/?$","expiry":1700000000,"call":["store"]}"#,
            b"SECURITY-SECRET",
        )
        .unwrap();
        assert_eq!(
            c.policy(),
            "eyJjYWxsIjogWyJzdG9yZSJdLCAiZXhwaXJ5IjogMTcwMDAwMDAwMCwgInBhdGgiOiAiXi9hdmF0YXJzL1swLTldKy8_JCJ9"
        );
        assert_eq!(
            c.signature(),
            "d86a388a519c5d21471f0db3b0452e3cc034410913df8c119464f8a066b34fd1"
        );
    }

    #[test]
    fn refuses_what_filestack_python_2_refused() {
        let code = |json: &str| security(json, b"s").unwrap_err();
        assert_eq!(code(r#"{"expiry": 1.0}"#).field(), Some("expiry"));
        assert_eq!(code(r#"{"expiry": 1, "calls": []}"#).field(), Some("calls"));
        assert_eq!(code(r#"{"expiry": true}"#).field(), Some("expiry"));
        assert_eq!(code("not json").field(), Some("policy"));
        assert_eq!(
            security(r#"{"expiry": 1}"#, b"").unwrap_err().code(),
            "weak_secret"
        );
    }

    #[test]
    fn security_tasks() {
        assert_eq!(parse_security_task("security=p:P,s:S").unwrap(), ("P", "S"));
        assert_eq!(parse_security_task("s:S,p:P").unwrap(), ("P", "S"));
        assert_eq!(
            parse_security_task("security=policy:P,signature:S").unwrap(),
            ("P", "S")
        );
        for bad in [
            "",
            "security=",
            "p:P",
            "p:P,s:",
            "p:P,s:S,p:Q",
            "p:P,x:S",
            "p:P;s:S",
        ] {
            assert_eq!(
                parse_security_task(bad).unwrap_err().code(),
                "malformed",
                "{bad}"
            );
        }
    }
}
