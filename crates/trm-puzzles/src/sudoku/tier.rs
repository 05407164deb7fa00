//! Difficulty tiers, defined by thresholds on measured solver metrics.
//!
//! Two numbers decide a puzzle's tier: its clue count, and the solver's *guesses* — branch points
//! with more than one candidate while proving the solution unique (`search(2)`, see
//! [`SearchReport`]). The search always branches on the cell with the fewest candidates, so a
//! puzzle solvable by naked singles alone takes 0 guesses, and the count grows with the depth of
//! reasoning needed. Thresholds were chosen from the distributions printed by
//! `cargo run --release -p trm-puzzles --example tier_metrics` (2000 generated puzzles per row):
//!
//! | side | `easy` | `medium` | `hard` | `extreme` |
//! |---|---|---|---|---|
//! | 9 | ≥ 36 clues, 0 guesses | ≥ 28 clues, 1–20 guesses | 21–149 guesses | ≥ 150 guesses |
//! | 6 | ≥ 16 clues, 0 guesses | 12–15 clues, ≤ 1 guess | ≤ 11 clues, 1–3 guesses | ≤ 11 clues, ≥ 4 guesses |
//! | 4 | ≥ 8 clues | 6–7 clues | 5 clues | 4 clues (the minimum) |
//!
//! On 9×9 the minimal puzzles (every clue needed, 24.4 clues on average) take 31 guesses at the
//! median and 166 at the 90th percentile, so `hard` is the typical minimal puzzle and `extreme`
//! roughly its hardest tenth. 4×4 puzzles never need a guess, so their tiers go by clues alone.

use std::fmt;
use std::str::FromStr;

use super::SearchReport;

/// A difficulty tier. Lower-case names (`easy`, `medium`, `hard`, `extreme`) in text and JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    Easy,
    Medium,
    Hard,
    Extreme,
}

/// The thresholds of one tier at one side, plus how far the generator digs to reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierRule {
    /// Inclusive clue-count range.
    pub clues: (usize, usize),
    /// Inclusive range of solver guesses.
    pub guesses: (u64, u64),
    /// The generator removes clues down to this count (0 = until minimal).
    pub dig_floor: usize,
}

impl TierRule {
    /// Whether a puzzle with `clues` givens and this search report belongs to the tier.
    pub fn accepts(&self, clues: usize, report: &SearchReport) -> bool {
        (self.clues.0..=self.clues.1).contains(&clues) && (self.guesses.0..=self.guesses.1).contains(&report.guesses)
    }
}

impl Tier {
    /// All tiers, easiest first.
    pub const ALL: [Tier; 4] = [Tier::Easy, Tier::Medium, Tier::Hard, Tier::Extreme];

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Easy => "easy",
            Tier::Medium => "medium",
            Tier::Hard => "hard",
            Tier::Extreme => "extreme",
        }
    }

    /// The thresholds of this tier for a side (4, 6 or 9; other sides get the 9×9 rule).
    pub fn rule(self, side: usize) -> TierRule {
        let any = (0, u64::MAX);
        let (clues, guesses, dig_floor) = match (side, self) {
            (4, Tier::Easy) => ((8, 16), any, 8),
            (4, Tier::Medium) => ((6, 7), any, 6),
            (4, Tier::Hard) => ((5, 5), any, 0),
            (4, Tier::Extreme) => ((4, 4), any, 0),
            (6, Tier::Easy) => ((16, 36), (0, 0), 16),
            (6, Tier::Medium) => ((12, 15), (0, 1), 12),
            (6, Tier::Hard) => ((0, 11), (1, 3), 0),
            (6, Tier::Extreme) => ((0, 11), (4, u64::MAX), 0),
            (_, Tier::Easy) => ((36, 81), (0, 0), 36),
            (_, Tier::Medium) => ((28, 81), (1, 20), 30),
            (_, Tier::Hard) => ((0, 81), (21, 149), 0),
            (_, Tier::Extreme) => ((0, 81), (150, u64::MAX), 0),
        };
        TierRule { clues, guesses, dig_floor }
    }

    /// The tier a puzzle falls in, if any (tiers do not overlap; some puzzles fall between).
    pub fn classify(side: usize, clues: usize, report: &SearchReport) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.rule(side).accepts(clues, report))
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A tier name that is not one of `easy`, `medium`, `hard`, `extreme`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown tier {0:?} (expected easy, medium, hard or extreme)")]
pub struct UnknownTier(pub String);

impl FromStr for Tier {
    type Err = UnknownTier;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tier::ALL.into_iter().find(|t| t.name() == s.trim().to_ascii_lowercase()).ok_or_else(|| UnknownTier(s.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(guesses: u64) -> SearchReport {
        SearchReport { solutions: 1, first: None, nodes: 0, guesses }
    }

    #[test]
    fn tiers_do_not_overlap() {
        for side in [4, 6, 9] {
            for clues in 0..=side * side {
                for guesses in [0, 1, 2, 3, 4, 20, 21, 149, 150, 10_000] {
                    let hits = Tier::ALL.iter().filter(|t| t.rule(side).accepts(clues, &report(guesses))).count();
                    assert!(hits <= 1, "side {side}, {clues} clues, {guesses} guesses is in {hits} tiers");
                }
            }
        }
        assert_eq!(Tier::classify(9, 24, &report(31)), Some(Tier::Hard));
        assert_eq!(Tier::classify(9, 24, &report(400)), Some(Tier::Extreme));
        assert_eq!(Tier::classify(9, 40, &report(0)), Some(Tier::Easy));
        assert_eq!(Tier::classify(9, 30, &report(0)), None);
    }

    #[test]
    fn names_parse_and_print() {
        for t in Tier::ALL {
            assert_eq!(t.to_string().parse::<Tier>(), Ok(t));
        }
        assert_eq!("HARD".parse::<Tier>(), Ok(Tier::Hard));
        assert!("brutal".parse::<Tier>().unwrap_err().to_string().contains("brutal"));
    }
}
