//! Any bytes through the checkpoint loader (safetensors and PyTorch zip-pickle paths): errors, never
//! panics or hangs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trm_core::checkpoint::fuzz_checkpoint_bytes(data);
});
