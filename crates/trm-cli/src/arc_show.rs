//! `trm arc show`: an ARC task's pairs drawn side by side in the ARC colours.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use trm_puzzles::arc::{self, Grid};

/// When to use terminal colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColourChoice {
    /// Colours on a terminal unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

/// Options of `trm arc show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// An ARC task JSON file, or a collection `{task_id: task}`.
    pub task: PathBuf,
    /// Only this task of a collection.
    #[arg(long)]
    pub id: Option<String>,
    /// Colour output (without colour, cells are digits).
    #[arg(long, value_enum, default_value_t = ColourChoice::Auto)]
    pub color: ColourChoice,
}

/// The usual ARC palette (black, blue, red, green, yellow, grey, magenta, orange, sky, maroon).
const PALETTE: [(u8, u8, u8); 10] = [
    (0, 0, 0),
    (0, 116, 217),
    (255, 65, 54),
    (46, 204, 64),
    (255, 220, 0),
    (170, 170, 170),
    (240, 18, 190),
    (255, 133, 27),
    (127, 219, 255),
    (135, 12, 37),
];

/// Grid rows as text lines, each cell two characters wide.
fn grid_lines(grid: &Grid, colour: bool) -> Vec<String> {
    (0..grid.rows())
        .map(|r| {
            (0..grid.cols())
                .map(|c| {
                    let v = grid.get(r, c).unwrap_or(0);
                    if colour {
                        let (red, green, blue) = PALETTE[usize::from(v.min(9))];
                        format!("\x1b[48;2;{red};{green};{blue}m  \x1b[0m")
                    } else {
                        format!("{v} ")
                    }
                })
                .collect()
        })
        .collect()
}

/// Two grids side by side with an arrow between them (the second may be missing).
fn side_by_side(left: &Grid, right: Option<&Grid>, colour: bool) -> String {
    let a = grid_lines(left, colour);
    let b = right.map(|g| grid_lines(g, colour)).unwrap_or_else(|| vec!["?".to_string()]);
    let blank_left = " ".repeat(2 * left.cols());
    let mut out = String::new();
    for k in 0..a.len().max(b.len()) {
        let arrow = if k == 0 { "  ->  " } else { "      " };
        out.push_str(a.get(k).map(String::as_str).unwrap_or(&blank_left));
        out.push_str(arrow);
        out.push_str(b.get(k).map(String::as_str).unwrap_or(""));
        out.push('\n');
    }
    out
}

fn shape(grid: &Grid) -> String {
    format!("{}×{}", grid.rows(), grid.cols())
}

/// `trm arc show`.
pub fn run(args: &ShowArgs) -> Result<()> {
    let bytes = std::fs::read(&args.task).with_context(|| format!("cannot read {}", args.task.display()))?;
    let stem = args.task.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "task".into());
    let mut tasks = arc::parse_tasks_bytes(&bytes, &stem).with_context(|| format!("{}", args.task.display()))?;
    if let Some(id) = &args.id {
        tasks.retain(|t| &t.name == id);
        if tasks.is_empty() {
            bail!("{} has no task {id:?}", args.task.display());
        }
    }
    let colour = match args.color {
        ColourChoice::Always => true,
        ColourChoice::Never => false,
        ColourChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    for named in &tasks {
        let task = &named.task;
        println!("task {}: {} train pairs, {} test pairs", named.name, task.train.len(), task.test.len());
        for (k, pair) in task.train.iter().enumerate() {
            println!("\ntrain {}: {} -> {}", k + 1, shape(&pair.input), shape(&pair.output));
            print!("{}", side_by_side(&pair.input, Some(&pair.output), colour));
        }
        for (k, pair) in task.test.iter().enumerate() {
            let out = pair.output.as_ref().map(shape).unwrap_or_else(|| "? (no solution in the file)".into());
            println!("\ntest {}: {} -> {out}", k + 1, shape(&pair.input));
            print!("{}", side_by_side(&pair.input, pair.output.as_ref(), colour));
        }
        println!();
    }
    Ok(())
}
