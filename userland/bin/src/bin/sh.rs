//! sh: the shell. Prints the prompt `$ ` on standard error, reads a line from standard input,
//! runs it, and repeats; at end of input it prints a newline on standard error (ending the prompt
//! line) and exits with the last command's status. `sh -c LINE` runs the one command line `LINE`
//! instead (no prompt, standard input left to the commands) and exits with its status, as POSIX
//! `sh -c` does; arguments after `LINE` are ignored (there are no variables to give them to).
//!
//! The language is `bin::shell`'s: pipelines `a | b | c`, redirections `< f`, `> f`, `>> f`,
//! `'quotes'`, `# comments`. A command without `/` runs `/bin/NAME`, with `argv[0]` = `NAME` as
//! typed. Every command of a pipeline is spawned (left to right, each reading the previous one's
//! pipe) and then all are waited for; the pipeline's status is the last command's.
//!
//! Statuses: a missing program is `sh: NAME: not found` and 127; a program that cannot be
//! started for another reason is `sh: NAME: MESSAGE` and 126; a redirection file that cannot be
//! opened is `sh: FILE: MESSAGE` and 1 (that command does not run; the rest of the pipeline
//! does); a syntax error is `sh: syntax error: …` and 2. The only builtin is `exit [N]` (N, or
//! the last status). Left out: `cd`, variables, job control, globbing.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use abi::types::{fd, open};
use bin::shell::{self, Command, Redirect};
use ulib::{Errno, eprint, eprintln, sys};

/// Status of a command that was not found.
const NOT_FOUND: i32 = 127;
/// Status of a command that was found but could not be started.
const CANNOT_RUN: i32 = 126;
/// Status of a syntax error.
const SYNTAX: i32 = 2;

/// Reads the next line from standard input, without its `\n` (a last line without one counts);
/// `None` at end of input (or on a read error, which is reported).
///
/// It reads one byte at a time so that it never takes input past the line: a command the line
/// starts, reading the same standard input, gets what follows (as POSIX asks of `sh`).
fn next_line() -> Option<Vec<u8>> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match sys::read(fd::STDIN, &mut byte) {
            Ok(0) => return (!line.is_empty()).then_some(line),
            Ok(_) if byte[0] == b'\n' => return Some(line),
            Ok(_) => line.push(byte[0]),
            Err(e) => {
                bin::report("sh", "standard input", e);
                return None;
            }
        }
    }
}

/// Usage of the one form with arguments.
const USAGE: &str = "usage: sh [-c LINE]";

fn main(args: ulib::Args) -> i32 {
    match args.get(1) {
        None => interactive(),
        Some("-c") => match args.get(2) {
            Some(line) => match run_line(line, 0) {
                Next::Continue(status) | Next::Exit(status) => status,
            },
            None => {
                eprintln!("sh: -c: no command line\n{USAGE}");
                SYNTAX
            }
        },
        Some(other) => {
            eprintln!("sh: {other}: unknown option\n{USAGE}");
            SYNTAX
        }
    }
}

/// Reads and runs lines until end of input; the last command's status.
fn interactive() -> i32 {
    let mut status = 0;
    loop {
        eprint!("$ ");
        let Some(line) = next_line() else { break };
        let Ok(line) = core::str::from_utf8(&line) else {
            eprintln!("sh: input is not UTF-8");
            status = 1;
            continue;
        };
        match run_line(line, status) {
            Next::Continue(s) => status = s,
            Next::Exit(s) => return s,
        }
    }
    eprintln!();
    status
}

/// What follows a line.
enum Next {
    /// Read the next line; the status so far.
    Continue(i32),
    /// `exit` ran: end the shell with this status.
    Exit(i32),
}

/// Parses and runs one line (`last`: the status before it, for `exit` without a number); an
/// empty line or a comment leaves the status as it was.
fn run_line(line: &str, last: i32) -> Next {
    let commands = match shell::parse(line) {
        Ok(Some(c)) => c,
        Ok(None) => return Next::Continue(last),
        Err(e) => {
            eprintln!("sh: {e}");
            return Next::Continue(SYNTAX);
        }
    };
    if let [only] = commands.as_slice()
        && only.argv[0] == "exit"
    {
        return Next::Exit(exit_status(only, last));
    }
    Next::Continue(run_pipeline(&commands))
}

/// The status `exit [N]` exits with; a bad N is reported and exits 2.
fn exit_status(cmd: &Command, last: i32) -> i32 {
    match cmd.argv.get(1) {
        None => last,
        Some(n) => n.parse().unwrap_or_else(|_| {
            eprintln!("sh: exit: {n}: not a number");
            SYNTAX
        }),
    }
}

/// Runs the commands as one pipeline and waits for all of them; the last one's status.
///
/// Descriptor rule: the shell holds at most the read end of the previous pipe, the ends of the
/// current one and the files of one command's redirections, and closes each as soon as the
/// child that needs it has been spawned (children inherit only their stdio), so a reader sees
/// end of file exactly when its writer exits.
fn run_pipeline(commands: &[Command]) -> i32 {
    let mut pids: Vec<usize> = Vec::new();
    // The last command started so far: its pid, or the status it gets for not starting.
    let mut last: Result<usize, i32> = Err(0);
    let mut prev_read: Option<usize> = None;
    for (i, cmd) in commands.iter().enumerate() {
        let (next_read, pipe_write) = if i + 1 == commands.len() {
            (None, None)
        } else {
            match sys::pipe() {
                Ok((r, w)) => (Some(r), Some(w)),
                Err(e) => {
                    bin::report("sh", "pipe", e);
                    last = Err(1);
                    break;
                }
            }
        };
        last = spawn_command(cmd, prev_read, pipe_write);
        close(prev_read);
        close(pipe_write);
        prev_read = next_read;
        if let Ok(pid) = last {
            pids.push(pid);
        }
    }
    close(prev_read);
    let mut status = last.err().unwrap_or(0);
    for &pid in &pids {
        match sys::wait(Some(pid)) {
            Ok((_, s)) if last == Ok(pid) => status = s,
            Ok(_) => {}
            Err(e) => bin::report("sh", "wait", e),
        }
    }
    status
}

/// Spawns `cmd` with standard input `input` and standard output `output` (`None`: the shell's
/// own), after its redirections. The child's pid, or the status to record if it did not start.
fn spawn_command(cmd: &Command, input: Option<usize>, output: Option<usize>) -> Result<usize, i32> {
    // The files this command's redirections opened, closed once the child has them.
    let mut opened: Vec<usize> = Vec::new();
    let mut stdio = [
        input.map_or(-1, |f| f as i32),
        output.map_or(-1, |f| f as i32),
        -1,
    ];
    for r in &cmd.redirects {
        let (path, flags, slot) = match r {
            Redirect::In(p) => (p, open::RDONLY, 0),
            Redirect::Out(p) => (p, open::WRONLY | open::CREAT | open::TRUNC, 1),
            Redirect::Append(p) => (p, open::WRONLY | open::CREAT | open::APPEND, 1),
        };
        match sys::open(path, flags) {
            Ok(f) => {
                opened.push(f);
                stdio[slot] = f as i32;
            }
            Err(e) => {
                bin::report("sh", path, e);
                opened.into_iter().for_each(|f| close(Some(f)));
                return Err(1);
            }
        }
    }
    let path = bin::program_path(&cmd.argv[0]);
    let args: Vec<&str> = cmd.argv.iter().map(|a| a.as_str()).collect();
    let result = sys::spawn(&path, &args, Some(stdio));
    opened.into_iter().for_each(|f| close(Some(f)));
    result.map_err(|e| {
        if e == Errno::NoEnt {
            eprintln!("sh: {}: not found", cmd.argv[0]);
            NOT_FOUND
        } else {
            bin::report("sh", &cmd.argv[0], e);
            CANNOT_RUN
        }
    })
}

/// Closes `f` if there is one; a close error would mean the shell lost track of its own
/// descriptors, so it is reported.
fn close(f: Option<usize>) {
    if let Some(f) = f
        && let Err(e) = sys::close(f)
    {
        bin::report("sh", "close", e);
    }
}

ulib::entry!(main);
