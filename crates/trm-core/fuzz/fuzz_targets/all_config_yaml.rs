//! Any text as an official all_config.yaml.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    trm_core::checkpoint::fuzz_all_config_yaml(data);
});
