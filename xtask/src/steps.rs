//! `cargo xtask test|serve|bench`.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::pins;
use crate::setup::{self, Tools, exec};

type StepFn = fn(&Path, &Tools) -> Result<(), String>;

/// The checks of `cargo xtask test`, in order. Setup runs first and counts as step 1.
const STEPS: &[(&str, StepFn)] = &[
    ("format (cargo fmt --check)", fmt),
    ("third-party notices match Cargo.lock", |root, _| crate::notices::check(root)),
    ("lint (clippy native and wasm32, warnings denied)", clippy),
    ("native tests (cargo test --workspace)", native_tests),
    ("numpy reads and writes our .npy dataset files", numpy_interchange),
    ("wasm32 build of trm-core and trm-puzzles", wasm_build),
    ("wasm32 tests of trm-core in headless Chromium", wasm_browser_tests),
    ("component tests of the web app in headless Chromium", web_component_tests),
    ("web release build (trunk build --release)", web_build),
    ("end-to-end test in headless Chromium (dist/ under /playground/)", end_to_end),
];

fn cargo(tools: &Tools, root: &Path) -> Command {
    let mut cmd = tools.command("cargo");
    cmd.current_dir(root);
    cmd
}

fn fmt(root: &Path, tools: &Tools) -> Result<(), String> {
    exec(cargo(tools, root).args(["fmt", "--all", "--", "--check"]))
}

/// Native clippy over everything, then wasm32 clippy over what ships to the browser (the code behind
/// `cfg(target_arch = "wasm32")` is only seen there), plus the web crate's wasm32 tests.
fn clippy(root: &Path, tools: &Tools) -> Result<(), String> {
    exec(cargo(tools, root).args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]))?;
    let wasm = ["clippy", "--locked", "--target", pins::WASM_TARGET];
    exec(
        cargo(tools, root)
            .args(wasm)
            .args(["-p", "trm-core", "-p", "trm-puzzles", "-p", "trm-web", "--lib", "--bins"])
            .args(["--", "-D", "warnings"]),
    )?;
    exec(cargo(tools, root).args(wasm).args(["-p", "trm-web", "--tests", "--", "-D", "warnings"]))
}

fn native_tests(root: &Path, tools: &Tools) -> Result<(), String> {
    exec(cargo(tools, root).args(["test", "--workspace", "--locked"]))
}

fn numpy_interchange(root: &Path, tools: &Tools) -> Result<(), String> {
    exec(
        cargo(tools, root)
            .args(["test", "--locked", "-p", "trm-puzzles", "--test", "dataset_numpy", "--", "--ignored"])
            .env("TRM_PYTHON", setup::venv_python(root)),
    )
}

fn wasm_build(root: &Path, tools: &Tools) -> Result<(), String> {
    exec(cargo(tools, root).args([
        "build",
        "--locked",
        "--target",
        pins::WASM_TARGET,
        "-p",
        "trm-core",
        "-p",
        "trm-puzzles",
    ]))
}

fn wasm_browser_tests(root: &Path, tools: &Tools) -> Result<(), String> {
    let mut cmd = cargo(tools, root);
    cmd.args(["test", "--locked", "--target", pins::WASM_TARGET, "-p", "trm-core"]);
    exec(browser_test_env(&mut cmd, root))
}

/// The page's components mounted in headless Chromium (`web/tests/components.rs`), driven by DOM
/// events; the worker's engine runs in-process there.
fn web_component_tests(root: &Path, tools: &Tools) -> Result<(), String> {
    let mut cmd = cargo(tools, root);
    cmd.args(["test", "--locked", "--target", pins::WASM_TARGET, "-p", "trm-web", "--test", "components"]);
    browser_test_env(&mut cmd, root).env("WASM_BINDGEN_TEST_TIMEOUT", "300");
    exec(&mut cmd)
}

fn web_build(root: &Path, tools: &Tools) -> Result<(), String> {
    exec(tools.command("trunk").args(["build", "--release"]).current_dir(root))
}

fn end_to_end(root: &Path, tools: &Tools) -> Result<(), String> {
    // The e2e compares the page's answers with the native `trm solve --quiet` of the same model and
    // puzzle, so it needs the CLI (already built by the native tests; this is a no-op then).
    exec(cargo(tools, root).args(["build", "--locked", "-p", "trm-cli"]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), std::path::PathBuf::from);
    exec(
        tools
            .command("node")
            .arg("web/tests/e2e/e2e.mjs")
            .current_dir(root)
            .env("TRM", target.join("debug").join(format!("trm{}", std::env::consts::EXE_SUFFIX)))
            .env("DIST", root.join("dist"))
            .env("OUT_DIR", root.join("target/e2e"))
            .env("CHROMIUM", pins::CHROMIUM),
    )
}

/// `cargo xtask test`: every check in order, failing fast; ends with `N passed, M failed`.
pub fn test(root: &Path, from: usize) -> ExitCode {
    let total = STEPS.len() + 1;
    let started = Instant::now();
    let mut passed = 0;
    let mut failed = 0;

    eprintln!("==> [1/{total}] setup");
    let t = Instant::now();
    let tools = match setup::install(root) {
        Ok(tools) => {
            passed += 1;
            eprintln!("    passed: setup ({:.0?})", t.elapsed());
            tools
        }
        Err(e) => {
            eprintln!("    FAILED: setup: {e}");
            println!("{passed} passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };

    for (k, (name, step)) in STEPS.iter().enumerate() {
        let number = k + 2;
        if number < from {
            eprintln!("==> [{number}/{total}] {name}: skipped (--from {from})");
            continue;
        }
        eprintln!("==> [{number}/{total}] {name}");
        let t = Instant::now();
        match step(root, &tools) {
            Ok(()) => {
                passed += 1;
                eprintln!("    passed: {name} ({:.0?})", t.elapsed());
            }
            Err(e) => {
                failed += 1;
                eprintln!("    FAILED at step {number}: {name}: {e}");
                break;
            }
        }
    }
    eprintln!("    total wall time {:.0?}", started.elapsed());
    println!("{passed} passed, {failed} failed");
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// `cargo xtask serve`: setup, then trunk's dev server on 127.0.0.1:8080.
pub fn serve(root: &Path, dev: bool) -> Result<(), String> {
    eprintln!("==> setup");
    let tools = setup::install(root)?;
    eprintln!("==> serving the playground at http://127.0.0.1:8080/  (Ctrl-C stops)");
    let mut cmd = tools.command("trunk");
    cmd.args(["serve", "--address", "127.0.0.1", "--port", "8080", "--public-url", "/"]).current_dir(root);
    if !dev {
        cmd.arg("--release");
    }
    exec(&mut cmd)
}

/// `cargo xtask bench`: criterion benchmarks of the workspace, single-threaded unless
/// `RAYON_NUM_THREADS` says otherwise (the peer figures are quoted per thread count).
pub fn bench(root: &Path, extra: &[String]) -> Result<(), String> {
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "1".into());
    eprintln!("==> benchmarks with RAYON_NUM_THREADS={threads}");
    let mut cmd = Command::new("cargo");
    cmd.args(["bench", "--workspace", "--benches", "--locked"]).env("RAYON_NUM_THREADS", &threads).current_dir(root);
    if !extra.is_empty() {
        cmd.arg("--").args(extra);
    }
    exec(&mut cmd)?;

    eprintln!("==> wasm32 benchmarks in a Web Worker of headless Chromium (single-threaded)");
    let tools = setup::install(root)?;
    let mut cmd = cargo(&tools, root);
    cmd.args(["bench", "--locked", "-p", "trm-core", "--bench", "wasm_recursion", "--target", pins::WASM_TARGET]);
    browser_test_env(&mut cmd, root).env("WASM_BINDGEN_TEST_TIMEOUT", "900");
    exec(&mut cmd)
}

/// What wasm-bindgen-test-runner needs to drive Debian's Chromium.
fn browser_test_env<'c>(cmd: &'c mut Command, root: &Path) -> &'c mut Command {
    cmd.env("WASM_BINDGEN_USE_BROWSER", "1")
        .env("CHROMEDRIVER", pins::CHROMEDRIVER)
        // Chromium's flags for this closed network (without them it floods it with requests).
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", root.join("web/tests/webdriver.json"))
}
