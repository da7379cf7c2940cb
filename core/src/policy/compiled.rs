//! Compiled regexes and permission sets, kept by each signer and verifier so that a hot
//! path never recompiles.

use std::borrow::Cow;
use std::sync::Arc;

use super::field::Field;
use crate::cache::Cache;
use crate::capability::PermissionSet;
use crate::error::{Error, Result};
use crate::limits::MAX_PERMISSIONS;
use crate::pattern::Pattern;

/// The caches of one signer or verifier.
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

    /// The compiled full-match pattern for `source`; an error names `field`.
    pub(crate) fn pattern(&self, field: Field, source: &str) -> Result<Arc<Pattern>> {
        self.patterns
            .get_or_try_insert(source, || Pattern::new(source))
            .map_err(|why| Error::policy(field.name(), why))
    }

    /// The parsed permission set of `items`. `key` is JSON text for the array of `items`,
    /// so it determines them exactly.
    pub(crate) fn permissions(
        &self,
        key: &str,
        items: &[Cow<'_, str>],
    ) -> Result<Arc<PermissionSet>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_are_shared_and_errors_name_the_field() {
        let c = Compiled::new();
        let a = c.pattern(Field::Path, "/u/.*").unwrap();
        let b = c.pattern(Field::Url, "/u/.*").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(c.pattern(Field::Url, "(").unwrap_err().field(), Some("url"));
        let items = [Cow::Borrowed("pin ls")];
        let p = c.permissions(r#"["pin ls"]"#, &items).unwrap();
        let q = c.permissions(r#"["pin ls"]"#, &items).unwrap();
        assert!(Arc::ptr_eq(&p, &q));
        let many: Vec<Cow<'_, str>> = (0..=MAX_PERMISSIONS).map(|_| "a".into()).collect();
        assert_eq!(
            c.permissions("many", &many).unwrap_err().field(),
            Some("permissions")
        );
    }
}
