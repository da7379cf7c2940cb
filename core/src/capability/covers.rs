//! Containment: whether one permission (or set) allows everything another does.
//!
//! A permission's language is a product: (positional sequences) × (flag states per name),
//! and for a fixed number of positionals the sequences are a product of per-position sets.
//! So for single permissions containment is exact componentwise:
//! - positionals: same count (or `a` ends in `**` and `b` has at least as many
//!   positionals before its own `**`, if any) and each `a` pattern contains `b`'s;
//! - flags: for every name, the states `a` allows (absent, bare, a value) include `b`'s.
//!
//! For sets, `b`'s language may be covered by several of `a`'s permissions together
//! (`x [-r]` is covered by `{x, x -r}`). [`covers_all`] decides that exactly by splitting
//! each dimension into the finitely many classes the patterns can tell apart, and checking
//! that every cell of `b` lies in some `a`. It is bounded by [`COVERS_BUDGET`] steps; past
//! it, the answer is "not covered", which is always safe.

use super::permission::{FlagPattern, FlagValue, Permission, PermissionSet, Pos, Segment};
use crate::error::Result;
use crate::limits::COVERS_BUDGET;

/// Whether every command that `b` allows, `a` allows too. Exact.
pub fn covers(a: &Permission, b: &Permission) -> bool {
    let mut budget = COVERS_BUDGET;
    contains(a, b) || union_covers(std::slice::from_ref(a), b, &mut budget).unwrap_or(false)
}

/// Whether every command that some permission of `b` allows, some permission of `a`
/// allows too. Exact for this grammar within [`COVERS_BUDGET`] steps (far beyond any real
/// permission set); an input that would take longer gets `false`.
pub fn covers_all(a: &PermissionSet, b: &PermissionSet) -> bool {
    let mut budget = COVERS_BUDGET;
    b.iter().all(|pb| {
        a.iter().any(|pa| contains(pa, pb))
            || union_covers(a.as_slice(), pb, &mut budget).unwrap_or(false)
    })
}

/// [`covers_all`] on permission strings: parses both lists (errors are
/// `invalid_permission`) and compares them. A single permission is a list of one.
pub fn covers_text<A: AsRef<str>, B: AsRef<str>>(a: &[A], b: &[B]) -> Result<bool> {
    Ok(covers_all(
        &PermissionSet::parse(a)?,
        &PermissionSet::parse(b)?,
    ))
}

fn contains(a: &Permission, b: &Permission) -> bool {
    let (na, nb) = (a.positionals.len(), b.positionals.len());
    let lengths_ok = if a.rest {
        nb >= na
    } else {
        !b.rest && nb == na
    };
    lengths_ok
        && a.positionals
            .iter()
            .zip(&b.positionals)
            .all(|(x, y)| pos_contains(x, y))
        && flags_contain(&a.flags, &b.flags)
}

fn pos_contains(x: &Pos, y: &Pos) -> bool {
    match (x, y) {
        (Pos::Any, _) => true,
        (Pos::Literal(u), Pos::Literal(v)) => u == v,
        (Pos::Path(p), Pos::Path(q)) => {
            q.len() >= p.len()
                && p.iter().zip(q).all(|(s, t)| match (s, t) {
                    (Segment::Any, _) => true,
                    (Segment::Literal(u), Segment::Literal(v)) => u == v,
                    _ => false,
                })
        }
        _ => false,
    }
}

/// Flag patterns are sorted by name with unique names.
fn flags_contain(a: &[FlagPattern], b: &[FlagPattern]) -> bool {
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (None, None) => return true,
            // `b` allows only absence for this name; `a` must allow it too.
            (Some(fa), None) => {
                if fa.required {
                    return false;
                }
                i += 1;
            }
            // `b` allows the flag present; `a` allows only absence.
            (None, Some(_)) => return false,
            (Some(fa), Some(fb)) => match fa.name.cmp(&fb.name) {
                std::cmp::Ordering::Less => {
                    if fa.required {
                        return false;
                    }
                    i += 1;
                }
                std::cmp::Ordering::Greater => return false,
                std::cmp::Ordering::Equal => {
                    let absence_ok = fb.required || !fa.required;
                    let value_ok = match (&fa.value, &fb.value) {
                        (FlagValue::Bare, FlagValue::Bare) => true,
                        (FlagValue::Any, FlagValue::Exact(_) | FlagValue::Any) => true,
                        (FlagValue::Exact(u), FlagValue::Exact(v)) => u == v,
                        _ => false,
                    };
                    if !(absence_ok && value_ok) {
                        return false;
                    }
                    i += 1;
                    j += 1;
                }
            },
        }
    }
}

/// The budget ran out.
struct Exhausted;

/// Charges `units` of work (one unit: one word of one dimension of one cell looked at).
fn spend(budget: &mut usize, units: usize) -> Result<(), Exhausted> {
    *budget = budget.checked_sub(units.max(1)).ok_or(Exhausted)?;
    Ok(())
}

/// Whether the union of `a` covers `b`, one positional count at a time.
fn union_covers(a: &[Permission], b: &Permission, budget: &mut usize) -> Result<bool, Exhausted> {
    let nb = b.positionals.len();
    let top = if b.rest {
        // Past this count only `**` permissions apply and nothing constrains the extra
        // positions, so this count stands for all larger ones.
        a.iter()
            .map(|p| p.positionals.len() + usize::from(!p.rest))
            .max()
            .unwrap_or(0)
            .max(nb)
            // Length 0 is special (the empty command is not a command), so it cannot
            // stand for the longer lengths.
            .max(1)
    } else {
        nb
    };
    for len in nb..=top {
        if len == 0 && b.flags.is_empty() {
            continue; // only the empty command, which is not a command
        }
        let applicable: Vec<&Permission> = a
            .iter()
            .filter(|p| {
                if p.rest {
                    p.positionals.len() <= len
                } else {
                    p.positionals.len() == len
                }
            })
            .collect();
        if applicable.is_empty() || !grid_covers(&applicable, b, len, budget)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A set of classes in one dimension.
#[derive(Clone, Debug, PartialEq)]
struct Bits(Vec<u64>);

impl Bits {
    fn empty(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }

    fn full(n: usize) -> Self {
        let mut b = Bits::empty(n);
        for i in 0..n {
            b.set(i);
        }
        b
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn subset_of(&self, other: &Bits) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a & !b == 0)
    }

    fn intersects(&self, other: &Bits) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }

    fn and(&self, other: &Bits) -> Bits {
        Bits(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }

    fn and_not(&self, other: &Bits) -> Bits {
        Bits(self.0.iter().zip(&other.0).map(|(a, b)| a & !b).collect())
    }
}

/// A product of class sets, one per dimension.
type Cell = Vec<Bits>;

/// The positional pattern of `p` at position `j` for a command with `len` positionals.
fn pos_at(p: &Permission, j: usize) -> &Pos {
    p.positionals.get(j).unwrap_or(&Pos::Any)
}

/// Whether the cells of `applicable` cover the cell of `b`, for commands with `len`
/// positionals.
fn grid_covers(
    applicable: &[&Permission],
    b: &Permission,
    len: usize,
    budget: &mut usize,
) -> Result<bool, Exhausted> {
    // A name `b` does not mention: `b` allows only its absence, so a permission that
    // requires it covers nothing of `b`, and one that makes it optional agrees with `b`
    // on it. Only `b`'s own flag names are dimensions, so the work below is bounded by
    // `b`'s size and the number of permissions, not by every name `a` mentions.
    let mentioned = |name: &str| {
        b.flags
            .binary_search_by(|f| f.name.as_ref().cmp(name))
            .is_ok()
    };
    spend(budget, applicable.iter().map(|p| p.flags.len()).sum())?;
    let all: Vec<&Permission> = std::iter::once(b)
        .chain(
            applicable
                .iter()
                .copied()
                .filter(|p| p.flags.iter().all(|f| !f.required || mentioned(&f.name))),
        )
        .collect();
    if all.len() == 1 {
        return Ok(false);
    }
    // One cell per permission, `b` first.
    let mut cells: Vec<Cell> = vec![Vec::new(); all.len()];
    for j in 0..len {
        let patterns: Vec<&Pos> = all.iter().map(|p| pos_at(p, j)).collect();
        for (cell, bits) in cells.iter_mut().zip(position_classes(&patterns, budget)?) {
            cell.push(bits);
        }
    }
    for name in b.flags.iter().map(|f| f.name.as_ref()) {
        spend(budget, all.len())?;
        let patterns: Vec<Option<&FlagPattern>> = all
            .iter()
            .map(|p| {
                p.flags
                    .binary_search_by(|f| f.name.as_ref().cmp(name))
                    .ok()
                    .map(|i| &p.flags[i])
            })
            .collect();
        for (cell, bits) in cells.iter_mut().zip(flag_classes(&patterns)) {
            cell.push(bits);
        }
    }
    let mut cells = cells.into_iter();
    let Some(target) = cells.next() else {
        return Ok(false);
    };
    let covers: Vec<Cell> = cells.collect();
    if len > 0 {
        return cover(target, &covers, budget);
    }
    // With no positionals, every dimension is a flag, and "all flags absent" is the empty
    // command, which is not a command: cover the rest of the cell, piece by piece.
    let absent = |like: &Bits| {
        let mut b = Bits(vec![0; like.0.len()]);
        b.set(ABSENT);
        b
    };
    for i in 0..target.len() {
        let mut piece = target.clone();
        for dim in piece.iter_mut().take(i) {
            *dim = dim.and(&absent(dim));
        }
        piece[i] = piece[i].and_not(&absent(&piece[i]));
        if piece.iter().all(|d| d.0.iter().any(|w| *w != 0)) && !cover(piece, &covers, budget)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `target` lies in the union of `covers`, by splitting it until every piece lies
/// in one cover or in none.
fn cover(target: Cell, covers: &[Cell], budget: &mut usize) -> Result<bool, Exhausted> {
    let words: usize = target.iter().map(|d| d.0.len()).sum();
    let mut work = vec![(target, (0..covers.len()).collect::<Vec<_>>())];
    while let Some((cell, live)) = work.pop() {
        spend(budget, live.len() * words)?;
        let live: Vec<usize> = live
            .into_iter()
            .filter(|&i| cell.iter().zip(&covers[i]).all(|(x, y)| x.intersects(y)))
            .collect();
        let Some(&first) = live.first() else {
            return Ok(false);
        };
        let within =
            |i: usize| -> bool { cell.iter().zip(&covers[i]).all(|(x, y)| x.subset_of(y)) };
        if live.iter().any(|&i| within(i)) {
            continue;
        }
        let Some(dim) = (0..cell.len()).find(|&d| !cell[d].subset_of(&covers[first][d])) else {
            continue;
        };
        let mut inside = cell.clone();
        inside[dim] = cell[dim].and(&covers[first][dim]);
        let mut outside = cell;
        outside[dim] = outside[dim].and_not(&covers[first][dim]);
        work.push((outside, live.clone()));
        work.push((inside, live));
    }
    Ok(true)
}

/// Classes of one positional dimension and each pattern's set of them: class 0 is "a
/// literal none of the patterns names", then one class per named literal, then the path
/// classes (paths the patterns cannot tell apart).
fn position_classes(patterns: &[&Pos], budget: &mut usize) -> Result<Vec<Bits>, Exhausted> {
    spend(budget, patterns.len())?;
    let mut literals: Vec<&str> = patterns
        .iter()
        .filter_map(|p| match p {
            Pos::Literal(v) => Some(v.as_ref()),
            _ => None,
        })
        .collect();
    literals.sort_unstable();
    literals.dedup();
    let paths: Vec<&[Segment]> = patterns
        .iter()
        .filter_map(|p| match p {
            Pos::Path(s) => Some(s.as_slice()),
            _ => None,
        })
        .collect();
    let path_classes = path_classes(&paths, budget)?;
    let first_path = 1 + literals.len();
    let n = first_path + path_classes.len();
    // Each pattern's set of classes: one bit per class, for every pattern.
    spend(budget, patterns.len() * n.div_ceil(64))?;
    let members: usize = path_classes.iter().map(Vec::len).sum();
    spend(budget, members)?;
    // Which classes each path pattern belongs to, in one pass over the classes.
    let mut path_bits = vec![Bits::empty(n); paths.len()];
    for (c, members) in path_classes.iter().enumerate() {
        for &member in members {
            path_bits[member].set(first_path + c);
        }
    }
    let mut path_index = 0;
    Ok(patterns
        .iter()
        .map(|p| match p {
            Pos::Any => Bits::full(n),
            Pos::Literal(v) => {
                let mut b = Bits::empty(n);
                if let Ok(i) = literals.binary_search(&v.as_ref()) {
                    b.set(1 + i);
                }
                b
            }
            Pos::Path(_) => {
                let b = path_bits[path_index].clone();
                path_index += 1;
                b
            }
        })
        .collect())
}

/// The classes of paths that `patterns` tell apart, each as the list of patterns that
/// match it. With no patterns there is one class: every path.
fn path_classes(patterns: &[&[Segment]], budget: &mut usize) -> Result<Vec<Vec<usize>>, Exhausted> {
    let mut classes = Vec::new();
    // (depth, patterns consistent with the path so far)
    let mut work = vec![(0usize, (0..patterns.len()).collect::<Vec<_>>())];
    while let Some((depth, alive)) = work.pop() {
        spend(budget, alive.len())?;
        let (complete, pending): (Vec<usize>, Vec<usize>) =
            alive.iter().partition(|&&p| patterns[p].len() <= depth);
        if pending.is_empty() {
            // Every longer path behaves like this one.
            classes.push(alive);
            continue;
        }
        // The path ends here.
        classes.push(complete.clone());
        let mut names: Vec<&str> = pending
            .iter()
            .filter_map(|&p| match &patterns[p][depth] {
                Segment::Literal(v) => Some(v.as_ref()),
                Segment::Any => None,
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        // One pass over the pending patterns for each name, and one for the rest.
        spend(budget, (names.len() + 1) * alive.len())?;
        let next = |name: Option<&str>| -> Vec<usize> {
            let mut out = complete.clone();
            out.extend(
                pending
                    .iter()
                    .copied()
                    .filter(|&p| match &patterns[p][depth] {
                        Segment::Any => true,
                        Segment::Literal(v) => Some(v.as_ref()) == name,
                    }),
            );
            out
        };
        for name in &names {
            work.push((depth + 1, next(Some(name))));
        }
        // A segment none of the patterns names.
        work.push((depth + 1, next(None)));
    }
    Ok(classes)
}

/// Classes of one flag name: absent, bare, a value none of the patterns names, then one
/// per named value; and each pattern's set of them (`None`: the permission does not
/// mention the flag, so only absence).
/// Flag classes: absent, bare, a value none of the patterns names, then named values.
const ABSENT: usize = 0;
const BARE: usize = 1;
const OTHER: usize = 2;

fn flag_classes(patterns: &[Option<&FlagPattern>]) -> Vec<Bits> {
    let mut values: Vec<&str> = patterns
        .iter()
        .filter_map(|p| match p.map(|f| &f.value) {
            Some(FlagValue::Exact(v)) => Some(v.as_ref()),
            _ => None,
        })
        .collect();
    values.sort_unstable();
    values.dedup();
    let n = OTHER + 1 + values.len();
    patterns
        .iter()
        .map(|p| {
            let mut b = Bits::empty(n);
            match p {
                None => b.set(ABSENT),
                Some(f) => {
                    if !f.required {
                        b.set(ABSENT);
                    }
                    match &f.value {
                        FlagValue::Bare => b.set(BARE),
                        FlagValue::Exact(v) => {
                            if let Ok(i) = values.binary_search(&v.as_ref()) {
                                b.set(OTHER + 1 + i);
                            }
                        }
                        FlagValue::Any => {
                            for i in OTHER..n {
                                b.set(i);
                            }
                        }
                    }
                }
            }
            b
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Permission {
        Permission::parse(text).unwrap()
    }

    fn set(items: &[&str]) -> PermissionSet {
        PermissionSet::parse(items).unwrap()
    }

    #[test]
    fn single_containment() {
        let yes = [
            ("pin add [-r] *", "pin add QmX"),
            ("pin add [-r] *", "pin add -r *"),
            ("pin add [-r] *", "pin add [-r] QmX"),
            ("pin **", "pin add * *"),
            ("pin [-r] **", "pin add [-r] *"),
            ("pin **", "pin **"),
            ("pin **", "pin"),
            ("* *", "pin add"),
            ("cat /ipfs", "cat /ipfs/QmA"),
            ("cat /ipfs/*", "cat /ipfs/QmA/x"),
            ("cat /", "cat /ipfs/*"),
            ("cat *", "cat /ipfs"),
            ("get [--t=*]", "get --t=5"),
            ("get [--t=*]", "get [--t=5]"),
            ("get [--t=*]", "get"),
            ("get --t=*", "get --t=5"),
            ("a b", "a b"),
            // The empty command is not a command, so `[-r]` allows only `-r`.
            ("-r", "[-r]"),
            ("--n=*", "[--n=*]"),
            ("* **", "**"),
        ];
        assert!(!covers_all(&set(&[]), &set(&["**"])));
        assert!(!covers_all(&set(&["-r"]), &set(&["**"])));
        for (a, b) in yes {
            assert!(covers(&p(a), &p(b)), "{a} should cover {b}");
        }
        let no = [
            ("pin add QmX", "pin add *"),
            ("pin add *", "pin add [-r] *"),
            ("pin add -r *", "pin add [-r] *"),
            ("pin add [-r] *", "pin add [-r] **"),
            ("pin add *", "pin **"),
            ("pin * *", "pin **"),
            ("pin **", "pin add [-r] *"),
            ("cat /ipfs/QmA", "cat /ipfs"),
            ("cat /ipfs/QmA", "cat /ipfs/*"),
            ("cat /ipfs/*", "cat /ipfs"),
            ("cat /ipfs", "cat *"),
            ("cat QmA", "cat /QmA"),
            ("get --t=*", "get [--t=5]"),
            ("get [--t=5]", "get [--t=*]"),
            ("get [--t]", "get [--t=5]"),
            ("get", "get [-v]"),
            ("get -v", "get"),
            ("a b", "a c"),
        ];
        for (a, b) in no {
            assert!(!covers(&p(a), &p(b)), "{a} should not cover {b}");
        }
    }

    #[test]
    fn unions_can_cover_what_no_member_does() {
        assert!(covers_all(&set(&["x", "x -r"]), &set(&["x [-r]"])));
        assert!(!covers_all(&set(&["x"]), &set(&["x [-r]"])));
        assert!(covers_all(
            &set(&["get", "get --t=*"]),
            &set(&["get [--t=*]"])
        ));
        assert!(covers_all(
            &set(&["cat /ipfs/QmA", "cat /ipfs/*"]),
            &set(&["cat /ipfs/QmA/x", "cat /ipfs/QmB"])
        ));
        // `ls **` = ls, ls *, ls * *, …: covered by "ls" and "ls * **".
        assert!(covers_all(&set(&["ls", "ls * **"]), &set(&["ls **"])));
        assert!(!covers_all(&set(&["ls", "ls * * **"]), &set(&["ls **"])));
        // `*` also stands for literals and paths no pattern names.
        assert!(!covers_all(&set(&["cat QmA", "cat /"]), &set(&["cat *"])));
        // `/` itself is a path with no segment: `/a` and `/*` need one.
        assert!(!covers_all(&set(&["cat /a", "cat /*"]), &set(&["cat /"])));
        assert!(covers_all(&set(&["cat /"]), &set(&["cat /a", "cat /*"])));
        assert!(covers_all(
            &set(&["x --v=a", "x --v=*"]),
            &set(&["x --v=*"])
        ));
        assert!(!covers_all(
            &set(&["x --v=a", "x --v=b"]),
            &set(&["x --v=*"])
        ));
        assert!(covers_all(&set(&["a **"]), &set(&[])));
        assert!(!covers_all(&set(&[]), &set(&["a"])));
    }

    #[test]
    fn adversarial_sets_stop_within_budget() {
        // Many permissions with distinct constants at many positions: the exact check
        // would explode; it must answer (false) quickly.
        let a: Vec<String> = (0..200)
            .map(|i| {
                let mut parts = vec!["*"; 20]
                    .into_iter()
                    .map(String::from)
                    .collect::<Vec<_>>();
                parts[i % 20] = format!("v{i}");
                parts.join(" ")
            })
            .collect();
        let a = PermissionSet::parse(&a).unwrap();
        let b = set(&[&vec!["*"; 20].join(" ")]);
        let start = std::time::Instant::now();
        assert!(!covers_all(&a, &b));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }
}
