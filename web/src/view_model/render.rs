//! A frame drawn into RGBA pixels, for the PNG and GIF exports: Sudoku as cells with digits from a
//! built-in 3×5 bitmap font (no font needed), mazes as walls, open cells, S, G and path, ARC in the
//! official palette. Changed cells and the correctness overlay are drawn as cell borders.
//!
//! Every colour comes from a small fixed set ([`COLOURS`]), so a picture always fits a GIF palette.

use serde::{Deserialize, Serialize};

use super::overlay::{Mark, Overlay};
use crate::engine::{Frame, PuzzleKind};

/// An RGBA picture, row-major, 4 bytes per pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// An opaque colour.
pub type Rgb = [u8; 3];

impl Image {
    /// A `width × height` picture filled with `colour`.
    pub fn new(width: u32, height: u32, colour: Rgb) -> Image {
        let pixel = [colour[0], colour[1], colour[2], 255];
        Image { width, height, rgba: pixel.repeat(width as usize * height as usize) }
    }

    /// The pixel at `(x, y)`, or `None` outside.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let k = 4 * (y as usize * self.width as usize + x as usize);
        Some([self.rgba[k], self.rgba[k + 1], self.rgba[k + 2], self.rgba[k + 3]])
    }

    /// Fills a rectangle (clipped to the picture).
    pub fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, colour: Rgb) {
        let (x1, y1) = ((x + w).min(self.width), (y + h).min(self.height));
        for yy in y.min(y1)..y1 {
            for xx in x.min(x1)..x1 {
                let k = 4 * (yy as usize * self.width as usize + xx as usize);
                self.rgba[k..k + 4].copy_from_slice(&[colour[0], colour[1], colour[2], 255]);
            }
        }
    }

    /// A `t`-pixel frame just inside a rectangle.
    pub fn border(&mut self, x: u32, y: u32, w: u32, h: u32, t: u32, colour: Rgb) {
        self.fill(x, y, w, t, colour);
        self.fill(x, y + h.saturating_sub(t), w, t, colour);
        self.fill(x, y, t, h, colour);
        self.fill(x + w.saturating_sub(t), y, t, h, colour);
    }
}

/// The official ARC palette (black, blue, red, green, yellow, grey, magenta, orange, sky, maroon).
pub const ARC_PALETTE: [Rgb; 10] = [
    [0, 0, 0],
    [0, 116, 217],
    [255, 65, 54],
    [46, 204, 64],
    [255, 220, 0],
    [170, 170, 170],
    [240, 18, 190],
    [255, 133, 27],
    [127, 219, 255],
    [135, 12, 37],
];

pub const GRID_LINE: Rgb = [150, 150, 160];
pub const BOX_LINE: Rgb = [20, 20, 28];
pub const GIVEN_BG: Rgb = [222, 222, 230];
pub const CELL_BG: Rgb = [255, 255, 255];
pub const GIVEN_INK: Rgb = [20, 20, 28];
/// Predicted digits by confidence: ≥ 0.9, ≥ 0.6, below.
pub const PREDICTED_INK: [Rgb; 3] = [[25, 75, 200], [105, 135, 210], [170, 185, 225]];
pub const WALL: Rgb = [40, 40, 48];
pub const OPEN: Rgb = [250, 250, 250];
pub const START: Rgb = [46, 204, 64];
pub const GOAL: Rgb = [255, 65, 54];
pub const PATH: Rgb = [0, 116, 217];
pub const PAD: Rgb = [70, 70, 80];
pub const EOS: Rgb = [120, 120, 132];
pub const UNKNOWN: Rgb = [255, 0, 255];
pub const CHANGED: Rgb = [255, 200, 0];
pub const BAD: Rgb = [230, 20, 60];
pub const MISSING: Rgb = [255, 255, 255];
/// Activity shades, from still to the frame's largest move.
pub const ACTIVITY_RAMP: [Rgb; 5] = [[247, 251, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107]];

/// Every colour the renderer uses (a GIF palette).
pub const COLOURS: [Rgb; 34] = [
    ARC_PALETTE[0],
    ARC_PALETTE[1],
    ARC_PALETTE[2],
    ARC_PALETTE[3],
    ARC_PALETTE[4],
    ARC_PALETTE[5],
    ARC_PALETTE[6],
    ARC_PALETTE[7],
    ARC_PALETTE[8],
    ARC_PALETTE[9],
    GRID_LINE,
    BOX_LINE,
    GIVEN_BG,
    CELL_BG,
    GIVEN_INK,
    PREDICTED_INK[0],
    PREDICTED_INK[1],
    PREDICTED_INK[2],
    WALL,
    OPEN,
    START,
    GOAL,
    PATH,
    PAD,
    EOS,
    UNKNOWN,
    CHANGED,
    BAD,
    MISSING,
    ACTIVITY_RAMP[0],
    ACTIVITY_RAMP[1],
    ACTIVITY_RAMP[2],
    ACTIVITY_RAMP[3],
    ACTIVITY_RAMP[4],
];

/// The shade of `value` on a scale up to `max` (0 when `max` is not positive).
pub fn activity_shade(value: f32, max: f32) -> Rgb {
    if max.is_nan() || max <= 0.0 || !value.is_finite() {
        return ACTIVITY_RAMP[0];
    }
    let level = (value / max * (ACTIVITY_RAMP.len() - 1) as f32).round().clamp(0.0, (ACTIVITY_RAMP.len() - 1) as f32);
    ACTIVITY_RAMP[level as usize]
}

/// Digits 0–9 in 3×5 pixels, one row per byte (bit 2 = left column).
const FONT: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b001, 0b001, 0b001],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];

/// Which of the frame's grids to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Layer {
    /// The answer y.
    #[default]
    Answer,
    /// The scratch paper z decoded through the output head.
    Scratch,
    /// How much z moved at each cell ([`Frame::activity`]), relative to the frame's largest move,
    /// in [`ACTIVITY_RAMP`]'s five shades (all lightest for frames that do not update z).
    Activity,
}

/// How to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderOptions<'a> {
    /// Pixels per cell side (at least 7: the digits are drawn at `cell / 7` scale).
    pub cell: u32,
    pub layer: Layer,
    /// Outline the cells the frame marks as changed.
    pub show_changed: bool,
    /// Outline cells the overlay marks as wrong, in conflict or missing.
    pub overlay: Option<&'a Overlay>,
}

impl Default for RenderOptions<'_> {
    fn default() -> Self {
        RenderOptions { cell: 28, layer: Layer::Answer, show_changed: true, overlay: None }
    }
}

/// Why a frame cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("the frame has {found} cells, but the grid is {rows}×{cols}")]
    Shape { rows: usize, cols: usize, found: usize },
    #[error("a cell must be 7 to 64 pixels wide, not {0}")]
    CellSize(u32),
    #[error("the overlay is for a {0}×{1} grid")]
    Overlay(usize, usize),
}

/// Pixel size of a `rows × cols` grid drawn with `cell`-pixel cells and 1-pixel lines.
pub fn image_size(rows: usize, cols: usize, cell: u32) -> (u32, u32) {
    let side = |n: usize| n as u32 * (cell + 1) + 1;
    (side(cols), side(rows))
}

/// Top-left pixel of the inside of cell `(r, c)`.
pub fn cell_origin(r: usize, c: usize, cell: u32) -> (u32, u32) {
    (c as u32 * (cell + 1) + 1, r as u32 * (cell + 1) + 1)
}

fn draw_digit(img: &mut Image, x: u32, y: u32, cell: u32, digit: u8, colour: Rgb) {
    let scale = (cell / 7).max(1);
    let (w, h) = (3 * scale, 5 * scale);
    let (x0, y0) = (x + (cell - w) / 2, y + (cell - h) / 2);
    for (row, bits) in FONT[usize::from(digit % 10)].iter().enumerate() {
        for col in 0..3u32 {
            if bits & (0b100 >> col) != 0 {
                img.fill(x0 + col * scale, y0 + row as u32 * scale, scale, scale, colour);
            }
        }
    }
}

fn ink(confidence: f32) -> Rgb {
    if confidence >= 0.9 {
        PREDICTED_INK[0]
    } else if confidence >= 0.6 {
        PREDICTED_INK[1]
    } else {
        PREDICTED_INK[2]
    }
}

/// Draws `frame` for a puzzle of `kind` on a `rows × cols` grid.
pub fn render_frame(
    frame: &Frame,
    kind: PuzzleKind,
    rows: usize,
    cols: usize,
    options: &RenderOptions<'_>,
) -> Result<Image, RenderError> {
    let n = rows * cols;
    let (symbols, confidence) = match options.layer {
        Layer::Answer | Layer::Activity => (&frame.answer, &frame.confidence),
        Layer::Scratch => (&frame.scratch, &frame.scratch_confidence),
    };
    for found in [frame.input.len(), symbols.len(), confidence.len(), frame.changed.len(), frame.activity.len()] {
        if found != n {
            return Err(RenderError::Shape { rows, cols, found });
        }
    }
    if !(7..=64).contains(&options.cell) {
        return Err(RenderError::CellSize(options.cell));
    }
    if let Some(o) = options.overlay
        && (o.rows != rows || o.cols != cols || o.marks.len() != n)
    {
        return Err(RenderError::Overlay(o.rows, o.cols));
    }
    let cell = options.cell;
    let (width, height) = image_size(rows, cols, cell);
    let mut img = Image::new(width, height, GRID_LINE);
    let max_activity = frame.activity.iter().copied().filter(|v| v.is_finite()).fold(0.0f32, f32::max);
    for r in 0..rows {
        for c in 0..cols {
            let k = r * cols + c;
            let (x, y) = cell_origin(r, c, cell);
            let symbol = symbols[k];
            if options.layer == Layer::Activity {
                img.fill(x, y, cell, cell, activity_shade(frame.activity[k], max_activity));
                continue;
            }
            match kind {
                PuzzleKind::Sudoku { .. } => {
                    let given = frame.input[k].is_ascii_digit();
                    img.fill(x, y, cell, cell, if given { GIVEN_BG } else { CELL_BG });
                    if symbol.is_ascii_digit() {
                        let colour = if given && symbol == frame.input[k] { GIVEN_INK } else { ink(confidence[k]) };
                        draw_digit(&mut img, x, y, cell, symbol - b'0', colour);
                    }
                }
                PuzzleKind::Maze { .. } => {
                    let colour = match symbol {
                        b'#' => WALL,
                        b' ' | b'_' => OPEN,
                        b'S' => START,
                        b'G' => GOAL,
                        b'o' => PATH,
                        _ => UNKNOWN,
                    };
                    img.fill(x, y, cell, cell, colour);
                }
                PuzzleKind::Arc { .. } => {
                    let colour = match symbol {
                        b'0'..=b'9' => ARC_PALETTE[usize::from(symbol - b'0')],
                        b'|' => EOS,
                        b'_' => PAD,
                        _ => UNKNOWN,
                    };
                    img.fill(x, y, cell, cell, colour);
                }
            }
            let t = (cell / 8).max(1);
            let mark = options.overlay.map(|o| o.marks[k]);
            match mark {
                Some(Mark::Conflict | Mark::Wrong | Mark::GivenChanged | Mark::Extra) => {
                    img.border(x, y, cell, cell, t, BAD)
                }
                Some(Mark::Missing) => img.border(x, y, cell, cell, t, MISSING),
                _ if options.show_changed && frame.changed[k] == 1 => img.border(x, y, cell, cell, t, CHANGED),
                _ => {}
            }
        }
    }
    if let PuzzleKind::Sudoku { side } = kind {
        // Box edges as dark lines.
        let (box_rows, box_cols) = trm_puzzles::Sudoku::box_shape_of(side);
        for r in (0..=rows).step_by(box_rows) {
            img.fill(0, r as u32 * (cell + 1), width, 1, BOX_LINE);
        }
        for c in (0..=cols).step_by(box_cols) {
            img.fill(c as u32 * (cell + 1), 0, 1, height, BOX_LINE);
        }
    }
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::overlay::overlay;
    use crate::view_model::testdata::{frame_of, maze_pair, run_sudoku};

    fn rgb(p: [u8; 4]) -> Rgb {
        [p[0], p[1], p[2]]
    }

    /// How many pixels inside cell `(r, c)` have `colour`.
    pub(crate) fn count_in_cell(img: &Image, r: usize, c: usize, cell: u32, colour: Rgb) -> usize {
        let (x, y) = cell_origin(r, c, cell);
        (y..y + cell)
            .flat_map(|yy| (x..x + cell).map(move |xx| (xx, yy)))
            .filter(|&(xx, yy)| img.pixel(xx, yy).map(rgb) == Some(colour))
            .count()
    }

    #[test]
    fn sudoku_frame_of_a_real_run_is_drawn_with_digits() {
        let (info, frames) = run_sudoku("3..2....13242.3.", 8);
        let last = frames.last().unwrap();
        let img = render_frame(last, info.kind, 4, 4, &RenderOptions::default()).unwrap();
        assert_eq!((img.width, img.height), (4 * 29 + 1, 4 * 29 + 1));
        assert_eq!(img.rgba.len(), 117 * 117 * 4);
        // Corners and box lines.
        assert_eq!(img.pixel(0, 0).map(rgb), Some(BOX_LINE));
        assert_eq!(img.pixel(29, 5).map(rgb), Some(GRID_LINE), "line between columns 0 and 1");
        assert_eq!(img.pixel(58, 5).map(rgb), Some(BOX_LINE), "box edge between columns 1 and 2");
        // Cell 0 is the given 3: grey background, dark ink, 11 lit font pixels at scale 4.
        assert_eq!(img.pixel(2, 2).map(rgb), Some(GIVEN_BG));
        assert_eq!(count_in_cell(&img, 0, 0, 28, GIVEN_INK), 11 * 16);
        // Cell 1 was predicted (1, the solution's digit): white background, blue ink.
        assert_eq!(&last.answer[..4], b"3142");
        let (x, y) = cell_origin(0, 1, 28);
        assert_eq!(img.pixel(x + 1, y + 1).map(rgb), Some(CELL_BG));
        let ink_pixels: usize = PREDICTED_INK.iter().map(|&c| count_in_cell(&img, 0, 1, 28, c)).sum();
        assert_eq!(ink_pixels, 8 * 16, "the digit 1 has 8 lit pixels");
        // The scratch layer draws too.
        let opts = RenderOptions { layer: Layer::Scratch, ..RenderOptions::default() };
        assert!(render_frame(last, info.kind, 4, 4, &opts).is_ok());
        assert!(render_frame(last, info.kind, 3, 4, &opts).is_err());
        // The activity map of a latent frame: the cell that moved most is darkest.
        let latent = frames.iter().find(|f| f.kind == crate::engine::FrameKind::Latent).unwrap();
        let opts = RenderOptions { layer: Layer::Activity, ..RenderOptions::default() };
        let img = render_frame(latent, info.kind, 4, 4, &opts).unwrap();
        let most = (0..16).max_by(|&a, &b| latent.activity[a].total_cmp(&latent.activity[b])).unwrap();
        let (x, y) = cell_origin(most / 4, most % 4, 28);
        assert_eq!(img.pixel(x + 14, y + 14).map(rgb), Some(ACTIVITY_RAMP[4]));
        assert_eq!(activity_shade(0.5, 0.0), ACTIVITY_RAMP[0]);
        assert_eq!(activity_shade(0.49, 1.0), ACTIVITY_RAMP[2]);
        let opts = RenderOptions { cell: 3, ..RenderOptions::default() };
        assert_eq!(render_frame(last, info.kind, 4, 4, &opts), Err(RenderError::CellSize(3)));
    }

    #[test]
    fn maze_and_arc_colours() {
        let (puzzle, solution, side) = maze_pair("9x9-easy");
        let f = frame_of(&puzzle, &solution);
        let kind = PuzzleKind::Maze { side };
        let img = render_frame(&f, kind, side, side, &RenderOptions { cell: 8, ..Default::default() }).unwrap();
        let at = |k: usize| {
            let (x, y) = cell_origin(k / side, k % side, 8);
            img.pixel(x + 4, y + 4).map(rgb)
        };
        assert_eq!(at(0), Some(WALL));
        for (symbol, colour) in [(b'S', START), (b'G', GOAL), (b'o', PATH), (b' ', OPEN)] {
            if let Some(k) = solution.iter().position(|&b| b == symbol) {
                assert_eq!(at(k), Some(colour), "{}", char::from(symbol));
            }
        }
        // ARC: every palette colour where its digit is, the overlay's wrong cell outlined.
        let canvas = 4;
        let answer = b"0123456789|_____";
        let input = b"0123456789|_____";
        let mut wrong = answer.to_vec();
        wrong[5] = b'7';
        let f = frame_of(input, &wrong);
        let o = overlay(
            &f,
            PuzzleKind::Arc { canvas },
            4,
            4,
            Some(&trm_puzzles::Grid::from_rows(&[[0u8, 1, 2, 3], [4, 5, 6, 7]]).unwrap()),
        )
        .unwrap();
        let opts = RenderOptions { cell: 16, overlay: Some(&o), ..Default::default() };
        let img = render_frame(&f, PuzzleKind::Arc { canvas }, 4, 4, &opts).unwrap();
        for k in 0..10 {
            let (x, y) = cell_origin(k / 4, k % 4, 16);
            let want = ARC_PALETTE[usize::from(wrong[k] - b'0')];
            assert_eq!(img.pixel(x + 8, y + 8).map(rgb), Some(want), "cell {k}");
        }
        let (x, y) = cell_origin(1, 1, 16);
        assert_eq!(img.pixel(x, y + 8).map(rgb), Some(BAD), "cell 5 is wrong");
        let (x, y) = cell_origin(2, 3, 16);
        assert_eq!(img.pixel(x + 8, y + 8).map(rgb), Some(PAD));
    }
}
