//! The [`Grant`]: a verified, current policy, the only thing requests are authorized
//! against.

use std::sync::Arc;

use crate::capability::{Permission, PermissionSet};
use crate::error::{Error, Result};
use crate::policy::Policy;
use crate::request::{CommandRef, Request};

/// A verified, current policy: the only thing requests are authorized against.
#[derive(Clone, Debug)]
pub struct Grant {
    pub(crate) policy: Arc<Policy>,
    pub(crate) matched: Option<usize>,
    /// The verifier's leeway: a store keeps what names this credential that much longer.
    pub(crate) leeway: u64,
}

impl Grant {
    /// The decoded policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The policy's `expiry`.
    pub fn expiry(&self) -> u64 {
        self.policy.expiry()
    }

    /// The leeway of the verifier that checked it.
    pub fn leeway(&self) -> u64 {
        self.leeway
    }

    /// The `kid` of the key that signed it, if any.
    pub fn kid(&self) -> Option<&str> {
        self.policy.kid()
    }

    /// The policy's permissions, if any.
    pub fn permissions(&self) -> Option<&PermissionSet> {
        self.policy.permissions()
    }

    /// The permission that allowed the command of the request given at verification, for
    /// audit logs.
    pub fn matched(&self) -> Option<&Permission> {
        self.matched
            .and_then(|i| self.policy.permissions().and_then(|set| set.get(i)))
    }

    /// Authorizes a further request against this grant (time is not checked again).
    /// Returns the permission that allowed the request's command, if it named one.
    pub fn authorize(&self, request: &Request<'_>) -> Result<Option<&Permission>> {
        let index = self.policy.authorize(request)?;
        Ok(index.and_then(|i| self.policy.permissions().and_then(|set| set.get(i))))
    }

    /// Whether this grant allows `command` as a request of its own (the same answer a
    /// middleware would give). A command that is not valid is an error, not a "no".
    pub fn allows<'c>(&self, command: impl Into<CommandRef<'c>>) -> Result<bool> {
        let request = Request {
            command: Some(command.into()),
            ..Request::default()
        };
        match self.policy.authorize(&request) {
            Ok(_) => Ok(true),
            Err(Error::Denied { .. }) => Ok(false),
            Err(other) => Err(other),
        }
    }
}
