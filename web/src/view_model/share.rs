//! The share URL: puzzle, model choice and run settings in the URL *fragment*, so the link works
//! from any sub-path (only the part after `#` is ours; the page's own path is kept as it is) and no
//! server ever sees it.
//!
//! Layout: `v=1&d=<domain>&p=<puzzle>[&t=<test>]&m=<model>&h=<0|1>&k=<0|1>[&n=<steps>]&f=<fps>`,
//! every value URL-safe:
//! - Sudoku (`d=sudoku`): the N² cells as digits and `.` (`3..2....13242.3.`).
//! - Maze (`d=maze`): `<side>.<cells>`, the cells packed two bits each (`#` 0, space 1, `S` 2,
//!   `G` 3; path marks are not part of a puzzle) in unpadded base64url: 300 characters for 30×30.
//! - ARC (`d=arc`): the bundled task's name (`training/007bbfb7`) and `t`, the test input's index.
//! - Model (`m`): `b:<name>` for a bundled model, `o:<name>` for one the user loaded from disk (the
//!   page asks for that file again); names percent-encoded.
//! - `h` stop when the halting head says so, `k` keep thinking past the normal steps, `n` the steps
//!   to run (absent: the model's own), `f` animation speed in frames per second.

use serde::{Deserialize, Serialize};
use trm_puzzles::{Maze, MazeCell, Sudoku};

use crate::engine::{Domain, PuzzleSource};

/// The fragment layout version this code writes.
pub const VERSION: u32 = 1;

/// The bundled ARC task list (`subset/id` per line).
pub const BUNDLED_ARC_LIST: &str = include_str!("../../../assets/puzzles/arc/small.txt");

/// The names in [`BUNDLED_ARC_LIST`].
pub fn bundled_arc_tasks() -> Vec<&'static str> {
    BUNDLED_ARC_LIST.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

/// The puzzle of a shared run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "domain")]
pub enum SharedPuzzle {
    /// N² characters, digits and `.` (the form [`Sudoku`] text takes, normalised).
    Sudoku { cells: String },
    /// The maze as text lines joined by `\n`, without path marks.
    Maze { text: String },
    /// A bundled ARC task and the index of its test input.
    Arc { task: String, test: usize },
}

impl SharedPuzzle {
    pub fn domain(&self) -> Domain {
        match self {
            SharedPuzzle::Sudoku { .. } => Domain::Sudoku,
            SharedPuzzle::Maze { .. } => Domain::Maze,
            SharedPuzzle::Arc { .. } => Domain::Arc,
        }
    }

    /// A Sudoku from any text the engine accepts (boxed grids, `0` for blanks), normalised.
    pub fn sudoku(text: &str) -> Result<Self, ShareError> {
        Ok(SharedPuzzle::Sudoku { cells: sudoku_cells(text)? })
    }

    /// A maze from its text (path marks dropped).
    pub fn maze(text: &str) -> Result<Self, ShareError> {
        let m = Maze::parse(text.trim_end_matches(['\n', '\r'])).map_err(|e| ShareError::Puzzle(e.to_string()))?;
        Ok(SharedPuzzle::Maze { text: m.puzzle().to_string() })
    }

    /// What the page sends the worker, for Sudoku and mazes; `None` for ARC (the page builds it from
    /// its bundled copy of the task, see `export::open_link`).
    pub fn source(&self) -> Option<PuzzleSource> {
        match self {
            SharedPuzzle::Sudoku { cells } => Some(PuzzleSource::Sudoku { text: cells.clone(), solution: None }),
            SharedPuzzle::Maze { text } => Some(PuzzleSource::Maze { text: text.clone() }),
            SharedPuzzle::Arc { .. } => None,
        }
    }
}

/// Sudoku text (any form the engine accepts) as N² digits and `.`.
fn sudoku_cells(text: &str) -> Result<String, ShareError> {
    let s = Sudoku::parse(&text.lines().collect::<String>()).map_err(|e| ShareError::Puzzle(e.to_string()))?;
    Ok(s.cells().iter().map(|&v| if v == 0 { '.' } else { char::from(b'0' + v) }).collect())
}

/// Which model the shared run used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelChoice {
    /// A model shipped with the playground, by name (`sudoku4`).
    Bundled(String),
    /// A model the user loaded from disk, by file name (the recipient must load it too).
    Own(String),
}

/// Run settings that change what a run shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSettings {
    pub stop_on_halt: bool,
    pub keep_thinking: bool,
    /// Supervision steps to run; `None`: the model's `halt_max_steps`.
    pub steps: Option<u32>,
    /// Animation speed, frames per second (1–240).
    pub fps: u32,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings { stop_on_halt: false, keep_thinking: false, steps: None, fps: 8 }
    }
}

/// Everything a share URL carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareState {
    pub puzzle: SharedPuzzle,
    pub model: ModelChoice,
    pub settings: RunSettings,
}

/// Why a fragment cannot be read (or a state cannot be written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("the link has no playground settings after '#'")]
    Empty,
    #[error("the link's part after '#' is malformed near \"{0}\" (expected key=value pairs joined by '&')")]
    Malformed(String),
    #[error("the link gives \"{0}\" twice")]
    Duplicate(String),
    #[error("the link lacks \"{0}\"")]
    Missing(&'static str),
    #[error("the link was made by a newer playground (format {0}; this one reads format {VERSION})")]
    Version(String),
    #[error("the link's {key} \"{value}\" is not valid: {why}")]
    Value { key: &'static str, value: String, why: String },
    #[error("the link's puzzle is invalid: {0}")]
    Puzzle(String),
    #[error("the link names ARC task \"{0}\", which is not among the bundled tasks")]
    UnknownTask(String),
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..=chunk.len() {
            out.push(char::from(B64[((v >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}

fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u32> =
        text.bytes().map(|c| B64.iter().position(|&b| b == c).map(|p| p as u32)).collect::<Option<_>>()?;
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let v = chunk.iter().enumerate().fold(0u32, |v, (k, &d)| v | (d << (18 - 6 * k)));
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    Some(out)
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes everything but the URL's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undoes [`percent_encode`] (and any other valid percent-encoding of UTF-8).
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut k = 0;
    while k < bytes.len() {
        if bytes[k] == b'%' {
            let hex = std::str::from_utf8(bytes.get(k + 1..k + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            k += 3;
        } else {
            out.push(bytes[k]);
            k += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn maze_code(cell: MazeCell) -> u8 {
    match cell {
        MazeCell::Wall => 0,
        MazeCell::Open | MazeCell::Path => 1,
        MazeCell::Start => 2,
        MazeCell::Goal => 3,
    }
}

const MAZE_CELLS: [MazeCell; 4] = [MazeCell::Wall, MazeCell::Open, MazeCell::Start, MazeCell::Goal];

fn encode_puzzle(puzzle: &SharedPuzzle) -> Result<(String, Option<usize>), ShareError> {
    Ok(match puzzle {
        SharedPuzzle::Sudoku { cells } => (sudoku_cells(cells)?, None),
        SharedPuzzle::Maze { text } => {
            let m = Maze::parse(text).map_err(|e| ShareError::Puzzle(e.to_string()))?;
            let mut packed = vec![0u8; m.cells().len().div_ceil(4)];
            for (k, &c) in m.cells().iter().enumerate() {
                packed[k / 4] |= maze_code(c) << (2 * (k % 4));
            }
            (format!("{}.{}", m.side(), base64url(&packed)), None)
        }
        SharedPuzzle::Arc { task, test } => (percent_encode(task).replace("%2F", "/"), Some(*test)),
    })
}

fn decode_maze(value: &str) -> Result<String, ShareError> {
    let bad = |why: &str| ShareError::Value { key: "puzzle", value: value.into(), why: why.into() };
    let (side, packed) = value.split_once('.').ok_or_else(|| bad("a maze is <side>.<cells>"))?;
    let side: usize = side.parse().map_err(|_| bad("the side is not a number"))?;
    if !(1..=trm_puzzles::maze::MAX_SIDE).contains(&side) {
        return Err(bad(&format!("the side must be 1 to {}", trm_puzzles::maze::MAX_SIDE)));
    }
    let bytes = unbase64url(packed).ok_or_else(|| bad("the cells are not base64url"))?;
    if bytes.len() != (side * side).div_ceil(4) {
        return Err(bad(&format!(
            "a {side}×{side} maze needs {} packed bytes, not {}",
            (side * side).div_ceil(4),
            bytes.len()
        )));
    }
    let cells = (0..side * side).map(|k| MAZE_CELLS[usize::from((bytes[k / 4] >> (2 * (k % 4))) & 3)]).collect();
    let maze = Maze::from_cells(side, cells).map_err(|e| ShareError::Puzzle(e.to_string()))?;
    Ok(maze.to_string())
}

/// The fragment (without `#`) for `state`.
pub fn encode(state: &ShareState) -> Result<String, ShareError> {
    let (puzzle, test) = encode_puzzle(&state.puzzle)?;
    let domain = match state.puzzle.domain() {
        Domain::Sudoku => "sudoku",
        Domain::Maze => "maze",
        Domain::Arc => "arc",
    };
    let model = match &state.model {
        ModelChoice::Bundled(name) => format!("b:{}", percent_encode(name)),
        ModelChoice::Own(name) => format!("o:{}", percent_encode(name)),
    };
    let s = &state.settings;
    let mut out = format!("v={VERSION}&d={domain}&p={puzzle}");
    if let Some(t) = test {
        out.push_str(&format!("&t={t}"));
    }
    out.push_str(&format!("&m={model}&h={}&k={}", u8::from(s.stop_on_halt), u8::from(s.keep_thinking)));
    if let Some(n) = s.steps {
        out.push_str(&format!("&n={n}"));
    }
    out.push_str(&format!("&f={}", s.fps));
    Ok(out)
}

/// `href` with its fragment replaced by `state`'s: the page's own address (any sub-path) is kept.
pub fn share_url(href: &str, state: &ShareState) -> Result<String, ShareError> {
    let base = href.split('#').next().unwrap_or(href);
    Ok(format!("{base}#{}", encode(state)?))
}

fn flag(key: &'static str, value: &str) -> Result<bool, ShareError> {
    match value {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(ShareError::Value { key, value: value.into(), why: "expected 0 or 1".into() }),
    }
}

fn number(key: &'static str, value: &str, range: std::ops::RangeInclusive<u32>) -> Result<u32, ShareError> {
    value.parse::<u32>().ok().filter(|n| range.contains(n)).ok_or_else(|| ShareError::Value {
        key,
        value: value.into(),
        why: format!("expected a whole number from {} to {}", range.start(), range.end()),
    })
}

/// Reads a fragment (with or without the leading `#`). `arc_tasks` are the task names the page
/// bundles (see [`bundled_arc_tasks`]); an ARC link naming another task is refused.
pub fn decode(fragment: &str, arc_tasks: &[&str]) -> Result<ShareState, ShareError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.is_empty() {
        return Err(ShareError::Empty);
    }
    const KEYS: [&str; 9] = ["v", "d", "p", "t", "m", "h", "k", "n", "f"];
    let mut values: [Option<&str>; 9] = [None; 9];
    for pair in fragment.split('&') {
        let (key, value) =
            pair.split_once('=').ok_or_else(|| ShareError::Malformed(pair.chars().take(40).collect()))?;
        // Keys a later playground may add are skipped.
        let Some(slot) = KEYS.iter().position(|&k| k == key) else { continue };
        if values[slot].replace(value).is_some() {
            return Err(ShareError::Duplicate(key.into()));
        }
    }
    let [v, d, p, t, m, h, k, n, f] = values;
    let version = v.ok_or(ShareError::Missing("v"))?;
    if version != VERSION.to_string() {
        return Err(ShareError::Version(version.chars().take(20).collect()));
    }
    let p = p.ok_or(ShareError::Missing("p"))?;
    let puzzle = match d.ok_or(ShareError::Missing("d"))? {
        "sudoku" => SharedPuzzle::sudoku(p)?,
        "maze" => SharedPuzzle::Maze { text: decode_maze(p)? },
        "arc" => {
            let task = percent_decode(p).ok_or_else(|| ShareError::Value {
                key: "puzzle",
                value: p.into(),
                why: "bad percent-encoding".into(),
            })?;
            if !arc_tasks.contains(&task.as_str()) {
                return Err(ShareError::UnknownTask(task));
            }
            let test = number("test", t.ok_or(ShareError::Missing("t"))?, 0..=99)? as usize;
            SharedPuzzle::Arc { task, test }
        }
        other => {
            return Err(ShareError::Value {
                key: "domain",
                value: other.into(),
                why: "expected sudoku, maze or arc".into(),
            });
        }
    };
    let m = m.ok_or(ShareError::Missing("m"))?;
    let bad_model = |why: &str| ShareError::Value { key: "model", value: m.into(), why: why.into() };
    let (tag, name) = m.split_once(':').ok_or_else(|| bad_model("expected b:<name> or o:<name>"))?;
    let name = percent_decode(name).ok_or_else(|| bad_model("bad percent-encoding"))?;
    let model = match tag {
        "b" => ModelChoice::Bundled(name),
        "o" => ModelChoice::Own(name),
        _ => return Err(bad_model("expected b:<name> or o:<name>")),
    };
    let settings = RunSettings {
        stop_on_halt: flag("stop-on-halt flag", h.ok_or(ShareError::Missing("h"))?)?,
        keep_thinking: flag("keep-thinking flag", k.ok_or(ShareError::Missing("k"))?)?,
        steps: n.map(|n| number("steps", n, 1..=10_000)).transpose()?,
        fps: number("speed", f.ok_or(ShareError::Missing("f"))?, 1..=240)?,
    };
    Ok(ShareState { puzzle, model, settings })
}

#[cfg(all(test, not(target_arch = "wasm32")))] // proptest is a native-only dev-dependency
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sudoku_state() -> ShareState {
        ShareState {
            puzzle: SharedPuzzle::sudoku("3..2....13242.3.").unwrap(),
            model: ModelChoice::Bundled("sudoku4".into()),
            settings: RunSettings { stop_on_halt: true, keep_thinking: false, steps: Some(12), fps: 10 },
        }
    }

    #[test]
    fn sudoku_link_is_short_and_readable() {
        let fragment = encode(&sudoku_state()).unwrap();
        assert_eq!(fragment, "v=1&d=sudoku&p=3..2....13242.3.&m=b:sudoku4&h=1&k=0&n=12&f=10");
        assert_eq!(decode(&format!("#{fragment}"), &[]).unwrap(), sudoku_state());
        // Only the fragment changes: the page's sub-path is kept, an old fragment replaced.
        let url = share_url("https://example.org/a/playground/?x=1#old", &sudoku_state()).unwrap();
        assert_eq!(url, format!("https://example.org/a/playground/?x=1#{fragment}"));
    }

    #[test]
    fn bundled_maze_and_arc_round_trip() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/puzzles/maze/sample-30.txt"))
                .unwrap();
        let block: Vec<&str> = text.lines().skip_while(|l| l.is_empty()).take_while(|l| !l.is_empty()).collect();
        let state = ShareState {
            puzzle: SharedPuzzle::maze(&block.join("\n")).unwrap(),
            model: ModelChoice::Own("my maze model.safetensors".into()),
            settings: RunSettings::default(),
        };
        let fragment = encode(&state).unwrap();
        assert!(fragment.len() < 400, "{} characters", fragment.len());
        assert!(fragment.contains("&m=o:my%20maze%20model.safetensors&"), "{fragment}");
        assert_eq!(decode(&fragment, &[]).unwrap(), state);
        let tasks = bundled_arc_tasks();
        assert_eq!(tasks.len(), 16);
        let state = ShareState {
            puzzle: SharedPuzzle::Arc { task: tasks[3].into(), test: 0 },
            model: ModelChoice::Bundled("arc-demo".into()),
            settings: RunSettings::default(),
        };
        let fragment = encode(&state).unwrap();
        assert!(fragment.contains(&format!("p={}&t=0", tasks[3])), "{fragment}");
        assert_eq!(decode(&fragment, &tasks).unwrap(), state);
        assert_eq!(decode(&fragment, &[]), Err(ShareError::UnknownTask(tasks[3].into())));
    }

    #[test]
    fn malformed_fragments_say_what_is_wrong() {
        let ok = encode(&sudoku_state()).unwrap();
        let cases: Vec<(String, &str)> = vec![
            ("#".into(), "has no playground settings"),
            ("v=1&d=sudoku&junk".into(), "malformed near \"junk\""),
            (ok.replace("v=1", "v=2"), "newer playground"),
            (ok.replace("&d=sudoku", ""), "lacks \"d\""),
            (ok.replace("sudoku&", "chess&"), "expected sudoku, maze or arc"),
            (ok.replace("3..2", "3..7"), "puzzle is invalid"),
            (ok.replace("3..2....13242.3.", "3..2"), "puzzle is invalid"),
            (ok.replace("h=1", "h=yes"), "expected 0 or 1"),
            (ok.replace("f=10", "f=0"), "from 1 to 240"),
            (ok.replace("b:sudoku4", "sudoku4"), "b:<name> or o:<name>"),
            (ok.replace("b:sudoku4", "b:%ZZ"), "percent-encoding"),
            (format!("{ok}&h=1"), "gives \"h\" twice"),
            ("v=1&d=maze&p=5.AAA&m=b:x&h=0&k=0&f=1".into(), "needs 7 packed bytes"),
            ("v=1&d=maze&p=2.!!&m=b:x&h=0&k=0&f=1".into(), "not base64url"),
            // A 2×2 maze of walls only: no S.
            ("v=1&d=maze&p=2.AA&m=b:x&h=0&k=0&f=1".into(), "exactly one start"),
        ];
        for (fragment, want) in cases {
            let err = decode(&fragment, &[]).expect_err(&fragment).to_string();
            assert!(err.contains(want), "{fragment}: {err}");
        }
        // Keys a later playground adds are skipped.
        assert_eq!(decode(&format!("{ok}&zz=3"), &[]).unwrap(), sudoku_state());
    }

    fn puzzle_strategy() -> impl Strategy<Value = SharedPuzzle> {
        let sudoku = prop_oneof![Just(4usize), Just(6), Just(9)].prop_flat_map(|side| {
            proptest::collection::vec(0..=side as u8, side * side).prop_map(|cells| SharedPuzzle::Sudoku {
                cells: cells.iter().map(|&v| if v == 0 { '.' } else { char::from(b'0' + v) }).collect(),
            })
        });
        let maze = (2usize..=30).prop_flat_map(|side| {
            (proptest::collection::vec(any::<bool>(), side * side), 0..side * side, 0..side * side - 1).prop_map(
                move |(walls, s, g)| {
                    let g = if g >= s { g + 1 } else { g };
                    let mut cells: Vec<MazeCell> =
                        walls.iter().map(|&w| if w { MazeCell::Wall } else { MazeCell::Open }).collect();
                    cells[s] = MazeCell::Start;
                    cells[g] = MazeCell::Goal;
                    SharedPuzzle::Maze { text: Maze::from_cells(side, cells).unwrap().to_string() }
                },
            )
        });
        let tasks = bundled_arc_tasks();
        let arc = (0..tasks.len(), 0usize..3)
            .prop_map(move |(k, test)| SharedPuzzle::Arc { task: tasks[k].to_string(), test });
        prop_oneof![sudoku, maze, arc]
    }

    fn state_strategy() -> impl Strategy<Value = ShareState> {
        let model =
            prop_oneof!["[a-z0-9_-]{1,16}".prop_map(ModelChoice::Bundled), ".{0,24}".prop_map(ModelChoice::Own),];
        let settings = (any::<bool>(), any::<bool>(), proptest::option::of(1u32..=10_000), 1u32..=240).prop_map(
            |(stop_on_halt, keep_thinking, steps, fps)| RunSettings { stop_on_halt, keep_thinking, steps, fps },
        );
        (puzzle_strategy(), model, settings).prop_map(|(puzzle, model, settings)| ShareState {
            puzzle,
            model,
            settings,
        })
    }

    proptest! {
        #[test]
        fn every_state_round_trips_through_a_url_safe_fragment(state in state_strategy()) {
            let fragment = encode(&state).unwrap();
            prop_assert!(
                fragment.bytes().all(|b| unreserved(b) || b"=&%:/".contains(&b)),
                "not URL-safe: {}", fragment
            );
            let url = share_url("http://127.0.0.1:8080/playground/", &state).unwrap();
            let tasks = bundled_arc_tasks();
            let back = decode(url.split_once('#').unwrap().1, &tasks).unwrap();
            prop_assert_eq!(back, state);
        }

        #[test]
        fn any_text_decodes_or_errors_without_panicking(text in ".{0,200}") {
            let _ = decode(&text, &bundled_arc_tasks());
        }

        #[test]
        fn base64url_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(unbase64url(&base64url(&bytes)), Some(bytes));
        }
    }
}
