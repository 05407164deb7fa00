//! The 8 symmetries of a rectangle's grid (rotations, flips, transposes), numbered as the official
//! dataset builders number them (reference §7.6), with their inverses.
//!
//! Mazes use them as augmentation; ARC uses them inside every augmented puzzle name
//! (`…|||t<k>|||…`), so the numbering must match the official one exactly.

/// One of the 8 dihedral transforms, `0..=7` in the official order:
/// identity, rot90 (counter-clockwise), rot180, rot270, flip left-right, flip up-down, transpose,
/// anti-transpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dihedral(u8);

impl Dihedral {
    /// The identity.
    pub const IDENTITY: Dihedral = Dihedral(0);

    /// All 8 transforms in official order.
    pub const ALL: [Dihedral; 8] =
        [Dihedral(0), Dihedral(1), Dihedral(2), Dihedral(3), Dihedral(4), Dihedral(5), Dihedral(6), Dihedral(7)];

    /// The transform with official id `id`, if `id < 8`.
    pub fn from_id(id: u8) -> Option<Self> {
        (id < 8).then_some(Dihedral(id))
    }

    /// Official id `0..=7`.
    pub fn id(self) -> u8 {
        self.0
    }

    /// The transform that undoes this one (official `DIHEDRAL_INVERSE = [0, 3, 2, 1, 4, 5, 6, 7]`).
    pub fn inverse(self) -> Self {
        match self.0 {
            1 => Dihedral(3),
            3 => Dihedral(1),
            other => Dihedral(other),
        }
    }

    /// Whether the result has rows and columns swapped (`w × h` from `h × w`).
    pub fn swaps_axes(self) -> bool {
        matches!(self.0, 1 | 3 | 6 | 7)
    }

    /// Shape `(rows, cols)` of the result for an input of `rows × cols`.
    pub fn shape(self, rows: usize, cols: usize) -> (usize, usize) {
        if self.swaps_axes() { (cols, rows) } else { (rows, cols) }
    }

    /// For result cell `(i, j)` of a transformed `h × w` grid, the source cell `(r, c)` it copies.
    pub fn source(self, i: usize, j: usize, h: usize, w: usize) -> (usize, usize) {
        match self.0 {
            0 => (i, j),
            1 => (j, w - 1 - i),
            2 => (h - 1 - i, w - 1 - j),
            3 => (h - 1 - j, i),
            4 => (i, w - 1 - j),
            5 => (h - 1 - i, j),
            6 => (j, i),
            _ => (h - 1 - j, w - 1 - i),
        }
    }

    /// Applies the transform to a row-major `h × w` grid; returns the cells and the new shape.
    ///
    /// # Panics
    /// If `cells.len() != h * w` (a programming error, not user input: callers own their grids).
    pub fn apply<T: Copy>(self, cells: &[T], h: usize, w: usize) -> (Vec<T>, usize, usize) {
        assert_eq!(cells.len(), h * w, "grid of {h}x{w} needs {} cells", h * w);
        let (rh, rw) = self.shape(h, w);
        let mut out = Vec::with_capacity(cells.len());
        for i in 0..rh {
            for j in 0..rw {
                let (r, c) = self.source(i, j, h, w);
                out.push(cells[r * w + c]);
            }
        }
        (out, rh, rw)
    }

    /// The transform equal to applying `self` first and then `then`.
    pub fn then(self, then: Dihedral) -> Dihedral {
        // Found by probing a 2×3 grid of distinct values; unique because the 8 results differ.
        let probe: Vec<u8> = (0..6).collect();
        let (a, h, w) = self.apply(&probe, 2, 3);
        let (b, _, _) = then.apply(&a, h, w);
        Dihedral::ALL
            .into_iter()
            .find(|d| d.apply(&probe, 2, 3).0 == b)
            .expect("the dihedral group is closed under composition")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Row-major 2×3 grid `[[0,1,2],[3,4,5]]`, compared against the reference table by hand
    /// (numpy: rot90 k=1 of this grid is `[[2,5],[1,4],[0,3]]`).
    #[test]
    fn matches_the_reference_table() {
        let a: Vec<u8> = (0..6).collect();
        let expect: [(&[u8], usize, usize); 8] = [
            (&[0, 1, 2, 3, 4, 5], 2, 3),
            (&[2, 5, 1, 4, 0, 3], 3, 2),
            (&[5, 4, 3, 2, 1, 0], 2, 3),
            (&[3, 0, 4, 1, 5, 2], 3, 2),
            (&[2, 1, 0, 5, 4, 3], 2, 3),
            (&[3, 4, 5, 0, 1, 2], 2, 3),
            (&[0, 3, 1, 4, 2, 5], 3, 2),
            (&[5, 2, 4, 1, 3, 0], 3, 2),
        ];
        for (d, (cells, h, w)) in Dihedral::ALL.into_iter().zip(expect) {
            assert_eq!(d.apply(&a, 2, 3), (cells.to_vec(), h, w), "transform {}", d.id());
        }
    }

    #[test]
    fn inverses_undo_and_composition_is_closed() {
        let a: Vec<u16> = (0..12).collect();
        for d in Dihedral::ALL {
            let (b, h, w) = d.apply(&a, 3, 4);
            assert_eq!(d.inverse().apply(&b, h, w), (a.clone(), 3, 4));
            assert_eq!(d.then(d.inverse()), Dihedral::IDENTITY);
        }
        assert_eq!(Dihedral(1).then(Dihedral(1)), Dihedral(2));
        assert_eq!(Dihedral::from_id(8), None);
    }
}
