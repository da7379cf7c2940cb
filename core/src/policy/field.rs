//! The policy fields of `DESIGN.md` §2, each named once, and their values as the rest of
//! the crate reads them.

/// Declares [`Field`] with each field's JSON name written once.
macro_rules! fields {
    ($($variant:ident => $name:literal: $kind:ident,)*) => {
        /// A policy field. The declaration order is the JSON names' sorted order, which is
        /// the order policies are written in.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Field {
            $($variant,)*
        }

        impl Field {
            /// How many fields there are.
            pub(crate) const COUNT: usize = [$($name),*].len();
            /// Every field, in serialization order.
            pub(crate) const ALL: [Field; Field::COUNT] = [$(Field::$variant),*];

            /// The field's name in a policy.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Field::$variant => $name,)*
                }
            }

            /// The field with this exact name.
            pub(crate) fn from_name(name: &str) -> Option<Field> {
                match name {
                    $($name => Some(Field::$variant),)*
                    _ => None,
                }
            }

            /// The JSON type the field holds.
            pub(crate) fn kind(self) -> Kind {
                match self {
                    $(Field::$variant => Kind::$kind,)*
                }
            }
        }
    };
}

/// The JSON type of a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An integer in `[0, 2^53)`.
    Integer,
    /// A string (a regex for `url`, `path` and `container`).
    String,
    /// An array of strings.
    Strings,
}

fields! {
    Call => "call": Strings,
    Container => "container": String,
    Expiry => "expiry": Integer,
    Handle => "handle": String,
    Iat => "iat": Integer,
    Jti => "jti": String,
    Kid => "kid": String,
    MaxSize => "maxSize": Integer,
    MinSize => "minSize": Integer,
    Nbf => "nbf": Integer,
    Path => "path": String,
    Permissions => "permissions": Strings,
    Url => "url": String,
    Uses => "uses": Integer,
}

/// One field of a policy, for bindings and tools that rebuild the policy object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// `expiry`, `iat`, `nbf`, `maxSize`, `minSize`, `uses`.
    Integer(u64),
    /// `handle`, `url`, `path`, `container`, `kid`, `jti`.
    String(&'a str),
    /// `call`, `permissions`.
    Strings(Vec<&'a str>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_declared_in_sorted_order() {
        let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        for field in Field::ALL {
            assert_eq!(Field::from_name(field.name()), Some(field));
        }
        assert_eq!(Field::from_name("calls"), None);
    }
}
