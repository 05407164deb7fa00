//! One trainer per run directory: `<run>/lock` holds the process id of the trainer using it.
//!
//! Two trainers writing the same checkpoint files would each overwrite the other's progress with
//! no error (every write is atomic, so nothing looks broken). The lock file is created with
//! `create_new`, so only one process wins; it is removed when the [`RunLock`] is dropped. A lock left
//! behind by a killed trainer is taken over when its process is gone (checked through `/proc` on
//! Linux); elsewhere the message says to delete the file.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The lock file's name inside the run directory.
pub const LOCK_FILE: &str = "lock";

/// Holds a run directory for this process until dropped.
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
}

impl RunLock {
    /// Takes the lock of `dir`, or says which process holds it.
    pub fn acquire(dir: &Path) -> Result<Self> {
        let path = dir.join(LOCK_FILE);
        // Two attempts: the second after removing a stale lock of a process that no longer runs.
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let written = writeln!(file, "{}", std::process::id()).and_then(|_| file.sync_all());
                    if let Err(e) = written {
                        let _ = std::fs::remove_file(&path);
                        return Err(Error::Io { path: path.display().to_string(), message: e.to_string() });
                    }
                    return Ok(Self { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).ok().and_then(|t| t.trim().parse::<u32>().ok());
                    match holder.map(process_state) {
                        Some(ProcessState::Gone) => {
                            std::fs::remove_file(&path)
                                .map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })?;
                        }
                        Some(ProcessState::Running) | Some(ProcessState::Unknown) | None => {
                            let who =
                                holder.map_or("another trainer".to_string(), |pid| format!("trainer process {pid}"));
                            return Err(Error::Config(format!(
                                "{} is in use by {who}; wait for it to stop (or stop it with Ctrl-C / SIGTERM). \
                                 If no trainer is running, delete {}",
                                dir.display(),
                                path.display()
                            )));
                        }
                    }
                }
                Err(e) => return Err(Error::Io { path: path.display().to_string(), message: e.to_string() }),
            }
        }
        Err(Error::Config(format!("{}: could not take the run lock", path.display())))
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

enum ProcessState {
    Running,
    Gone,
    Unknown,
}

/// Whether process `pid` exists (this process counts as running: a second trainer in it is refused).
fn process_state(pid: u32) -> ProcessState {
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        if Path::new(&format!("/proc/{pid}")).exists() { ProcessState::Running } else { ProcessState::Gone }
    } else {
        ProcessState::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("trm-lock-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = scratch("second");
        let first = RunLock::acquire(&dir).unwrap();
        let err = RunLock::acquire(&dir).unwrap_err().to_string();
        assert!(err.contains(&format!("trainer process {}", std::process::id())), "{err}");
        drop(first);
        assert!(!dir.join(LOCK_FILE).exists());
        let again = RunLock::acquire(&dir).unwrap();
        drop(again);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_stale_lock_of_a_finished_process_is_taken_over() {
        let dir = scratch("stale");
        // A process that has certainly exited: a child we waited for.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        std::fs::write(dir.join(LOCK_FILE), format!("{pid}\n")).unwrap();
        let lock = RunLock::acquire(&dir).unwrap();
        let holder = std::fs::read_to_string(dir.join(LOCK_FILE)).unwrap();
        assert_eq!(holder.trim(), std::process::id().to_string());
        drop(lock);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unreadable_lock_is_not_taken_over() {
        let dir = scratch("garbled");
        std::fs::write(dir.join(LOCK_FILE), "not a pid").unwrap();
        let err = RunLock::acquire(&dir).unwrap_err().to_string();
        assert!(err.contains("another trainer") && err.contains("delete"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
