//! The official directory layout (reference §7.1): export to and import from `(relative path, bytes)`
//! pairs, and thin filesystem helpers on top.

use super::npy::{self, NpyArray, NpyError};
use super::{
    Dataset, DatasetError, DatasetMetadata, DatasetSplit, IDENTIFIERS_FILE, Names, OfficialNames, TEST_PUZZLES_FILE,
    check_metadata,
};
use crate::arc::Identifiers;

fn npy_error(file: &str) -> impl FnOnce(NpyError) -> DatasetError + '_ {
    move |source| DatasetError::Npy { file: file.to_string(), source }
}

fn required(
    read: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>, DatasetError>,
    file: &str,
) -> Result<Vec<u8>, DatasetError> {
    read(file)?.ok_or_else(|| DatasetError::MissingFile { file: file.to_string() })
}

fn one_d(array: NpyArray<i32>, file: &str) -> Result<Vec<i32>, DatasetError> {
    array.into_1d().map_err(|shape| DatasetError::Shape {
        file: file.to_string(),
        message: format!("expected a 1-D array, found shape {shape:?}"),
    })
}

fn two_d(array: NpyArray<u8>, file: &str) -> Result<(usize, usize, Vec<u8>), DatasetError> {
    array.into_2d().map_err(|shape| DatasetError::Shape {
        file: file.to_string(),
        message: format!("expected a 2-D array [examples, seq_len], found shape {shape:?}"),
    })
}

fn read_split(
    read: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>, DatasetError>,
    split: &'static str,
) -> Result<DatasetSplit, DatasetError> {
    let meta_file = format!("{split}/dataset.json");
    let metadata = DatasetMetadata::from_json_bytes(&required(read, &meta_file)?, &meta_file)?;
    // Checked first: the set name becomes part of the file names below.
    check_metadata(&metadata, &OfficialNames { split, set: metadata.set_name() })?;
    let names = OfficialNames { split, set: metadata.set_name() };
    let seq_len = metadata.seq_len as usize;

    let inputs_file = names.array("inputs");
    let (rows, cols, inputs) =
        two_d(npy::read_u8(&required(read, &inputs_file)?).map_err(npy_error(&inputs_file))?, &inputs_file)?;
    if cols != seq_len {
        return Err(DatasetError::Shape {
            file: inputs_file,
            message: format!("shape [{rows}, {cols}] does not match seq_len {seq_len} of {meta_file}"),
        });
    }
    let labels_file = names.array("labels");
    let (label_rows, label_cols, labels) =
        two_d(npy::read_u8(&required(read, &labels_file)?).map_err(npy_error(&labels_file))?, &labels_file)?;
    if (label_rows, label_cols) != (rows, cols) {
        return Err(DatasetError::Shape {
            file: labels_file,
            message: format!("shape [{label_rows}, {label_cols}] differs from the inputs' [{rows}, {cols}]"),
        });
    }
    let mut int_array = |array: &str| -> Result<Vec<i32>, DatasetError> {
        let file = names.array(array);
        one_d(npy::read_i32(&required(read, &file)?).map_err(npy_error(&file))?, &file)
    };
    let puzzle_identifiers = int_array("puzzle_identifiers")?;
    let puzzle_indices = int_array("puzzle_indices")?;
    let group_indices = int_array("group_indices")?;
    Ok(DatasetSplit { metadata, inputs, labels, puzzle_identifiers, puzzle_indices, group_indices })
}

impl Dataset {
    /// The files of the official layout as `(path relative to the output directory, bytes)`, after
    /// [`validate`](Self::validate): `identifiers.json`, `test_puzzles.json` when present, and per split
    /// `dataset.json` and the five `.npy` arrays (uint8 inputs/labels, int32 indices).
    pub fn to_official_files(&self) -> Result<Vec<(String, Vec<u8>)>, DatasetError> {
        self.validate()?;
        let json = |value: &Vec<String>| serde_json::to_vec(value).unwrap_or_default();
        let mut files = vec![(IDENTIFIERS_FILE.to_string(), json(&self.identifiers))];
        if let Some(text) = &self.test_puzzles {
            files.push((TEST_PUZZLES_FILE.to_string(), text.clone().into_bytes()));
        }
        for (split, data) in [("train", &self.train), ("test", &self.test)] {
            let names = OfficialNames { split, set: data.metadata.set_name() };
            files.push((names.metadata(), data.metadata.to_json().into_bytes()));
            let shape = [data.num_examples(), data.seq_len()];
            for (array, bytes) in [
                ("inputs", npy::write_u8(&shape, &data.inputs)),
                ("labels", npy::write_u8(&shape, &data.labels)),
                ("puzzle_identifiers", npy::write_i32(&[data.puzzle_identifiers.len()], &data.puzzle_identifiers)),
                ("puzzle_indices", npy::write_i32(&[data.puzzle_indices.len()], &data.puzzle_indices)),
                ("group_indices", npy::write_i32(&[data.group_indices.len()], &data.group_indices)),
            ] {
                let file = names.array(array);
                let bytes = bytes.map_err(npy_error(&file))?;
                files.push((file, bytes));
            }
        }
        Ok(files)
    }

    /// Reads the official layout through `read`, which returns the bytes of a file given its path relative
    /// to the output directory (`"train/dataset.json"`, …), or `None` when it does not exist. Only
    /// `test_puzzles.json` is optional. Every array is checked as [`validate`](Self::validate) does.
    ///
    /// ```
    /// # use std::collections::BTreeMap;
    /// # use trm_puzzles::dataset::{Dataset, DatasetError};
    /// fn from_map(files: &BTreeMap<String, Vec<u8>>) -> Result<Dataset, DatasetError> {
    ///     Dataset::from_official_files(|name| Ok(files.get(name).cloned()))
    /// }
    /// ```
    pub fn from_official_files(
        mut read: impl FnMut(&str) -> Result<Option<Vec<u8>>, DatasetError>,
    ) -> Result<Dataset, DatasetError> {
        let ids = Identifiers::from_json_bytes(&required(&mut read, IDENTIFIERS_FILE)?)
            .map_err(|e| DatasetError::Identifiers { file: IDENTIFIERS_FILE.to_string(), message: e.to_string() })?;
        let test_puzzles = match read(TEST_PUZZLES_FILE)? {
            Some(bytes) => Some(String::from_utf8(bytes).map_err(|e| DatasetError::Json {
                file: TEST_PUZZLES_FILE.to_string(),
                message: format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
            })?),
            None => None,
        };
        let train = read_split(&mut read, "train")?;
        let test = read_split(&mut read, "test")?;
        let dataset = Dataset { identifiers: ids.names().to_vec(), train, test, test_puzzles };
        dataset.validate()?;
        Ok(dataset)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod fs {
    use std::path::Path;

    use super::{Dataset, DatasetError};

    pub(crate) fn io_error(path: &Path, e: &std::io::Error) -> DatasetError {
        DatasetError::Io { path: path.display().to_string(), message: e.to_string() }
    }

    impl Dataset {
        /// Writes the official layout into `dir` (created if needed; the files it writes are replaced,
        /// other files are left alone).
        pub fn write_official_dir(&self, dir: &Path) -> Result<(), DatasetError> {
            for (name, bytes) in self.to_official_files()? {
                let path = dir.join(&name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
                }
                std::fs::write(&path, bytes).map_err(|e| io_error(&path, &e))?;
            }
            Ok(())
        }

        /// Reads and checks the official layout from `dir` (for example the output of the official
        /// `build_sudoku_dataset.py`).
        pub fn read_official_dir(dir: &Path) -> Result<Dataset, DatasetError> {
            Dataset::from_official_files(|name| {
                let path = dir.join(name);
                match std::fs::read(&path) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(io_error(&path, &e)),
                }
            })
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use fs::io_error;
