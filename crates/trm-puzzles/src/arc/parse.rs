//! Strict parsing of ARC task files and ARC Prize solutions files.
//!
//! The JSON is read in one streaming pass (serde visitors, no intermediate value tree), so a cell is
//! checked where it stands and the error carries its task, split, pair, grid, row, column and JSON
//! line/column. Accepted forms:
//!
//! - a single task `{"train": [...], "test": [...]}` (recognised by a first key `"train"` or `"test"`);
//! - a collection `{task_id: task, ...}` (any other first key), kept in file order;
//! - solutions `{task_id: [grid, ...]}` (one grid per test pair, in order), see [`merge_solutions`].
//!
//! Rules: tasks have exactly the keys `train` and `test`, pairs exactly `input` and `output` (the output
//! is optional in test pairs only); unknown and duplicate keys are errors (so a typo such as `"ouput"`
//! is not silently dropped); both lists must be non-empty; grids are 1–30 rows of 1–30 integers 0–9,
//! all rows of one length; task names are non-empty and free of `|||` (the augmentation separator).
//! Texts longer than [`MAX_JSON_BYTES`] are refused before parsing.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::augment::NAME_SEPARATOR;
use super::grid::{Grid, MAX_SIDE, NamedTask, Pair, Task, TestPair};
use super::{ArcError, GridRole, Location, Split};

/// Largest JSON text accepted (64 MiB): the largest official file, ARC-AGI-2's training challenges, is
/// far below it, and the cap bounds the memory a pasted or uploaded file can take (also in the browser).
pub const MAX_JSON_BYTES: usize = 64 * 1024 * 1024;

/// Parses a single task or a collection of tasks (see the module docs). A single task is named
/// `default_name`; a collection's tasks are named by their keys, in file order.
pub fn parse_tasks(text: &str, default_name: &str) -> Result<Vec<NamedTask>, ArcError> {
    check_size(text.len())?;
    let fail = Failure::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let result = TopVisitor { fail: &fail, default_name }.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    finish(result, &fail)
}

/// [`parse_tasks`] for raw bytes (checks UTF-8 first, reporting the line and column of a bad byte).
pub fn parse_tasks_bytes(bytes: &[u8], default_name: &str) -> Result<Vec<NamedTask>, ArcError> {
    parse_tasks(utf8(bytes)?, default_name)
}

/// Fills test outputs from an ARC Prize solutions file `{task_id: [grid, ...]}`.
///
/// Every named task must be among `tasks` and get exactly one grid per test pair; a test pair that
/// already has an output must agree with its solution. Tasks the file does not name are left as they
/// are. Nothing is changed unless the whole file is valid.
pub fn merge_solutions(tasks: &mut [NamedTask], text: &str) -> Result<(), ArcError> {
    check_size(text.len())?;
    let fail = Failure::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let result = SolutionsVisitor { fail: &fail }.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    let solutions = finish(result, &fail)?;

    let index: BTreeMap<&str, usize> = tasks.iter().enumerate().map(|(k, t)| (t.name.as_str(), k)).collect();
    let mut plan = Vec::with_capacity(solutions.len());
    for (name, grids) in solutions {
        let Some(&k) = index.get(name.as_str()) else {
            return Err(ArcError::UnknownSolutionTask { task: name });
        };
        let test = &tasks[k].task.test;
        if grids.len() != test.len() {
            return Err(ArcError::SolutionCount { task: name, expected: test.len(), found: grids.len() });
        }
        for (pair, (existing, grid)) in test.iter().zip(&grids).enumerate() {
            if existing.output.as_ref().is_some_and(|o| o != grid) {
                let at = Box::new(Location {
                    task: Some(name.clone()),
                    split: Some(Split::Test),
                    pair: Some(pair),
                    grid: Some(GridRole::Output),
                    ..Location::default()
                });
                return Err(ArcError::SolutionConflict { at });
            }
        }
        plan.push((k, grids));
    }
    for (k, grids) in plan {
        for (pair, grid) in tasks[k].task.test.iter_mut().zip(grids) {
            pair.output = Some(grid);
        }
    }
    Ok(())
}

fn check_size(bytes: usize) -> Result<(), ArcError> {
    if bytes > MAX_JSON_BYTES {
        return Err(ArcError::TooLarge { bytes, limit: MAX_JSON_BYTES });
    }
    Ok(())
}

/// The text of `bytes`, or a JSON error at the first invalid byte.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, ArcError> {
    check_size(bytes.len())?;
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
        ArcError::Json { line, column, message: "invalid UTF-8".to_string() }
    })
}

/// Converts a serde_json result, preferring the structured error a visitor recorded.
fn finish<T>(result: Result<T, serde_json::Error>, fail: &Failure) -> Result<T, ArcError> {
    let e = match result {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    match fail.0.borrow_mut().take() {
        Some(mut err) => {
            if let Some(at) = err.location_mut() {
                at.text = Some((e.line(), e.column()));
            }
            Err(err)
        }
        None => Err(json_error(&e)),
    }
}

/// A syntax-level error with serde_json's own position suffix removed from the message.
pub(crate) fn json_error(e: &serde_json::Error) -> ArcError {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
    ArcError::Json { line: e.line(), column: e.column(), message }
}

/// Where a visitor stores the structured error behind the string error it hands to serde.
#[derive(Default)]
struct Failure(RefCell<Option<ArcError>>);

impl Failure {
    fn raise<E: de::Error>(&self, err: ArcError) -> E {
        let e = E::custom(err.to_string());
        *self.0.borrow_mut() = Some(err);
        e
    }
}

/// What the visitors know about where they are.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    fail: &'a Failure,
    task: Option<&'a str>,
    split: Option<Split>,
    pair: Option<usize>,
    grid: Option<GridRole>,
    row: Option<usize>,
    column: Option<usize>,
}

impl<'a> Ctx<'a> {
    fn top(fail: &'a Failure) -> Self {
        Self { fail, task: None, split: None, pair: None, grid: None, row: None, column: None }
    }

    fn at(&self) -> Box<Location> {
        Box::new(Location {
            task: self.task.map(str::to_string),
            split: self.split,
            pair: self.pair,
            grid: self.grid,
            row: self.row,
            column: self.column,
            text: None,
        })
    }

    fn raise<E: de::Error>(&self, err: ArcError) -> E {
        self.fail.raise(err)
    }
}

/// How the value found instead of the expected one is described.
fn describe_str(v: &str) -> String {
    let short: String = v.chars().take(24).collect();
    if short.len() < v.len() { format!("the string {short:?}…") } else { format!("the string {v:?}") }
}

/// A visitor that knows what it expected, so that any other JSON type becomes a `WrongType` error.
trait Expecting {
    const EXPECTED: &'static str;
    fn ctx(&self) -> Ctx<'_>;
    fn wrong<E: de::Error>(&self, found: String) -> E {
        let ctx = self.ctx();
        ctx.raise(ArcError::WrongType { at: ctx.at(), expected: Self::EXPECTED, found })
    }
}

macro_rules! reject_scalars {
    () => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Err(self.wrong(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Err(self.wrong(format!("the number {v}")))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Err(self.wrong(format!("the number {v}")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Err(self.wrong(format!("the number {v}")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Err(self.wrong(describe_str(v)))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Err(self.wrong("null".to_string()))
        }
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(Self::EXPECTED)
        }
    };
}

macro_rules! reject_seq {
    () => {
        fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Self::Value, A::Error> {
            Err(self.wrong("a list".to_string()))
        }
    };
}

macro_rules! reject_map {
    () => {
        fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Self::Value, A::Error> {
            Err(self.wrong("an object".to_string()))
        }
    };
}

/// Every visitor is also its own seed: it deserialises with `deserialize_any`.
macro_rules! seed_from_visitor {
    ($visitor:ident, $value:ty) => {
        impl<'de> DeserializeSeed<'de> for $visitor<'_> {
            type Value = $value;
            fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
                deserializer.deserialize_any(self)
            }
        }
    };
}

fn check_task_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("the name is empty")
    } else if name.contains(NAME_SEPARATOR) {
        Some("it contains \"|||\", which separates the fields of augmented puzzle names")
    } else {
        None
    }
}

// ---- top level --------------------------------------------------------------------------------

struct TopVisitor<'a> {
    fail: &'a Failure,
    default_name: &'a str,
}

impl Expecting for TopVisitor<'_> {
    const EXPECTED: &'static str = "an object (a task with \"train\" and \"test\", or a collection {task_id: task})";
    fn ctx(&self) -> Ctx<'_> {
        Ctx::top(self.fail)
    }
}

seed_from_visitor!(TopVisitor, Vec<NamedTask>);

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = Vec<NamedTask>;
    reject_scalars!();
    reject_seq!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Err(self.fail.raise(ArcError::NoTasks));
        };
        if first == "train" || first == "test" {
            let ctx = Ctx { task: Some(self.default_name), ..Ctx::top(self.fail) };
            let task = read_task(&mut map, Some(first), ctx)?;
            return Ok(vec![NamedTask { name: self.default_name.to_string(), task }]);
        }
        let mut seen = BTreeSet::new();
        let mut tasks = Vec::new();
        let mut key = Some(first);
        while let Some(name) = key {
            let top = Ctx::top(self.fail);
            if let Some(reason) = check_task_name(&name) {
                let at = Box::new(Location { task: Some(name.clone()), ..Location::default() });
                return Err(top.raise(ArcError::BadTaskName { at, reason }));
            }
            if seen.contains(&name) {
                return Err(top.raise(ArcError::DuplicateKey { at: top.at(), key: name }));
            }
            let task = map.next_value_seed(TaskVisitor { ctx: Ctx { task: Some(&name), ..top } })?;
            seen.insert(name.clone());
            tasks.push(NamedTask { name, task });
            key = map.next_key::<String>()?;
        }
        Ok(tasks)
    }
}

// ---- task -------------------------------------------------------------------------------------

struct TaskVisitor<'a> {
    ctx: Ctx<'a>,
}

impl Expecting for TaskVisitor<'_> {
    const EXPECTED: &'static str = "a task object with \"train\" and \"test\"";
    fn ctx(&self) -> Ctx<'_> {
        self.ctx
    }
}

seed_from_visitor!(TaskVisitor, Task);

impl<'de> Visitor<'de> for TaskVisitor<'_> {
    type Value = Task;
    reject_scalars!();
    reject_seq!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        read_task(&mut map, None, self.ctx)
    }
}

/// Reads the keys of a task object; `first` is a key already taken from `map`.
fn read_task<'de, A: MapAccess<'de>>(map: &mut A, first: Option<String>, ctx: Ctx<'_>) -> Result<Task, A::Error> {
    let mut train = None;
    let mut test = None;
    let mut pending = first;
    loop {
        let key = match pending.take() {
            Some(key) => key,
            None => match map.next_key::<String>()? {
                Some(key) => key,
                None => break,
            },
        };
        let (slot, split) = match key.as_str() {
            "train" => (&mut train, Split::Train),
            "test" => (&mut test, Split::Test),
            _ => {
                let err = ArcError::UnknownKey { at: ctx.at(), key, allowed: "\"train\", \"test\"" };
                return Err(ctx.raise(err));
            }
        };
        if slot.is_some() {
            return Err(ctx.raise(ArcError::DuplicateKey { at: ctx.at(), key }));
        }
        *slot = Some(map.next_value_seed(PairsVisitor { ctx: Ctx { split: Some(split), ..ctx } })?);
    }
    let Some(train) = train else {
        return Err(ctx.raise(ArcError::MissingKey { at: ctx.at(), key: "train" }));
    };
    let Some(test) = test else {
        return Err(ctx.raise(ArcError::MissingKey { at: ctx.at(), key: "test" }));
    };
    let mut train_pairs = Vec::with_capacity(train.len());
    for (k, (input, output)) in train.into_iter().enumerate() {
        // PairVisitor already requires outputs in train pairs; this only avoids an unwrap.
        let Some(output) = output else {
            let at = Box::new(Location { split: Some(Split::Train), pair: Some(k), ..*ctx.at() });
            return Err(ctx.raise(ArcError::MissingKey { at, key: "output" }));
        };
        train_pairs.push(Pair { input, output });
    }
    let test = test.into_iter().map(|(input, output)| TestPair { input, output }).collect();
    Ok(Task { train: train_pairs, test })
}

// ---- pairs ------------------------------------------------------------------------------------

struct PairsVisitor<'a> {
    ctx: Ctx<'a>,
}

impl Expecting for PairsVisitor<'_> {
    const EXPECTED: &'static str = "a list of pairs";
    fn ctx(&self) -> Ctx<'_> {
        self.ctx
    }
}

type RawPair = (Grid, Option<Grid>);

seed_from_visitor!(PairsVisitor, Vec<RawPair>);

impl<'de> Visitor<'de> for PairsVisitor<'_> {
    type Value = Vec<RawPair>;
    reject_scalars!();
    reject_map!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut pairs = Vec::new();
        while let Some(pair) =
            seq.next_element_seed(PairVisitor { ctx: Ctx { pair: Some(pairs.len()), ..self.ctx } })?
        {
            pairs.push(pair);
        }
        if pairs.is_empty() {
            return Err(self.ctx.raise(ArcError::EmptyList { at: self.ctx.at() }));
        }
        Ok(pairs)
    }
}

struct PairVisitor<'a> {
    ctx: Ctx<'a>,
}

impl Expecting for PairVisitor<'_> {
    const EXPECTED: &'static str = "a pair object with \"input\" and \"output\"";
    fn ctx(&self) -> Ctx<'_> {
        self.ctx
    }
}

seed_from_visitor!(PairVisitor, RawPair);

impl<'de> Visitor<'de> for PairVisitor<'_> {
    type Value = RawPair;
    reject_scalars!();
    reject_seq!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx;
        let mut input = None;
        let mut output = None;
        while let Some(key) = map.next_key::<String>()? {
            let (slot, role) = match key.as_str() {
                "input" => (&mut input, GridRole::Input),
                "output" => (&mut output, GridRole::Output),
                _ => {
                    let err = ArcError::UnknownKey { at: ctx.at(), key, allowed: "\"input\", \"output\"" };
                    return Err(ctx.raise(err));
                }
            };
            if slot.is_some() {
                return Err(ctx.raise(ArcError::DuplicateKey { at: ctx.at(), key }));
            }
            *slot = Some(map.next_value_seed(GridVisitor { ctx: Ctx { grid: Some(role), ..ctx } })?);
        }
        let Some(input) = input else {
            return Err(ctx.raise(ArcError::MissingKey { at: ctx.at(), key: "input" }));
        };
        if output.is_none() && ctx.split == Some(Split::Train) {
            return Err(ctx.raise(ArcError::MissingKey { at: ctx.at(), key: "output" }));
        }
        Ok((input, output))
    }
}

// ---- grids ------------------------------------------------------------------------------------

struct GridVisitor<'a> {
    ctx: Ctx<'a>,
}

impl Expecting for GridVisitor<'_> {
    const EXPECTED: &'static str = "a grid (a list of rows)";
    fn ctx(&self) -> Ctx<'_> {
        self.ctx
    }
}

seed_from_visitor!(GridVisitor, Grid);

impl<'de> Visitor<'de> for GridVisitor<'_> {
    type Value = Grid;
    reject_scalars!();
    reject_map!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx;
        let mut cells = Vec::new();
        let mut rows = 0;
        let mut cols = 0;
        while let Some(row) = seq.next_element_seed(RowVisitor { ctx: Ctx { row: Some(rows), ..ctx } })? {
            if rows == MAX_SIDE {
                return Err(ctx.raise(ArcError::GridTooLarge { at: ctx.at(), what: "rows" }));
            }
            if rows == 0 {
                cols = row.len();
            } else if row.len() != cols {
                let at = Box::new(Location { row: Some(rows), ..*ctx.at() });
                return Err(ctx.raise(ArcError::RaggedRow { at, expected: cols, found: row.len() }));
            }
            cells.extend_from_slice(&row);
            rows += 1;
        }
        if rows == 0 {
            return Err(ctx.raise(ArcError::EmptyGrid { at: ctx.at() }));
        }
        Ok(Grid::from_parts(rows, cols, cells))
    }
}

struct RowVisitor<'a> {
    ctx: Ctx<'a>,
}

impl Expecting for RowVisitor<'_> {
    const EXPECTED: &'static str = "a row (a list of colours 0-9)";
    fn ctx(&self) -> Ctx<'_> {
        self.ctx
    }
}

seed_from_visitor!(RowVisitor, Vec<u8>);

impl<'de> Visitor<'de> for RowVisitor<'_> {
    type Value = Vec<u8>;
    reject_scalars!();
    reject_map!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx;
        let mut row = Vec::new();
        while let Some(v) = seq.next_element_seed(CellVisitor { ctx: Ctx { column: Some(row.len()), ..ctx } })? {
            if row.len() == MAX_SIDE {
                return Err(ctx.raise(ArcError::GridTooLarge { at: ctx.at(), what: "columns" }));
            }
            row.push(v);
        }
        if row.is_empty() {
            return Err(ctx.raise(ArcError::EmptyRow { at: ctx.at() }));
        }
        Ok(row)
    }
}

struct CellVisitor<'a> {
    ctx: Ctx<'a>,
}

impl Expecting for CellVisitor<'_> {
    const EXPECTED: &'static str = "a colour (an integer 0-9)";
    fn ctx(&self) -> Ctx<'_> {
        self.ctx
    }
}

impl CellVisitor<'_> {
    fn bad<E: de::Error>(&self, found: String) -> E {
        self.ctx.raise(ArcError::BadColour { at: self.ctx.at(), found })
    }
}

seed_from_visitor!(CellVisitor, u8);

impl<'de> Visitor<'de> for CellVisitor<'_> {
    type Value = u8;
    reject_seq!();
    reject_map!();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::EXPECTED)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u8, E> {
        match u8::try_from(v) {
            Ok(c) if c <= 9 => Ok(c),
            _ => Err(self.bad(v.to_string())),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u8, E> {
        match u8::try_from(v) {
            Ok(c) if c <= 9 => Ok(c),
            _ => Err(self.bad(v.to_string())),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u8, E> {
        Err(self.bad(format!("{v:?} (a non-integer number)")))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<u8, E> {
        Err(self.wrong(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u8, E> {
        Err(self.wrong(describe_str(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<u8, E> {
        Err(self.wrong("null".to_string()))
    }
}

// ---- solutions --------------------------------------------------------------------------------

struct SolutionsVisitor<'a> {
    fail: &'a Failure,
}

impl Expecting for SolutionsVisitor<'_> {
    const EXPECTED: &'static str = "a solutions object {task_id: [grid, ...]}";
    fn ctx(&self) -> Ctx<'_> {
        Ctx::top(self.fail)
    }
}

seed_from_visitor!(SolutionsVisitor, Vec<(String, Vec<Grid>)>);

impl<'de> Visitor<'de> for SolutionsVisitor<'_> {
    type Value = Vec<(String, Vec<Grid>)>;
    reject_scalars!();
    reject_seq!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let top = Ctx::top(self.fail);
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if seen.contains(&name) {
                return Err(top.raise(ArcError::DuplicateKey { at: top.at(), key: name }));
            }
            let ctx = Ctx { task: Some(&name), split: Some(Split::Test), grid: Some(GridRole::Output), ..top };
            let grids = map.next_value_seed(GridListVisitor { ctx })?;
            seen.insert(name.clone());
            out.push((name, grids));
        }
        Ok(out)
    }
}

struct GridListVisitor<'a> {
    ctx: Ctx<'a>,
}

impl Expecting for GridListVisitor<'_> {
    const EXPECTED: &'static str = "a list of solution grids, one per test pair";
    fn ctx(&self) -> Ctx<'_> {
        Ctx { grid: None, ..self.ctx }
    }
}

seed_from_visitor!(GridListVisitor, Vec<Grid>);

impl<'de> Visitor<'de> for GridListVisitor<'_> {
    type Value = Vec<Grid>;
    reject_scalars!();
    reject_map!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut grids = Vec::new();
        while let Some(g) = seq.next_element_seed(GridVisitor { ctx: Ctx { pair: Some(grids.len()), ..self.ctx } })? {
            grids.push(g);
        }
        Ok(grids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASK: &str = r#"{"train": [{"input": [[1, 2], [3, 4]], "output": [[4]]}],
        "test": [{"input": [[0]]}]}"#;

    fn err(text: &str) -> ArcError {
        parse_tasks(text, "mine").unwrap_err()
    }

    fn loc(e: &ArcError) -> Location {
        let mut at = e.location().cloned().unwrap_or_else(|| panic!("no location in {e}"));
        at.text = None;
        at
    }

    #[test]
    fn single_task_and_collection() {
        let tasks = parse_tasks(TASK, "mine").unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].name, "mine");
        let task = &tasks[0].task;
        assert_eq!(task.train[0].input, Grid::from_rows(&[[1, 2], [3, 4]]).unwrap());
        assert_eq!(task.train[0].output, Grid::from_rows(&[[4]]).unwrap());
        assert_eq!(task.test[0].output, None);

        let coll = format!("{{\"zz\": {TASK}, \"aa\": {TASK}}}");
        let tasks = parse_tasks(&coll, "ignored").unwrap();
        let names: Vec<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["zz", "aa"], "file order is kept");
        assert_eq!(Task::from_json(TASK).unwrap(), tasks[0].task);
        assert_eq!(Task::from_json(&coll).unwrap_err(), ArcError::NotSingleTask { count: 2 });
        // Test-first key order is a single task too.
        assert!(
            parse_tasks(r#"{"test": [{"input": [[1]]}], "train": [{"input": [[1]], "output": [[2]]}]}"#, "x").is_ok()
        );
    }

    #[test]
    fn errors_name_task_split_pair_grid_row() {
        let ragged = r#"{"abc": {"train": [{"input": [[1]], "output": [[1]]},
            {"input": [[1, 2], [3]], "output": [[1]]}], "test": [{"input": [[0]]}]}}"#;
        let e = err(ragged);
        assert!(matches!(e, ArcError::RaggedRow { expected: 2, found: 1, .. }), "{e}");
        let want = Location {
            task: Some("abc".into()),
            split: Some(Split::Train),
            pair: Some(1),
            grid: Some(GridRole::Input),
            row: Some(1),
            ..Location::default()
        };
        assert_eq!(loc(&e), want);
        let text = e.to_string();
        assert!(text.starts_with("task \"abc\", train[1].input, row 1 (JSON line 2, column"), "{text}");

        let e = err(r#"{"train": [{"input": [[1]], "output": [[1, 12]]}], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(&e, ArcError::BadColour { found, .. } if found == "12"), "{e}");
        assert_eq!(loc(&e).column, Some(1));
        assert_eq!(loc(&e).grid, Some(GridRole::Output));
        assert_eq!(loc(&e).task.as_deref(), Some("mine"));

        let e = err(r#"{"train": [{"input": [[1.5]], "output": [[1]]}], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(&e, ArcError::BadColour { found, .. } if found.starts_with("1.5")), "{e}");
        let e = err(r#"{"train": [{"input": [[-1]], "output": [[1]]}], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(&e, ArcError::BadColour { found, .. } if found == "-1"), "{e}");
        let e = err(r#"{"train": [{"input": [["1"]], "output": [[1]]}], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(&e, ArcError::WrongType { expected, .. } if expected.contains("colour")), "{e}");
    }

    #[test]
    fn structural_errors() {
        let e = err(r#"{"train": [], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(e, ArcError::EmptyList { .. }), "{e}");
        assert_eq!(loc(&e).split, Some(Split::Train));
        let e = err(r#"{"train": [{"input": [[1]], "output": [[1]]}], "test": []}"#);
        assert_eq!(loc(&e).split, Some(Split::Test));
        let e = err(r#"{"train": [{"input": [[1]], "output": [[1]]}]}"#);
        assert!(matches!(e, ArcError::MissingKey { key: "test", .. }), "{e}");
        let e = err(r#"{"test": [{"input": [[1]]}]}"#);
        assert!(matches!(e, ArcError::MissingKey { key: "train", .. }), "{e}");
        let e = err(r#"{"train": [{"input": [[1]]}], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(e, ArcError::MissingKey { key: "output", .. }), "{e}");
        assert_eq!(loc(&e).pair, Some(0));
        let e = err(r#"{"train": [{"output": [[1]]}], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(e, ArcError::MissingKey { key: "input", .. }), "{e}");
        let e = err(r#"{"train": [{"input": [[1]], "output": [[1]]}], "test": [{"input": [[0]], "ouput": [[1]]}]}"#);
        assert!(matches!(&e, ArcError::UnknownKey { key, .. } if key == "ouput"), "{e}");
        let e = err(r#"{"train": [{"input": [[1]], "output": [[1]], "input": [[2]]}], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(&e, ArcError::DuplicateKey { key, .. } if key == "input"), "{e}");
        let e = err(r#"{"train": {"input": [[1]]}, "test": []}"#);
        assert!(matches!(&e, ArcError::WrongType { found, .. } if found == "an object"), "{e}");
        let e = err(r#"{"train": [{"input": [], "output": [[1]]}], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(e, ArcError::EmptyGrid { .. }), "{e}");
        let e = err(r#"{"train": [{"input": [[]], "output": [[1]]}], "test": [{"input": [[0]]}]}"#);
        assert!(matches!(e, ArcError::EmptyRow { .. }), "{e}");
        assert_eq!(loc(&e).row, Some(0));
        assert_eq!(err("{}"), ArcError::NoTasks);
        assert!(matches!(err("[1, 2]"), ArcError::WrongType { .. }));
        assert!(matches!(err("\"text\""), ArcError::WrongType { .. }));
        let e = err(&format!("{{\"a\": {TASK}, \"a\": {TASK}}}"));
        assert!(matches!(&e, ArcError::DuplicateKey { key, .. } if key == "a"), "{e}");
        let e = err(&format!("{{\"a|||t1\": {TASK}}}"));
        assert!(matches!(e, ArcError::BadTaskName { .. }), "{e}");
        let e = err(&format!("{{\"\": {TASK}}}"));
        assert!(matches!(e, ArcError::BadTaskName { .. }), "{e}");
        let e = err(r#"{"abc": [1]}"#);
        assert!(matches!(&e, ArcError::WrongType { at, .. } if at.task.as_deref() == Some("abc")), "{e}");
    }

    #[test]
    fn size_limits() {
        let row = format!("[{}]", vec!["1"; 31].join(", "));
        let e = err(&format!(r#"{{"train": [{{"input": [{row}], "output": [[1]]}}], "test": [{{"input": [[0]]}}]}}"#));
        assert!(matches!(e, ArcError::GridTooLarge { what: "columns", .. }), "{e}");
        let rows = vec!["[1]"; 31].join(", ");
        let e = err(&format!(r#"{{"train": [{{"input": [{rows}], "output": [[1]]}}], "test": [{{"input": [[0]]}}]}}"#));
        assert!(matches!(e, ArcError::GridTooLarge { what: "rows", .. }), "{e}");
        let row = format!("[{}]", vec!["1"; 30].join(", "));
        let rows = vec![row.as_str(); 30].join(", ");
        let ok = format!(r#"{{"train": [{{"input": [{rows}], "output": [[1]]}}], "test": [{{"input": [[0]]}}]}}"#);
        assert_eq!(parse_tasks(&ok, "x").unwrap()[0].task.train[0].input.shape(), (30, 30));
        let big = " ".repeat(MAX_JSON_BYTES + 1);
        assert!(matches!(err(&big), ArcError::TooLarge { .. }));
    }

    #[test]
    fn invalid_json_has_line_and_column() {
        let e = err("{\"train\": [\n  {\"input\": [[1]] \"output\": [[1]]}]}");
        match e {
            ArcError::Json { line, column, message } => {
                assert_eq!(line, 2);
                assert!(column > 10, "{column}");
                assert!(!message.contains("at line"), "{message}");
            }
            other => panic!("{other}"),
        }
        assert!(matches!(err(""), ArcError::Json { line: 1, .. }));
        assert!(matches!(err(&format!("{TASK} trailing")), ArcError::Json { .. }));
        let e = parse_tasks_bytes(b"{\"a\":\n [\xff]}", "x").unwrap_err();
        assert_eq!(e, ArcError::Json { line: 2, column: 3, message: "invalid UTF-8".into() });
        let deep = "[".repeat(100_000);
        assert!(parse_tasks(&deep, "x").is_err());
        let deep = format!("{{\"a\": {}", "{\"b\": ".repeat(100_000));
        assert!(parse_tasks(&deep, "x").is_err());
    }

    #[test]
    fn solutions_merge() {
        let coll = format!("{{\"t1\": {TASK}, \"t2\": {TASK}}}");
        let mut tasks = parse_tasks(&coll, "x").unwrap();
        merge_solutions(&mut tasks, r#"{"t2": [[[5, 6]]]}"#).unwrap();
        assert_eq!(tasks[0].task.test[0].output, None);
        assert_eq!(tasks[1].task.test[0].output, Some(Grid::from_rows(&[[5, 6]]).unwrap()));
        // Same solution again is fine; a different one conflicts; nothing changes on error.
        merge_solutions(&mut tasks, r#"{"t2": [[[5, 6]]]}"#).unwrap();
        let e = merge_solutions(&mut tasks, r#"{"t1": [[[1]]], "t2": [[[7]]]}"#).unwrap_err();
        assert!(matches!(e, ArcError::SolutionConflict { .. }), "{e}");
        assert_eq!(tasks[0].task.test[0].output, None);
        let e = merge_solutions(&mut tasks, r#"{"t3": [[[1]]]}"#).unwrap_err();
        assert_eq!(e, ArcError::UnknownSolutionTask { task: "t3".into() });
        let e = merge_solutions(&mut tasks, r#"{"t1": [[[1]], [[2]]]}"#).unwrap_err();
        assert_eq!(e, ArcError::SolutionCount { task: "t1".into(), expected: 1, found: 2 });
        let e = merge_solutions(&mut tasks, r#"{"t1": [[[1, 10]]]}"#).unwrap_err();
        let at = loc(&e);
        assert_eq!(
            (at.split, at.pair, at.grid, at.row, at.column),
            (Some(Split::Test), Some(0), Some(GridRole::Output), Some(0), Some(1))
        );
        assert!(matches!(merge_solutions(&mut tasks, "[]"), Err(ArcError::WrongType { .. })));
    }
}
