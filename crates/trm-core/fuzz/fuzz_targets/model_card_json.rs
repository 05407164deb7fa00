//! Any text as a model card.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trm_core::checkpoint::fuzz_model_card(data);
});
