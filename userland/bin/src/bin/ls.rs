//! ls: lists directories. `ls [-l] [PATH…]` (default `.`, the working directory):
//! a directory's entries one per line in the order `readdir` gives them (the kernels give them
//! sorted by name; `.` and `..`, should a kernel list them, are left out), a directory's name
//! suffixed `/`; a PATH that is not a directory prints as given. With several PATHs, each
//! directory's listing is headed by a `PATH:` line.
//!
//! `-l` prints `KIND SIZE NAME` in fixed columns: KIND is `file`, `dir`, `dev` or `pipe` padded
//! to 4, SIZE is `fstat`'s size (a directory's is its number of entries) right-aligned in 8, or
//! `?` if the entry could not be opened. Errors: `ls: PATH: MESSAGE`, status 1.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use abi::types::{kind, open};
use ulib::{Errno, eprintln, println, sys};

/// A kind's column text.
fn kind_name(k: u32) -> &'static str {
    match k {
        kind::FILE => "file",
        kind::DIR => "dir",
        kind::DEVICE => "dev",
        kind::PIPE => "pipe",
        _ => "?",
    }
}

/// Prints one line: the name, and the kind and size with `-l`.
fn line(long: bool, k: u32, size: Option<u64>, name: &str) {
    let slash = if k == kind::DIR && !name.ends_with('/') {
        "/"
    } else {
        ""
    };
    if long {
        let size_text = size.map_or(String::from("?"), |s| format!("{s}"));
        println!("{:<4} {:>8} {name}{slash}", kind_name(k), size_text);
    } else {
        println!("{name}{slash}");
    }
}

/// The size `fstat` gives `path`, if it can be opened.
fn size_of(path: &str) -> Option<u64> {
    let f = sys::open(path, open::RDONLY).ok()?;
    let st = sys::fstat(f);
    let _ = sys::close(f);
    st.ok().map(|s| s.size)
}

/// Lists `path`; `header` when several paths are listed.
fn list(path: &str, long: bool, header: bool) -> Result<(), Errno> {
    let f = sys::open(path, open::RDONLY)?;
    let result = list_open(f, path, long, header);
    let _ = sys::close(f);
    result
}

fn list_open(f: usize, path: &str, long: bool, header: bool) -> Result<(), Errno> {
    let st = sys::fstat(f)?;
    if st.kind != kind::DIR {
        line(long, st.kind, Some(st.size), path);
        return Ok(());
    }
    if header {
        println!("{path}:");
    }
    // Entries first, then the sizes: `size_of` opens each entry, and the fds are few.
    let mut entries = Vec::new();
    while let Some(e) = sys::readdir(f)? {
        entries.push(e);
    }
    for e in entries
        .iter()
        .filter(|e| e.name() != b"." && e.name() != b"..")
    {
        let name = core::str::from_utf8(e.name()).unwrap_or("\u{fffd}");
        let size = if long {
            let mut full = String::from(path);
            if !full.ends_with('/') {
                full.push('/');
            }
            full.push_str(name);
            size_of(&full)
        } else {
            None
        };
        line(long, e.kind, size, name);
    }
    Ok(())
}

fn main(args: ulib::Args) -> i32 {
    let mut long = false;
    let mut paths: Vec<&str> = Vec::new();
    for a in args.iter().skip(1) {
        match a {
            "-l" if paths.is_empty() => long = true,
            _ if a.starts_with('-') && a.len() > 1 && paths.is_empty() => {
                eprintln!("ls: {a}: unknown option (usage: ls [-l] [PATH...])");
                return 2;
            }
            _ => paths.push(a),
        }
    }
    if paths.is_empty() {
        paths.push(".");
    }
    let mut status = 0;
    for &p in &paths {
        if let Err(e) = list(p, long, paths.len() > 1) {
            bin::report("ls", p, e);
            status = 1;
        }
    }
    status
}

ulib::entry!(main);
