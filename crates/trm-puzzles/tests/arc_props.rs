//! Property tests of the ARC domain: canvas encoding and crop, augmentation inverses, names, task JSON,
//! voting, and a parser that never panics.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use trm_puzzles::Dihedral;
use trm_puzzles::arc::{
    self, ArcError, Augmentation, EOS, Grid, Identifiers, NamedTask, PAD, Pair, PredictionRow, Task, TestPair, Voter,
    crop, encode_example, encode_grid, format_name, merge_solutions, parse_name, parse_tasks, parse_tasks_bytes,
    sigmoid, tasks_to_json,
};

fn grid_with(
    rows: std::ops::RangeInclusive<usize>,
    cols: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Grid> {
    (rows, cols).prop_flat_map(|(r, c)| {
        proptest::collection::vec(0u8..10, r * c).prop_map(move |cells| Grid::new(r, c, cells).unwrap())
    })
}

fn grid(max_side: usize) -> impl Strategy<Value = Grid> {
    grid_with(1..=max_side, 1..=max_side)
}

fn augmentation() -> impl Strategy<Value = Augmentation> {
    (0u8..8, Just(vec![1u8, 2, 3, 4, 5, 6, 7, 8, 9]).prop_shuffle()).prop_map(|(t, perm)| {
        let mut colours = [0u8; 10];
        colours[1..].copy_from_slice(&perm);
        Augmentation::new(Dihedral::from_id(t).unwrap(), colours).unwrap()
    })
}

fn task(max_side: usize) -> impl Strategy<Value = Task> {
    let train = proptest::collection::vec((grid(max_side), grid(max_side)), 1..4)
        .prop_map(|v| v.into_iter().map(|(input, output)| Pair { input, output }).collect::<Vec<_>>());
    let test = proptest::collection::vec((grid(max_side), proptest::option::of(grid(max_side))), 1..3)
        .prop_map(|v| v.into_iter().map(|(input, output)| TestPair { input, output }).collect::<Vec<_>>());
    (train, test).prop_map(|(train, test)| Task { train, test })
}

/// Task ids as they occur in practice plus odd but legal ones (quotes, backslashes, unicode, pipes).
fn task_id() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9a-f]{8}", "[a-zA-Z0-9 _\\-\"\\\\|é\u{1F600}]{1,12}"]
        .prop_filter("no separator", |s| !s.contains("|||"))
}

/// The official canvas side and the small ones used by small-canvas models.
const SIDES: [usize; 4] = [30, 12, 10, 3];

#[test]
fn encode_then_crop_gives_every_grid_size_back() {
    for side in SIDES {
        for rows in 1..=side {
            for cols in 1..=side {
                let cells: Vec<u8> = (0..rows * cols).map(|k| ((k * 7 + rows + cols) % 10) as u8).collect();
                let grid = Grid::new(rows, cols, cells).unwrap();
                let tokens = encode_grid(&grid, side, (0, 0)).unwrap();
                assert_eq!(crop(&tokens, side).unwrap(), grid, "{rows}x{cols} on {side}");
            }
        }
        let too_big = Grid::new(side.min(29) + 1, 1, vec![0; side.min(29) + 1]).unwrap();
        if side < 30 {
            assert!(matches!(encode_grid(&too_big, side, (0, 0)), Err(ArcError::DoesNotFit { .. })));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn crop_of_an_untranslated_canvas_is_the_grid(side in 1usize..=30, seed in any::<u64>()) {
        let rows = (seed % side as u64) as usize + 1;
        let cols = ((seed / 31) % side as u64) as usize + 1;
        let cells: Vec<u8> = (0..rows * cols).map(|k| ((seed >> (k % 60)) % 10) as u8).collect();
        let grid = Grid::new(rows, cols, cells).unwrap();
        let tokens = encode_grid(&grid, side, (0, 0)).unwrap();
        prop_assert_eq!(crop(&tokens, side).unwrap(), grid);
    }

    #[test]
    fn translated_canvas_has_the_eos_border_exactly(
        grid in grid(12),
        side in prop::sample::select(vec![12usize, 16, 30]),
        fr in 0.0f64..1.0,
        fc in 0.0f64..1.0,
    ) {
        let (h, w) = grid.shape();
        let r0 = (fr * (side - h + 1) as f64) as usize;
        let c0 = (fc * (side - w + 1) as f64) as usize;
        let tokens = encode_grid(&grid, side, (r0, c0)).unwrap();
        prop_assert_eq!(tokens.len(), side * side);
        for r in 0..side {
            for c in 0..side {
                let t = tokens[r * side + c];
                let in_grid = (r0..r0 + h).contains(&r) && (c0..c0 + w).contains(&c);
                let bottom = r == r0 + h && (c0..c0 + w).contains(&c);
                let right = c == c0 + w && (r0..r0 + h).contains(&r);
                let expect = if in_grid {
                    grid.get(r - r0, c - c0).unwrap() + 2
                } else if bottom || right {
                    EOS
                } else {
                    PAD
                };
                prop_assert_eq!(t, expect, "cell ({}, {}) with offset ({}, {})", r, c, r0, c0);
            }
        }
        let eos = tokens.iter().filter(|&&t| t == EOS).count();
        let want = if r0 + h < side { w } else { 0 } + if c0 + w < side { h } else { 0 };
        prop_assert_eq!(eos, want);
        // The corner below-right of the grid stays PAD.
        if r0 + h < side && c0 + w < side {
            prop_assert_eq!(tokens[(r0 + h) * side + c0 + w], PAD);
        }
        // Only untranslated canvases crop back; any translation leaves PAD at the corner.
        let cropped = crop(&tokens, side).unwrap();
        if (r0, c0) == (0, 0) {
            prop_assert_eq!(cropped, grid);
        } else {
            prop_assert!(cropped.is_empty());
        }
    }

    #[test]
    fn example_offsets_are_shared(input in grid(8), output in grid(8), dr in 0usize..4, dc in 0usize..4) {
        let (i, o) = encode_example(&input, &output, 12, (dr, dc)).unwrap();
        prop_assert_eq!(i, encode_grid(&input, 12, (dr, dc)).unwrap());
        prop_assert_eq!(o, encode_grid(&output, 12, (dr, dc)).unwrap());
    }

    #[test]
    fn crop_never_panics_and_stays_in_the_canvas(
        side in 1usize..=30,
        tokens in proptest::collection::vec(0u8..16, 900),
    ) {
        let tokens = &tokens[..side * side];
        let g = crop(tokens, side).unwrap();
        prop_assert!(g.rows() <= side && g.cols() <= side);
        prop_assert_eq!(g.rows() == 0, g.cols() == 0);
        for r in 0..g.rows() {
            for c in 0..g.cols() {
                prop_assert_eq!(g.get(r, c).unwrap() + 2, tokens[r * side + c]);
            }
        }
    }

    #[test]
    fn augment_then_invert_is_identity(g in grid(30), aug in augmentation()) {
        let a = aug.apply(&g);
        prop_assert_eq!(a.shape(), aug.dihedral().shape(g.rows(), g.cols()));
        prop_assert_eq!(
            a.cells().iter().filter(|&&v| v == 0).count(),
            g.cells().iter().filter(|&&v| v == 0).count(),
            "black stays black"
        );
        prop_assert_eq!(aug.invert(&a), g.clone());
        // Applying the inverse first and then the augmentation is the identity too.
        prop_assert_eq!(aug.apply(&aug.invert(&g)), g);
    }

    #[test]
    fn name_format_parse_round_trip(id in task_id(), aug in augmentation()) {
        let name = format_name(&id, &aug);
        let (pid, paug) = parse_name(&name).unwrap();
        prop_assert_eq!(pid, id.as_str());
        prop_assert_eq!(paug, aug);
        prop_assert_eq!(format_name(pid, &paug), name);
    }

    #[test]
    fn parse_name_never_panics(name in "(\\PC|\\|){0,40}", tail in "[t0-9|]{0,20}") {
        let _ = parse_name(&name);
        let _ = parse_name(&format!("{name}|||{tail}"));
    }

    #[test]
    fn task_json_round_trip(task in task(8)) {
        let json = task.to_json();
        prop_assert_eq!(Task::from_json(&json).unwrap(), task.clone());
        let parsed = parse_tasks(&json, "t").unwrap();
        prop_assert_eq!(&parsed[0].task, &task);
        // Values written by serde_json parse to the same task as our writer's text.
        let reparsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(Task::from_json(&reparsed.to_string()).unwrap(), task);
    }

    #[test]
    fn collection_json_round_trip(tasks in proptest::collection::btree_map(task_id(), task(5), 1..4)) {
        let named: Vec<NamedTask> = tasks.into_iter().map(|(name, task)| NamedTask { name, task }).collect();
        let json = tasks_to_json(&named);
        prop_assert_eq!(parse_tasks(&json, "unused").unwrap(), named);
    }

    #[test]
    fn solutions_fill_test_outputs(task in task(5)) {
        let solved = task.test.iter().map(|p| p.input.to_json()).collect::<Vec<_>>().join(", ");
        let mut named = vec![NamedTask { name: "abc".into(), task: Task {
            train: task.train.clone(),
            test: task.test.iter().map(|p| TestPair { input: p.input.clone(), output: None }).collect(),
        } }];
        merge_solutions(&mut named, &format!("{{\"abc\": [{solved}]}}")).unwrap();
        for p in &named[0].task.test {
            prop_assert_eq!(p.output.as_ref(), Some(&p.input));
        }
    }

    #[test]
    fn voting_picks_the_majority_then_the_mean_q(
        input in grid(6),
        a in grid(6),
        b in grid(6),
        n in 1usize..5,
        augs in proptest::collection::vec(augmentation(), 12),
        la in -5.0f64..5.0,
        lb in -5.0f64..5.0,
    ) {
        prop_assume!(a != b);
        prop_assume!((la - lb).abs() > 1e-6 || la == lb);
        let side = 10;
        let mut voter = Voter::new(side).unwrap();
        let mut k = 0;
        let mut add = |voter: &mut Voter, predicted: &Grid, logit: f64| {
            let aug = &augs[k % augs.len()];
            k += 1;
            let name = format_name("task", aug);
            let i = encode_grid(&aug.apply(&input), side, (0, 0)).unwrap();
            let p = encode_grid(&aug.apply(predicted), side, (0, 0)).unwrap();
            voter.add(&PredictionRow { puzzle_name: &name, input: &i, prediction: &p, q_halt_logit: logit }).unwrap();
        };
        // `b` has one vote fewer than `a` but a higher confidence on every row.
        let (low, high) = if la < lb { (la, lb) } else { (lb, la) };
        for _ in 0..n {
            add(&mut voter, &a, low);
            add(&mut voter, &b, high);
        }
        add(&mut voter, &a, low);
        let c = voter.candidates("task", &input);
        prop_assert_eq!(c.len(), 2);
        prop_assert_eq!(&c[0].grid, &a);
        prop_assert_eq!(c[0].votes, n + 1);
        prop_assert!((c[0].mean_q - sigmoid(low)).abs() < 1e-12);
        prop_assert_eq!(&c[1].grid, &b);
        // One more vote for `b` makes a tie on votes: the higher mean q wins.
        add(&mut voter, &b, high);
        let c = voter.candidates("task", &input);
        if high > low {
            prop_assert_eq!(&c[0].grid, &b);
        } else {
            prop_assert_eq!(&c[0].grid, &a, "a full tie goes to the first seen");
        }
        let tasks = [NamedTask { name: "task".into(), task: Task {
            train: vec![Pair { input: input.clone(), output: a.clone() }],
            test: vec![TestPair { input: input.clone(), output: Some(a.clone()) }],
        } }];
        let e = voter.evaluate(&tasks, &[1, 2]);
        prop_assert_eq!(e.pass_at_k(2), Some(1.0));
        prop_assert_eq!(e.pass_at_k(1), Some(if high > low { 0.0 } else { 1.0 }));
    }

    #[test]
    fn parser_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = parse_tasks(&text, "x");
        let _ = Task::from_json(&text);
        let _ = Identifiers::from_json(&text);
        let _ = merge_solutions(&mut [], &text);
    }

    #[test]
    fn parser_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_tasks_bytes(&bytes, "x");
        let _ = Identifiers::from_json_bytes(&bytes);
    }

    #[test]
    fn parser_never_panics_on_json_like_text(
        text in concat!(
            "[\\[\\]{}\",:0-9 \\-.eE]{0,60}",
            "|(\\{\"(train|test|input|output|x)\": ?|\\[|\\]|\\}|,|[0-9]{1,3}|-1|1\\.5|null|true|\"s\"){0,60}",
        ),
    ) {
        let _ = parse_tasks(&text, "x");
        let _ = merge_solutions(&mut [], &text);
    }

    #[test]
    fn mutated_valid_json_is_rejected_or_parsed_but_never_panics(
        task in task(4),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(
            vec!['[', ']', '{', '}', ',', ':', '"', '0', '9', '1', '-', '.', ' ', 'x'])), 1..4),
    ) {
        let mut chars: Vec<char> = task.to_json().chars().collect();
        for (at, op, ch) in edits {
            let i = at.index(chars.len().max(1)).min(chars.len());
            match op {
                0 if i < chars.len() => { chars.remove(i); }
                1 => chars.insert(i, ch),
                _ if i < chars.len() => chars[i] = ch,
                _ => chars.push(ch),
            }
        }
        let text: String = chars.into_iter().collect();
        if let Ok(tasks) = parse_tasks(&text, "x") {
            // Whatever parses re-serialises to something that parses to the same tasks.
            prop_assert_eq!(parse_tasks(&tasks_to_json(&tasks), "x").unwrap_or_default(), tasks);
        }
    }
}

#[test]
fn error_messages_read_well() {
    let text = "{\"007bbfb7\": {\"train\": [{\"input\": [[1, 2], [3]], \"output\": [[1]]}], \"test\": []}}";
    let e = parse_tasks(text, "x").unwrap_err();
    assert_eq!(
        e.to_string(),
        "task \"007bbfb7\", train[0].input, row 1 (JSON line 1, column 47): 1 cells, but row 0 has 2"
    );
    let e = parse_tasks(
        "{\"train\": [{\"input\": [[1, \"a\"]], \"output\": [[1]]}], \"test\": [{\"input\": [[0]]}]}",
        "mine",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "task \"mine\", train[0].input, row 0, column 1 (JSON line 1, column 29): expected a colour (an integer 0-9), \
         found the string \"a\""
    );
    let _ = arc::DEFAULT_CANVAS_SIDE;
}
