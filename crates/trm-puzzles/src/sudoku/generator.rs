//! Seeded generation of Sudoku puzzles with exactly one solution.
//!
//! A random complete grid comes from a randomised search over an empty grid; clues are then removed
//! in random order, each removal kept only if the puzzle still has a unique solution, until no more
//! can go or the requested clue count is reached. The same seed gives the same puzzles on every
//! platform (ChaCha8).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::solver::{Search, SearchReport};
use super::{SUPPORTED_SIDES, Sudoku, SudokuError};

/// A generated puzzle with its solution and what solving it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub puzzle: Sudoku,
    pub solution: Sudoku,
    /// The solver's search on the puzzle (nodes and guesses measure difficulty).
    pub report: SearchReport,
}

/// A reproducible stream of puzzles of one side.
pub struct Generator {
    side: usize,
    rng: ChaCha8Rng,
}

impl Generator {
    /// A generator of `side × side` puzzles (4, 6 or 9) from `seed`.
    pub fn new(side: usize, seed: u64) -> Result<Self, SudokuError> {
        if !SUPPORTED_SIDES.contains(&side) {
            return Err(SudokuError::BadCellCount(side * side));
        }
        Ok(Self { side, rng: ChaCha8Rng::seed_from_u64(seed) })
    }

    /// A random complete grid (randomised search; not exactly uniform over all grids).
    pub fn solution_grid(&mut self) -> Sudoku {
        let empty = Sudoku { side: self.side, cells: vec![0; self.side * self.side] };
        let mut search = Search::new(&empty);
        let filled = search.fill_random(&mut self.rng);
        debug_assert!(filled, "an empty grid always has a completion");
        search.into_sudoku()
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
        Generated { puzzle, solution, report }
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
                let Generated { puzzle, solution, report } = g.next_puzzle(0);
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
    fn clue_floor_is_respected() {
        let mut g = Generator::new(9, 3).unwrap();
        let p = g.next_puzzle(40).puzzle;
        assert_eq!(p.givens(), 40);
        assert!(Generator::new(7, 0).is_err());
    }
}
