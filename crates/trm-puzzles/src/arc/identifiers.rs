//! `identifiers.json` (reference §7.1, §7.4): the list of puzzle names whose index is the row of the
//! puzzle-embedding table, `"<blank>"` at row 0.

use super::ArcError;
use super::augment::{Augmentation, format_name, parse_name};

/// The name at row 0, used for padding rows and for tasks the model has never seen.
pub const BLANK_NAME: &str = "<blank>";

/// Largest `identifiers.json` accepted (256 MiB). The official ARC-AGI-2 list has about 1.19 million
/// names of ~26 characters (≈ 36 MB), so this leaves ample room while bounding memory.
pub const MAX_IDENTIFIERS_BYTES: usize = 256 * 1024 * 1024;

/// The embedding row a name selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EmbeddingRow {
    /// Row of the puzzle-embedding table (0 = blank when the name is unknown).
    pub row: u32,
    /// Whether the model was trained with this name; `false` means it runs with the blank row and has
    /// never seen the task.
    pub seen: bool,
}

/// Names by embedding row, with a sorted index for lookups by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifiers {
    names: Vec<String>,
    /// Rows ordered by name, for binary search (less memory than a map of a million strings).
    by_name: Vec<u32>,
}

impl Identifiers {
    /// Parses `identifiers.json`: a JSON list of strings, `"<blank>"` first, no name twice.
    pub fn from_json(text: &str) -> Result<Self, ArcError> {
        if text.len() > MAX_IDENTIFIERS_BYTES {
            return Err(ArcError::TooLarge { bytes: text.len(), limit: MAX_IDENTIFIERS_BYTES });
        }
        let names: Vec<String> = serde_json::from_str(text).map_err(|e| match super::parse::json_error(&e) {
            ArcError::Json { line, column, message } => {
                ArcError::Identifiers { message: format!("line {line}, column {column}: {message}") }
            }
            other => other,
        })?;
        Self::from_names(names)
    }

    /// [`from_json`](Self::from_json) for raw bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self, ArcError> {
        if bytes.len() > MAX_IDENTIFIERS_BYTES {
            return Err(ArcError::TooLarge { bytes: bytes.len(), limit: MAX_IDENTIFIERS_BYTES });
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|e| ArcError::Identifiers { message: format!("invalid UTF-8 at byte {}", e.valid_up_to()) })?;
        Self::from_json(text)
    }

    /// From a list of names (index = row); the same rules as [`from_json`](Self::from_json).
    pub fn from_names(names: Vec<String>) -> Result<Self, ArcError> {
        let fail = |message: String| Err(ArcError::Identifiers { message });
        match names.first() {
            None => return fail("the list is empty".to_string()),
            Some(first) if first != BLANK_NAME => {
                return fail(format!("row 0 is {first:?}, expected {BLANK_NAME:?}"));
            }
            Some(_) => {}
        }
        if u32::try_from(names.len()).is_err() {
            return fail(format!("{} names are more than rows can number", names.len()));
        }
        let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
        by_name.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]).then(a.cmp(&b)));
        for w in by_name.windows(2) {
            if names[w[0] as usize] == names[w[1] as usize] {
                return fail(format!("{:?} appears at rows {} and {}", names[w[0] as usize], w[0], w[1]));
            }
        }
        Ok(Self { names, by_name })
    }

    /// Number of rows, blank included (the embedding table's first dimension).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Always false (row 0 exists); for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// All names by row.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The augmented versions of task `id` these identifiers have rows for (the identity left out),
    /// distinct, in row order, at most `count`: the versions the model was trained on, which a vote
    /// runs first after the original.
    pub fn trained_versions(&self, id: &str, count: usize) -> Vec<Augmentation> {
        let mut out: Vec<Augmentation> = Vec::new();
        for name in &self.names {
            if out.len() >= count {
                break;
            }
            if let Ok((base, aug)) = parse_name(name)
                && base == id
                && !aug.is_identity()
                && !out.contains(&aug)
            {
                out.push(aug);
            }
        }
        out
    }

    /// The name at `row`.
    pub fn name(&self, row: u32) -> Option<&str> {
        self.names.get(row as usize).map(String::as_str)
    }

    /// The row of `name`, if listed (`"<blank>"` gives `Some(0)`).
    pub fn row(&self, name: &str) -> Option<u32> {
        self.by_name.binary_search_by(|&r| self.names[r as usize].as_str().cmp(name)).ok().map(|k| self.by_name[k])
    }

    /// The embedding row for a puzzle name (original or augmented, exactly as listed). An unlisted
    /// name, and `"<blank>"` itself, give row 0 with `seen: false`.
    pub fn lookup(&self, name: &str) -> EmbeddingRow {
        match self.row(name) {
            Some(row) if row != 0 => EmbeddingRow { row, seen: true },
            _ => EmbeddingRow { row: 0, seen: false },
        }
    }

    /// The embedding row of task `id` under augmentation `aug` (its official name, see
    /// [`format_name`]).
    pub fn lookup_augmented(&self, id: &str, aug: &Augmentation) -> EmbeddingRow {
        self.lookup(&format_name(id, aug))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arc::parse_name;

    const JSON: &str = r#"["<blank>", "007bbfb7", "007bbfb7|||t3|||0528147369", "00d62c1b"]"#;

    #[test]
    fn trained_versions_of_a_task_in_row_order() {
        let names = ["<blank>", "a", "a|||t3|||0528147369", "b|||t1|||0123456789", "a|||t1|||0123456789"];
        let ids = Identifiers::from_names(names.iter().map(|n| n.to_string()).collect()).unwrap();
        let aug = |name: &str| parse_name(name).unwrap().1;
        let both = vec![aug("a|||t3|||0528147369"), aug("a|||t1|||0123456789")];
        assert_eq!(ids.trained_versions("a", 5), both, "the identity row is left out");
        assert_eq!(ids.trained_versions("a", 1), both[..1]);
        assert_eq!(ids.trained_versions("a", 0), Vec::new());
        assert_eq!(ids.trained_versions("b", 5), vec![aug("b|||t1|||0123456789")]);
        assert_eq!(ids.trained_versions("c", 5), Vec::new());
    }

    #[test]
    fn lookups() {
        let ids = Identifiers::from_json(JSON).unwrap();
        assert_eq!(ids.len(), 4);
        assert_eq!(ids.name(2), Some("007bbfb7|||t3|||0528147369"));
        assert_eq!(ids.name(4), None);
        assert_eq!(ids.lookup("00d62c1b"), EmbeddingRow { row: 3, seen: true });
        assert_eq!(ids.lookup("007bbfb7"), EmbeddingRow { row: 1, seen: true });
        let (id, aug) = parse_name("007bbfb7|||t3|||0528147369").unwrap();
        assert_eq!(ids.lookup_augmented(id, &aug), EmbeddingRow { row: 2, seen: true });
        assert_eq!(ids.lookup("my own task"), EmbeddingRow { row: 0, seen: false });
        assert_eq!(ids.lookup(BLANK_NAME), EmbeddingRow { row: 0, seen: false });
        assert_eq!(ids.row(BLANK_NAME), Some(0));
    }

    #[test]
    fn rejects_bad_lists() {
        for bad in ["[]", r#"["a", "<blank>"]"#, r#"["<blank>", "a", "a"]"#, r#"["<blank>", 3]"#, "{}", "[", ""] {
            assert!(matches!(Identifiers::from_json(bad), Err(ArcError::Identifiers { .. })), "{bad}");
        }
        let e = Identifiers::from_json(r#"["<blank>", "a", "b", "a"]"#).unwrap_err();
        assert!(e.to_string().contains("rows 1 and 3"), "{e}");
        assert!(Identifiers::from_json_bytes(b"[\"<blank>\", \"\xff\"]").is_err());
    }
}
