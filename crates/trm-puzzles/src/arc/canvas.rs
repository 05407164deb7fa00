//! The official token canvas (reference §7.4) and the crop rule that reads grids back (§8).
//!
//! A canvas is `side × side` tokens row-major: PAD 0 everywhere except the grid, whose colour `c` is
//! token `c + 2`, placed with its top-left corner at `(r0, c0)`, and its EOS border (token 1): the row
//! just below the grid (over the grid's columns) and the column just right of it (over the grid's
//! rows), each only when it lies inside the canvas. The diagonal corner below-right stays PAD.
//! The official side is 30; a model trained on a smaller canvas uses the same rules at its side
//! (any side 1–30).

use rand::Rng;

use super::ArcError;
use super::grid::{Grid, MAX_SIDE};

/// Padding token.
pub const PAD: u8 = 0;
/// End-of-grid border token.
pub const EOS: u8 = 1;
/// Colour `c` is token `c + COLOUR_OFFSET`.
pub const COLOUR_OFFSET: u8 = 2;
/// Vocabulary size of the encoding (PAD, EOS, ten colours).
pub const VOCAB_SIZE: usize = 12;
/// The official canvas side (sequence length 900).
pub const DEFAULT_CANVAS_SIDE: usize = 30;

pub(crate) fn check_side(side: usize) -> Result<(), ArcError> {
    if (1..=MAX_SIDE).contains(&side) { Ok(()) } else { Err(ArcError::CanvasSide { side }) }
}

fn check_fits(grid: &Grid, side: usize, (r0, c0): (usize, usize)) -> Result<(), ArcError> {
    check_side(side)?;
    if grid.is_empty() {
        return Err(ArcError::EncodeEmpty);
    }
    let (rows, cols) = grid.shape();
    let fits =
        r0.checked_add(rows).is_some_and(|end| end <= side) && c0.checked_add(cols).is_some_and(|end| end <= side);
    if !fits {
        return Err(ArcError::DoesNotFit { rows, cols, r0, c0, side });
    }
    Ok(())
}

/// Encodes `grid` on a `canvas_side²` canvas with its top-left corner at `offset = (r0, c0)`.
///
/// Errors: a side outside 1–30, the empty grid, or a grid that does not fit at that offset.
pub fn encode_grid(grid: &Grid, canvas_side: usize, offset: (usize, usize)) -> Result<Vec<u8>, ArcError> {
    check_fits(grid, canvas_side, offset)?;
    let side = canvas_side;
    let (r0, c0) = offset;
    let (rows, cols) = grid.shape();
    let mut out = vec![PAD; side * side];
    for (r, row) in grid.cells().chunks(cols).enumerate() {
        for (c, &v) in row.iter().enumerate() {
            out[(r0 + r) * side + c0 + c] = v + COLOUR_OFFSET;
        }
    }
    if r0 + rows < side {
        let start = (r0 + rows) * side;
        out[start + c0..start + c0 + cols].fill(EOS);
    }
    if c0 + cols < side {
        for r in r0..r0 + rows {
            out[r * side + c0 + cols] = EOS;
        }
    }
    Ok(out)
}

/// Encodes one example: `(input canvas, output canvas)`, both at the same offset. The output canvas is
/// also the label row (PAD positions are the ignored ones).
pub fn encode_example(
    input: &Grid,
    output: &Grid,
    canvas_side: usize,
    offset: (usize, usize),
) -> Result<(Vec<u8>, Vec<u8>), ArcError> {
    check_fits(input, canvas_side, offset)?;
    check_fits(output, canvas_side, offset)?;
    Ok((encode_grid(input, canvas_side, offset)?, encode_grid(output, canvas_side, offset)?))
}

/// A random offset as the builder draws it: `r0` uniform in `0..=side − max(h_in, h_out)`, then `c0`
/// uniform in `0..=side − max(w_in, w_out)`.
pub fn random_offset<R: Rng + ?Sized>(
    input: &Grid,
    output: &Grid,
    canvas_side: usize,
    rng: &mut R,
) -> Result<(usize, usize), ArcError> {
    check_fits(input, canvas_side, (0, 0))?;
    check_fits(output, canvas_side, (0, 0))?;
    let max_r = canvas_side - input.rows().max(output.rows());
    let max_c = canvas_side - input.cols().max(output.cols());
    let r0 = rng.random_range(0..=max_r);
    let c0 = rng.random_range(0..=max_c);
    Ok((r0, c0))
}

/// Offsets for the examples of one training puzzle version, as the builder draws them: one example,
/// chosen uniformly first, stays at `(0, 0)`; each other example (in order) gets a [`random_offset`].
/// Test examples are never translated (use `(0, 0)`).
pub fn training_offsets<R: Rng + ?Sized>(
    examples: &[(&Grid, &Grid)],
    canvas_side: usize,
    rng: &mut R,
) -> Result<Vec<(usize, usize)>, ArcError> {
    if examples.is_empty() {
        return Ok(Vec::new());
    }
    let untranslated = rng.random_range(0..examples.len());
    let mut offsets = Vec::with_capacity(examples.len());
    for (k, (input, output)) in examples.iter().enumerate() {
        if k == untranslated {
            check_fits(input, canvas_side, (0, 0))?;
            check_fits(output, canvas_side, (0, 0))?;
            offsets.push((0, 0));
        } else {
            offsets.push(random_offset(input, output, canvas_side, rng)?);
        }
    }
    Ok(offsets)
}

/// The crop rule of the official evaluator (reference §8), for input canvases and predictions alike.
///
/// Keep a running column limit `c_max` (starting at `side`); for `r = 1..=side`, scan the first `c_max`
/// tokens of row `r − 1` and at the first non-colour token (outside 2…11), at column `c − 1`, set
/// `c_max = c − 1`; the candidate area is `r · c_max`; the first strict maximum wins. The result is the
/// top-left `r* × c*` block minus 2. When the very first token is not a colour the result is the empty
/// grid ([`Grid::empty`], 0×0). Errors only for a side outside 1–30 or a length other than `side²`.
pub fn crop(tokens: &[u8], canvas_side: usize) -> Result<Grid, ArcError> {
    check_side(canvas_side)?;
    let side = canvas_side;
    if tokens.len() != side * side {
        return Err(ArcError::CanvasLength { len: tokens.len(), side });
    }
    let is_colour = |t: u8| (COLOUR_OFFSET..COLOUR_OFFSET + 10).contains(&t);
    let mut c_max = side;
    let mut best_area = 0;
    let mut best = (0, 0);
    for r in 1..=side {
        let row = &tokens[(r - 1) * side..r * side];
        if let Some(c) = row[..c_max].iter().position(|&t| !is_colour(t)) {
            c_max = c;
        }
        let area = r * c_max;
        if area > best_area {
            best_area = area;
            best = (r, c_max);
        }
    }
    let (rows, cols) = best;
    let mut cells = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        cells.extend(tokens[r * side..r * side + cols].iter().map(|&t| t - COLOUR_OFFSET));
    }
    Ok(Grid::from_parts(rows, cols, cells))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn g(rows: &[&[u8]]) -> Grid {
        Grid::from_rows(rows).unwrap()
    }

    #[test]
    fn small_canvas_layout_by_hand() {
        let grid = g(&[&[0, 1], &[2, 3]]);
        let tokens = encode_grid(&grid, 4, (1, 1)).unwrap();
        #[rustfmt::skip]
        let expect = [
            0, 0, 0, 0,
            0, 2, 3, 1,
            0, 4, 5, 1,
            0, 1, 1, 0,
        ];
        assert_eq!(tokens, expect);
        // Against the right and bottom edges: no border there.
        let tokens = encode_grid(&grid, 3, (1, 1)).unwrap();
        assert_eq!(tokens, [0, 0, 0, 0, 2, 3, 0, 4, 5]);
        let tokens = encode_grid(&grid, 3, (0, 1)).unwrap();
        assert_eq!(tokens, [0, 2, 3, 0, 4, 5, 0, 1, 1]);
        let tokens = encode_grid(&grid, 3, (1, 0)).unwrap();
        assert_eq!(tokens, [0, 0, 0, 2, 3, 1, 4, 5, 1]);
    }

    #[test]
    fn encode_errors() {
        let grid = g(&[&[1, 2, 3]]);
        assert!(matches!(encode_grid(&grid, 2, (0, 0)), Err(ArcError::DoesNotFit { .. })));
        assert!(matches!(encode_grid(&grid, 3, (0, 1)), Err(ArcError::DoesNotFit { .. })));
        assert!(matches!(encode_grid(&grid, 3, (3, 0)), Err(ArcError::DoesNotFit { .. })));
        assert!(matches!(encode_grid(&grid, 3, (usize::MAX, 0)), Err(ArcError::DoesNotFit { .. })));
        assert!(encode_grid(&grid, 3, (2, 0)).is_ok());
        assert_eq!(encode_grid(&grid, 0, (0, 0)), Err(ArcError::CanvasSide { side: 0 }));
        assert_eq!(encode_grid(&grid, 31, (0, 0)), Err(ArcError::CanvasSide { side: 31 }));
        assert_eq!(encode_grid(&Grid::empty(), 30, (0, 0)), Err(ArcError::EncodeEmpty));
        let tall = Grid::new(12, 1, vec![0; 12]).unwrap();
        assert!(matches!(encode_example(&grid, &tall, 10, (0, 0)), Err(ArcError::DoesNotFit { .. })));
    }

    #[test]
    fn crop_reads_back_and_follows_the_rule() {
        let grid = g(&[&[0, 1, 2], &[3, 4, 5]]);
        for side in [3, 4, 12, 30] {
            assert_eq!(crop(&encode_grid(&grid, side, (0, 0)).unwrap(), side).unwrap(), grid);
        }
        // First token not a colour: empty.
        assert!(crop(&[0; 9], 3).unwrap().is_empty());
        assert!(crop(&[1, 2, 2, 2, 2, 2, 2, 2, 2], 3).unwrap().is_empty());
        // Full canvas of colours: all of it.
        assert_eq!(crop(&[11; 9], 3).unwrap(), Grid::new(3, 3, vec![9; 9]).unwrap());
        // Running column limit: row 0 has 3 colours, row 1 only 1 → areas 3, 2, 3 → first max (1×3).
        #[rustfmt::skip]
        let t = [
            2, 3, 4,
            5, 1, 6,
            7, 8, 9,
        ];
        assert_eq!(crop(&t, 3).unwrap(), g(&[&[0, 1, 2]]));
        // The limit never grows again: areas 2, 4, 3 (limit 1 after row 2) → 2×2.
        #[rustfmt::skip]
        let t = [
            2, 3, 0,
            4, 5, 6,
            7, 0, 8,
        ];
        assert_eq!(crop(&t, 3).unwrap(), g(&[&[0, 1], &[2, 3]]));
        // Tokens above 11 are not colours either.
        assert_eq!(crop(&[2, 12, 0, 3, 3, 3, 3, 3, 3], 3).unwrap(), g(&[&[0], &[1], &[1]]));
        assert_eq!(crop(&[0; 8], 3), Err(ArcError::CanvasLength { len: 8, side: 3 }));
        assert_eq!(crop(&[], 0), Err(ArcError::CanvasSide { side: 0 }));
    }

    #[test]
    fn offsets_stay_inside_and_one_example_is_untranslated() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let a = Grid::new(3, 5, vec![1; 15]).unwrap();
        let b = Grid::new(6, 2, vec![2; 12]).unwrap();
        let mut seen_r = [false; 5];
        for _ in 0..500 {
            let (r0, c0) = random_offset(&a, &b, 10, &mut rng).unwrap();
            assert!(r0 <= 4 && c0 <= 5, "({r0}, {c0})");
            seen_r[r0] = true;
            encode_example(&a, &b, 10, (r0, c0)).unwrap();
        }
        assert!(seen_r.iter().all(|&s| s), "every row offset 0..=4 is drawn");
        let examples = [(&a, &b), (&b, &a), (&a, &a)];
        for _ in 0..20 {
            let offsets = training_offsets(&examples, 10, &mut rng).unwrap();
            assert_eq!(offsets.len(), 3);
            assert!(offsets.contains(&(0, 0)));
        }
        assert!(random_offset(&a, &b, 5, &mut rng).is_err());
        assert_eq!(training_offsets(&[], 10, &mut rng).unwrap(), vec![]);
    }
}
