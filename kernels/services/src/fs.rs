//! The in-memory file system: a tree of directories, files and devices, populated from the ustar
//! initrd, with Unix link and open counts so an unlinked file lives on while it is open.
//!
//! ```text
//! /                 ROOT (ino 1), writable: new files and directories may go here (/tmp, /x)
//! ├── bin/          from the archive: read-only, like everything the archive holds
//! │   ├── hello
//! │   └── sh
//! └── dev/          built in, read-only directory
//!     ├── console   Device::Console
//!     ├── null      Device::Null
//!     └── zero      Device::Zero
//! ```
//!
//! Rules:
//! - **Inode numbers** index a table; [`ROOT`] is 1 and 0 is never used (it is `Stat::ino` of a
//!   pipe). A freed number is reused, lowest first. At most `capacity` inodes live at once (the
//!   five built-in ones count); one more is `ENOSPC`.
//! - **Read-only rule**: every node the archive made (files and directories, intermediate ones
//!   too) and the built-in `/dev` with its devices are read-only; the root and everything created
//!   later are writable. Writing or truncating a read-only file, creating in a read-only
//!   directory, and unlinking a read-only node are `EROFS`. A device's node is read-only, but its
//!   I/O is not this module's business ([`crate::files`] does it; here it is `EINVAL`).
//! - **Archive data is borrowed**: a file from the archive is a slice of it (`Fs<'a>` borrows the
//!   archive for `'a`; the kernel keeps the initrd forever, so `Fs<'static>`). Only bytes written
//!   into new files count against `max_bytes` ([`DEFAULT_MAX_BYTES`]); beyond it a write is
//!   partial, and `ENOSPC` when nothing fits.
//! - **Written data is paged** (`data`): a written file's bytes live in pages of [`PAGE`] bytes,
//!   so a write copies only its own bytes whatever the file's size (appending N bytes costs
//!   O(N)), and a long read or write goes a page at a time, asking its caller between pages
//!   whether to stop short ([`crate::Preempt`]).
//! - **Paths**: there is no working directory, so a relative path is taken from the root. Split at
//!   `/`; empty and `.` components are skipped (so `//bin/./sh/` is `/bin/sh`); `..` goes to the
//!   parent (the root's parent is the root). An empty path is `ENOENT`; a path longer than
//!   [`PATH_MAX`] or a component longer than [`NAME_MAX`] is `ENAMETOOLONG` and a NUL byte in it
//!   `EINVAL`, checked before anything is looked up; walking through a non-directory is `ENOTDIR`,
//!   a missing component `ENOENT`. Creating, making a directory or unlinking needs a final name:
//!   a path ending in `.` or `..` is `EINVAL`; the root itself is `EEXIST` to create and `EBUSY`
//!   to unlink.
//! - **Unlink**: a file, or an empty directory (`ENOTEMPTY` otherwise). The name goes at once; the
//!   inode and its bytes go when it is also no longer open ([`Fs::retain`], [`Fs::release`]).
//! - **Directories** list their entries sorted by name (bytewise), without `.` and `..`; a
//!   directory's size is its number of entries.
//! - **Archive format**: ustar (and the GNU and v7 variants `tar-no-std` reads). Names may start
//!   with `./` or `/`; directory entries are optional (missing directories are made); entries
//!   other than regular files and directories (links, devices, PAX headers) are skipped. A
//!   malformed archive is `EINVAL`, a name with `..` or a non-UTF-8 name `EINVAL`, two entries
//!   with one name `EEXIST`, and a name through a file `ENOTDIR`: errors, never panics.
//!
//! Left out: permissions and owners, times, hard links beyond the one name, symbolic links,
//! renaming, and truncating to a length other than zero.

use abi::Errno;
use abi::types::{DirEntry, NAME_MAX, PATH_MAX, Stat, kind};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use tar_no_std::{TarArchiveRef, TypeFlag};

mod data;

pub use data::PAGE;
use data::Pages;

/// Most inodes in the file system, under both kernels.
pub const INODES: usize = 1024;

/// An inode number: an index into the inode table.
pub type Ino = usize;

/// The root directory's inode number (stable: the root is made first and never freed).
pub const ROOT: Ino = 1;

/// Bytes all written files may hold together, unless [`Fs::with_limits`] says otherwise.
pub const DEFAULT_MAX_BYTES: usize = 16 << 20;

/// Inodes [`Fs::new`] makes: the root, `/dev` and its three devices.
const BUILTIN_INODES: usize = 5;

/// A device node in `/dev`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// The console: I/O goes through the kernel's (or console server's) line discipline.
    Console,
    /// Reads end of file, swallows writes.
    Null,
    /// Reads zeros, swallows writes.
    Zero,
}

impl Device {
    /// Every device, in the order `/dev` lists them.
    pub const ALL: [Device; 3] = [Device::Console, Device::Null, Device::Zero];

    /// The name in `/dev`.
    pub const fn name(self) -> &'static str {
        match self {
            Device::Console => "console",
            Device::Null => "null",
            Device::Zero => "zero",
        }
    }
}

/// A file's bytes: borrowed from the archive, or owned in pages (and counted against
/// `max_bytes`).
enum Data<'a> {
    Archive(&'a [u8]),
    Owned(Pages),
}

impl Data<'_> {
    fn len(&self) -> usize {
        match self {
            Data::Archive(b) => b.len(),
            Data::Owned(p) => p.len(),
        }
    }

    fn read(&self, offset: usize, buf: &mut [u8]) -> usize {
        match self {
            Data::Archive(b) => {
                let src = b.get(offset..).unwrap_or_default();
                let n = src.len().min(buf.len());
                buf[..n].copy_from_slice(&src[..n]);
                n
            }
            Data::Owned(p) => p.read(offset, buf),
        }
    }
}

impl fmt::Debug for Data<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Data::Archive(b) => write!(f, "Archive({} bytes)", b.len()),
            Data::Owned(p) => write!(f, "Owned({} bytes)", p.len()),
        }
    }
}

/// A directory: its parent and its entries, sorted by name, names unique.
#[derive(Debug)]
struct Dir {
    parent: Ino,
    entries: Vec<(Box<[u8]>, Ino)>,
}

impl Dir {
    /// Where `name` is, or where it would go.
    fn search(&self, name: &[u8]) -> Result<usize, usize> {
        self.entries.binary_search_by(|(n, _)| (**n).cmp(name))
    }

    fn find(&self, name: &[u8]) -> Option<Ino> {
        self.search(name).ok().map(|i| self.entries[i].1)
    }
}

/// What an inode is.
#[derive(Debug)]
enum Body<'a> {
    File(Data<'a>),
    Dir(Dir),
    Device(Device),
    /// A named pipe ([`Fs::mkfifo`]): the pipe's id in [`crate::files::Files`], which does its
    /// I/O (here, like a device's, it is `EINVAL`).
    Fifo(usize),
}

#[derive(Debug)]
struct Inode<'a> {
    body: Body<'a>,
    /// Names referring to it: 1 while in a directory (the root: always), 0 once unlinked.
    links: usize,
    /// Open files referring to it ([`Fs::retain`]).
    opens: usize,
    /// See the module note's read-only rule.
    readonly: bool,
    /// Made by the archive: [`Fs::populate_ustar`] may add to such a directory.
    archive: bool,
}

/// One component of a checked path.
#[derive(Clone, Copy)]
enum Component<'p> {
    Name(&'p [u8]),
    Parent,
}

/// Checks the syntax of `path` (see the module note): length, component lengths, NUL bytes.
fn check_path(path: &[u8]) -> Result<(), Errno> {
    if path.is_empty() {
        return Err(Errno::NoEnt);
    }
    if path.len() > PATH_MAX {
        return Err(Errno::NameTooLong);
    }
    for c in path.split(|&b| b == b'/') {
        if c.len() > NAME_MAX {
            return Err(Errno::NameTooLong);
        }
        if c.contains(&0) {
            return Err(Errno::Inval);
        }
    }
    Ok(())
}

/// The components of a path, without empty and `.` ones.
fn components(path: &[u8]) -> impl Iterator<Item = Component<'_>> {
    path.split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .map(|c| {
            if c == b".." {
                Component::Parent
            } else {
                Component::Name(c)
            }
        })
}

/// The in-memory file system.
#[derive(Debug)]
pub struct Fs<'a> {
    /// Indexed by [`Ino`]; slot 0 is never used, `None` is a free number.
    inodes: Vec<Option<Inode<'a>>>,
    live: usize,
    capacity: usize,
    bytes: usize,
    max_bytes: usize,
}

impl<'a> Fs<'a> {
    /// An empty file system of at most `capacity` inodes (raised to the five built-in ones if
    /// smaller) and [`DEFAULT_MAX_BYTES`]: the root and `/dev` with `console`, `null`, `zero`.
    pub fn new(capacity: usize) -> Fs<'a> {
        Fs::with_limits(capacity, DEFAULT_MAX_BYTES)
    }

    /// [`Fs::new`] with a limit of `max_bytes` bytes on what written files hold together.
    pub fn with_limits(capacity: usize, max_bytes: usize) -> Fs<'a> {
        let capacity = capacity.max(BUILTIN_INODES);
        let mut fs = Fs {
            inodes: Vec::new(),
            live: 0,
            capacity,
            bytes: 0,
            max_bytes,
        };
        fs.inodes.push(None);
        let root = Dir {
            parent: ROOT,
            entries: Vec::new(),
        };
        fs.inodes.push(Some(Inode {
            body: Body::Dir(root),
            links: 1,
            opens: 0,
            readonly: false,
            archive: false,
        }));
        fs.live = 1;
        // Capacity is at least BUILTIN_INODES and names are short and unique: these cannot fail.
        if let Ok(dev) = fs.add(
            ROOT,
            b"dev",
            Body::Dir(Dir {
                parent: ROOT,
                entries: Vec::new(),
            }),
            true,
            false,
        ) {
            for d in Device::ALL {
                let _ = fs.add(dev, d.name().as_bytes(), Body::Device(d), true, false);
            }
        }
        fs
    }

    /// A file system of `capacity` inodes holding what the ustar `archive` holds (see
    /// [`Fs::populate_ustar`]).
    pub fn from_ustar(archive: &'a [u8], capacity: usize) -> Result<Fs<'a>, Errno> {
        let mut fs = Fs::new(capacity);
        fs.populate_ustar(archive)?;
        Ok(fs)
    }

    /// Adds the regular files and directories of the ustar `archive`, read-only, borrowing the
    /// files' bytes. Errors as the module note says, `ENOSPC` when out of inodes; after an error
    /// the entries before the bad one stay.
    pub fn populate_ustar(&mut self, archive: &'a [u8]) -> Result<(), Errno> {
        const BLOCK: usize = 512;
        let tar = TarArchiveRef::new(archive).map_err(|_| Errno::Inval)?;
        for (block, hdr) in tar.headers() {
            let flag = hdr.typeflag.try_to_type_flag().map_err(|_| Errno::Inval)?;
            let data = if flag.is_regular_file() {
                let size: usize = hdr.size.as_number().map_err(|_| Errno::Inval)?;
                let start = block
                    .checked_add(1)
                    .and_then(|b| b.checked_mul(BLOCK))
                    .ok_or(Errno::Inval)?;
                let end = start.checked_add(size).ok_or(Errno::Inval)?;
                Some(archive.get(start..end).ok_or(Errno::Inval)?)
            } else if flag == TypeFlag::DIRTYPE {
                None
            } else {
                continue;
            };
            let name = hdr.name.as_str().map_err(|_| Errno::Inval)?;
            // The ustar prefix field; older formats use those bytes for other things.
            let is_ustar = hdr.magic.as_str() == Ok("ustar") && hdr.version.as_str() == Ok("00");
            let prefix = if is_ustar {
                hdr.prefix.as_str().map_err(|_| Errno::Inval)?
            } else {
                ""
            };
            self.add_archive_entry(prefix.as_bytes(), name.as_bytes(), data)?;
        }
        Ok(())
    }

    /// Adds one archive entry named `prefix/name`: a file with `data`, or a directory (`None`).
    fn add_archive_entry(
        &mut self,
        prefix: &[u8],
        name: &[u8],
        data: Option<&'a [u8]>,
    ) -> Result<(), Errno> {
        let mut parts: Vec<&[u8]> = Vec::new();
        for c in prefix
            .split(|&b| b == b'/')
            .chain(name.split(|&b| b == b'/'))
        {
            match c {
                b"" | b"." => {}
                b".." => return Err(Errno::Inval),
                c if c.len() > NAME_MAX => return Err(Errno::NameTooLong),
                c => parts.push(c),
            }
        }
        let Some((&last, dirs)) = parts.split_last() else {
            // "./" names the root: nothing to add. A file cannot be the root.
            return if data.is_none() {
                Ok(())
            } else {
                Err(Errno::Inval)
            };
        };
        let mut cur = ROOT;
        for &d in dirs {
            cur = match self.dir(cur)?.find(d) {
                Some(ino) if self.dir(ino).is_ok() => ino,
                Some(_) => return Err(Errno::NotDir),
                None => self.add_from_archive(cur, d, None)?,
            };
        }
        match (self.dir(cur)?.find(last), data) {
            (None, data) => self.add_from_archive(cur, last, data).map(|_| ()),
            (Some(ino), None) if self.dir(ino).is_ok() => Ok(()),
            (Some(_), _) => Err(Errno::Exist),
        }
    }

    /// Adds a read-only node from the archive to `dir`, which must be writable or from the
    /// archive itself (not `/dev`: `EROFS`).
    fn add_from_archive(
        &mut self,
        dir: Ino,
        name: &[u8],
        data: Option<&'a [u8]>,
    ) -> Result<Ino, Errno> {
        let parent = self.inode(dir)?;
        if parent.readonly && !parent.archive {
            return Err(Errno::RoFs);
        }
        let body = match data {
            Some(b) => Body::File(Data::Archive(b)),
            None => Body::Dir(Dir {
                parent: dir,
                entries: Vec::new(),
            }),
        };
        self.add(dir, name, body, true, true)
    }

    /// Makes an inode with `body` and links it into directory `dir` as `name` (not there yet).
    /// `ENOSPC` when every inode is in use.
    fn add(
        &mut self,
        dir: Ino,
        name: &[u8],
        body: Body<'a>,
        readonly: bool,
        archive: bool,
    ) -> Result<Ino, Errno> {
        let pos = match self.dir(dir)?.search(name) {
            Ok(_) => return Err(Errno::Exist),
            Err(pos) => pos,
        };
        if self.live >= self.capacity {
            return Err(Errno::NoSpc);
        }
        let inode = Inode {
            body,
            links: 1,
            opens: 0,
            readonly,
            archive,
        };
        let ino = match self.inodes.iter().skip(1).position(Option::is_none) {
            Some(i) => {
                self.inodes[i + 1] = Some(inode);
                i + 1
            }
            None => {
                self.inodes.push(Some(inode));
                self.inodes.len() - 1
            }
        };
        self.live += 1;
        if let Some(Some(Inode {
            body: Body::Dir(d), ..
        })) = self.inodes.get_mut(dir)
        {
            d.entries.insert(pos, (Box::from(name), ino));
        }
        Ok(ino)
    }

    fn inode(&self, ino: Ino) -> Result<&Inode<'a>, Errno> {
        self.inodes
            .get(ino)
            .and_then(Option::as_ref)
            .ok_or(Errno::NoEnt)
    }

    /// The bytes of writable file `ino`: `EROFS` for a read-only file, `EISDIR` for a
    /// directory, `EINVAL` for a device.
    fn owned_data(&mut self, ino: Ino) -> Result<&mut Pages, Errno> {
        let node = self.inode_mut(ino)?;
        let readonly = node.readonly;
        match &mut node.body {
            Body::Dir(_) => Err(Errno::IsDir),
            Body::Device(_) | Body::Fifo(_) => Err(Errno::Inval),
            Body::File(_) if readonly => Err(Errno::RoFs),
            Body::File(Data::Archive(_)) => Err(Errno::RoFs),
            Body::File(Data::Owned(v)) => Ok(v),
        }
    }

    fn inode_mut(&mut self, ino: Ino) -> Result<&mut Inode<'a>, Errno> {
        self.inodes
            .get_mut(ino)
            .and_then(Option::as_mut)
            .ok_or(Errno::NoEnt)
    }

    /// The directory `ino`: `ENOTDIR` if it is something else, `ENOENT` if it is no inode.
    fn dir(&self, ino: Ino) -> Result<&Dir, Errno> {
        match &self.inode(ino)?.body {
            Body::Dir(d) => Ok(d),
            _ => Err(Errno::NotDir),
        }
    }

    /// Follows checked `components` from the root.
    fn walk<'p>(&self, components: impl Iterator<Item = Component<'p>>) -> Result<Ino, Errno> {
        let mut cur = ROOT;
        for c in components {
            let dir = self.dir(cur)?;
            cur = match c {
                Component::Parent => dir.parent,
                Component::Name(n) => dir.find(n).ok_or(Errno::NoEnt)?,
            };
        }
        Ok(cur)
    }

    /// The directory that holds (or would hold) the last component of `path`, and that name;
    /// `None` if `path` names the root. See the module note for the errors.
    fn parent_of<'p>(&self, path: &'p [u8]) -> Result<Option<(Ino, &'p [u8])>, Errno> {
        check_path(path)?;
        let end = path.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
        let trimmed = &path[..end];
        if trimmed.is_empty() {
            return Ok(None);
        }
        let (head, name) = match trimmed.iter().rposition(|&b| b == b'/') {
            Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
            None => (&trimmed[..0], trimmed),
        };
        if name == b"." || name == b".." {
            return Err(Errno::Inval);
        }
        let dir = self.walk(components(head))?;
        self.dir(dir)?;
        Ok(Some((dir, name)))
    }

    /// The inode `path` names.
    pub fn lookup(&self, path: &[u8]) -> Result<Ino, Errno> {
        check_path(path)?;
        self.walk(components(path))
    }

    /// Makes an empty writable file at `path` (`EEXIST` if the name exists, `EROFS` in a
    /// read-only directory, `ENOSPC` without a free inode).
    pub fn create_file(&mut self, path: &[u8]) -> Result<Ino, Errno> {
        self.create(path, Body::File(Data::Owned(Pages::new())))
    }

    /// Makes a named pipe at `path` standing for pipe `pipe` of the caller's (errors as
    /// [`Fs::create_file`]).
    pub fn mkfifo(&mut self, path: &[u8], pipe: usize) -> Result<Ino, Errno> {
        self.create(path, Body::Fifo(pipe))
    }

    /// The pipe `ino` names, if it is a named pipe.
    pub fn fifo(&self, ino: Ino) -> Option<usize> {
        match self.inode(ino).ok()?.body {
            Body::Fifo(p) => Some(p),
            _ => None,
        }
    }

    /// Makes an empty writable directory at `path` (errors as [`Fs::create_file`]).
    pub fn mkdir(&mut self, path: &[u8]) -> Result<Ino, Errno> {
        // The parent is filled in by `create`, which knows it.
        self.create(
            path,
            Body::Dir(Dir {
                parent: ROOT,
                entries: Vec::new(),
            }),
        )
    }

    fn create(&mut self, path: &[u8], mut body: Body<'a>) -> Result<Ino, Errno> {
        let (dir, name) = self.parent_of(path)?.ok_or(Errno::Exist)?;
        if self.dir(dir)?.find(name).is_some() {
            return Err(Errno::Exist);
        }
        if self.inode(dir)?.readonly {
            return Err(Errno::RoFs);
        }
        if let Body::Dir(d) = &mut body {
            d.parent = dir;
        }
        self.add(dir, name, body, false, false)
    }

    /// Removes the name `path`: a file, or an empty directory (`ENOTEMPTY`). `EROFS` if the node
    /// or its directory is read-only; `EBUSY` for the root. The inode goes once nothing has it
    /// open either.
    pub fn unlink(&mut self, path: &[u8]) -> Result<(), Errno> {
        let (dir, name) = self.parent_of(path)?.ok_or(Errno::Busy)?;
        let d = self.dir(dir)?;
        let pos = d.search(name).map_err(|_| Errno::NoEnt)?;
        let ino = d.entries[pos].1;
        let node = self.inode(ino)?;
        if node.readonly || self.inode(dir)?.readonly {
            return Err(Errno::RoFs);
        }
        if let Body::Dir(sub) = &node.body
            && !sub.entries.is_empty()
        {
            return Err(Errno::NotEmpty);
        }
        if let Some(Some(Inode {
            body: Body::Dir(d), ..
        })) = self.inodes.get_mut(dir)
        {
            d.entries.remove(pos);
        }
        let node = self.inode_mut(ino)?;
        node.links = 0;
        if node.opens == 0 {
            self.free(ino);
        }
        Ok(())
    }

    /// One more open file refers to `ino` (`ENOENT` if it is no inode).
    pub fn retain(&mut self, ino: Ino) -> Result<(), Errno> {
        let node = self.inode_mut(ino)?;
        node.opens = node.opens.saturating_add(1);
        Ok(())
    }

    /// One open file fewer refers to `ino`; an unlinked inode is freed with its last release.
    /// Nothing happens for an inode that is not open.
    pub fn release(&mut self, ino: Ino) {
        if let Ok(node) = self.inode_mut(ino)
            && node.opens > 0
        {
            node.opens -= 1;
            if node.opens == 0 && node.links == 0 {
                self.free(ino);
            }
        }
    }

    /// Frees inode `ino` and the bytes it holds.
    fn free(&mut self, ino: Ino) {
        if let Some(slot) = self.inodes.get_mut(ino)
            && let Some(node) = slot.take()
        {
            self.live -= 1;
            if let Body::File(Data::Owned(p)) = node.body {
                self.bytes -= p.len();
            }
        }
    }

    /// The kind of `ino`, one of [`abi::types::kind`].
    pub fn kind(&self, ino: Ino) -> Result<u32, Errno> {
        Ok(match self.inode(ino)?.body {
            Body::File(_) => kind::FILE,
            Body::Dir(_) => kind::DIR,
            Body::Device(_) => kind::DEVICE,
            Body::Fifo(_) => kind::FIFO,
        })
    }

    /// The size of `ino`: a file's bytes, a directory's entries, 0 for a device.
    pub fn size(&self, ino: Ino) -> Result<usize, Errno> {
        Ok(match &self.inode(ino)?.body {
            Body::File(data) => data.len(),
            Body::Dir(d) => d.entries.len(),
            Body::Device(_) | Body::Fifo(_) => 0,
        })
    }

    /// What `fstat` reports for `ino`.
    pub fn stat(&self, ino: Ino) -> Result<Stat, Errno> {
        Ok(Stat {
            kind: self.kind(ino)?,
            _pad: 0,
            size: self.size(ino)? as u64,
            ino: ino as u64,
        })
    }

    /// Whether `ino` is read-only (see the module note); true for no inode.
    pub fn is_readonly(&self, ino: Ino) -> bool {
        self.inode(ino).ok().is_none_or(|n| n.readonly)
    }

    /// The device `ino` is, if it is one.
    pub fn device(&self, ino: Ino) -> Option<Device> {
        match self.inode(ino).ok()?.body {
            Body::Device(d) => Some(d),
            _ => None,
        }
    }

    /// The content of file `ino`, a piece at a time (one piece for an archive file, one per
    /// page for a written one: the ELF loader copies a written program out of these); `None` if
    /// `ino` is not a file.
    pub fn file_chunks(&self, ino: Ino) -> Option<impl Iterator<Item = &[u8]>> {
        let Body::File(data) = &self.inode(ino).ok()?.body else {
            return None;
        };
        let (archive, pages) = match data {
            Data::Archive(b) => (Some(*b), None),
            Data::Owned(p) => (None, Some(p)),
        };
        Some(
            archive
                .into_iter()
                .chain(pages.into_iter().flat_map(Pages::chunks)),
        )
    }

    /// The content of file `ino` if it comes from the archive, borrowed for as long as the
    /// archive lives (so a kernel can load a program without copying it); `None` for written
    /// files (use [`Fs::file_chunks`]) and non-files.
    pub fn archive_bytes(&self, ino: Ino) -> Option<&'a [u8]> {
        match &self.inode(ino).ok()?.body {
            Body::File(Data::Archive(b)) => Some(b),
            _ => None,
        }
    }

    /// Copies bytes of file `ino` from `offset` into `buf`: how many (0 at or past the end).
    /// `EISDIR` for a directory, `EINVAL` for a device.
    pub fn read(&self, ino: Ino, offset: usize, buf: &mut [u8]) -> Result<usize, Errno> {
        self.read_with(ino, offset, buf, &mut crate::never)
    }

    /// [`Fs::read`] a page of the file at a time, stopping early with a short count when
    /// `preempt` says so between pages, once a page's worth is copied (see [`crate::Preempt`]).
    pub fn read_with(
        &self,
        ino: Ino,
        offset: usize,
        buf: &mut [u8],
        preempt: crate::Preempt<'_>,
    ) -> Result<usize, Errno> {
        let data = match &self.inode(ino)?.body {
            Body::File(data) => data,
            Body::Dir(_) => return Err(Errno::IsDir),
            Body::Device(_) | Body::Fifo(_) => return Err(Errno::Inval),
        };
        let mut done = 0;
        while done < buf.len() {
            let at = offset.saturating_add(done);
            let k = (buf.len() - done).min(PAGE - at % PAGE);
            let n = data.read(at, &mut buf[done..done + k]);
            done += n;
            if n < k || (done < buf.len() && done >= PAGE && preempt()) {
                break;
            }
        }
        Ok(done)
    }

    /// Writes `data` into file `ino` at `offset`, growing it and filling a hole before `offset`
    /// with zeros: how many bytes were written. Fewer than `data.len()` if the byte limit is
    /// reached, `ENOSPC` if not one byte fits; `EROFS` for a read-only file, `EISDIR` for a
    /// directory, `EINVAL` for a device, `ENOMEM` if the kernel heap cannot hold the growth
    /// (fewer bytes if some fitted). A write copies only its own bytes, whatever the file's size.
    pub fn write(&mut self, ino: Ino, offset: usize, data: &[u8]) -> Result<usize, Errno> {
        self.write_with(ino, offset, data, &mut crate::never)
    }

    /// [`Fs::write`] a page of the file at a time, stopping early with a short count when
    /// `preempt` says so between pages, once a page's worth is copied (see [`crate::Preempt`]).
    pub fn write_with(
        &mut self,
        ino: Ino,
        offset: usize,
        data: &[u8],
        preempt: crate::Preempt<'_>,
    ) -> Result<usize, Errno> {
        let mut done = 0;
        loop {
            let at = offset.saturating_add(done);
            let k = (data.len() - done).min(PAGE - at % PAGE);
            match self.write_piece(ino, at, &data[done..done + k]) {
                Ok(n) => {
                    done += n;
                    if n < k {
                        break;
                    }
                }
                Err(e) if done == 0 => return Err(e),
                Err(_) => break,
            }
            if done == data.len() || (done >= PAGE && preempt()) {
                break;
            }
        }
        Ok(done)
    }

    /// [`Fs::write`] of a piece that stays within one page of the file.
    fn write_piece(&mut self, ino: Ino, offset: usize, data: &[u8]) -> Result<usize, Errno> {
        let room = self.max_bytes.saturating_sub(self.bytes);
        let pages = self.owned_data(ino)?;
        if data.is_empty() {
            return Ok(0);
        }
        // The file may grow to `limit` bytes.
        let limit = pages.len().saturating_add(room);
        if offset >= limit {
            return Err(Errno::NoSpc);
        }
        let n = data.len().min(limit - offset);
        let old = pages.len();
        let written = pages.write(offset, &data[..n]);
        self.bytes += pages.len() - old;
        written
    }

    /// Makes file `ino` empty, giving its bytes back. `EROFS` for a read-only file, `EISDIR` for
    /// a directory, `EINVAL` for a device.
    pub fn truncate(&mut self, ino: Ino) -> Result<(), Errno> {
        let pages = self.owned_data(ino)?;
        let freed = pages.len();
        pages.clear();
        self.bytes -= freed;
        Ok(())
    }

    /// Entry `index` (in name order) of directory `ino`; `None` past the end or if `ino` is not
    /// a directory.
    pub fn dir_entry(&self, ino: Ino, index: usize) -> Option<DirEntry> {
        let (name, child) = self.dir(ino).ok()?.entries.get(index)?;
        let mut e = DirEntry {
            ino: *child as u64,
            kind: self.kind(*child).ok()?,
            ..DirEntry::default()
        };
        // Names are at most NAME_MAX bytes: every way in checks it.
        let n = name.len().min(NAME_MAX);
        e.name[..n].copy_from_slice(&name[..n]);
        e.name_len = n as u32;
        Some(e)
    }

    /// Inodes in use.
    pub fn inodes_used(&self) -> usize {
        self.live
    }

    /// Most inodes in use at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Bytes written files hold (archive files are not counted: they are borrowed).
    pub fn bytes_used(&self) -> usize {
        self.bytes
    }

    /// Most bytes written files may hold together.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

#[cfg(test)]
pub(crate) mod tests;
