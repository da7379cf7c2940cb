//! Writing a policy as JSON: keys in sorted order, in the canonical style capsign signs or
//! in filestack-python's style (see [`crate::json`]).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::{Item, Policy};
use crate::capability::Permission;
use crate::json::{self, Style};

impl Policy {
    /// Appends the policy as JSON in `style` to `out`.
    pub(crate) fn write_into(&self, out: &mut Vec<u8>, style: Style) {
        json::write(out, self, style);
    }

    /// The policy as canonical JSON (sorted keys, compact, UTF-8): the bytes a signer
    /// encodes.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(192);
        self.write_into(&mut out, Style::Canonical);
        // serde_json writes UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Serialize for Policy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (field, item) in self.items() {
            match item {
                Item::Integer(v) => map.serialize_entry(field.name(), &v)?,
                Item::String(v) => map.serialize_entry(field.name(), v)?,
                Item::Calls(calls) => {
                    map.serialize_entry(field.name(), &Strings(calls.iter().map(|c| c.as_str())))?
                }
                Item::Permissions(set) => {
                    map.serialize_entry(field.name(), &Strings(set.iter().map(Permission::as_str)))?
                }
            }
        }
        map.end()
    }
}

/// A list of strings written as a JSON array without collecting it.
struct Strings<I>(I);

impl<'s, I: Iterator<Item = &'s str> + Clone> Serialize for Strings<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for item in self.0.clone() {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::policy;
    use super::*;

    fn python(json: &str) -> String {
        let mut out = Vec::new();
        policy(json).unwrap().write_into(&mut out, Style::Python);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn both_styles_sort_keys() {
        let json = r#"{"path":"/é","expiry":1,"call":["read","store"]}"#;
        assert_eq!(
            policy(json).unwrap().to_json(),
            r#"{"call":["read","store"],"expiry":1,"path":"/é"}"#
        );
        assert_eq!(
            python(json),
            r#"{"call": ["read", "store"], "expiry": 1, "path": "/\u00e9"}"#
        );
    }
}
