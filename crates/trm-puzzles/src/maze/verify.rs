//! Checking an answer against its puzzle, with the reason when it is wrong.
//!
//! An answer is correct when it is the puzzle with exactly the cells of *some* shortest `S`→`G` path
//! marked `o` (any of them when there are several, not only the generator's). Everything else is
//! rejected with a [`PathError`] that names the first cell where things go wrong.

use super::path::{UNREACHED, neighbours, reach};
use super::{Maze, MazeCell, MazeError};

/// Why an answer is not a shortest path through its puzzle.
///
/// Positions are `(row, col)`, 0-based like [`Maze::get`]; the messages print them 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The answer's side differs from the puzzle's.
    #[error("the answer is {answer}×{answer} but the puzzle is {puzzle}×{puzzle}")]
    SideMismatch { puzzle: usize, answer: usize },
    /// The puzzle itself lacks a unique `S` or `G`.
    #[error("the puzzle is malformed: {0}")]
    BadPuzzle(MazeError),
    /// The answer changes a wall, `S` or `G` of the puzzle, or puts one where the puzzle is open
    /// (including an `o` on a wall). `expected` is the puzzle's cell (`o` in the puzzle counts as open).
    #[error("row {}, column {}: the puzzle has {expected} but the answer has {found}", .at.0 + 1, .at.1 + 1)]
    CellChanged { at: (usize, usize), expected: MazeCell, found: MazeCell },
    /// No route from `S` to `G` exists in the puzzle, so no answer can be right.
    #[error("the puzzle has no route from S to G")]
    Unsolvable,
    /// Following the `o` cells from `S`, the path stops at `at` before reaching `G` (at `S` itself
    /// when no `o` touches it).
    #[error("the path from S breaks off at row {}, column {}: no next cell towards G", .at.0 + 1, .at.1 + 1)]
    Broken { at: (usize, usize) },
    /// The path forks at `at`: it has more than one way on (or `G` has more than one path cell
    /// next to it), so the marked cells are not a single route.
    #[error("the path forks at row {}, column {}", .at.0 + 1, .at.1 + 1)]
    Branch { at: (usize, usize) },
    /// An `o` cell that is not on the route from `S` to `G`.
    #[error("row {}, column {}: path cell not on the route from S to G", .at.0 + 1, .at.1 + 1)]
    Stray { at: (usize, usize) },
    /// The route is a path from `S` to `G` but not a shortest one (lengths in `o` cells).
    #[error("the path has {found} cells between S and G, but a shortest path has {shortest}")]
    TooLong { found: usize, shortest: usize },
}

/// Checks that `answer` is `puzzle` with one shortest `S`→`G` path marked `o`, and returns that
/// path's length (its number of `o` cells).
///
/// Any shortest path is accepted. `o` cells in `puzzle` are treated as open. The checks run in this
/// order, and the first failure is returned: same side; the puzzle has one `S` and one `G`; the answer
/// keeps every wall, `S` and `G` of the puzzle and adds none ([`PathError::CellChanged`], first cell
/// row-major); the puzzle is solvable; the `o` cells lead from `S` to `G` without a gap
/// ([`PathError::Broken`]) or fork ([`PathError::Branch`]); no `o` cell is left over
/// ([`PathError::Stray`]); the route is no longer than a shortest one ([`PathError::TooLong`]).
/// Never panics, whatever the two mazes hold.
pub fn verify_answer(puzzle: &Maze, answer: &Maze) -> Result<usize, PathError> {
    let side = puzzle.side();
    if answer.side() != side {
        return Err(PathError::SideMismatch { puzzle: side, answer: answer.side() });
    }
    let (s, g) = puzzle.endpoint_indices().map_err(PathError::BadPuzzle)?;
    let pos = |k: usize| (k / side, k % side);
    for (k, (&p, &a)) in puzzle.cells().iter().zip(answer.cells()).enumerate() {
        let expected = if p == MazeCell::Path { MazeCell::Open } else { p };
        let fine = expected == a || (expected == MazeCell::Open && a == MazeCell::Path);
        if !fine {
            return Err(PathError::CellChanged { at: pos(k), expected, found: a });
        }
    }
    let shortest = reach(side, puzzle.cells(), s, 1).dist[g];
    if shortest == UNREACHED {
        return Err(PathError::Unsolvable);
    }
    let shortest = shortest as usize - 1;

    // The answer's S and G are the puzzle's (checked above). Follow the route from S.
    let cells = answer.cells();
    let on_route = |k: usize| matches!(cells[k], MazeCell::Path | MazeCell::Start | MazeCell::Goal);
    let mut visited = vec![false; cells.len()];
    visited[s] = true;
    let mut prev = usize::MAX;
    let mut cur = s;
    let mut steps = 0usize;
    while cur != g {
        let mut next = neighbours(side, cur).filter(|&v| v != prev && on_route(v));
        let (Some(v), None) = (next.next(), next.next()) else {
            // Either no way on, or two ways on.
            let ways = neighbours(side, cur).filter(|&v| v != prev && on_route(v)).count();
            return Err(if ways == 0 {
                PathError::Broken { at: pos(cur) }
            } else {
                PathError::Branch { at: pos(cur) }
            });
        };
        if visited[v] {
            // Runs into itself; cannot happen without an earlier fork, kept so the walk always ends.
            return Err(PathError::Branch { at: pos(cur) });
        }
        visited[v] = true;
        prev = cur;
        cur = v;
        steps += 1;
    }
    if neighbours(side, g).filter(|&v| on_route(v)).count() > 1 {
        return Err(PathError::Branch { at: pos(g) });
    }
    if let Some(k) = (0..cells.len()).find(|&k| cells[k] == MazeCell::Path && !visited[k]) {
        return Err(PathError::Stray { at: pos(k) });
    }
    let found = steps - 1;
    if found > shortest {
        return Err(PathError::TooLong { found, shortest });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two routes around a pillar: `o` at (1, 2) is the shortest, five cells below it the other.
    const PUZZLE: &str = "#####\n#S G#\n# # #\n#   #\n#####";

    fn check(answer: &str) -> Result<usize, PathError> {
        verify_answer(&Maze::parse(PUZZLE).unwrap(), &Maze::parse(answer).unwrap())
    }

    #[test]
    fn accepts_the_shortest_path() {
        assert_eq!(check("#####\n#SoG#\n# # #\n#   #\n#####"), Ok(1));
    }

    #[test]
    fn accepts_any_of_several_shortest_paths() {
        let puzzle = Maze::parse("#####\n#S  #\n#   #\n#  G#\n#####").unwrap();
        for answer in [
            "#####\n#Soo#\n#  o#\n#  G#\n#####",
            "#####\n#S  #\n#o  #\n#ooG#\n#####",
            "#####\n#So #\n# oo#\n#  G#\n#####",
            "#####\n#S  #\n#ooo#\n#  G#\n#####",
        ] {
            assert_eq!(verify_answer(&puzzle, &Maze::parse(answer).unwrap()), Ok(3), "{answer}");
        }
    }

    #[test]
    fn names_what_is_wrong() {
        assert_eq!(check("#####\n#S G#\n#o# #\n#o  #\n#####"), Err(PathError::Broken { at: (3, 1) }));
        assert_eq!(check(PUZZLE), Err(PathError::Broken { at: (1, 1) }));
        assert_eq!(check("#####\n#SoG#\n# # #\n# o #\n#####"), Err(PathError::Stray { at: (3, 2) }));
        assert_eq!(check("#####\n#SoG#\n#o# #\n#   #\n#####"), Err(PathError::Branch { at: (1, 1) }));
        assert_eq!(check("#####\n#SoG#\n# #o#\n#   #\n#####"), Err(PathError::Branch { at: (1, 3) }));
        assert_eq!(check("#####\n#S G#\n#o#o#\n#ooo#\n#####"), Err(PathError::TooLong { found: 5, shortest: 1 }));
        assert_eq!(
            check("#####\n#SoG#\n# o #\n#   #\n#####"),
            Err(PathError::CellChanged { at: (2, 2), expected: MazeCell::Wall, found: MazeCell::Path })
        );
        assert_eq!(
            check("#####\n#ooG#\n#S# #\n#   #\n#####"),
            Err(PathError::CellChanged { at: (1, 1), expected: MazeCell::Start, found: MazeCell::Path })
        );
    }

    #[test]
    fn shape_and_malformed_inputs() {
        let puzzle = Maze::parse(PUZZLE).unwrap();
        let small = Maze::parse("####\n#SG#\n#  #\n####").unwrap();
        assert_eq!(verify_answer(&puzzle, &small), Err(PathError::SideMismatch { puzzle: 5, answer: 4 }));
        // A prediction with two G: the second one is a changed cell.
        let mut tokens = Maze::parse("#####\n#SoG#\n# # #\n#   #\n#####").unwrap().to_tokens();
        tokens[16] = 4;
        let predicted = Maze::from_predicted_tokens(5, &tokens).unwrap();
        assert_eq!(
            verify_answer(&puzzle, &predicted),
            Err(PathError::CellChanged { at: (3, 1), expected: MazeCell::Open, found: MazeCell::Goal })
        );
        let no_start = Maze::from_predicted_tokens(7, &[2; 49]).unwrap();
        assert!(matches!(verify_answer(&no_start, &no_start), Err(PathError::BadPuzzle(_))));
        let walled = Maze::parse("#####\n#S# #\n###G#\n#   #\n#####").unwrap();
        assert_eq!(verify_answer(&walled, &walled), Err(PathError::Unsolvable));
    }

    #[test]
    fn puzzle_with_marks_counts_as_open_and_messages_are_one_based() {
        let solved = Maze::parse("#####\n#SoG#\n# # #\n#   #\n#####").unwrap();
        assert_eq!(verify_answer(&solved, &solved), Ok(1));
        let e = check("#####\n#S G#\n#o# #\n#o  #\n#####").unwrap_err();
        assert_eq!(e.to_string(), "the path from S breaks off at row 4, column 2: no next cell towards G");
        let e = PathError::CellChanged { at: (2, 3), expected: MazeCell::Wall, found: MazeCell::Path };
        assert_eq!(e.to_string(), "row 3, column 4: the puzzle has wall '#' but the answer has path cell 'o'");
    }
}
