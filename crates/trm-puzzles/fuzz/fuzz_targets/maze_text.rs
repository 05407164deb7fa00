//! Any bytes as maze blocks and as predicted tokens: round trips, shortest paths, transforms, verifier.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trm_puzzles::fuzzing::fuzz_maze_text(data);
});
