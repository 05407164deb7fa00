//! Any bytes as augmented puzzle names and as identifiers.json.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trm_puzzles::fuzzing::fuzz_arc_names(data);
});
