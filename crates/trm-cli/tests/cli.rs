//! Runs the real `trm` binary.

use std::process::Command;

fn trm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trm")).args(args).output().expect("trm runs")
}

#[test]
fn help_lists_the_commands() {
    let out = trm(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Usage: trm"), "{text}");
    assert!(text.contains("selfcheck"), "{text}");
}

#[test]
fn selfcheck_prints_the_probe() {
    let out = trm(&["selfcheck", "--side", "16"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let expected = trm_core::selfcheck::matmul_probe(16).unwrap();
    assert!(text.contains(&format!("trace {:.6}", expected.trace)), "{text}");
}

#[test]
fn bad_argument_is_a_clear_error() {
    let out = trm(&["selfcheck", "--side", "0"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("probe side must be in"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
