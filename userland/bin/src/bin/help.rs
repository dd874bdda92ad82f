//! help: what the shell offers — its syntax, its builtins, the console keys, and the programs
//! of `/bin` (read from the directory, so the list stays true).
#![no_std]
#![no_main]

use abi::types::open;
use ulib::{print, println, sys};

/// The shell and the console, in a few lines.
const TEXT: &str = "\
sh syntax:  a; b   a && b   a || b   a | b   a &   $?   $NAME   \"text $NAME\"   'text'   *
            < f   > f   >> f   2> f   2>> f   2>&1   >&2   NAME=value   # comment
builtins:   exit [N]   wait   jobs   cd [DIR]   pwd
console:    Ctrl-C interrupts the foreground job; up/down recall earlier lines;
            Backspace erases, Ctrl-U erases the line, Ctrl-D ends input
klab keys:  Ctrl-A h help, Ctrl-A x quit";

fn main(_args: ulib::Args) -> i32 {
    println!("{TEXT}");
    print!("programs:  ");
    if let Ok(f) = sys::open("/bin", open::RDONLY) {
        while let Ok(Some(e)) = sys::readdir(f) {
            if let Ok(n) = core::str::from_utf8(e.name()) {
                print!(" {n}");
            }
        }
        let _ = sys::close(f);
    }
    println!();
    0
}

ulib::entry!(main);
