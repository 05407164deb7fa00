//! Seeded generation of mazes with loops, exactly one shortest path, and a requested [`MazeTier`].
//!
//! One attempt:
//! 1. **Lattice.** Rooms sit on every other cell of the interior of a `side × side` grid with a wall
//!    border: `n = ⌊(side − 1) / 2⌋` rooms per axis. For an even side one row and one column are left
//!    over; they stay wall, next to the top or the bottom border (and left or right) at random.
//! 2. **Spanning tree.** A randomised depth-first search (recursive backtracker, with an explicit
//!    stack) opens passages between rooms until every room is reached: a perfect maze with long
//!    corridors.
//! 3. **Loops.** Each wall between two rooms that is still closed is opened with probability
//!    [`LOOP_PERCENT`]% (at least one is always opened), so the maze has cycles. The cells at even
//!    coordinates stay wall, so no 2×2 block is ever open.
//! 4. **Endpoints.** `S` is a random open cell; a breadth-first search from it counts the shortest
//!    routes to every cell, and `G` is drawn uniformly among the cells whose distance puts the path
//!    length in the tier's range *and* that are reached by exactly one shortest route (ties are
//!    never chosen). If no cell qualifies, `S` moves to a random cell among those farthest from it
//!    (for long paths) and the search is repeated once.
//! 5. **A second route.** `G` is kept only if `S` and `G` are joined by more than one route
//!    ([`Maze::has_second_route`]); up to a few other candidates for `G` are tried, then the attempt is
//!    dropped.
//!
//! The same seed gives the same mazes on every platform: ChaCha8, and every random draw is an
//! integer in a `u32` range.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::path::{UNREACHED, reach};
use super::{MAX_SIDE, Maze, MazeCell, MazeError, MazeTier};

/// Smallest side the generator makes (2×2 rooms: a ring).
pub const MIN_SIDE: usize = 5;

/// Chance, in percent, that a closed wall between two rooms is opened to make a loop.
pub const LOOP_PERCENT: u32 = 8;

/// How many candidates for `G` one attempt tries before it gives up for want of a second route.
const GOAL_TRIES: usize = 4;

/// A generated maze: the puzzle, its answer, and what it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The question: walls, open cells, `S` and `G`.
    pub puzzle: Maze,
    /// The answer: the puzzle with its unique shortest path marked `o`.
    pub solution: Maze,
    /// Length of the shortest path in `o` cells.
    pub path_len: usize,
    /// The tier that was asked for (`path_len` lies in its range for this side).
    pub tier: MazeTier,
    /// How many mazes were built until this one qualified (1 = the first).
    pub attempts: u32,
}

/// A reproducible stream of mazes of one side.
pub struct Generator {
    side: usize,
    /// Rooms per axis.
    rooms: usize,
    rng: ChaCha8Rng,
}

impl Generator {
    /// A generator of `side × side` mazes (`5 ≤ side ≤ 30`) from `seed`.
    pub fn new(side: usize, seed: u64) -> Result<Self, MazeError> {
        if !(MIN_SIDE..=MAX_SIDE).contains(&side) {
            return Err(MazeError::UnsupportedSide { side });
        }
        Ok(Self { side, rooms: (side - 1) / 2, rng: ChaCha8Rng::seed_from_u64(seed) })
    }

    /// Side of the mazes.
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

    /// The next maze of `tier`. Every tier can be produced for every supported side (the tests sample
    /// them all), typically within a few attempts; this retries until one qualifies.
    pub fn next_maze(&mut self, tier: MazeTier) -> Generated {
        let mut attempts = 0u32;
        loop {
            attempts = attempts.saturating_add(1);
            if let Some(found) = self.attempt(tier) {
                return found.finish(tier, attempts);
            }
        }
    }

    /// Like [`Generator::next_maze`], but gives up (`None`) after `max_attempts` mazes.
    pub fn try_next_maze(&mut self, tier: MazeTier, max_attempts: u32) -> Option<Generated> {
        (1..=max_attempts).find_map(|attempts| self.attempt(tier).map(|found| found.finish(tier, attempts)))
    }

    /// A uniform integer in `0..k` (`k ≥ 1`), drawn as a `u32` so every platform sees the same stream.
    fn below(&mut self, k: usize) -> usize {
        let k = u32::try_from(k).unwrap_or(u32::MAX).max(1);
        self.rng.random_range(0..k) as usize
    }

    /// Steps 1–3: walls and open cells of a lattice maze with loops.
    fn carve(&mut self) -> Vec<MazeCell> {
        let (side, n) = (self.side, self.rooms);
        let spare = side % 2 == 0;
        let row0 = if spare { 1 + self.below(2) } else { 1 };
        let col0 = if spare { 1 + self.below(2) } else { 1 };
        let room = |r: usize| (row0 + 2 * (r / n)) * side + col0 + 2 * (r % n);
        let mut cells = vec![MazeCell::Wall; side * side];
        let mut visited = vec![false; n * n];
        let mut stack = Vec::with_capacity(n * n);
        let first = self.below(n * n);
        visited[first] = true;
        cells[room(first)] = MazeCell::Open;
        stack.push(first);
        while let Some(&cur) = stack.last() {
            let (i, j) = (cur / n, cur % n);
            let mut options = [0usize; 4];
            let mut k = 0;
            for (ok, next) in
                [(i > 0, cur.wrapping_sub(n)), (i + 1 < n, cur + n), (j > 0, cur.wrapping_sub(1)), (j + 1 < n, cur + 1)]
            {
                if ok && !visited[next] {
                    options[k] = next;
                    k += 1;
                }
            }
            if k == 0 {
                stack.pop();
                continue;
            }
            let next = options[self.below(k)];
            visited[next] = true;
            let (a, b) = (room(cur), room(next));
            cells[(a + b) / 2] = MazeCell::Open;
            cells[b] = MazeCell::Open;
            stack.push(next);
        }
        // Closed walls between neighbouring rooms: right of each room, then below it.
        let mut closed = Vec::with_capacity(n * n);
        for r in 0..n * n {
            if r % n + 1 < n && cells[room(r) + 1] == MazeCell::Wall {
                closed.push(room(r) + 1);
            }
            if r / n + 1 < n && cells[room(r) + side] == MazeCell::Wall {
                closed.push(room(r) + side);
            }
        }
        let mut opened = 0;
        for &w in &closed {
            if (self.below(100) as u32) < LOOP_PERCENT {
                cells[w] = MazeCell::Open;
                opened += 1;
            }
        }
        if opened == 0 && !closed.is_empty() {
            let w = closed[self.below(closed.len())];
            cells[w] = MazeCell::Open;
        }
        cells
    }

    /// One attempt (steps 1–5): a qualifying maze with its path, or `None`.
    fn attempt(&mut self, tier: MazeTier) -> Option<Found> {
        let side = self.side;
        let range = tier.path_range(side);
        let mut cells = self.carve();
        let open: Vec<usize> = (0..cells.len()).filter(|&k| cells[k] == MazeCell::Open).collect();
        let mut start = open[self.below(open.len())];
        let mut candidates = Vec::new();
        for sweep in 0..2 {
            let found = reach(side, &cells, start, 2);
            candidates.clear();
            candidates.extend((0..cells.len()).filter(|&k| {
                let d = found.dist[k];
                d != UNREACHED && d > 0 && found.count[k] == 1 && range.contains(&(d as usize - 1))
            }));
            if !candidates.is_empty() || sweep == 1 {
                break;
            }
            let far = found.dist.iter().filter(|&&d| d != UNREACHED).max().copied().unwrap_or(0);
            let farthest: Vec<usize> = (0..cells.len()).filter(|&k| found.dist[k] == far).collect();
            start = farthest[self.below(farthest.len())];
        }
        cells[start] = MazeCell::Start;
        for _ in 0..GOAL_TRIES {
            if candidates.is_empty() {
                return None;
            }
            let goal = candidates.swap_remove(self.below(candidates.len()));
            cells[goal] = MazeCell::Goal;
            let maze = Maze { side, cells };
            if maze.has_second_route() {
                let path = maze.shortest_path()?;
                return Some(Found { path_len: path.len() - 2, solution: maze.with_path(&path), puzzle: maze });
            }
            cells = maze.cells;
            cells[goal] = MazeCell::Open;
        }
        None
    }
}

/// A qualifying maze before it is counted.
struct Found {
    puzzle: Maze,
    solution: Maze,
    path_len: usize,
}

impl Found {
    fn finish(self, tier: MazeTier, attempts: u32) -> Generated {
        Generated { puzzle: self.puzzle, solution: self.solution, path_len: self.path_len, tier, attempts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maze::verify_answer;

    #[test]
    fn seek_resumes_the_stream() {
        let mut g = Generator::new(11, 4).unwrap();
        g.next_maze(MazeTier::Medium);
        let position = g.position();
        let next: Vec<Generated> = (0..3).map(|_| g.next_maze(MazeTier::Hard)).collect();
        let mut h = Generator::new(11, 4).unwrap();
        h.seek(position);
        assert_eq!((0..3).map(|_| h.next_maze(MazeTier::Hard)).collect::<Vec<_>>(), next);
    }

    #[test]
    fn every_side_and_tier_gives_a_qualifying_maze() {
        for side in MIN_SIDE..=MAX_SIDE {
            let mut g = Generator::new(side, side as u64).unwrap();
            for tier in MazeTier::ALL {
                let m = g.try_next_maze(tier, 200).unwrap_or_else(|| panic!("side {side} {tier}: no maze"));
                assert!(tier.path_range(side).contains(&m.path_len), "side {side} {tier}: {}", m.path_len);
                assert_eq!(MazeTier::of(side, m.path_len), Some(tier));
                assert_eq!(m.puzzle.shortest_path_len(), Some(m.path_len));
                assert_eq!(m.puzzle.count_shortest_paths(2), 1, "side {side} {tier}:\n{}", m.puzzle);
                assert!(m.puzzle.has_second_route(), "side {side} {tier}:\n{}", m.puzzle);
                assert_eq!(m.solution.puzzle(), m.puzzle);
                assert_eq!(m.solution.path_cell_count(), m.path_len);
                assert_eq!(verify_answer(&m.puzzle, &m.solution), Ok(m.path_len));
                assert_eq!(m.tier, tier);
                assert!(m.attempts >= 1);
            }
        }
    }

    #[test]
    fn lattice_border_and_pillars_are_walls() {
        for side in [5, 6, 17, 30] {
            let mut g = Generator::new(side, 3).unwrap();
            for _ in 0..10 {
                let m = g.next_maze(MazeTier::Medium).puzzle;
                for k in 0..side {
                    for (r, c) in [(0, k), (side - 1, k), (k, 0), (k, side - 1)] {
                        assert_eq!(m.get(r, c), Some(MazeCell::Wall), "border ({r}, {c}) of\n{m}");
                    }
                }
                // No open 2×2 block anywhere.
                for r in 0..side - 1 {
                    for c in 0..side - 1 {
                        let open = [(r, c), (r + 1, c), (r, c + 1), (r + 1, c + 1)]
                            .iter()
                            .all(|&(a, b)| m.get(a, b).is_some_and(MazeCell::is_passable));
                        assert!(!open, "open 2×2 block at ({r}, {c}) of\n{m}");
                    }
                }
            }
        }
    }

    #[test]
    fn same_seed_same_mazes_other_seed_other_mazes() {
        let run = |seed| {
            let mut g = Generator::new(30, seed).unwrap();
            (0..3).map(|_| g.next_maze(MazeTier::Hard).solution.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
    }

    #[test]
    fn unsupported_sides_are_refused() {
        assert_eq!(Generator::new(4, 0).err(), Some(MazeError::UnsupportedSide { side: 4 }));
        assert_eq!(Generator::new(31, 0).err(), Some(MazeError::UnsupportedSide { side: 31 }));
        assert_eq!(Generator::new(5, 0).map(|g| g.side()).ok(), Some(5));
    }
}
