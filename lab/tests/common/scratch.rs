//! Scratch directories for the tests: each test's own, gone when the test ends ([`Scratch`]),
//! or shared by the tests of one binary and gone when it exits ([`shared`]).

use std::ffi::OsStr;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A fresh, empty directory under the system's temporary directory, named by `prefix`, the
/// process (test binaries run at the same time, and the tests of one in parallel) and `name`.
/// It and everything in it are removed when it is dropped, by a failing test's unwinding too,
/// unless `KLAB_KEEP_SCRATCH` is set (to look at what a failing test wrote).
pub struct Scratch(PathBuf);

/// The path of the scratch directory `klab-PREFIX-PID-NAME`.
fn path_of(prefix: &str, name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("klab-{prefix}-{}-{name}", std::process::id()))
}

/// Makes `dir` empty: removes what a run of the same process id left there, creates it.
fn fresh(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("scratch dir");
}

/// Removes `dir` and everything in it, unless `KLAB_KEEP_SCRATCH` is set.
fn remove(dir: &Path) {
    if std::env::var_os("KLAB_KEEP_SCRATCH").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

impl Scratch {
    /// The directory `klab-PREFIX-PID-NAME`, made empty.
    pub fn new(prefix: &str, name: &str) -> Scratch {
        let dir = path_of(prefix, name);
        fresh(&dir);
        Scratch(dir)
    }
}

impl Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<OsStr> for Scratch {
    fn as_ref(&self) -> &OsStr {
        self.0.as_os_str()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        remove(&self.0);
    }
}

/// The directories [`shared`] made, removed at exit.
static AT_EXIT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes the directories of [`AT_EXIT`] (an `atexit` handler: the test harness ends through
/// `exit`, after the last test, failed or not).
extern "C" fn remove_shared() {
    for d in std::mem::take(&mut *AT_EXIT.lock().unwrap_or_else(|e| e.into_inner())) {
        remove(&d);
    }
}

/// A [`Scratch`] directory that several tests of this binary share (files of their own in it,
/// or a report computed once in a `OnceLock`, which is never dropped): made on the first call,
/// the same directory on every later call with the same `prefix` and `name`, and removed when
/// the process exits.
pub fn shared(prefix: &str, name: &str) -> PathBuf {
    let mut dirs = AT_EXIT.lock().unwrap_or_else(|e| e.into_inner());
    let path = path_of(prefix, name);
    if dirs.contains(&path) {
        return path;
    }
    fresh(&path);
    if dirs.is_empty() {
        // Safety: `remove_shared` is a plain `extern "C" fn()` that never unwinds out of the
        // handler (it only takes a lock and removes files); `atexit` just records it.
        unsafe { libc::atexit(remove_shared) };
    }
    dirs.push(path.clone());
    path
}
