//! Validity-preserving Sudoku augmentation, as the official dataset builder does it (reference §7.2),
//! generalised to 6×6 and 4×4 (format contract: transpose only when boxes are square).
//!
//! One augmentation is: an optional transpose; a row order that permutes the bands (groups of
//! box-rows) and the rows inside each band; a column order doing the same with stacks; and a digit
//! relabelling. Applied in that order — transpose, then cell `(r, c)` takes the value at
//! `(rows[r], cols[c])`, then relabel — to the question and its solution alike.

use rand::Rng;
use rand::seq::SliceRandom;

use super::Sudoku;

/// One drawn augmentation of a `side × side` grid.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Augmentation {
    side: usize,
    transpose: bool,
    /// Result row `r` takes source row `rows[r]` (after the optional transpose).
    rows: Vec<usize>,
    /// Result column `c` takes source column `cols[c]`.
    cols: Vec<usize>,
    /// `digits[d]` is the new label of digit `d` (`digits[0] = 0`: blanks stay blank).
    digits: Vec<u8>,
}

/// A permutation of `groups` blocks of `size` consecutive indices, also shuffled inside each block.
fn block_order(groups: usize, size: usize, rng: &mut impl Rng) -> Vec<usize> {
    let mut blocks: Vec<usize> = (0..groups).collect();
    blocks.shuffle(rng);
    let mut order = Vec::with_capacity(groups * size);
    for block in blocks {
        let mut inner: Vec<usize> = (0..size).map(|k| block * size + k).collect();
        inner.shuffle(rng);
        order.extend(inner);
    }
    order
}

impl Augmentation {
    /// The identity on `side × side` grids.
    pub fn identity(side: usize) -> Self {
        Self {
            side,
            transpose: false,
            rows: (0..side).collect(),
            cols: (0..side).collect(),
            digits: (0..=side as u8).collect(),
        }
    }

    /// Draws an augmentation for `side` (4, 6 or 9) with the official probabilities: transpose with
    /// probability ½ where boxes are square, uniform band/row/stack/column orders and relabelling.
    pub fn random(side: usize, rng: &mut impl Rng) -> Self {
        let (box_rows, box_cols) = Sudoku::box_shape_of(side);
        let mut digits: Vec<u8> = (1..=side as u8).collect();
        digits.shuffle(rng);
        digits.insert(0, 0);
        // The draw order (relabelling, transpose, rows, columns) is fixed so a seed means one thing.
        let transpose = box_rows == box_cols && rng.random_bool(0.5);
        let rows = block_order(side / box_rows, box_rows, rng);
        let cols = block_order(side / box_cols, box_cols, rng);
        Self { side, transpose, rows, cols, digits }
    }

    /// Side of the grids this applies to.
    pub fn side(&self) -> usize {
        self.side
    }

    /// Whether this augmentation transposes first.
    pub fn transposes(&self) -> bool {
        self.transpose
    }

    /// Applies the augmentation. Returns `None` when the grid's side differs.
    pub fn apply(&self, grid: &Sudoku) -> Option<Sudoku> {
        let n = self.side;
        if grid.side() != n {
            return None;
        }
        let src = grid.cells();
        let at = |r: usize, c: usize| if self.transpose { src[c * n + r] } else { src[r * n + c] };
        let cells = (0..n * n).map(|k| self.digits[at(self.rows[k / n], self.cols[k % n]) as usize]).collect();
        Some(Sudoku { side: n, cells })
    }

    /// The augmentation that undoes this one: `inverse().apply(apply(g)) == g`.
    pub fn inverse(&self) -> Self {
        let n = self.side;
        let invert = |p: &[usize]| {
            let mut inv = vec![0; p.len()];
            for (k, &v) in p.iter().enumerate() {
                inv[v] = k;
            }
            inv
        };
        let mut digits = vec![0u8; n + 1];
        for (d, &label) in self.digits.iter().enumerate() {
            digits[label as usize] = d as u8;
        }
        // Forward: out[r][c] = T(src)[rows[r]][cols[c]]. Without transpose the inverse permutes back;
        // with it, undoing the permutation leaves T(src), and a transpose moves the row order onto columns.
        let (rows, cols) = if self.transpose {
            (invert(&self.cols), invert(&self.rows))
        } else {
            (invert(&self.rows), invert(&self.cols))
        };
        Self { side: n, transpose: self.transpose, rows, cols, digits }
    }
}

impl Sudoku {
    /// Box shape `(rows, cols)` for a side: 2×2 for 4, 2×3 for 6, 3×3 otherwise.
    pub fn box_shape_of(side: usize) -> (usize, usize) {
        match side {
            4 => (2, 2),
            6 => (2, 3),
            _ => (3, 3),
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::sudoku::Generator;

    #[test]
    fn augmented_solutions_stay_solutions_and_inverse_undoes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for side in [4, 6, 9] {
            let mut generator = Generator::new(side, 2).unwrap();
            for _ in 0..20 {
                let g = generator.next_puzzle(0);
                let aug = Augmentation::random(side, &mut rng);
                let (p, s) = (aug.apply(&g.puzzle).unwrap(), aug.apply(&g.solution).unwrap());
                assert!(p.is_solved_by(&s), "{aug:?}");
                assert_eq!(p.givens(), g.puzzle.givens());
                assert_eq!(p.unique_solution(), Some(s.clone()));
                let back = aug.inverse();
                assert_eq!(back.apply(&p), Some(g.puzzle.clone()), "{aug:?}");
                assert_eq!(back.apply(&s), Some(g.solution.clone()));
            }
        }
    }

    #[test]
    fn transpose_only_for_square_boxes_and_identity_is_identity() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        assert!((0..50).all(|_| !Augmentation::random(6, &mut rng).transposes()));
        assert!((0..50).any(|_| Augmentation::random(9, &mut rng).transposes()));
        let g = Generator::new(9, 1).unwrap().next_puzzle(30).puzzle;
        assert_eq!(Augmentation::identity(9).apply(&g), Some(g.clone()));
        assert_eq!(Augmentation::identity(4).apply(&g), None);
    }

    /// Official order: transpose first, then permute, then relabel — checked on one hand-made case.
    #[test]
    fn order_of_operations_matches_the_reference() {
        let grid = Sudoku::parse("1234341221434321").unwrap();
        let aug = Augmentation {
            side: 4,
            transpose: true,
            rows: vec![1, 0, 2, 3],
            cols: vec![0, 1, 3, 2],
            digits: vec![0, 2, 1, 3, 4],
        };
        // Transposed: 1324/2413/3142/4231; rows 1,0,2,3 → 2413/1324/3142/4231;
        // columns 0,1,3,2 → 2431/1342/3124/4213; relabel 1↔2 → 1432/2341/3214/4123.
        assert_eq!(aug.apply(&grid).unwrap().to_string(), "1432234132144123");
    }
}
