//! Difficulty tiers of mazes by shortest-path length.
//!
//! Length is the number of `o` cells of a shortest path (the cells strictly between `S` and `G`,
//! see the [module docs](super)). The thresholds grow with the number of passages of a maze on the
//! odd-coordinate lattice of a `side × side` grid, which has `n = ⌊(side − 1) / 2⌋` rooms per axis and
//! `n² − 1` passages in a spanning tree. The scale
//!
//! `t(side) = ⌊110 · (n² − 1) / 195⌋`
//!
//! is 110 for sides 29 and 30 (`n = 14`), the paper's Maze-Hard bound. With `L` the shortest-path
//! length:
//!
//! | tier | lengths | side 30 |
//! |---|---|---|
//! | `easy` | `⌊t/4⌋ ≤ L ≤ ⌊t/2⌋` | 27..=55 |
//! | `medium` | `⌊t/2⌋ < L ≤ t` | 56..=110 |
//! | `hard` | `L > t` | 111.. (Maze-Hard: longer than 110) |
//!
//! A few more: side 5–6 (`t = 1`): easy 0, medium 1, hard ≥ 2; side 9–10 (`t = 8`): easy 2..=4,
//! medium 5..=8, hard ≥ 9; side 15–16 (`t = 27`): easy 6..=13, medium 14..=27, hard ≥ 28; side 20
//! (`t = 45`): easy 11..=22, medium 23..=45, hard ≥ 46. Paths shorter than easy's floor belong to no
//! tier. `hard` has no upper bound but the grid's (`side² − 2`).

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use super::MazeError;

/// How long the shortest path of a maze is, relative to its side (thresholds in the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MazeTier {
    Easy,
    Medium,
    Hard,
}

impl MazeTier {
    /// All tiers, easiest first.
    pub const ALL: [MazeTier; 3] = [MazeTier::Easy, MazeTier::Medium, MazeTier::Hard];

    /// Lower-case name, as parsed by [`FromStr`]: `easy`, `medium`, `hard`.
    pub fn name(self) -> &'static str {
        match self {
            MazeTier::Easy => "easy",
            MazeTier::Medium => "medium",
            MazeTier::Hard => "hard",
        }
    }

    /// The scale `t(side) = ⌊110 · (n² − 1) / 195⌋` with `n = ⌊(side − 1) / 2⌋`; 110 at side 30.
    pub fn scale(side: usize) -> usize {
        let n = side.saturating_sub(1) / 2;
        110 * (n * n).saturating_sub(1) / 195
    }

    /// Shortest-path lengths (in `o` cells) of this tier for mazes of `side`.
    pub fn path_range(self, side: usize) -> RangeInclusive<usize> {
        let t = Self::scale(side);
        match self {
            MazeTier::Easy => t / 4..=t / 2,
            MazeTier::Medium => t / 2 + 1..=t,
            MazeTier::Hard => t + 1..=(side * side).saturating_sub(2).max(t + 1),
        }
    }

    /// The tier of a maze of `side` whose shortest path has `path_len` `o` cells; `None` below easy.
    pub fn of(side: usize, path_len: usize) -> Option<MazeTier> {
        Self::ALL.into_iter().find(|tier| tier.path_range(side).contains(&path_len))
    }
}

impl fmt::Display for MazeTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for MazeTier {
    type Err = MazeError;

    /// Parses `easy`, `medium` or `hard` (ASCII case ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|tier| tier.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| MazeError::UnknownTier(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_30_hard_is_the_papers_maze_hard() {
        assert_eq!(MazeTier::scale(30), 110);
        assert_eq!(*MazeTier::Hard.path_range(30).start(), 111);
        assert_eq!(MazeTier::of(30, 110), Some(MazeTier::Medium));
        assert_eq!(MazeTier::of(30, 111), Some(MazeTier::Hard));
        assert_eq!(MazeTier::Easy.path_range(30), 27..=55);
        assert_eq!(MazeTier::Medium.path_range(30), 56..=110);
        assert_eq!(MazeTier::of(30, 26), None);
    }

    #[test]
    fn ranges_are_contiguous_and_nonempty_for_every_side() {
        for side in 5..=30 {
            let [e, m, h] = MazeTier::ALL.map(|t| t.path_range(side));
            assert!(!e.is_empty() && !m.is_empty() && !h.is_empty(), "side {side}");
            assert_eq!(e.end() + 1, *m.start(), "side {side}");
            assert_eq!(m.end() + 1, *h.start(), "side {side}");
        }
        assert_eq!(MazeTier::path_range(MazeTier::Hard, 5), 2..=23);
        assert_eq!(MazeTier::Easy.path_range(5), 0..=0);
    }

    #[test]
    fn names_round_trip() {
        for t in MazeTier::ALL {
            assert_eq!(t.to_string().parse::<MazeTier>(), Ok(t));
        }
        assert_eq!(" Hard".parse::<MazeTier>(), Ok(MazeTier::Hard));
        assert_eq!("extreme".parse::<MazeTier>(), Err(MazeError::UnknownTier("extreme".into())));
    }
}
