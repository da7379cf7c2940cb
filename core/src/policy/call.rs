//! The Filestack operations a policy's `call` field can allow.

use std::fmt;

use crate::error::{Error, Result, quote};

/// Declares [`Call`] with each operation's policy name written once.
macro_rules! calls {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// A Filestack operation that a policy's `call` field can allow.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Call {
            $($(#[$doc])* $variant,)*
        }

        impl Call {
            /// Every call, in the order Filestack documents them.
            pub const ALL: [Call; [$($name),*].len()] = [$(Call::$variant),*];

            /// The name used in policies (`writeUrl`, `runWorkflow`, …).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Call::$variant => $name,)*
                }
            }

            /// The call with this exact name.
            pub fn from_name(name: &str) -> Option<Call> {
                match name {
                    $($name => Some(Call::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

calls! {
    /// Upload through the picker.
    Pick => "pick",
    /// Download a file.
    Read => "read",
    /// Read a file's metadata.
    Stat => "stat",
    /// Overwrite a file.
    Write => "write",
    /// Overwrite a file from a URL.
    WriteUrl => "writeUrl",
    /// Store a file (from an upload or a URL).
    Store => "store",
    /// Transform a file.
    Convert => "convert",
    /// Delete a file.
    Remove => "remove",
    /// Read a file's EXIF data; only allowed when listed explicitly.
    Exif => "exif",
    /// Run a workflow.
    RunWorkflow => "runWorkflow",
}

impl Call {
    /// Whether the call stores a file (`pick`, `store`, `write`, `writeUrl`): such a call
    /// must name every storage restriction the policy has.
    pub fn is_storing(self) -> bool {
        matches!(
            self,
            Call::Pick | Call::Store | Call::Write | Call::WriteUrl
        )
    }

    pub(crate) const fn bit(self) -> u16 {
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

/// Calls allowed when a policy has neither `call` nor `permissions`: all but `exif`
/// (Filestack's rule).
pub(crate) const DEFAULT_CALLS: u16 = {
    let mut bits = 0;
    let mut i = 0;
    while i < Call::ALL.len() {
        bits |= Call::ALL[i].bit();
        i += 1;
    }
    bits & !Call::Exif.bit()
};

/// Parses a list of call names; an unknown one makes the policy invalid.
pub(crate) fn parse_calls<'s>(names: impl IntoIterator<Item = &'s str>) -> Result<Vec<Call>> {
    names
        .into_iter()
        .map(|name| {
            Call::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = Call::ALL.iter().map(|c| c.as_str()).collect();
                Error::policy(
                    "call",
                    format!(
                        "{} is not a Filestack call ({})",
                        quote(name),
                        known.join(" ")
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_exif_needs_listing() {
        for call in Call::ALL {
            assert_eq!(Call::from_name(call.as_str()), Some(call));
        }
        assert_eq!(Call::from_name("Read"), None);
        assert_eq!(DEFAULT_CALLS & Call::Exif.bit(), 0);
        assert_ne!(DEFAULT_CALLS & Call::RunWorkflow.bit(), 0);
        let err = parse_calls(["read", "delete"]).unwrap_err();
        assert_eq!(err.field(), Some("call"));
        assert!(err.to_string().contains("writeUrl"), "{err}");
    }
}
