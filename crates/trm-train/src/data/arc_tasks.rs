//! ARC training data built from task files when a run starts (`data.source: arc`).
//!
//! The tasks named by [`ArcTasksRecipe::tasks`] (resolved by [`trm_puzzles::arc::read_task_set`]: a
//! list file of `subset/id` lines, a directory of task files, or one task or collection JSON) are all
//! the *test set* of [`arc_dataset`]: their demonstrations, in the original and `num_aug` augmented
//! versions, make the train split, and their test pairs (in the same versions, untranslated) the test
//! split, each version with its own puzzle-embedding row. The dataset is built in memory, the same
//! bytes from the same files and seed, and then trained on by the ordinary [`super::DatasetSource`];
//! its [`Dataset::checksum`] goes into the loader state, so resuming with changed task files is an
//! error instead of a silently different run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use trm_puzzles::NamedTask;
use trm_puzzles::arc::{self, MAX_SIDE};
use trm_puzzles::dataset::{ArcRecipe, ArcSubset, Dataset, arc_dataset};

use crate::{Error, Result};

fn one() -> usize {
    1
}

fn default_canvas() -> usize {
    arc::DEFAULT_CANVAS_SIDE
}

/// The `source: arc` data section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArcTasksRecipe {
    /// A list file of `subset/id` lines (resolved relative to the list's folder), a directory of task
    /// JSON files, or one task or collection JSON. Test outputs must be inside the files (they are
    /// what the quick evaluation scores).
    pub tasks: PathBuf,
    /// Augmented versions per task beside the original (the official recipe uses 1000; fewer when a
    /// task saturates).
    #[serde(default)]
    pub num_aug: usize,
    /// Canvas side, 1–30 (`seq_len = canvas²`); every grid of every task must fit.
    #[serde(default = "default_canvas")]
    pub canvas: usize,
    /// Seeds the augmentations and translations and the training loader.
    #[serde(default)]
    pub seed: u64,
    /// Epochs per loader iteration (one incomplete batch is dropped per iteration).
    #[serde(default = "one")]
    pub epochs_per_iter: usize,
}

impl ArcTasksRecipe {
    /// Checks what can be checked without reading the tasks.
    pub fn validate(&self) -> Result<()> {
        if self.tasks.as_os_str().is_empty() {
            return Err(Error::Config("data.tasks is empty: name a task list, directory or collection".into()));
        }
        if !(1..=MAX_SIDE).contains(&self.canvas) {
            return Err(Error::Config(format!("data.canvas must be 1-{MAX_SIDE}, got {}", self.canvas)));
        }
        if self.epochs_per_iter == 0 {
            return Err(Error::Config("data.epochs_per_iter must be positive".into()));
        }
        Ok(())
    }
}

/// Tasks and the dataset built from them.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltArc {
    /// The tasks as read, in the order of the task set.
    pub tasks: Vec<NamedTask>,
    /// The official-layout dataset (train: demonstrations; test: test pairs; identifiers).
    pub dataset: Dataset,
}

/// Reads the tasks at `path` and checks that they fit a `canvas` side.
pub fn read_tasks(path: &Path, canvas: usize) -> Result<Vec<NamedTask>> {
    let tasks = arc::read_task_set(path).map_err(|e| Error::Config(e.to_string()))?;
    arc::check_canvas(&tasks, canvas).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
    Ok(tasks)
}

/// Builds the dataset of `recipe` (see the [module docs](self)).
pub fn build_arc_tasks(recipe: &ArcTasksRecipe) -> Result<BuiltArc> {
    recipe.validate()?;
    let tasks = read_tasks(&recipe.tasks, recipe.canvas)?;
    let subsets = [ArcSubset { name: recipe.tasks.display().to_string(), tasks: tasks.clone(), test_set: true }];
    let dataset =
        arc_dataset(&subsets, &ArcRecipe { num_aug: recipe.num_aug, seed: recipe.seed, canvas_side: recipe.canvas })
            .map_err(|e| Error::Config(format!("{}: {e}", recipe.tasks.display())))?;
    Ok(BuiltArc { tasks, dataset })
}
