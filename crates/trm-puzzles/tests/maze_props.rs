//! Property tests of the maze domain: tokens, dihedral transforms, the generator's guarantees, and
//! the verifier against an independent oracle. The helpers here (breadth-first search, route checks)
//! are written separately from the crate's own so the two can disagree.

use std::collections::VecDeque;

use proptest::prelude::*;
use trm_puzzles::Dihedral;
use trm_puzzles::maze::{Generated, Generator, Maze, MazeCell, MazeTier, PathError, verify_answer};

type Pos = (usize, usize);

/// Distances in steps from `from` over non-wall cells, never entering `blocked`; `None` = unreached.
fn distances(m: &Maze, from: Pos, blocked: Option<Pos>) -> Vec<Vec<Option<usize>>> {
    let n = m.side();
    let mut dist = vec![vec![None; n]; n];
    let mut queue = VecDeque::new();
    dist[from.0][from.1] = Some(0);
    queue.push_back(from);
    while let Some((r, c)) = queue.pop_front() {
        let d = dist[r][c].unwrap();
        let steps = [(r.wrapping_sub(1), c), (r + 1, c), (r, c.wrapping_sub(1)), (r, c + 1)];
        for (a, b) in steps {
            let passable = m.get(a, b).is_some_and(|cell| cell != MazeCell::Wall);
            if passable && Some((a, b)) != blocked && dist[a][b].is_none() {
                dist[a][b] = Some(d + 1);
                queue.push_back((a, b));
            }
        }
    }
    dist
}

/// Steps between `S` and `G`, if connected (avoiding `blocked`).
fn steps(m: &Maze, blocked: Option<Pos>) -> Option<usize> {
    let (s, g) = (m.start()?, m.goal()?);
    distances(m, s, blocked)[g.0][g.1]
}

/// A shortest path from `S` to `G` avoiding `blocked`, choosing among equal predecessors by `picks`.
fn some_shortest_path(m: &Maze, blocked: Option<Pos>, picks: &[usize]) -> Option<Vec<Pos>> {
    let (s, g) = (m.start()?, m.goal()?);
    let dist = distances(m, s, blocked);
    let mut d = dist[g.0][g.1]?;
    let mut path = vec![g];
    let mut cur = g;
    while d > 0 {
        let (r, c) = cur;
        let back: Vec<Pos> = [(r.wrapping_sub(1), c), (r + 1, c), (r, c.wrapping_sub(1)), (r, c + 1)]
            .into_iter()
            .filter(|&(a, b)| a < m.side() && b < m.side() && dist[a][b] == Some(d - 1))
            .collect();
        cur = back[picks.get(path.len()).copied().unwrap_or(0) % back.len()];
        path.push(cur);
        d -= 1;
    }
    path.reverse();
    Some(path)
}

/// Independent judgement of an answer: it equals the puzzle except that some open cells are `o`, and
/// the `o` cells with `S` and `G` form a connected set of exactly (shortest steps + 1) cells, which
/// then can only be a shortest path.
fn oracle_accepts(puzzle: &Maze, answer: &Maze) -> bool {
    if puzzle.side() != answer.side() || answer.puzzle() != puzzle.puzzle() {
        return false;
    }
    let Some(shortest) = steps(puzzle, None) else { return false };
    let route: Vec<Pos> = (0..answer.side())
        .flat_map(|r| (0..answer.side()).map(move |c| (r, c)))
        .filter(|&(r, c)| matches!(answer.get(r, c), Some(MazeCell::Path | MazeCell::Start | MazeCell::Goal)))
        .collect();
    if route.len() != shortest + 1 {
        return false;
    }
    // Flood the route set from S.
    let mut seen = vec![route[0]];
    let mut k = 0;
    while k < seen.len() {
        let (r, c) = seen[k];
        k += 1;
        for &q in &route {
            if r.abs_diff(q.0) + c.abs_diff(q.1) == 1 && !seen.contains(&q) {
                seen.push(q);
            }
        }
    }
    seen.len() == route.len()
}

/// A maze with the given walls pattern (`raw < walls` → wall, 9 → `o` when `marks`) and `S`, `G`.
fn build(side: usize, raw: &[u8], walls: u8, marks: bool, s: usize, g: usize) -> Maze {
    let mut cells: Vec<MazeCell> = raw
        .iter()
        .map(|&x| match x {
            9 if marks => MazeCell::Path,
            x if x < walls => MazeCell::Wall,
            _ => MazeCell::Open,
        })
        .collect();
    let g = if g >= s { g + 1 } else { g };
    cells[s] = MazeCell::Start;
    cells[g] = MazeCell::Goal;
    Maze::from_cells(side, cells).unwrap()
}

/// Any square maze of side 2..=`max` with a unique `S` and `G`; `o` cells when `marks`.
fn arb_maze(max: usize, walls: u8, marks: bool) -> impl Strategy<Value = Maze> {
    (2usize..=max)
        .prop_flat_map(|side| {
            let n = side * side;
            (Just(side), prop::collection::vec(0u8..10, n), 0..n, 0..n - 1)
        })
        .prop_map(move |(side, raw, s, g)| build(side, &raw, walls, marks, s, g))
}

fn generated(side: usize, seed: u64, tier: usize) -> Generated {
    Generator::new(side, seed).unwrap().next_maze(MazeTier::ALL[tier])
}

/// The open-cell graph has a cycle: more edges than a forest on the same cells could have.
fn has_cycle(m: &Maze) -> bool {
    let n = m.side();
    let open = |r: usize, c: usize| m.get(r, c).is_some_and(|x| x != MazeCell::Wall);
    let cells = (0..n).flat_map(|r| (0..n).map(move |c| (r, c))).filter(|&(r, c)| open(r, c)).count();
    let edges = (0..n)
        .flat_map(|r| (0..n).map(move |c| (r, c)))
        .filter(|&(r, c)| open(r, c))
        .map(|(r, c)| usize::from(open(r + 1, c)) + usize::from(open(r, c + 1)))
        .sum::<usize>();
    edges >= cells
}

proptest! {
    #[test]
    fn tokens_round_trip(m in arb_maze(30, 3, true)) {
        let tokens = m.to_tokens();
        prop_assert_eq!(tokens.len(), m.side() * m.side());
        prop_assert!(tokens.iter().all(|&t| (1..Maze::VOCAB_SIZE as u32).contains(&t)));
        prop_assert_eq!(&Maze::from_tokens(m.side(), &tokens).unwrap(), &m);
        prop_assert_eq!(&Maze::from_predicted_tokens(m.side(), &tokens).unwrap(), &m);
        prop_assert_eq!(&Maze::parse(&m.to_string()).unwrap(), &m);
    }

    #[test]
    fn predicted_tokens_never_fail_on_the_right_count(side in 1usize..=30, seed in prop::collection::vec(0u32..12, 901)) {
        let tokens = &seed[..side * side];
        let m = Maze::from_predicted_tokens(side, tokens).unwrap();
        for (k, (&t, &cell)) in tokens.iter().zip(m.cells()).enumerate() {
            let expected = if (1..=5).contains(&t) { t } else { 2 };
            prop_assert_eq!(cell.token(), expected, "token {} at {}", t, k);
        }
        // Verifying it against itself never panics, whatever it holds.
        let _ = verify_answer(&m, &m);
        prop_assert!(Maze::from_predicted_tokens(side, &seed[..side * side + 1]).is_err());
    }

    #[test]
    fn transform_then_inverse_is_identity(side in 5usize..=30, seed: u64, tier in 0usize..3, d in 0u8..8) {
        let g = generated(side, seed, tier);
        let d = Dihedral::from_id(d).unwrap();
        prop_assert_eq!(&g.puzzle.transform(d).transform(d.inverse()), &g.puzzle);
        prop_assert_eq!(&g.solution.transform(d).transform(d.inverse()), &g.solution);
    }

    #[test]
    fn transforms_preserve_paths(side in 5usize..=30, seed: u64, tier in 0usize..3, d in 0u8..8) {
        let g = generated(side, seed, tier);
        let d = Dihedral::from_id(d).unwrap();
        let (p, s) = (g.puzzle.transform(d), g.solution.transform(d));
        prop_assert_eq!(p.shortest_path_len(), Some(g.path_len));
        prop_assert_eq!(p.count_shortest_paths(3), 1);
        prop_assert!(p.has_second_route());
        prop_assert_eq!(verify_answer(&p, &s), Ok(g.path_len));
        prop_assert_eq!(&p.with_path(&p.shortest_path().unwrap()), &s);
        // The start moves as the transform's table says.
        let (r, c) = p.start().unwrap();
        prop_assert_eq!(Some(d.source(r, c, side, side)), g.puzzle.start());
    }

    #[test]
    fn generated_mazes_keep_their_promises(side in 5usize..=30, seed: u64, tier in 0usize..3) {
        let g = generated(side, seed, tier);
        let tier = MazeTier::ALL[tier];
        prop_assert!(tier.path_range(side).contains(&g.path_len));
        prop_assert_eq!(steps(&g.puzzle, None), Some(g.path_len + 1));
        prop_assert_eq!(g.puzzle.count_shortest_paths(usize::MAX), 1);
        prop_assert!(has_cycle(&g.puzzle));
        prop_assert!(g.puzzle.has_second_route());
        prop_assert_eq!(verify_answer(&g.puzzle, &g.solution), Ok(g.path_len));
        prop_assert_eq!(g.solution.path_cell_count(), g.path_len);
        // Loops the route can use: cutting one step of the path still leaves G reachable.
        let path = g.puzzle.shortest_path().unwrap();
        prop_assert!(path.windows(2).any(|w| edge_detour(&g.puzzle, w[0], w[1])));
    }

    #[test]
    fn verifier_rejects_corrupted_answers(side in 7usize..=30, seed: u64, tier in 0usize..3, pick: usize) {
        let g = generated(side, seed, tier);
        let path = g.puzzle.shortest_path().unwrap();
        let inner = &path[1..path.len() - 1];
        // Remove one path cell.
        if !inner.is_empty() {
            let (r, c) = inner[pick % inner.len()];
            let mut cells = g.solution.cells().to_vec();
            cells[r * side + c] = MazeCell::Open;
            let broken = Maze::from_cells(side, cells).unwrap();
            let verdict = verify_answer(&g.puzzle, &broken);
            prop_assert!(matches!(verdict, Err(PathError::Broken { .. })), "{:?}", verdict);
        }
        // Add a stray path cell on some open cell off the route.
        let open: Vec<usize> = (0..side * side).filter(|&k| g.solution.cells()[k] == MazeCell::Open).collect();
        let k = open[pick % open.len()];
        let mut cells = g.solution.cells().to_vec();
        cells[k] = MazeCell::Path;
        let stray = Maze::from_cells(side, cells).unwrap();
        let verdict = verify_answer(&g.puzzle, &stray);
        prop_assert!(
            matches!(verdict, Err(PathError::Stray { at }) if at == (k / side, k % side))
                || matches!(verdict, Err(PathError::Branch { .. })),
            "{:?}", verdict
        );
        // A detour: the shortest route that avoids one inner path cell, when there is one.
        for i in 0..inner.len() {
            let blocked = inner[(i + pick) % inner.len()];
            if let Some(detour) = some_shortest_path(&g.puzzle, Some(blocked), &[]) {
                let answer = g.puzzle.with_path(&detour);
                prop_assert_eq!(
                    verify_answer(&g.puzzle, &answer),
                    Err(PathError::TooLong { found: detour.len() - 2, shortest: g.path_len })
                );
                prop_assert!(detour.len() - 2 > g.path_len);
                break;
            }
        }
        // Walls and endpoints cannot be moved.
        let mut cells = g.solution.cells().to_vec();
        let s = cells.iter().position(|&c| c == MazeCell::Start).unwrap();
        cells[s] = MazeCell::Open;
        cells[k] = MazeCell::Start;
        let moved = Maze::from_cells(side, cells).unwrap();
        let verdict = verify_answer(&g.puzzle, &moved);
        prop_assert!(matches!(verdict, Err(PathError::CellChanged { .. })), "{:?}", verdict);
    }

    #[test]
    fn any_shortest_path_is_accepted(m in arb_maze(12, 3, false), picks in prop::collection::vec(0usize..4, 150)) {
        match some_shortest_path(&m, None, &picks) {
            Some(path) => {
                let answer = m.with_path(&path);
                prop_assert_eq!(verify_answer(&m, &answer), Ok(path.len() - 2));
                prop_assert_eq!(m.shortest_path_len(), Some(path.len() - 2));
                prop_assert!(m.count_shortest_paths(1000) >= 1);
                let own = m.shortest_path().unwrap();
                prop_assert_eq!(verify_answer(&m, &m.with_path(&own)), Ok(own.len() - 2));
            }
            None => {
                prop_assert_eq!(m.shortest_path(), None);
                prop_assert_eq!(verify_answer(&m, &m), Err(PathError::Unsolvable));
            }
        }
    }

    #[test]
    fn verifier_agrees_with_the_oracle(
        m in arb_maze(8, 3, false),
        picks in prop::collection::vec(0usize..4, 70),
        toggles in prop::collection::vec(0usize..64, 0..4),
    ) {
        // Start from a shortest path (or nothing), then flip a few cells between open and `o`.
        let mut answer = match some_shortest_path(&m, None, &picks) {
            Some(path) => m.with_path(&path),
            None => m.clone(),
        };
        let side = m.side();
        for t in toggles {
            let k = t % (side * side);
            let mut cells = answer.cells().to_vec();
            cells[k] = match cells[k] {
                MazeCell::Open => MazeCell::Path,
                MazeCell::Path => MazeCell::Open,
                other => other,
            };
            answer = Maze::from_cells(side, cells).unwrap();
        }
        let verdict = verify_answer(&m, &answer);
        prop_assert_eq!(verdict.is_ok(), oracle_accepts(&m, &answer), "{:?} for\n{}", verdict, answer);
        if let Ok(len) = verdict {
            prop_assert_eq!(Some(len), m.shortest_path_len());
        }
    }

    #[test]
    fn count_matches_brute_force(m in arb_maze(5, 3, false)) {
        prop_assert_eq!(m.count_shortest_paths(usize::MAX), brute_force_count(&m));
    }
}

/// Whether `b` stays reachable from `a` without the step between them (an independent check on the
/// crate's `has_second_route`).
fn edge_detour(m: &Maze, a: Pos, b: Pos) -> bool {
    let n = m.side();
    let mut seen = vec![vec![false; n]; n];
    let mut stack = vec![a];
    seen[a.0][a.1] = true;
    while let Some((r, c)) = stack.pop() {
        for q in [(r.wrapping_sub(1), c), (r + 1, c), (r, c.wrapping_sub(1)), (r, c + 1)] {
            if (r, c) == a && q == b {
                continue;
            }
            if m.get(q.0, q.1).is_some_and(|x| x != MazeCell::Wall) && !seen[q.0][q.1] {
                seen[q.0][q.1] = true;
                stack.push(q);
            }
        }
    }
    seen[b.0][b.1]
}

/// Counts shortest `S`→`G` paths by enumerating every walk of the shortest length (small mazes).
fn brute_force_count(m: &Maze) -> usize {
    fn walk(m: &Maze, at: Pos, left: usize, goal: Pos) -> usize {
        if left == 0 {
            return usize::from(at == goal);
        }
        let (r, c) = at;
        [(r.wrapping_sub(1), c), (r + 1, c), (r, c.wrapping_sub(1)), (r, c + 1)]
            .into_iter()
            .filter(|&(a, b)| m.get(a, b).is_some_and(|x| x != MazeCell::Wall))
            .map(|q| walk(m, q, left - 1, goal))
            .sum()
    }
    match (steps(m, None), m.start(), m.goal()) {
        (Some(d), Some(s), Some(g)) => walk(m, s, d, g),
        _ => 0,
    }
}

/// Every tier at the paper's side: 50 mazes each, thresholds and guarantees checked one by one.
#[test]
fn each_tier_at_side_30_meets_its_thresholds() {
    for (k, tier) in MazeTier::ALL.into_iter().enumerate() {
        let mut generator = Generator::new(30, 100 + k as u64).unwrap();
        let mut lengths = Vec::new();
        for _ in 0..50 {
            let g = generator.next_maze(tier);
            let len = g.path_len;
            match tier {
                MazeTier::Easy => assert!((27..=55).contains(&len), "easy {len}"),
                MazeTier::Medium => assert!((56..=110).contains(&len), "medium {len}"),
                MazeTier::Hard => assert!(len > 110, "hard {len}"),
            }
            assert_eq!(steps(&g.puzzle, None), Some(len + 1));
            assert_eq!(g.puzzle.count_shortest_paths(2), 1);
            assert!(g.puzzle.has_second_route());
            assert!(has_cycle(&g.puzzle));
            assert_eq!(verify_answer(&g.puzzle, &g.solution), Ok(len));
            lengths.push(len);
        }
        // Not one length over and over: the tier's range is actually sampled.
        lengths.sort_unstable();
        lengths.dedup();
        assert!(lengths.len() >= 10, "{tier}: only lengths {lengths:?}");
    }
}

/// The detour check in `verifier_rejects_corrupted_answers` is not vacuous: most hard mazes have one.
#[test]
fn hard_mazes_usually_have_a_cell_detour() {
    let mut generator = Generator::new(30, 9).unwrap();
    let with_detour = (0..40)
        .filter(|_| {
            let g = generator.next_maze(MazeTier::Hard);
            let path = g.puzzle.shortest_path().unwrap();
            path[1..path.len() - 1].iter().any(|&cell| steps(&g.puzzle, Some(cell)).is_some())
        })
        .count();
    assert!(with_detour >= 30, "{with_detour} of 40");
}
