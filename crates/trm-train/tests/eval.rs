//! The evaluation metrics on hand-made predictions, the committed sets as a perfect oracle, and
//! [`evaluate`] and [`evaluate_dihedral_vote`] against a direct step-by-step computation with
//! trm-core.

use std::path::{Path, PathBuf};

use candle_core::{D, DType, Device, Tensor};
use trm_core::TrmConfig;
use trm_puzzles::maze::{Generator, MazeTier};
use trm_puzzles::{Dihedral, Maze, Sudoku};
use trm_train::IGNORE_LABEL_ID;
use trm_train::eval::{
    EvalOptions, EvalRow, EvalSet, Judge, cell_accuracy, evaluate, evaluate_dihedral_vote, labels_exact, maze_exact,
    sudoku_exact, vote,
};

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/puzzles")
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(str::to_string).collect()
}

const PUZZLE: &str = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79";
const SOLUTION: &str = "534678912672195348198342567859761423426853791713924856961537284287419635345286179";

#[test]
fn sudoku_exact_means_a_valid_solution_of_the_puzzle() {
    let puzzle = Sudoku::parse(PUZZLE).unwrap();
    let solution = Sudoku::parse(SOLUTION).unwrap();
    assert!(sudoku_exact(&puzzle, &solution.to_tokens()));
    // Two cells swapped: rows and columns break.
    let mut wrong = solution.to_tokens();
    wrong.swap(2, 3);
    assert!(!sudoku_exact(&puzzle, &wrong));
    // A blank (token 1) or PAD (0) is never exact.
    let mut blank = solution.to_tokens();
    blank[2] = 1;
    assert!(!sudoku_exact(&puzzle, &blank));
    // A valid grid that changes a given is not a solution of this puzzle: relabel 1↔2 everywhere.
    let relabelled: Vec<u32> = solution
        .to_tokens()
        .iter()
        .map(|&t| {
            if t == 2 {
                3
            } else if t == 3 {
                2
            } else {
                t
            }
        })
        .collect();
    assert!(Sudoku::from_predicted_tokens(9, &relabelled).unwrap().cells().iter().all(|&c| c != 0));
    assert!(!sudoku_exact(&puzzle, &relabelled));
    // Wrong length.
    assert!(!sudoku_exact(&puzzle, &solution.to_tokens()[..80]));
}

/// Two shortest paths of 3 cells from S to G: along the top then down, or down then along the bottom.
const MAZE: &str = "#####\n#S  #\n# # #\n#  G#\n#####";
const PATH_A: &str = "#####\n#Soo#\n# #o#\n#  G#\n#####";
const PATH_B: &str = "#####\n#S  #\n#o# #\n#ooG#\n#####";
const STRAY: &str = "#####\n#Soo#\n# #o#\n#o G#\n#####";
const LONG: &str = "#####\n#Soo#\n#o#o#\n#ooG#\n#####";

fn tokens(maze: &str) -> Vec<u32> {
    Maze::parse(maze).unwrap().to_tokens()
}

#[test]
fn maze_exact_accepts_any_shortest_path_and_nothing_else() {
    let puzzle = Maze::parse(MAZE).unwrap();
    let labels: Vec<i32> = tokens(PATH_A).iter().map(|&t| t as i32).collect();
    assert!(maze_exact(&puzzle, &tokens(PATH_A)));
    // The other shortest path: exact for the verifier, not equal to the label.
    assert!(maze_exact(&puzzle, &tokens(PATH_B)));
    assert!(!labels_exact(&tokens(PATH_B), &labels));
    assert!(Judge::Maze(puzzle.clone()).is_exact(&tokens(PATH_B), &labels));
    assert!(!Judge::Labels.is_exact(&tokens(PATH_B), &labels));
    // A stray path cell, a too long route, the bare puzzle: not exact.
    assert!(!maze_exact(&puzzle, &tokens(STRAY)));
    assert!(!maze_exact(&puzzle, &tokens(LONG)));
    assert!(!maze_exact(&puzzle, &tokens(MAZE)));
    // A wall turned into a path cell, PAD tokens, a wrong length.
    let mut through_wall = tokens(PATH_A);
    through_wall[12] = 5;
    assert!(!maze_exact(&puzzle, &through_wall));
    assert!(!maze_exact(&puzzle, &[0; 25]));
    assert!(!maze_exact(&puzzle, &tokens(PATH_A)[..20]));
}

#[test]
fn cell_accuracy_counts_supervised_cells_only() {
    let labels = [2, 3, IGNORE_LABEL_ID, 4];
    assert_eq!(cell_accuracy(&[2, 3, 9, 4], &labels), Some(1.0));
    assert_eq!(cell_accuracy(&[2, 0, 9, 0], &labels), Some(1.0 / 3.0));
    assert_eq!(cell_accuracy(&[2, 3, 9], &labels), None);
    assert_eq!(cell_accuracy(&[1, 1], &[IGNORE_LABEL_ID, IGNORE_LABEL_ID]), None);
    assert!(labels_exact(&[2, 3, 9, 4], &labels));
    assert!(!labels_exact(&[2, 3, 9, 5], &labels));
}

#[test]
fn committed_sets_are_exact_for_a_perfect_oracle() {
    for set in ["4x4-medium", "6x6-hard", "9x9-extreme"] {
        let dir = assets().join("sudoku/eval");
        let puzzles: Vec<Sudoku> =
            lines(&dir.join(format!("{set}.txt"))).iter().map(|l| Sudoku::parse(l).unwrap()).collect();
        let solutions: Vec<Sudoku> =
            lines(&dir.join(format!("{set}.solutions.txt"))).iter().map(|l| Sudoku::parse(l).unwrap()).collect();
        let eval = EvalSet::sudoku(&puzzles, &solutions).unwrap();
        assert_eq!(eval.len(), puzzles.len());
        for row in eval.rows() {
            let oracle: Vec<u32> = row.labels.iter().map(|&l| l as u32).collect();
            assert!(row.judge.is_exact(&oracle, &row.labels), "{set}");
            assert_eq!(cell_accuracy(&oracle, &row.labels), Some(1.0));
        }
    }
    let dir = assets().join("maze/eval");
    let text = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let puzzles = Maze::parse_many(&text("30x30-hard.txt")).unwrap();
    let solutions = Maze::parse_many(&text("30x30-hard.solutions.txt")).unwrap();
    let eval = EvalSet::maze(&puzzles, &solutions).unwrap();
    for row in eval.rows() {
        let oracle: Vec<u32> = row.labels.iter().map(|&l| l as u32).collect();
        assert!(row.judge.is_exact(&oracle, &row.labels));
        assert!(labels_exact(&oracle, &row.labels));
    }
}

#[test]
fn sets_that_do_not_pair_up_are_refused() {
    let puzzle = Sudoku::parse(PUZZLE).unwrap();
    let solution = Sudoku::parse(SOLUTION).unwrap();
    let err = |r: trm_train::Result<EvalSet>| r.unwrap_err().to_string();
    assert!(err(EvalSet::sudoku(std::slice::from_ref(&puzzle), &[])).contains("1 puzzles but 0 solutions"));
    assert!(err(EvalSet::sudoku(&[], &[])).contains("no puzzles"));
    assert!(
        err(EvalSet::sudoku(std::slice::from_ref(&puzzle), std::slice::from_ref(&puzzle)))
            .contains("is not a solution")
    );
    let four = Sudoku::parse("1234341221434321").unwrap();
    assert!(err(EvalSet::sudoku(&[puzzle, four.clone()], &[solution, four])).contains("4×4 Sudoku among 9×9"));
    let maze = Maze::parse(MAZE).unwrap();
    assert!(
        err(EvalSet::maze(std::slice::from_ref(&maze), &[Maze::parse(STRAY).unwrap()])).contains("not a shortest path")
    );
    assert!(EvalSet::maze(std::slice::from_ref(&maze), &[Maze::parse(PATH_B).unwrap()]).is_ok());
    let row = |tokens: Vec<u32>, labels: Vec<i32>| EvalRow { tokens, labels, puzzle_id: 0, judge: Judge::Labels };
    assert!(err(EvalSet::new(vec![row(vec![1, 2], vec![IGNORE_LABEL_ID; 2])])).contains("no supervised cell"));
    assert!(err(EvalSet::new(vec![row(vec![1, 2], vec![1])])).contains("1 labels"));
    assert!(err(EvalSet::new(vec![row(vec![1], vec![-3])])).contains("label -3"));
}

/// A small random model for 4×4 Sudoku (16 cells, 6 tokens).
fn small_model() -> trm_core::Trm {
    small_model_for(16)
}

/// A small random model for `seq_len` cells of 6 tokens (4×4 Sudoku or a maze).
fn small_model_for(seq_len: usize) -> trm_core::Trm {
    let config = TrmConfig {
        puzzle_emb_ndim: 16,
        h_cycles: 2,
        l_cycles: 2,
        hidden_size: 16,
        num_heads: 2,
        seq_len,
        vocab_size: 6,
        num_puzzle_identifiers: 1,
        ..TrmConfig::sudoku_reference()
    };
    let mut tensors = trm_core::init::official_init(&config, 11).unwrap();
    // Mixed halting signs and a strong output head, so the metrics are not all zero.
    tensors.insert("q_head.bias".into(), Tensor::new(&[0.1f32, 0.0], &Device::Cpu).unwrap());
    let lm = Tensor::randn(0f32, 3.0, (6, 16), &Device::Cpu).unwrap();
    tensors.insert("lm_head.weight".into(), lm);
    trm_core::checkpoint::build_model(config, tensors).unwrap()
}

#[test]
fn evaluate_equals_a_direct_computation_at_every_step() {
    let model = small_model();
    let dir = assets().join("sudoku/eval");
    let puzzles: Vec<Sudoku> =
        lines(&dir.join("4x4-medium.txt")).iter().take(21).map(|l| Sudoku::parse(l).unwrap()).collect();
    let solutions: Vec<Sudoku> =
        lines(&dir.join("4x4-medium.solutions.txt")).iter().take(21).map(|l| Sudoku::parse(l).unwrap()).collect();
    let set = EvalSet::sudoku(&puzzles, &solutions).unwrap();
    let steps = 3;
    let mut ticks = 0;
    let report = evaluate(&model, &set, &EvalOptions { steps, batch_size: 8 }, |n| ticks += n).unwrap();
    assert_eq!(ticks, 21 * steps);
    assert_eq!((report.count, report.steps, report.by_step.len()), (21, steps, steps));

    let rows: Vec<u32> = puzzles.iter().flat_map(Sudoku::to_tokens).collect();
    let tokens = Tensor::from_vec(rows, (21, 16), &Device::Cpu).unwrap();
    let ids = Tensor::zeros(21, DType::U32, &Device::Cpu).unwrap();
    let mut halt: Vec<Option<(usize, bool)>> = vec![None; 21];
    for step in 1..=steps {
        let (logits, q) = trm_core::solve(&model, &tokens, &ids, step).unwrap();
        let predicted = logits.argmax(D::Minus1).unwrap().to_vec2::<u32>().unwrap();
        let q = q.to_vec1::<f32>().unwrap();
        let (mut exact, mut cell, mut q_ok) = (0.0, 0.0, 0.0);
        for (k, p) in predicted.iter().enumerate() {
            let solved = puzzles[k].is_solved_by(&Sudoku::from_predicted_tokens(4, p).unwrap());
            exact += f64::from(u8::from(solved));
            let right = p.iter().zip(solutions[k].to_tokens()).filter(|(a, b)| **a == *b).count();
            cell += right as f64 / 16.0;
            q_ok += f64::from(u8::from((q[k] >= 0.0) == solved));
            if halt[k].is_none() && (q[k] > 0.0 || step == steps) {
                halt[k] = Some((step, solved));
            }
        }
        let m = report.by_step[step - 1];
        assert_eq!(m.step, step);
        assert_eq!(m.exact, exact / 21.0);
        assert!((m.cell - cell / 21.0).abs() < 1e-12, "{} vs {}", m.cell, cell / 21.0);
        assert_eq!(m.q_halt_accuracy, q_ok / 21.0);
    }
    let halt: Vec<(usize, bool)> = halt.into_iter().flatten().collect();
    let mean_step = halt.iter().map(|h| h.0 as f64).sum::<f64>() / 21.0;
    assert!((report.halting.mean_step - mean_step).abs() < 1e-12);
    assert!(report.by_step.iter().any(|m| m.cell > 0.0));

    // The batch size changes nothing.
    let whole = evaluate(&model, &set, &EvalOptions { steps, batch_size: 64 }, |_| {}).unwrap();
    assert_eq!(whole, report);
    assert!(evaluate(&model, &set, &EvalOptions { steps: 0, batch_size: 8 }, |_| {}).is_err());
    assert!(evaluate(&model, &set, &EvalOptions { steps: 1, batch_size: 0 }, |_| {}).is_err());
    // A set of another size does not fit the model.
    let nine = EvalSet::sudoku(&[Sudoku::parse(PUZZLE).unwrap()], &[Sudoku::parse(SOLUTION).unwrap()]).unwrap();
    let err = evaluate(&model, &nine, &EvalOptions { steps: 1, batch_size: 8 }, |_| {}).unwrap_err();
    assert!(err.to_string().contains("81 cells but the model takes 16"), "{err}");
}

/// The vote over dihedral versions, checked against running every version by hand, turning its
/// answer back and voting with [`vote`]; one version is the plain evaluation.
#[test]
fn dihedral_vote_equals_voting_by_hand() {
    let side = 7;
    let model = small_model_for(side * side);
    let mut generator = Generator::new(side, 5).unwrap();
    let mazes: Vec<_> = (0..5).map(|_| generator.next_maze(MazeTier::Hard)).collect();
    let puzzles: Vec<Maze> = mazes.iter().map(|g| g.puzzle.clone()).collect();
    let solutions: Vec<Maze> = mazes.iter().map(|g| g.solution.clone()).collect();
    let set = EvalSet::maze(&puzzles, &solutions).unwrap();
    let steps = 2;
    let options = EvalOptions { steps, batch_size: 7 };
    let mut ticks = 0;
    let report = evaluate_dihedral_vote(&model, &set, 8, &options, |n| ticks += n).unwrap();
    assert_eq!(ticks, 5 * 8 * steps);
    assert_eq!((report.count, report.versions, report.by_step.len()), (5, 8, steps));

    let ids = Tensor::zeros(1, DType::U32, &Device::Cpu).unwrap();
    for step in 1..=steps {
        let (mut exact, mut cell) = (0.0, 0.0);
        for (puzzle, solution) in puzzles.iter().zip(&solutions) {
            let mut answers = Vec::new();
            for d in Dihedral::ALL {
                let tokens = Tensor::from_vec(puzzle.transform(d).to_tokens(), (1, side * side), &Device::Cpu).unwrap();
                let (logits, q) = trm_core::solve(&model, &tokens, &ids, step).unwrap();
                let predicted = logits.argmax(D::Minus1).unwrap().to_vec2::<u32>().unwrap().remove(0);
                let back = d.inverse().apply(&predicted, side, side).0;
                answers.push((back, q.to_vec1::<f32>().unwrap()[0]));
            }
            let ballots: Vec<(&[u32], f32)> = answers.iter().map(|(t, q)| (t.as_slice(), *q)).collect();
            let winner = ballots[vote(&ballots).unwrap().0].0;
            exact += f64::from(u8::from(maze_exact(puzzle, winner)));
            let right = winner.iter().zip(solution.to_tokens()).filter(|(a, b)| **a == *b).count();
            cell += right as f64 / (side * side) as f64;
        }
        let m = report.by_step[step - 1];
        assert_eq!(m.exact, exact / 5.0);
        assert!((m.cell - cell / 5.0).abs() < 1e-12, "{} vs {}", m.cell, cell / 5.0);
    }
    assert!(report.by_step.iter().any(|m| m.cell > 0.0));

    // One version is the plain evaluation.
    let one = evaluate_dihedral_vote(&model, &set, 1, &options, |_| {}).unwrap();
    let plain = evaluate(&model, &set, &options, |_| {}).unwrap();
    for (v, p) in one.by_step.iter().zip(&plain.by_step) {
        assert_eq!((v.exact, v.cell), (p.exact, p.cell));
    }
    // 0 or 9 versions, and sets that are not mazes, are refused.
    for versions in [0, 9] {
        let err = evaluate_dihedral_vote(&model, &set, versions, &options, |_| {}).unwrap_err();
        assert!(err.to_string().contains("8 dihedral versions"), "{err}");
    }
    let sudoku = EvalSet::sudoku(&[Sudoku::parse(PUZZLE).unwrap()], &[Sudoku::parse(SOLUTION).unwrap()]).unwrap();
    let err = evaluate_dihedral_vote(&model, &sudoku, 8, &options, |_| {}).unwrap_err();
    assert!(err.to_string().contains("for mazes"), "{err}");
}
