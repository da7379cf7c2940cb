//! The in-memory store: one process, thread-safe, the same answers as the Redis scripts.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::{Layout, Revocation};
use crate::error::Result;
use crate::verify::Grant;

/// Entries past this many are swept (dropping those whose credentials expired) before
/// another is added; the threshold then doubles with what is live.
const FIRST_SWEEP: usize = 1024;

#[derive(Default)]
struct State {
    before: u64,
    kids: HashMap<Box<str>, u64>,
    /// `jti` → when the revocation may be dropped.
    revoked: HashMap<Box<str>, u64>,
    /// `jti` → (uses so far, when the counter may be dropped).
    used: HashMap<Box<str>, (u32, u64)>,
    next_sweep: usize,
}

impl State {
    fn entries(&self) -> usize {
        self.revoked.len() + self.used.len()
    }

    /// Before adding an entry: drop what has expired once the store has grown enough.
    fn make_room(&mut self, now: u64) {
        if self.entries() < self.next_sweep.max(FIRST_SWEEP) {
            return;
        }
        self.revoked.retain(|_, until| *until > now);
        self.used.retain(|_, (_, until)| *until > now);
        self.next_sweep = (2 * self.entries()).max(FIRST_SWEEP);
    }
}

/// Revocations and use counts for one process (`DESIGN.md` §9). `Send + Sync`; every
/// check is one lock, and memory holds no more than the live credentials (entries are
/// dropped once what they name has expired, plus the leeway).
pub struct MemoryStore {
    layout: Layout,
    state: Mutex<State>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("leeway", &self.layout.leeway())
            .field("entries", &self.len())
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(Layout::default())
    }
}

impl MemoryStore {
    /// An empty store (the layout's prefix is not used; its leeway is).
    pub fn new(layout: Layout) -> MemoryStore {
        MemoryStore {
            layout,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks `grant` as of `now` and consumes one of its uses: `revoked`, `used_up`, or
    /// `Ok`.
    pub fn check_at(&self, grant: &Grant, now: u64) -> Result<()> {
        let q = self.layout.question(grant);
        let mut state = self.state();
        let reply = if q.iat < state.before {
            "revoked:before"
        } else if q
            .kid
            .and_then(|kid| state.kids.get(kid))
            .is_some_and(|before| q.iat < *before)
        {
            "revoked:kid"
        } else if let Some(jti) = q.jti {
            if state.revoked.get(jti).is_some_and(|until| *until > now) {
                "revoked:jti"
            } else if let Some(limit) = q.uses {
                let fresh = match state.used.get(jti) {
                    Some((_, until)) => *until <= now,
                    None => true,
                };
                if fresh {
                    state.make_room(now);
                    state.used.insert(jti.into(), (0, q.keep_until));
                }
                let count = state.used.get_mut(jti).map(|(n, _)| {
                    *n = n.saturating_add(1);
                    *n
                });
                if count.is_some_and(|n| n > limit) {
                    "used_up"
                } else {
                    "ok"
                }
            } else {
                "ok"
            }
        } else {
            "ok"
        };
        drop(state);
        q.decide(Some(reply))
    }

    /// Records `revocation` as of `now` (refused if it would record nothing:
    /// [`Revocation::check_at`]).
    pub fn revoke_at(&self, revocation: &Revocation<'_>, now: u64) -> Result<()> {
        revocation.check_at(now, self.layout.leeway())?;
        let mut state = self.state();
        match revocation {
            Revocation::Jti { jti, expiry } => {
                state.make_room(now);
                let until = expiry
                    .saturating_add(self.layout.leeway())
                    .saturating_add(1);
                // A revocation already recorded is extended, never shortened.
                let entry = state.revoked.entry(jti.as_ref().into()).or_insert(0);
                *entry = (*entry).max(until);
            }
            Revocation::Kid { kid, before } => {
                let entry = state.kids.entry(kid.as_ref().into()).or_insert(0);
                *entry = (*entry).max(*before);
            }
            Revocation::Before { before } => state.before = state.before.max(*before),
        }
        Ok(())
    }

    /// Drops every entry whose credential has expired (plus the leeway) as of `now`. The
    /// store also does this by itself whenever it has doubled since the last sweep.
    pub fn sweep_at(&self, now: u64) {
        let mut state = self.state();
        state.revoked.retain(|_, until| *until > now);
        state.used.retain(|_, (_, until)| *until > now);
        state.next_sweep = (2 * state.entries()).max(FIRST_SWEEP);
    }

    /// How many `jti` entries (revocations and counters) the store holds.
    pub fn len(&self) -> usize {
        self.state().entries()
    }

    /// Whether the store holds no `jti` entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
