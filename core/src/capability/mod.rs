//! The capability language of `DESIGN.md` §4: permissions, request commands, matching,
//! containment, and the mapping of HTTP requests to commands.
//!
//! ```
//! use capsign::{Command, Permission};
//!
//! let pin = Permission::parse("pin add [-r] *")?;
//! assert!(pin.matches(&Command::parse("pin add -r QmX")?));
//! assert!(!pin.matches(&Command::parse("pin rm QmX")?));
//! # Ok::<(), capsign::Error>(())
//! ```

pub(crate) mod command;
mod covers;
mod lex;
pub(crate) mod mapping;
mod permission;

pub use command::{Command, CommandBuilder};
pub use covers::{covers, covers_all, covers_text};
pub use permission::{Permission, PermissionSet};
