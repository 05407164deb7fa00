//! `trm verify sudoku`: the generator's own solutions pass, corrupted copies fail with a reason.

use std::process::Command;

use trm_puzzles::sudoku::Generator;

fn trm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trm")).args(args).output().expect("trm runs")
}

#[test]
fn generated_solutions_pass_and_corrupted_ones_fail() {
    let dir = std::env::temp_dir().join(format!("trm-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut generator = Generator::new(9, 21).unwrap();
    let generated: Vec<_> = (0..5).map(|_| generator.next_puzzle(0)).collect();
    let puzzles: String = generated.iter().map(|g| format!("{}\n", g.puzzle)).collect();
    let answers: Vec<String> = generated.iter().map(|g| g.solution.to_string()).collect();
    std::fs::write(dir.join("p.txt"), format!("# five puzzles\n{puzzles}")).unwrap();
    std::fs::write(dir.join("a.txt"), answers.join("\n")).unwrap();
    let (p, a) = (dir.join("p.txt"), dir.join("a.txt"));

    let out = trm(&["verify", "sudoku", p.to_str().unwrap(), a.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.lines().last(), Some("5 passed, 0 failed"));

    // Swap two cells of answer 2 and blank one of answer 4.
    let mut bad = answers.clone();
    let mut cells: Vec<char> = bad[1].chars().collect();
    let j = (1..9).find(|&j| cells[j] != cells[0]).unwrap();
    cells.swap(0, j);
    bad[1] = cells.into_iter().collect();
    bad[3].replace_range(40..41, ".");
    std::fs::write(&a, bad.join("\n")).unwrap();
    let out = trm(&["verify", "sudoku", p.to_str().unwrap(), a.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(text.lines().last(), Some("3 passed, 2 failed"));
    assert!(text.contains("2: FAIL:") && text.contains("4: FAIL: row 5, column 5 is empty"), "{text}");
}
