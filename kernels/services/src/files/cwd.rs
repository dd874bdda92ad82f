//! Working directories: each process's, as a normalised absolute path (`/`, `/a/b`), inherited
//! by its children ([`Files::new_process`]); `chdir` ([`Files::chdir`]) and `getcwd`
//! ([`Files::cwd`]); and the resolution every path-taking call makes first ([`Files::resolve`]):
//! a path starting with `/` is used as it is, any other is joined to the caller's directory.
//! A process at `/` (every process until one calls `chdir`) resolves without a copy, since the
//! file system walks a relative path from the root.
//!
//! The directory is remembered by name, as `PWD` would be: a directory removed (or replaced)
//! after `chdir` makes later relative paths fail (`ENOENT`) or name the new one. Left out:
//! `fchdir`, symbolic links (the file system has none, so `..` is lexical and exact).

use alloc::borrow::Cow;
use alloc::vec::Vec;

use abi::Errno;
use abi::types::{PATH_MAX, kind};

use super::Files;
use crate::Pid;

/// The root, every process's first directory.
const ROOT: &[u8] = b"/";

impl Files<'_> {
    /// `pid`'s working directory (`/` for a process without one recorded).
    pub fn cwd(&self, pid: Pid) -> &[u8] {
        self.cwds.get(pid).map_or(ROOT, |c| c.as_slice())
    }

    /// `path` as `pid` means it: unchanged if absolute (or if `pid` is at `/`), else joined to
    /// its working directory. `ENAMETOOLONG` if the joined path exceeds `PATH_MAX`.
    pub fn resolve<'p>(&self, pid: Pid, path: &'p [u8]) -> Result<Cow<'p, [u8]>, Errno> {
        let cwd = self.cwd(pid);
        if path.first() == Some(&b'/') || cwd == ROOT || path.is_empty() {
            return Ok(Cow::Borrowed(path));
        }
        if cwd.len() + 1 + path.len() > PATH_MAX {
            return Err(Errno::NameTooLong);
        }
        let mut joined = Vec::with_capacity(cwd.len() + 1 + path.len());
        joined.extend_from_slice(cwd);
        joined.push(b'/');
        joined.extend_from_slice(path);
        Ok(Cow::Owned(joined))
    }

    /// `chdir(path)` by `pid`: its working directory becomes the directory `path` names
    /// (resolved as [`Files::resolve`] says). `ENOENT` if nothing is there, `ENOTDIR` if it is
    /// no directory, the path's own errors otherwise. Nothing changes on an error.
    pub fn chdir(&mut self, pid: Pid, path: &[u8]) -> Result<(), Errno> {
        let full = self.resolve(pid, path)?;
        let ino = self.fs.lookup(&full)?;
        if self.fs.kind(ino)? != kind::DIR {
            return Err(Errno::NotDir);
        }
        let normal = normalise(&full);
        if !self.tables.contains(pid) {
            return Err(Errno::Srch);
        }
        self.cwds.remove(pid);
        if normal != ROOT {
            self.cwds.insert(pid, normal)?;
        }
        Ok(())
    }

    /// Records `child`'s working directory: `parent`'s (none: `/`).
    pub(super) fn inherit_cwd(&mut self, child: Pid, parent: Option<Pid>) -> Result<(), Errno> {
        self.cwds.remove(child);
        match parent.and_then(|p| self.cwds.get(p)).cloned() {
            Some(dir) => self.cwds.insert(child, dir),
            None => Ok(()),
        }
    }
}

/// The absolute path `path` (valid, naming a directory) without empty, `.` and `..` components.
fn normalise(path: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for c in path.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    if parts.is_empty() {
        return ROOT.to_vec();
    }
    let mut out = Vec::new();
    for p in parts {
        out.push(b'/');
        out.extend_from_slice(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::Fs;

    fn pid(n: usize) -> Pid {
        Pid::from_raw(n).unwrap()
    }

    #[test]
    fn relative_paths_follow_chdir_and_children_inherit_it() {
        let mut f = Files::new(Fs::new(64));
        f.new_process(pid(1), None, [None; 3]).unwrap();
        f.mkdir(b"/a").unwrap();
        f.mkdir(b"/a/b").unwrap();
        assert_eq!(
            &*f.resolve(pid(1), b"x").unwrap(),
            b"x",
            "at / nothing is joined"
        );
        f.chdir(pid(1), b"a//./b/../b").unwrap();
        assert_eq!(f.cwd(pid(1)), b"/a/b");
        assert_eq!(&*f.resolve(pid(1), b"x").unwrap(), b"/a/b/x");
        assert_eq!(&*f.resolve(pid(1), b"/x").unwrap(), b"/x");
        f.new_process(pid(2), Some(pid(1)), [None; 3]).unwrap();
        assert_eq!(f.cwd(pid(2)), b"/a/b", "inherited");
        f.chdir(pid(2), b"..").unwrap();
        assert_eq!((f.cwd(pid(2)), f.cwd(pid(1))), (&b"/a"[..], &b"/a/b"[..]));
        f.chdir(pid(2), b"../..").unwrap();
        assert_eq!(f.cwd(pid(2)), b"/");
    }

    #[test]
    fn chdir_refuses_what_is_no_directory_and_changes_nothing() {
        let mut f = Files::new(Fs::new(64));
        f.new_process(pid(1), None, [None; 3]).unwrap();
        f.mkdir(b"/d").unwrap();
        f.chdir(pid(1), b"/d").unwrap();
        assert_eq!(f.chdir(pid(1), b"nowhere"), Err(Errno::NoEnt));
        assert_eq!(f.chdir(pid(1), b"/dev/null"), Err(Errno::NotDir));
        assert_eq!(f.chdir(pid(1), b""), Err(Errno::NoEnt));
        assert_eq!(f.cwd(pid(1)), b"/d");
        let long = alloc::vec![b'a'; PATH_MAX];
        assert_eq!(f.resolve(pid(1), &long), Err(Errno::NameTooLong));
        f.exit_process(pid(1), &mut crate::Wakes::new());
        assert_eq!(f.cwd(pid(1)), b"/", "forgotten with the process");
    }
}
