//! Property tests for Sudoku: text and token round trips, augmentation and its inverse, generator
//! uniqueness and tiers, and parsers that never panic.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use trm_puzzles::Sudoku;
use trm_puzzles::sudoku::{Augmentation, Generator, Split, Tier};

fn side() -> impl Strategy<Value = usize> {
    prop_oneof![Just(4usize), Just(6), Just(9)]
}

/// Any grid of digits (not necessarily valid), as text.
fn grid_text() -> impl Strategy<Value = (usize, String)> {
    side().prop_flat_map(|n| {
        proptest::collection::vec(0..=n as u8, n * n)
            .prop_map(move |cells| (n, cells.iter().map(|&v| if v == 0 { '.' } else { (b'0' + v) as char }).collect()))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn text_and_tokens_round_trip((n, text) in grid_text()) {
        let s = Sudoku::parse(&text).unwrap();
        prop_assert_eq!(s.side(), n);
        prop_assert_eq!(s.to_string(), text.clone());
        let tokens = s.to_tokens();
        prop_assert!(tokens.iter().all(|&t| (1..=n as u32 + 1).contains(&t)));
        prop_assert_eq!(Sudoku::from_predicted_tokens(n, &tokens).unwrap(), s);
    }

    #[test]
    fn boxed_form_parses_back_when_joined((_n, text) in grid_text()) {
        let s = Sudoku::parse(&text).unwrap();
        prop_assert_eq!(Sudoku::parse(&s.boxed().replace('\n', " ")).unwrap(), s);
    }

    #[test]
    fn augmentation_keeps_validity_and_inverts(n in side(), seed in any::<u64>()) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let g = Generator::new(n, seed).unwrap().next_puzzle(n * n / 3);
        let aug = Augmentation::random(n, &mut rng);
        let (p, s) = (aug.apply(&g.puzzle).unwrap(), aug.apply(&g.solution).unwrap());
        prop_assert!(s.is_solved());
        prop_assert!(p.is_solved_by(&s));
        prop_assert_eq!(p.unique_solution(), Some(s.clone()));
        prop_assert_eq!(aug.inverse().apply(&p), Some(g.puzzle));
        prop_assert_eq!(aug.inverse().apply(&s), Some(g.solution));
    }

    #[test]
    fn generated_puzzles_are_unique_and_in_their_tier(n in side(), seed in any::<u64>(), tier in 0usize..3) {
        let tier = Tier::ALL[tier];
        let mut g = Generator::new(n, seed).unwrap().with_split(Split::Train);
        let p = g.puzzle_in(tier);
        let report = p.puzzle.search(2);
        prop_assert_eq!(report.solutions, 1);
        prop_assert_eq!(report.first.as_ref(), Some(&p.solution));
        prop_assert_eq!(Tier::classify(n, p.puzzle.givens(), &report), Some(tier));
        prop_assert_eq!(Split::of(&p.solution), Split::Train);
    }

    #[test]
    fn parsing_never_panics(text in ".{0,120}") {
        if let Ok(s) = Sudoku::parse(&text) {
            prop_assert_eq!(Sudoku::parse(&s.to_string()).unwrap(), s);
        }
    }

    #[test]
    fn predicted_tokens_never_panic(n in side(), tokens in proptest::collection::vec(any::<u32>(), 0..100)) {
        if let Ok(s) = Sudoku::from_predicted_tokens(n, &tokens) {
            prop_assert_eq!(s.side(), n);
            prop_assert_eq!(tokens.len(), n * n);
        }
    }
}
