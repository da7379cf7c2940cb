//! # capsign
//!
//! Scoped, short-lived, signed credentials for apps that serve files or APIs.
//!
//! - **Filestack-compatible policies** (`DESIGN.md` §1–§2): a base64 JSON policy signed with
//!   HMAC-SHA256, handed to a browser or a native app by a backend that holds the secret.
//! - **Capability tokens** in the spirit of the IPFS API-tokens proposal (§4): a policy's
//!   `permissions` such as `pin add [-r] *` or `cat /ipfs/<cid>` say which commands it allows.
//!
//! ```
//! use capsign::{Claims, Request, Signer, Verifier};
//!
//! let secret = b"an-app-secret-of-at-least-16-bytes";
//! let signer = Signer::new(secret)?;
//! let credentials = signer.issue(&Claims {
//!     call: Some(&["pick"]),
//!     expires_in: Some(15 * 60),
//!     permissions: Some(&["pin add [-r] *"]),
//!     ..Claims::default()
//! })?;
//!
//! let verifier = Verifier::new(secret)?;
//! let grant = verifier.verify_token(credentials.token(), &Request::new().command_text("pin add -r QmX"))?;
//! assert_eq!(grant.matched().map(|p| p.as_str()), Some("pin add [-r] *"));
//!
//! let refused = verifier.verify_token(credentials.token(), &Request::new().command_text("pin rm QmX"));
//! assert_eq!(refused.unwrap_err().code(), "denied");
//! # Ok::<(), capsign::Error>(())
//! ```
//!
//! Errors are one enum, [`Error`], with stable [`Error::code`]s shared with the Python and
//! Node packages. Limits are in [`limits`], each with its reason.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cache;
pub mod capability;
mod claims;
mod clock;
pub mod dangerous;
mod encoding;
mod error;
pub mod filestack;
pub mod http;
mod json;
mod keys;
pub mod limits;
mod pattern;
mod policy;
mod pubkey;
mod request;
mod sign;
pub mod store;
mod verify;

pub use capability::{
    Command, CommandBuilder, Permission, PermissionSet, covers, covers_all, covers_text,
};
pub use claims::Claims;
pub use clock::unix_now;
pub use error::{Error, Result};
pub use keys::{Secret, generate_secret};
pub use pattern::Pattern;
pub use policy::{Call, FieldValue, Policy};
pub use pubkey::{PublicKey, SigningKey, key_set, parse_key_set};
pub use request::{CommandRef, Request};
pub use sign::{Credentials, Signer, SignerBuilder};
pub use verify::{Grant, Verifier, VerifierBuilder};
