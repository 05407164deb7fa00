//! `cargo xtask setup`: install what is missing, from the package registries only, and skip what is
//! already there at the pinned version. Safe to run again and again.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::pins;

/// What later steps need to find the installed tools.
pub struct Tools {
    /// `PATH` with `web/node_modules/.bin` and cargo's bin folder first.
    pub path: OsString,
}

impl Tools {
    /// A command that sees the installed tools.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("PATH", &self.path);
        cmd
    }
}

/// Runs `cmd`, echoing it; an error names the command and its exit status.
pub fn exec(cmd: &mut Command) -> Result<(), String> {
    eprintln!("  $ {}", describe(cmd));
    let status = cmd.status().map_err(|e| format!("cannot start `{}`: {e}", describe(cmd)))?;
    if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", describe(cmd))) }
}

/// Runs `cmd` quietly and returns its stdout, or `None` if it cannot run or fails.
pub fn stdout_of(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
}

fn is_root() -> bool {
    stdout_of(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

/// The version of `package` recorded in Cargo.lock.
fn locked_version(root: &Path, package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock.find(&needle).ok_or(format!("Cargo.lock has no package `{package}`"))? + needle.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")? + start;
    Ok(lock[start..end].to_string())
}

/// Version field of an installed npm package, if present.
fn npm_version(root: &Path, package: &str) -> Option<String> {
    let text = std::fs::read_to_string(root.join("web/node_modules").join(package).join("package.json")).ok()?;
    let start = text.find("\"version\"")?;
    let rest = &text[start + "\"version\"".len()..];
    let open = rest.find('"')? + 1;
    let close = rest[open..].find('"')? + open;
    Some(rest[open..close].to_string())
}

/// Installs what is missing; returns the environment later steps use.
pub fn install(root: &Path) -> Result<Tools, String> {
    let bin = cargo_bin_dir();
    let mut paths = vec![root.join("web/node_modules/.bin"), bin.clone()];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let path = std::env::join_paths(paths).map_err(|e| format!("bad PATH: {e}"))?;
    let tools = Tools { path };

    // 1. The wasm32 target.
    let installed = stdout_of(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == pins::WASM_TARGET) {
        eprintln!("  ok  rust target {}", pins::WASM_TARGET);
    } else {
        exec(Command::new("rustup").args(["target", "add", pins::WASM_TARGET]))?;
    }

    // 2. wasm-bindgen-cli, equal to the crate in Cargo.lock.
    let locked = locked_version(root, "wasm-bindgen")?;
    if locked != pins::WASM_BINDGEN {
        return Err(format!(
            "Cargo.lock has wasm-bindgen {locked} but xtask pins wasm-bindgen-cli {}: make them equal",
            pins::WASM_BINDGEN
        ));
    }
    let have = stdout_of(tools.command("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.trim() == format!("wasm-bindgen {}", pins::WASM_BINDGEN) {
        eprintln!("  ok  wasm-bindgen-cli {}", pins::WASM_BINDGEN);
    } else {
        // Not --locked: its lockfile pins a webpki-roots version the registry no longer serves.
        let t = Instant::now();
        exec(tools.command("cargo").args(["install", "wasm-bindgen-cli", "--version", pins::WASM_BINDGEN, "--force"]))?;
        eprintln!("  installed wasm-bindgen-cli in {:.0?}", t.elapsed());
    }

    // 3. trunk, built without LTO (9–10 min instead of ~36 on 2 cores; the binary is the same tool).
    let have = stdout_of(tools.command("trunk").arg("--version")).unwrap_or_default();
    if have.trim() == format!("trunk {}", pins::TRUNK) {
        eprintln!("  ok  trunk {}", pins::TRUNK);
    } else {
        let t = Instant::now();
        exec(
            tools
                .command("cargo")
                .args(["install", "--locked", "trunk", "--version", pins::TRUNK, "--force"])
                .env("CARGO_PROFILE_RELEASE_LTO", "false")
                .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        )?;
        eprintln!("  installed trunk in {:.0?}", t.elapsed());
    }

    // 4. npm packages: wasm-opt (binaryen) for trunk, playwright-core and axe-core for the
    //    end-to-end test. Any package missing or at another version: `npm ci` from package-lock.json.
    let npm_pins =
        [("binaryen", pins::BINARYEN), ("playwright-core", pins::PLAYWRIGHT_CORE), ("axe-core", pins::AXE_CORE)];
    let npm_ok = npm_pins.iter().all(|(package, pin)| npm_version(root, package).as_deref() == Some(*pin));
    if npm_ok {
        eprintln!(
            "  ok  npm binaryen {}, playwright-core {}, axe-core {}",
            pins::BINARYEN,
            pins::PLAYWRIGHT_CORE,
            pins::AXE_CORE
        );
    } else {
        exec(tools.command("npm").args(["ci", "--no-fund", "--no-audit"]).current_dir(root.join("web")))?;
        for (package, pin) in npm_pins {
            let got = npm_version(root, package);
            if got.as_deref() != Some(pin) {
                return Err(format!(
                    "web/package-lock.json gives {package} {got:?}, xtask pins {pin}: make them equal"
                ));
            }
        }
    }

    // 5. Chromium and chromedriver from Debian.
    if Path::new(pins::CHROMIUM).exists() && Path::new(pins::CHROMEDRIVER).exists() {
        eprintln!("  ok  chromium + chromedriver");
    } else if is_root() {
        exec(Command::new("apt-get").arg("update"))?;
        exec(
            Command::new("apt-get")
                .args(["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )?;
    } else {
        return Err(format!(
            "Chromium and chromedriver are missing ({} / {}). Install them as root:\n    \
             sudo apt-get update && sudo apt-get install -y chromium chromium-driver",
            pins::CHROMIUM,
            pins::CHROMEDRIVER
        ));
    }

    // 6. Python with numpy, in a virtual environment under target/, for the `.npy` interchange test.
    python_with_numpy(root)?;

    // 7. Crate sources, so that trunk (offline) and later builds need no network.
    exec(tools.command("cargo").args(["fetch", "--locked"]).current_dir(root))?;
    Ok(tools)
}

/// The virtual environment's python (`target/py`), which setup gives the pinned numpy.
pub fn venv_python(root: &Path) -> PathBuf {
    root.join("target/py/bin/python")
}

/// Creates `target/py` with the pinned numpy from PyPI unless it is already there.
fn python_with_numpy(root: &Path) -> Result<(), String> {
    let python = venv_python(root);
    let version = |python: &Path| {
        stdout_of(Command::new(python).args(["-c", "import numpy; print(numpy.__version__)"])).unwrap_or_default()
    };
    if version(&python).trim() == pins::NUMPY {
        eprintln!("  ok  python venv with numpy {}", pins::NUMPY);
        return Ok(());
    }
    let venv = root.join("target/py");
    if !python.exists() {
        let made = exec(Command::new("python3").args(["-m", "venv"]).arg(&venv));
        if made.is_err() && is_root() {
            // Debian splits venv support out of python3.
            exec(Command::new("apt-get").arg("update"))?;
            exec(
                Command::new("apt-get")
                    .args(["install", "-y", "--no-install-recommends", "python3-venv"])
                    .env("DEBIAN_FRONTEND", "noninteractive"),
            )?;
            exec(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        } else {
            made.map_err(|e| {
                format!("{e}\n    python3 with venv support is needed (Debian: apt-get install python3-venv)")
            })?;
        }
    }
    exec(Command::new(&python).args(["-m", "pip", "install", "--quiet", &format!("numpy=={}", pins::NUMPY)]))?;
    let got = version(&python);
    if got.trim() != pins::NUMPY {
        return Err(format!("numpy {} expected in {}, found {:?}", pins::NUMPY, venv.display(), got.trim()));
    }
    Ok(())
}
