//! Any bytes as dataset files: `.npy` arrays, the compact format, `dataset.json`, the official layout.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trm_puzzles::fuzzing::fuzz_dataset_files(data);
});
