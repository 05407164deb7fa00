//! Any bytes as Sudoku lines: parse, then round trips, conflicts, a bounded search, augmentation.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trm_puzzles::fuzzing::fuzz_sudoku_text(data);
});
