//! Seeded generation of Sudoku puzzles with exactly one solution.
//!
//! A random complete grid comes from a randomised search over an empty grid; clues are then removed
//! in random order, each removal kept only if the puzzle still has a unique solution, until no more
//! can go or the requested clue count is reached. The same seed gives the same puzzles on every
//! platform (ChaCha8).
//!
//! A tier (see [`Tier`]) is reached by digging to the tier's clue floor and keeping only puzzles whose
//! measured metrics fall inside its thresholds. Held-out evaluation sets are split by *solution
//! grid* ([`Split`]): a generator restricted to one split never produces a grid of the other.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::solver::{Search, SearchReport};
use super::{SUPPORTED_SIDES, Sudoku, SudokuError, Tier};

/// A generated puzzle with its solution and what solving it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub puzzle: Sudoku,
    pub solution: Sudoku,
    /// The solver's search on the puzzle (nodes and guesses measure difficulty).
    pub report: SearchReport,
    /// The tier the puzzle's metrics fall in, if any.
    pub tier: Option<Tier>,
    /// Candidates generated (and rejected by the tier's thresholds) before this one, plus one.
    pub attempts: u64,
}

/// Which side of the train / held-out boundary a *solution grid* is on.
///
/// Decided by a fixed hash (FNV-1a over the row-major digits): a grid is held out when the hash's
/// top three bits are 0 (the low bits of FNV barely mix), so about one grid in eight is reserved
/// for evaluation at every size — for 4×4, 29 of the 288 grids. Augmenting a training grid can
/// produce a held-out one, so training code must check [`Split::of`] after augmenting too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    Train,
    HeldOut,
}

impl Split {
    /// The split of a complete solution grid.
    pub fn of(solution: &Sudoku) -> Split {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &v in solution.cells() {
            hash ^= u64::from(v);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        if hash >> 61 == 0 { Split::HeldOut } else { Split::Train }
    }
}

/// A reproducible stream of puzzles of one side.
pub struct Generator {
    side: usize,
    rng: ChaCha8Rng,
    split: Option<Split>,
}

impl Generator {
    /// A generator of `side × side` puzzles (4, 6 or 9) from `seed`.
    pub fn new(side: usize, seed: u64) -> Result<Self, SudokuError> {
        if !SUPPORTED_SIDES.contains(&side) {
            return Err(SudokuError::BadCellCount(side * side));
        }
        Ok(Self { side, rng: ChaCha8Rng::seed_from_u64(seed), split: None })
    }

    /// Restricts every solution grid to one split (train or held-out).
    pub fn with_split(mut self, split: Split) -> Self {
        self.split = Some(split);
        self
    }

    /// Side of the puzzles.
    pub fn side(&self) -> usize {
        self.side
    }

    /// The position in the generator's random stream. A generator made with the same side and seed
    /// (and split) and moved there with [`Generator::seek`] continues exactly as this one does: this
    /// is how a training run that draws puzzles on the fly resumes.
    pub fn position(&self) -> u128 {
        self.rng.get_word_pos()
    }

    /// Moves to a [`Generator::position`] of the same stream.
    pub fn seek(&mut self, position: u128) {
        self.rng.set_word_pos(position);
    }

    /// A random complete grid of the generator's split (randomised search; not exactly uniform).
    pub fn solution_grid(&mut self) -> Sudoku {
        loop {
            let empty = Sudoku { side: self.side, cells: vec![0; self.side * self.side] };
            let mut search = Search::new(&empty);
            let filled = search.fill_random(&mut self.rng);
            debug_assert!(filled, "an empty grid always has a completion");
            let grid = search.into_sudoku();
            if self.split.is_none_or(|want| Split::of(&grid) == want) {
                return grid;
            }
        }
    }

    /// The next puzzle of `tier`: candidates are dug to the tier's clue floor and kept only when
    /// their metrics meet its thresholds.
    pub fn puzzle_in(&mut self, tier: Tier) -> Generated {
        let rule = tier.rule(self.side);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut candidate = self.next_puzzle(rule.dig_floor);
            if candidate.tier == Some(tier) {
                candidate.attempts = attempts;
                return candidate;
            }
        }
    }

    /// The next puzzle: clues removed while the solution stays unique, down to `min_clues` at most.
    pub fn next_puzzle(&mut self, min_clues: usize) -> Generated {
        let solution = self.solution_grid();
        self.dig(solution, min_clues)
    }

    /// Removes clues from `solution` in random order while the solution stays unique.
    pub fn dig(&mut self, solution: Sudoku, min_clues: usize) -> Generated {
        let mut puzzle = solution.clone();
        let mut order: Vec<usize> = (0..puzzle.cells.len()).collect();
        order.shuffle(&mut self.rng);
        let mut clues = puzzle.cells.len();
        for k in order {
            if clues <= min_clues {
                break;
            }
            let digit = puzzle.cells[k];
            puzzle.cells[k] = 0;
            if puzzle.search(2).solutions == 1 {
                clues -= 1;
            } else {
                puzzle.cells[k] = digit;
            }
        }
        let report = puzzle.search(2);
        let tier = Tier::classify(self.side, puzzle.givens(), &report);
        Generated { puzzle, solution, report, tier, attempts: 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puzzles_are_unique_and_solved_by_their_solution() {
        for side in [4, 6, 9] {
            let mut g = Generator::new(side, 11).unwrap();
            for _ in 0..5 {
                let Generated { puzzle, solution, report, .. } = g.next_puzzle(0);
                assert!(solution.is_solved(), "{solution}");
                assert!(puzzle.is_solved_by(&solution));
                assert_eq!(report.solutions, 1);
                assert_eq!(puzzle.unique_solution(), Some(solution));
                // Minimal: every remaining clue is needed.
                for k in (0..puzzle.cells.len()).filter(|&k| puzzle.cells[k] != 0) {
                    let mut fewer = puzzle.clone();
                    fewer.cells[k] = 0;
                    assert_eq!(fewer.search(2).solutions, 2, "clue {k} of {puzzle} was removable");
                }
            }
        }
    }

    #[test]
    fn same_seed_same_puzzles_other_seed_other_puzzles() {
        let run = |seed| {
            let mut g = Generator::new(9, seed).unwrap();
            (0..3).map(|_| g.next_puzzle(30).puzzle.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
    }

    #[test]
    fn seek_resumes_the_stream() {
        let mut g = Generator::new(6, 8).unwrap().with_split(Split::Train);
        g.next_puzzle(10);
        let position = g.position();
        let next: Vec<Generated> = (0..3).map(|_| g.puzzle_in(Tier::Medium)).collect();
        let mut h = Generator::new(6, 8).unwrap().with_split(Split::Train);
        h.seek(position);
        assert_eq!((0..3).map(|_| h.puzzle_in(Tier::Medium)).collect::<Vec<_>>(), next);
    }

    #[test]
    fn clue_floor_is_respected() {
        let mut g = Generator::new(9, 3).unwrap();
        let p = g.next_puzzle(40).puzzle;
        assert_eq!(p.givens(), 40);
        assert!(Generator::new(7, 0).is_err());
    }

    /// Samples every tier at every side and checks the documented thresholds hold.
    #[test]
    fn each_tier_meets_its_thresholds() {
        for side in [4, 6, 9] {
            let mut g = Generator::new(side, 21).unwrap();
            for tier in Tier::ALL {
                let rule = tier.rule(side);
                let count = if side == 9 && tier == Tier::Extreme { 3 } else { 12 };
                for _ in 0..count {
                    let p = g.puzzle_in(tier);
                    assert_eq!(p.tier, Some(tier));
                    assert!(rule.accepts(p.puzzle.givens(), &p.report), "{side} {tier}: {}", p.puzzle);
                    assert_eq!(p.puzzle.unique_solution().as_ref(), Some(&p.solution));
                }
            }
        }
    }

    #[test]
    fn split_generators_stay_on_their_side() {
        for side in [4, 6, 9] {
            for split in [Split::Train, Split::HeldOut] {
                let mut g = Generator::new(side, 5).unwrap().with_split(split);
                for _ in 0..10 {
                    assert_eq!(Split::of(&g.next_puzzle(side * side / 2).solution), split);
                }
            }
        }
        // About one grid in eight is held out.
        let mut g = Generator::new(9, 9).unwrap();
        let held = (0..800).filter(|_| Split::of(&g.solution_grid()) == Split::HeldOut).count();
        assert!((60..140).contains(&held), "{held} of 800 held out");
    }
}
