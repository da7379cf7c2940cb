//! A bounded, thread-safe map from source text to a compiled value.
//!
//! Signers and verifiers keep compiled regexes, permission sets and verified policies in
//! these, so that a hot path never recompiles. Values depend only on their key, so a hit
//! is always what compiling again would give. Reads take a shared lock; a miss compiles
//! outside any lock. When a cache is full it is emptied (the old entries are dropped after
//! the lock is released): memory stays bounded whatever the traffic, and the cost is
//! amortized over [`CACHE_CAPACITY`] insertions.
//!
//! Keys are hashed with foldhash, seeded per process: fast on the 100–300 byte policy
//! strings, and flooding is not a concern since entries are only added for compiled
//! patterns of signed policies.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::limits::CACHE_CAPACITY;

type Map<V> = HashMap<Box<str>, Arc<V>, foldhash::fast::RandomState>;

pub(crate) struct Cache<V> {
    map: RwLock<Map<V>>,
}

impl<V> Cache<V> {
    pub(crate) fn new() -> Self {
        Cache {
            map: RwLock::new(Map::default()),
        }
    }

    /// The value for `key`, if cached.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<V>> {
        self.map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .map(Arc::clone)
    }

    /// Caches `value` under `key`.
    pub(crate) fn insert(&self, key: &str, value: Arc<V>) {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        let evicted = if map.len() >= CACHE_CAPACITY {
            std::mem::take(&mut *map)
        } else {
            Map::default()
        };
        map.insert(key.into(), value);
        drop(map);
        drop(evicted);
    }

    /// The value for `key`, compiled with `make` on a miss. Failures are not cached.
    pub(crate) fn get_or_try_insert<E>(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        if let Some(hit) = self.get(key) {
            return Ok(hit);
        }
        let value = Arc::new(make()?);
        self.insert(key, Arc::clone(&value));
        Ok(value)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl<V> fmt::Debug for Cache<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cache")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_skip_compilation_and_failures_are_not_kept() {
        let cache: Cache<String> = Cache::new();
        let a = cache
            .get_or_try_insert("a", || Ok::<_, ()>("A".to_owned()))
            .unwrap();
        let again = cache
            .get_or_try_insert("a", || -> Result<String, ()> { panic!("recompiled") })
            .unwrap();
        assert!(Arc::ptr_eq(&a, &again));
        assert!(
            cache
                .get_or_try_insert("b", || Err::<String, _>(()))
                .is_err()
        );
        assert_eq!(cache.len(), 1);
        assert!(cache.get("b").is_none());
    }

    #[test]
    fn memory_stays_bounded() {
        let cache: Cache<usize> = Cache::new();
        for i in 0..CACHE_CAPACITY * 3 + 7 {
            cache.insert(&format!("k{i}"), Arc::new(i));
            assert!(cache.len() <= CACHE_CAPACITY);
        }
        assert!(cache.len() >= 1);
    }
}
