//! Rule checks and an exact solver for Sudoku of side 4, 6 or 9.
//!
//! The solver is a depth-first search over bitmasks of the digits still free in each row, column and
//! box, always branching on the empty cell with the fewest candidates. It counts solutions up to a
//! limit (2 is enough to tell "unique" from "ambiguous") and reports how much searching it took, which
//! the generator's difficulty tiers are based on.

use super::Sudoku;

/// Which unit two conflicting cells share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Row(usize),
    Column(usize),
    Box(usize),
}

/// Two cells of one unit holding the same digit; cells are `(row, column)`, 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conflict {
    pub digit: u8,
    pub unit: Unit,
    pub first: (usize, usize),
    pub second: (usize, usize),
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchReport {
    /// Solutions found, at most the limit asked for.
    pub solutions: usize,
    /// The first solution, if any.
    pub first: Option<Sudoku>,
    /// Search nodes visited (cells assigned, including ones later undone).
    pub nodes: u64,
    /// Branch points with more than one candidate (guesses).
    pub guesses: u64,
}

impl Sudoku {
    /// Index of the box holding `(row, col)`.
    pub fn box_index(&self, row: usize, col: usize) -> usize {
        let (box_rows, box_cols) = self.box_shape();
        (row / box_rows) * (self.side() / box_cols) + col / box_cols
    }

    /// Every pair of givens that break a rule, each reported once per unit.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let n = self.side();
        let mut out = Vec::new();
        for a in 0..n * n {
            let digit = self.cells()[a];
            if digit == 0 {
                continue;
            }
            let (ra, ca) = (a / n, a % n);
            for b in a + 1..n * n {
                if self.cells()[b] != digit {
                    continue;
                }
                let (rb, cb) = (b / n, b % n);
                let unit = if ra == rb {
                    Unit::Row(ra)
                } else if ca == cb {
                    Unit::Column(ca)
                } else if self.box_index(ra, ca) == self.box_index(rb, cb) {
                    Unit::Box(self.box_index(ra, ca))
                } else {
                    continue;
                };
                out.push(Conflict { digit, unit, first: (ra, ca), second: (rb, cb) });
            }
        }
        out
    }

    /// True when every cell is filled and no rule is broken.
    pub fn is_solved(&self) -> bool {
        self.cells().iter().all(|&v| v != 0) && self.conflicts().is_empty()
    }

    /// True when `solution` is solved and keeps every given of `self`.
    pub fn is_solved_by(&self, solution: &Sudoku) -> bool {
        solution.side() == self.side()
            && solution.is_solved()
            && self.cells().iter().zip(solution.cells()).all(|(&g, &s)| g == 0 || g == s)
    }

    /// Searches for up to `limit` solutions.
    pub fn search(&self, limit: usize) -> SearchReport {
        let mut search = Search::new(self);
        let mut report = SearchReport { solutions: 0, first: None, nodes: 0, guesses: 0 };
        if search.valid && limit > 0 {
            search.run(0, limit, &mut report);
        }
        report
    }

    /// [`Sudoku::search`] that gives up after `max_nodes` search nodes and returns `None` then.
    ///
    /// Sparse grids without a solution can keep the exhaustive search busy for minutes (a 9×9 with
    /// ten scattered givens and no solution, say); anything that searches a grid a user typed must
    /// use this, so bad input cannot hang it.
    pub fn search_within(&self, limit: usize, max_nodes: u64) -> Option<SearchReport> {
        let mut search = Search::new(self);
        search.budget = max_nodes;
        let mut report = SearchReport { solutions: 0, first: None, nodes: 0, guesses: 0 };
        if search.valid && limit > 0 {
            search.run(0, limit, &mut report);
        }
        (!search.over_budget).then_some(report)
    }

    /// The solution if there is exactly one.
    pub fn unique_solution(&self) -> Option<Sudoku> {
        let report = self.search(2);
        if report.solutions == 1 { report.first } else { None }
    }
}

pub(super) struct Search {
    side: usize,
    cells: Vec<u8>,
    rows: Vec<u16>,
    cols: Vec<u16>,
    boxes: Vec<u16>,
    box_of: Vec<usize>,
    /// Empty cells; during a search, `empties[depth..]` are the ones still unfilled.
    empties: Vec<usize>,
    full: u16,
    valid: bool,
    /// Search nodes allowed before giving up (`u64::MAX`: no limit).
    budget: u64,
    /// Set when the budget ran out; the report is then incomplete.
    over_budget: bool,
}

impl Search {
    pub(super) fn new(puzzle: &Sudoku) -> Self {
        let n = puzzle.side();
        let box_of: Vec<usize> = (0..n * n).map(|k| puzzle.box_index(k / n, k % n)).collect();
        let mut s = Search {
            side: n,
            cells: puzzle.cells().to_vec(),
            rows: vec![0; n],
            cols: vec![0; n],
            boxes: vec![0; n],
            box_of,
            empties: (0..n * n).filter(|&k| puzzle.cells()[k] == 0).collect(),
            full: ((1u32 << n) - 1) as u16,
            valid: true,
            budget: u64::MAX,
            over_budget: false,
        };
        for k in 0..n * n {
            let v = s.cells[k];
            if v != 0 {
                let bit = 1u16 << (v - 1);
                let (r, c, b) = (k / n, k % n, s.box_of[k]);
                if (s.rows[r] | s.cols[c] | s.boxes[b]) & bit != 0 {
                    s.valid = false;
                }
                s.rows[r] |= bit;
                s.cols[c] |= bit;
                s.boxes[b] |= bit;
            }
        }
        s
    }

    fn free(&self, k: usize) -> u16 {
        let n = self.side;
        self.full & !(self.rows[k / n] | self.cols[k % n] | self.boxes[self.box_of[k]])
    }

    fn set(&mut self, k: usize, digit: u8, on: bool) {
        let n = self.side;
        let bit = 1u16 << (digit - 1);
        let (r, c, b) = (k / n, k % n, self.box_of[k]);
        if on {
            self.rows[r] |= bit;
            self.cols[c] |= bit;
            self.boxes[b] |= bit;
            self.cells[k] = digit;
        } else {
            self.rows[r] &= !bit;
            self.cols[c] &= !bit;
            self.boxes[b] &= !bit;
            self.cells[k] = 0;
        }
    }

    /// Fills every empty cell with a random valid completion (candidates tried in random order);
    /// false if there is none.
    pub(super) fn fill_random(&mut self, rng: &mut impl rand::Rng) -> bool {
        use rand::seq::SliceRandom;
        let mut best: Option<(usize, u16)> = None;
        for k in 0..self.cells.len() {
            if self.cells[k] == 0 {
                let free = self.free(k);
                if best.is_none_or(|(_, f)| free.count_ones() < f.count_ones()) {
                    best = Some((k, free));
                }
            }
        }
        let Some((k, free)) = best else { return true };
        let mut digits: Vec<u8> = (1..=self.side as u8).filter(|d| free & (1 << (d - 1)) != 0).collect();
        digits.shuffle(rng);
        for digit in digits {
            self.set(k, digit, true);
            if self.fill_random(rng) {
                return true;
            }
            self.set(k, digit, false);
        }
        false
    }

    pub(super) fn into_sudoku(self) -> Sudoku {
        Sudoku { side: self.side, cells: self.cells }
    }

    /// Depth-first search over `empties[depth..]`; returns true when the limit is reached.
    fn run(&mut self, depth: usize, limit: usize, report: &mut SearchReport) -> bool {
        if depth == self.empties.len() {
            report.solutions += 1;
            if report.first.is_none() {
                report.first = Some(Sudoku { side: self.side, cells: self.cells.clone() });
            }
            return report.solutions >= limit;
        }
        // The unfilled cell with the fewest candidates, moved to position `depth`.
        let (mut best, mut best_free, mut best_count) = (depth, 0u16, u32::MAX);
        for i in depth..self.empties.len() {
            let free = self.free(self.empties[i]);
            let count = free.count_ones();
            if count < best_count {
                (best, best_free, best_count) = (i, free, count);
                if count <= 1 {
                    break;
                }
            }
        }
        if best_count == 0 {
            return false;
        }
        self.empties.swap(depth, best);
        let k = self.empties[depth];
        if best_count > 1 {
            report.guesses += 1;
        }
        let mut free = best_free;
        let mut done = false;
        while free != 0 {
            let digit = free.trailing_zeros() as u8 + 1;
            free &= free - 1;
            report.nodes += 1;
            if report.nodes > self.budget {
                self.over_budget = true;
                return true;
            }
            self.set(k, digit, true);
            done = self.run(depth + 1, limit, report);
            self.set(k, digit, false);
            if done {
                break;
            }
        }
        self.empties.swap(depth, best);
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P9: &str = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79";

    #[test]
    fn a_node_budget_stops_hopeless_searches() {
        let p = Sudoku::parse(P9).unwrap();
        assert_eq!(p.search_within(2, 1_000_000), Some(p.search(2)));
        assert_eq!(p.search_within(2, 3), None);
        let empty = Sudoku::parse(&".".repeat(81)).unwrap();
        assert_eq!(empty.search_within(2, 100).map(|r| r.solutions), Some(2));
    }

    #[test]
    fn solves_a_unique_9x9_and_keeps_givens() {
        let p = Sudoku::parse(P9).unwrap();
        let report = p.search(2);
        assert_eq!(report.solutions, 1);
        let s = report.first.unwrap();
        assert!(p.is_solved_by(&s));
        assert_eq!(p.unique_solution(), Some(s));
    }

    #[test]
    fn empty_grids_have_many_solutions() {
        for side in [4, 6, 9] {
            let p = Sudoku::parse(&".".repeat(side * side)).unwrap();
            let report = p.search(2);
            assert_eq!(report.solutions, 2, "side {side}");
            assert!(report.first.unwrap().is_solved());
            assert_eq!(p.unique_solution(), None);
        }
    }

    #[test]
    fn conflicts_name_cells_and_units() {
        let p = Sudoku::parse("1..1............").unwrap();
        assert_eq!(p.conflicts(), vec![Conflict { digit: 1, unit: Unit::Row(0), first: (0, 0), second: (0, 3) }]);
        let p = Sudoku::parse("1....1..........").unwrap();
        assert_eq!(p.conflicts()[0].unit, Unit::Box(0));
        let p = Sudoku::parse("1.......1.......").unwrap();
        assert_eq!(p.conflicts()[0].unit, Unit::Column(0));
        assert_eq!(p.search(2).solutions, 0);
    }

    #[test]
    fn six_by_six_boxes_are_two_rows_by_three_columns() {
        let p = Sudoku::parse(&".".repeat(36)).unwrap();
        assert_eq!(p.box_index(0, 2), 0);
        assert_eq!(p.box_index(0, 3), 1);
        assert_eq!(p.box_index(1, 5), 1);
        assert_eq!(p.box_index(2, 0), 2);
        let solved = p.search(1).first.unwrap();
        assert!(solved.is_solved());
    }

    #[test]
    fn a_wrong_answer_is_not_a_solution() {
        let p = Sudoku::parse(P9).unwrap();
        let s = p.unique_solution().unwrap();
        let mut cells = s.cells().to_vec();
        cells.swap(2, 3);
        let broken = Sudoku { side: 9, cells };
        assert!(!p.is_solved_by(&broken));
    }
}
