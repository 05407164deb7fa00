//! The capability check: what the playground needs from the browser (WebAssembly with SIMD, the
//! build uses `+simd128`; Web Workers) and the message shown when something is missing.
//!
//! WebAssembly and SIMD are checked before any wasm loads, by the small script in `index.html`
//! (Rust cannot report that its own module failed to compile); it writes the same message as
//! [`Support::message`]. The page checks Workers here before spawning its worker.

/// What the browser offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Support {
    pub webassembly: bool,
    pub simd: bool,
    pub workers: bool,
}

impl Support {
    /// The features missing, by name, in the order they are needed.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if !self.webassembly {
            missing.push("WebAssembly");
        } else if !self.simd {
            missing.push("WebAssembly SIMD");
        }
        if !self.workers {
            missing.push("Web Workers");
        }
        missing
    }

    /// What to tell the user, or `None` when the playground can run.
    pub fn message(&self) -> Option<String> {
        let missing = self.missing();
        (!missing.is_empty()).then(|| {
            format!(
                "This browser cannot run the playground: it lacks {}. Please use a current Chrome, Edge, Firefox or Safari.",
                missing.join(" and ")
            )
        })
    }
}

/// What this browser offers, seen from inside the running wasm (so WebAssembly and SIMD work).
pub fn browser_support() -> Support {
    let workers = js_sys::Reflect::has(&js_sys::global(), &"Worker".into()).unwrap_or(false);
    Support { webassembly: true, simd: true, workers }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_is_missing_in_order() {
        let all = Support { webassembly: true, simd: true, workers: true };
        assert_eq!(all.missing(), Vec::<&str>::new());
        assert_eq!(all.message(), None);
        let no_simd = Support { simd: false, ..all };
        assert_eq!(no_simd.missing(), ["WebAssembly SIMD"]);
        // Without WebAssembly, SIMD is not mentioned separately.
        let nothing = Support { webassembly: false, simd: false, workers: false };
        assert_eq!(nothing.missing(), ["WebAssembly", "Web Workers"]);
        let msg = nothing.message().unwrap();
        assert!(msg.contains("lacks WebAssembly and Web Workers"), "{msg}");
        assert!(Support { workers: false, ..all }.message().unwrap().contains("lacks Web Workers."));
    }
}
