//! Any bytes as an ARC task file: JSON round trip, canvas encode and crop, augmentation, solutions merge.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trm_puzzles::fuzzing::fuzz_arc_json(data);
});
