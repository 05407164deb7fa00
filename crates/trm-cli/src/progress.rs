//! Progress bars on stderr, shown only where they help: a terminal and a long enough job.

use indicatif::{ProgressBar, ProgressStyle};

/// Jobs shorter than this many items finish too fast to need a bar.
const MIN_ITEMS: u64 = 50;

/// A progress bar that draws nothing when stderr is not a terminal or the job is small.
pub struct Progress(ProgressBar);

impl Progress {
    /// A bar for `total` items, labelled with what is being done.
    pub fn new(total: u64, what: &str) -> Self {
        if total < MIN_ITEMS {
            return Self(ProgressBar::hidden());
        }
        // indicatif hides itself when stderr is not a terminal.
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        Self(bar)
    }

    /// One more item done.
    pub fn inc(&self) {
        self.0.inc(1);
    }

    /// `n` more items done.
    pub fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
