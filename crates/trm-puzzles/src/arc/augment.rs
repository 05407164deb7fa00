//! ARC augmentation (reference §7.4, §8): a colour permutation that keeps black (0) fixed, then one of
//! the 8 dihedral transforms; its official name `<id>|||t<t>|||<c0c1…c9>`; and the builder's seeded
//! generation of a task's distinct augmented versions.

use std::collections::BTreeSet;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::ArcError;
use super::grid::{Grid, Task};
use crate::dihedral::Dihedral;

/// Separator of the fields of an augmented puzzle name.
pub const NAME_SEPARATOR: &str = "|||";

/// `grid ↦ dihedral(colourmap(grid))`, where `colours[c]` is the new colour of colour `c`.
///
/// `colours` is always a permutation of `0..=9` with `colours[0] == 0` (checked by [`Augmentation::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Augmentation {
    dihedral: Dihedral,
    colours: [u8; 10],
}

impl Augmentation {
    /// The identity (transform 0, colours unchanged).
    pub const IDENTITY: Augmentation =
        Augmentation { dihedral: Dihedral::IDENTITY, colours: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };

    /// An augmentation; `colours` must be a permutation of `0..=9` with `colours[0] == 0`.
    pub fn new(dihedral: Dihedral, colours: [u8; 10]) -> Result<Self, ArcError> {
        let mut seen = [false; 10];
        for &c in &colours {
            match seen.get_mut(c as usize) {
                Some(s) if !*s => *s = true,
                _ => return Err(ArcError::BadColourMap { colours }),
            }
        }
        if colours[0] != 0 {
            return Err(ArcError::BadColourMap { colours });
        }
        Ok(Self { dihedral, colours })
    }

    /// A random augmentation as the builder draws it: the transform uniformly from 0..8, then a uniform
    /// permutation of colours 1..=9.
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let t = rng.random_range(0..8u8);
        let dihedral = Dihedral::ALL[usize::from(t)];
        let mut perm: [u8; 9] = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        perm.shuffle(rng);
        let mut colours = [0u8; 10];
        colours[1..].copy_from_slice(&perm);
        Self { dihedral, colours }
    }

    /// The dihedral transform (applied after the colour map).
    pub fn dihedral(&self) -> Dihedral {
        self.dihedral
    }

    /// The colour map: `colours()[c]` is the new colour of `c`.
    pub fn colours(&self) -> [u8; 10] {
        self.colours
    }

    /// Whether this maps every grid to itself.
    pub fn is_identity(&self) -> bool {
        *self == Self::IDENTITY
    }

    /// The inverse colour map.
    pub fn inverse_colours(&self) -> [u8; 10] {
        let mut inv = [0u8; 10];
        for (c, &to) in self.colours.iter().enumerate() {
            // `to < 10` by construction; `c < 10` as the array has 10 entries.
            inv[usize::from(to)] = c as u8;
        }
        inv
    }

    /// `dihedral(colourmap(grid))`.
    pub fn apply(&self, grid: &Grid) -> Grid {
        let mapped: Vec<u8> = grid.cells().iter().map(|&v| self.colours[usize::from(v)]).collect();
        let (cells, rows, cols) = self.dihedral.apply(&mapped, grid.rows(), grid.cols());
        Grid::from_parts(rows, cols, cells)
    }

    /// The exact inverse of [`apply`](Self::apply): `inverse_colourmap(dihedral⁻¹(grid))`.
    pub fn invert(&self, grid: &Grid) -> Grid {
        let inv = self.inverse_colours();
        let (cells, rows, cols) = self.dihedral.inverse().apply(grid.cells(), grid.rows(), grid.cols());
        Grid::from_parts(rows, cols, cells.into_iter().map(|v| inv[usize::from(v)]).collect())
    }

    /// This augmentation applied to every grid of `task`.
    pub fn apply_task(&self, task: &Task) -> Task {
        task.map_grids(|g| self.apply(g))
    }
}

/// The official name of puzzle `id` under `aug`: `<id>|||t<t>|||<c0…c9>`, or just `id` for the identity
/// (the builder never names the unaugmented version otherwise).
pub fn format_name(id: &str, aug: &Augmentation) -> String {
    if aug.is_identity() {
        return id.to_string();
    }
    let digits: String = aug.colours.iter().map(|&c| char::from(b'0' + c)).collect();
    format!("{id}{NAME_SEPARATOR}t{}{NAME_SEPARATOR}{digits}", aug.dihedral.id())
}

/// Splits a puzzle name into the original id and its augmentation. Names without `|||` are the
/// identity. Otherwise the name must be exactly `<id>|||t<d>|||<ten digits>` with a non-empty id free
/// of `|||` (split from the right, so an id may end in `|`), `d` in `0..=7` (one digit) and the
/// digits a permutation of `0..=9` starting with `0`.
pub fn parse_name(name: &str) -> Result<(&str, Augmentation), ArcError> {
    let bad = |reason: &'static str| ArcError::BadName { name: name.to_string(), reason };
    if !name.contains(NAME_SEPARATOR) {
        return Ok((name, Augmentation::IDENTITY));
    }
    // From the right, so that an id ending in `|` (legal, if odd) still splits where it was joined.
    let mut parts = name.rsplitn(3, NAME_SEPARATOR);
    let (Some(colours), Some(t), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("expected <id>|||t<transform>|||<colour map>"));
    };
    if id.is_empty() {
        return Err(bad("the puzzle id is empty"));
    }
    if id.contains(NAME_SEPARATOR) {
        return Err(bad("expected <id>|||t<transform>|||<colour map>, found more fields"));
    }
    let dihedral = match t.as_bytes() {
        [b't', d @ b'0'..=b'7'] => Dihedral::from_id(d - b'0').ok_or_else(|| bad("transform id out of range"))?,
        _ => return Err(bad("the transform must be t0 to t7")),
    };
    let bytes = colours.as_bytes();
    if bytes.len() != 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(bad("the colour map must be ten digits"));
    }
    let mut map = [0u8; 10];
    for (slot, b) in map.iter_mut().zip(bytes) {
        *slot = b - b'0';
    }
    let aug = Augmentation::new(dihedral, map)
        .map_err(|_| bad("the colour map must be a permutation of 0-9 that keeps 0 first"))?;
    Ok((id, aug))
}

/// One version of a task: its name, the augmentation that made it, and the augmented task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AugmentedTask {
    pub name: String,
    pub augmentation: Augmentation,
    pub task: Task,
}

/// A task's content up to pair order: the sorted list of its `(input, output)` pairs over all splits
/// (a missing test output counts as the empty grid). Equal keys ⇔ the builder's order-independent
/// puzzle hash would match (without its collision risk).
fn content_key(task: &Task) -> Vec<(Grid, Grid)> {
    let mut pairs: Vec<(Grid, Grid)> = task
        .train
        .iter()
        .map(|p| (p.input.clone(), p.output.clone()))
        .chain(task.test.iter().map(|p| (p.input.clone(), p.output.clone().unwrap_or_else(Grid::empty))))
        .collect();
    pairs.sort();
    pairs
}

/// The versions of task `id` as the builder makes them, from `seed` (ChaCha8): version 0 is the
/// original (name `id`), then up to `num_aug` distinct augmented versions. See
/// [`augmented_versions_with`].
pub fn augmented_versions(id: &str, task: &Task, num_aug: usize, seed: u64) -> Vec<AugmentedTask> {
    augmented_versions_with(id, task, num_aug, &mut ChaCha8Rng::seed_from_u64(seed))
}

/// [`augmented_versions`] with the caller's random source. Each attempt draws an
/// [`Augmentation::random`]; it is rejected when the augmented task has the same content (all grids,
/// order-independent) as the original or an accepted version. At most `5 · num_aug` attempts, stopping
/// at `num_aug` accepted, so tasks with few colours or symmetric grids may get fewer.
pub fn augmented_versions_with<R: Rng + ?Sized>(
    id: &str,
    task: &Task,
    num_aug: usize,
    rng: &mut R,
) -> Vec<AugmentedTask> {
    let mut versions =
        vec![AugmentedTask { name: id.to_string(), augmentation: Augmentation::IDENTITY, task: task.clone() }];
    if num_aug == 0 {
        return versions;
    }
    let mut seen = BTreeSet::new();
    seen.insert(content_key(task));
    for _ in 0..num_aug.saturating_mul(5) {
        let aug = Augmentation::random(rng);
        let augmented = aug.apply_task(task);
        if seen.insert(content_key(&augmented)) {
            versions.push(AugmentedTask { name: format_name(id, &aug), augmentation: aug, task: augmented });
            if versions.len() > num_aug {
                break;
            }
        }
    }
    versions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arc::grid::{Pair, TestPair};

    fn g(rows: &[&[u8]]) -> Grid {
        Grid::from_rows(rows).unwrap()
    }

    #[test]
    fn apply_is_colour_map_then_dihedral() {
        let aug = Augmentation::new(Dihedral::from_id(1).unwrap(), [0, 2, 3, 4, 5, 6, 7, 8, 9, 1]).unwrap();
        // [[1, 2, 0]] → colours [[2, 3, 0]] → rot90 ccw (3×1): [[0], [3], [2]].
        let out = aug.apply(&g(&[&[1, 2, 0]]));
        assert_eq!(out, g(&[&[0], &[3], &[2]]));
        assert_eq!(aug.invert(&out), g(&[&[1, 2, 0]]));
        assert_eq!(aug.inverse_colours(), [0, 9, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(Augmentation::IDENTITY.apply(&Grid::empty()), Grid::empty());
    }

    #[test]
    fn new_rejects_bad_maps() {
        let d = Dihedral::IDENTITY;
        assert!(Augmentation::new(d, [1, 0, 2, 3, 4, 5, 6, 7, 8, 9]).is_err(), "black must stay fixed");
        assert!(Augmentation::new(d, [0, 1, 1, 3, 4, 5, 6, 7, 8, 9]).is_err(), "not a permutation");
        assert!(Augmentation::new(d, [0, 1, 2, 3, 4, 5, 6, 7, 8, 10]).is_err(), "out of range");
        assert!(Augmentation::new(d, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).unwrap().is_identity());
    }

    #[test]
    fn names() {
        let aug = Augmentation::new(Dihedral::from_id(3).unwrap(), [0, 5, 2, 8, 1, 4, 7, 3, 6, 9]).unwrap();
        let name = format_name("007bbfb7", &aug);
        assert_eq!(name, "007bbfb7|||t3|||0528147369");
        assert_eq!(parse_name(&name).unwrap(), ("007bbfb7", aug));
        assert_eq!(parse_name("007bbfb7").unwrap(), ("007bbfb7", Augmentation::IDENTITY));
        assert_eq!(format_name("x", &Augmentation::IDENTITY), "x");
        assert_eq!(parse_name("x|||t0|||0123456789").unwrap(), ("x", Augmentation::IDENTITY));
        // An id ending in `|` splits where it was joined.
        assert_eq!(parse_name(&format_name("x|", &aug)).unwrap(), ("x|", aug));
        assert_eq!(parse_name("x||||t3|||0528147369").unwrap(), ("x|", aug));
        for bad in [
            "x|||t3",
            "x|||t3|||0528147369|||",
            "|||t3|||0528147369",
            "x|||t8|||0528147369",
            "x|||t|||0528147369",
            "x|||3|||0528147369",
            "x|||t33|||0528147369",
            "x|||t3|||052814736",
            "x|||t3|||05281473699",
            "x|||t3|||5028147369",
            "x|||t3|||0528147368",
            "x|||t3|||05281a7369",
            "x|||t3|||٠528147369",
            "a|||b|||t3|||0528147369",
        ] {
            assert!(matches!(parse_name(bad), Err(ArcError::BadName { .. })), "{bad}");
        }
    }

    fn small_task() -> Task {
        Task {
            train: vec![Pair { input: g(&[&[1, 0], &[0, 2]]), output: g(&[&[2, 1]]) }],
            test: vec![TestPair { input: g(&[&[3, 1]]), output: None }],
        }
    }

    #[test]
    fn versions_are_distinct_and_reproducible() {
        let task = small_task();
        let versions = augmented_versions("abc", &task, 50, 1);
        assert_eq!(versions.len(), 51);
        assert_eq!(versions[0].name, "abc");
        assert_eq!(versions[0].task, task);
        let keys: BTreeSet<_> = versions.iter().map(|v| content_key(&v.task)).collect();
        assert_eq!(keys.len(), versions.len());
        for v in &versions[1..] {
            assert_eq!(parse_name(&v.name).unwrap(), ("abc", v.augmentation));
            assert_eq!(v.task, v.augmentation.apply_task(&task));
            assert_eq!(v.task.map_grids(|gr| v.augmentation.invert(gr)), task);
            assert!(v.task.test[0].output.is_none());
        }
        assert_eq!(augmented_versions("abc", &task, 50, 1), versions, "same seed, same versions");
        assert_ne!(augmented_versions("abc", &task, 50, 2), versions);
        assert_eq!(augmented_versions("abc", &task, 0, 1).len(), 1);
    }

    #[test]
    fn saturating_tasks_stop_early() {
        // One non-black colour on a fully symmetric 1×1 grid: only the 9 colour choices differ, and the
        // one that keeps colour 1 equals the original, so 8 augmented versions exist at most.
        let one = g(&[&[1]]);
        let task = Task {
            train: vec![Pair { input: one.clone(), output: one.clone() }],
            test: vec![TestPair { input: one, output: None }],
        };
        let versions = augmented_versions("x", &task, 100, 3);
        assert_eq!(versions.len(), 9);
    }
}
