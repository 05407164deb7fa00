//! Breadth-first search on a maze: a shortest path from `S` to `G`, its length, the number of
//! shortest paths, and whether `S` and `G` are joined by more than one route.
//!
//! Moves are 4-connected (up, down, left, right). Walls block; every other cell (open, `S`, `G`,
//! `o`) is passable, so a maze with a path already marked has the same answers as its puzzle.
//! Lengths count `o` cells, the cells strictly between `S` and `G` (see the [module docs](super)).

use super::{Maze, MazeCell};

/// Distance of a cell the search has not reached.
pub(crate) const UNREACHED: u32 = u32::MAX;

/// What one breadth-first search from a source cell found.
pub(crate) struct Reach {
    /// Steps from the source, [`UNREACHED`] where it cannot go.
    pub dist: Vec<u32>,
    /// Number of distinct shortest routes from the source, saturating at the search's cap.
    pub count: Vec<u64>,
}

/// Row-major indices of the (up to 4) neighbours of cell `k` in a `side × side` grid, in the order
/// up, down, left, right.
pub(crate) fn neighbours(side: usize, k: usize) -> impl Iterator<Item = usize> {
    let (r, c) = (k / side, k % side);
    [(r > 0).then(|| k - side), (r + 1 < side).then(|| k + side), (c > 0).then(|| k - 1), (c + 1 < side).then(|| k + 1)]
        .into_iter()
        .flatten()
}

/// Breadth-first search over the passable cells from `source`, counting shortest routes up to `cap`
/// (at least 1).
pub(crate) fn reach(side: usize, cells: &[MazeCell], source: usize, cap: u64) -> Reach {
    let cap = cap.max(1);
    let mut dist = vec![UNREACHED; cells.len()];
    let mut count = vec![0u64; cells.len()];
    let mut queue = Vec::with_capacity(cells.len());
    dist[source] = 0;
    count[source] = 1;
    queue.push(source);
    let mut head = 0;
    while let Some(&u) = queue.get(head) {
        head += 1;
        let next = dist[u] + 1;
        for v in neighbours(side, u) {
            if !cells[v].is_passable() {
                continue;
            }
            if dist[v] == UNREACHED {
                dist[v] = next;
                count[v] = count[u];
                queue.push(v);
            } else if dist[v] == next {
                count[v] = count[v].saturating_add(count[u]).min(cap);
            }
        }
    }
    Reach { dist, count }
}

/// Walks back from `goal` along decreasing distances to the source of `reach`: the indices of one
/// shortest path, source first. The first neighbour in the order up, down, left, right is taken, so
/// the choice is deterministic. `None` if `goal` was not reached.
pub(crate) fn walk_back(side: usize, reach: &Reach, goal: usize) -> Option<Vec<usize>> {
    let d = *reach.dist.get(goal)?;
    if d == UNREACHED {
        return None;
    }
    let mut path = vec![goal];
    let mut cur = goal;
    for want in (0..d).rev() {
        cur = neighbours(side, cur).find(|&v| reach.dist[v] == want)?;
        path.push(cur);
    }
    path.reverse();
    Some(path)
}

impl Maze {
    /// One shortest path from `S` to `G`, both included, as `(row, col)` positions; consecutive
    /// positions are neighbours. `None` if the maze lacks a unique `S` or `G`, or if `G` cannot be
    /// reached. When there are several shortest paths, the one returned is fixed (it prefers moving
    /// up, then down, left, right when walking back from `G`).
    pub fn shortest_path(&self) -> Option<Vec<(usize, usize)>> {
        let path = self.shortest_path_indices()?;
        Some(path.into_iter().map(|k| self.pos(k)).collect())
    }

    /// Length of a shortest path: the number of cells strictly between `S` and `G` (the `o` cells
    /// of an answer), i.e. steps − 1. `Some(0)` when `S` and `G` are neighbours; `None` when there is
    /// no path (or no unique `S`/`G`).
    pub fn shortest_path_len(&self) -> Option<usize> {
        let (s, g) = self.endpoint_indices().ok()?;
        let d = reach(self.side, &self.cells, s, 1).dist[g];
        (d != UNREACHED).then(|| d as usize - 1)
    }

    /// Number of distinct shortest paths from `S` to `G`, saturating at `cap` (so `cap = 2` answers
    /// "unique or not"). 0 when there is no path, no unique `S`/`G`, or `cap` is 0.
    pub fn count_shortest_paths(&self, cap: usize) -> usize {
        let Ok((s, g)) = self.endpoint_indices() else { return 0 };
        if cap == 0 {
            return 0;
        }
        let cap64 = u64::try_from(cap).unwrap_or(u64::MAX);
        let n = reach(self.side, &self.cells, s, cap64).count[g];
        usize::try_from(n).unwrap_or(cap).min(cap)
    }

    /// Whether `S` and `G` are joined by more than one simple route (a route that visits no cell
    /// twice), i.e. the maze has a loop that the way from `S` to `G` can use. Equivalently, some step
    /// of a shortest path lies on a cycle of passable cells, so blocking that step still leaves `G`
    /// reachable. `false` when there is no route at all.
    pub fn has_second_route(&self) -> bool {
        let Some(path) = self.shortest_path_indices() else { return false };
        // Cut every step of the path; flood the rest of the maze from each path cell in order. A path
        // cell already reached from an earlier one is joined to it around the cut steps: a cycle. A
        // shortest path has no other adjacent pairs than its steps (they would be a shortcut).
        let mut on_path = vec![false; self.cells.len()];
        for &k in &path {
            on_path[k] = true;
        }
        let mut seen = vec![false; self.cells.len()];
        let mut stack = Vec::new();
        for &p in &path {
            if seen[p] {
                return true;
            }
            seen[p] = true;
            stack.push(p);
            while let Some(u) = stack.pop() {
                for v in neighbours(self.side, u) {
                    if self.cells[v].is_passable() && !seen[v] && !(on_path[u] && on_path[v]) {
                        seen[v] = true;
                        stack.push(v);
                    }
                }
            }
        }
        false
    }

    /// Row-major indices of [`Maze::shortest_path`].
    pub(crate) fn shortest_path_indices(&self) -> Option<Vec<usize>> {
        let (s, g) = self.endpoint_indices().ok()?;
        walk_back(self.side, &reach(self.side, &self.cells, s, 1), g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two routes around a pillar; the upper one is shorter by 4.
    const DETOUR: &str = "#####\n#S G#\n# # #\n#   #\n#####";

    #[test]
    fn shortest_path_is_found_and_measured() {
        let m = Maze::parse(DETOUR).unwrap();
        let p = m.shortest_path().unwrap();
        assert_eq!(p, vec![(1, 1), (1, 2), (1, 3)]);
        assert_eq!(m.shortest_path_len(), Some(1));
        assert_eq!(m.count_shortest_paths(5), 1);
        assert!(m.has_second_route());
        assert_eq!(m.with_path(&p).to_string(), "#####\n#SoG#\n# # #\n#   #\n#####");
    }

    #[test]
    fn ties_are_counted_and_capped() {
        // A 3×3 open room: from one corner to the other there are C(4, 2) = 6 shortest paths.
        let m = Maze::parse("#####\n#S  #\n#   #\n#  G#\n#####").unwrap();
        assert_eq!(m.shortest_path_len(), Some(3));
        assert_eq!(m.count_shortest_paths(100), 6);
        assert_eq!(m.count_shortest_paths(4), 4);
        assert_eq!(m.count_shortest_paths(1), 1);
        assert_eq!(m.count_shortest_paths(0), 0);
    }

    #[test]
    fn walls_block_and_neighbours_are_adjacent() {
        let m = Maze::parse("#####\n#S#G#\n# # #\n#   #\n#####").unwrap();
        let p = m.shortest_path().unwrap();
        assert_eq!(p.len(), 7);
        assert_eq!(m.shortest_path_len(), Some(5));
        for w in p.windows(2) {
            let ((r0, c0), (r1, c1)) = (w[0], w[1]);
            assert_eq!(r0.abs_diff(r1) + c0.abs_diff(c1), 1);
            assert_eq!(m.get(r1, c1).map(MazeCell::is_passable), Some(true));
        }
        // A corridor is a tree: one route only.
        assert!(!m.has_second_route());
        assert_eq!(m.count_shortest_paths(3), 1);
    }

    #[test]
    fn unreachable_goal_and_adjacent_endpoints() {
        let m = Maze::parse("#####\n#S# #\n###G#\n#   #\n#####").unwrap();
        assert_eq!(m.shortest_path(), None);
        assert_eq!(m.shortest_path_len(), None);
        assert_eq!(m.count_shortest_paths(2), 0);
        assert!(!m.has_second_route());
        let m = Maze::parse("####\n#SG#\n#  #\n####").unwrap();
        assert_eq!(m.shortest_path_len(), Some(0));
        assert_eq!(m.shortest_path().unwrap().len(), 2);
        assert!(m.has_second_route(), "around the 2×2 room");
    }

    #[test]
    fn open_border_cells_are_handled() {
        // No wall border: paths may run along the edge; nothing indexes outside the grid.
        let m = Maze::parse("S  \n## \nG  ").unwrap();
        assert_eq!(m.shortest_path_len(), Some(5));
        let m = Maze::parse("S\n").unwrap_err();
        assert!(matches!(m, crate::maze::MazeError::Endpoints { .. }));
    }

    #[test]
    fn malformed_mazes_have_no_path() {
        let m = Maze::from_predicted_tokens(3, &[3, 2, 3, 2, 2, 2, 2, 2, 4]).unwrap();
        assert_eq!(m.shortest_path(), None);
        assert_eq!(m.count_shortest_paths(2), 0);
        assert!(!m.has_second_route());
    }

    #[test]
    fn a_loop_away_from_the_route_is_not_a_second_route() {
        // The loop in the lower right does not touch the corridor from S to G.
        let m = Maze::parse("#######\n#S G# #\n#####  \n##     \n##   ##\n#######\n#######").unwrap();
        assert!(!m.has_second_route());
        let m = Maze::parse("#######\n#S G  #\n### # #\n###   #\n#######\n#######\n#######").unwrap();
        assert!(!m.has_second_route(), "the loop hangs off G but the S→G route is a corridor");
        let m = Maze::parse("#######\n#S  G #\n# ##  #\n#     #\n#######\n#######\n#######").unwrap();
        assert!(m.has_second_route());
    }
}
