//! sh: the shell. Prints the prompt `$ ` on standard error, reads a line from standard input,
//! runs it, and repeats; at end of input it prints a newline on standard error (ending the prompt
//! line) and exits with the last command's status. `sh -c LINE` runs the one command line `LINE`
//! instead (no prompt, standard input left to the commands, no job control) and exits with its
//! status, as POSIX `sh -c` does; arguments after `LINE` are ignored.
//!
//! The language is `bin::shell`'s: lists `a; b`, `a && b`, `a || b`, background `a &`,
//! pipelines `a | b | c`, redirections `< f`, `> f`, `>> f`, `2> f`, `2>> f`, `2>&1`, `>&2`,
//! `'quotes'`, `"quotes with $VAR"`, `$?`, `$!`, `*` globbing, `# comments`. A command without `/` runs
//! `/bin/NAME`, with `argv[0]` = `NAME` as typed. Every command of a pipeline is spawned (left to
//! right, each reading the previous one's pipe) and then all are waited for; the pipeline's
//! status is the last command's.
//!
//! **Job control** (interactive only): the shell ignores `SIGINT`; each pipeline is put in a
//! process group of its own (numbered by its first process) and, in the foreground, made the
//! console's foreground group (`tcsetpgrp`) until it ends, so a Ctrl-C interrupts the job and
//! not the shell; the shell then takes the console back. A background job (`&`) keeps its own
//! group and is not waited for: `[N] PGID` is printed, and `[N] Done TEXT` before a later prompt
//! once all its processes have ended. A background list with `&&`/`||` runs in a child
//! `sh -c`.
//!
//! Statuses: a missing program is `sh: NAME: not found` and 127; a program that cannot be
//! started for another reason is `sh: NAME: MESSAGE` and 126; a redirection file that cannot be
//! opened is `sh: FILE: MESSAGE` and 1 (that command does not run; the rest of the pipeline
//! does); a syntax error is `sh: syntax error: …` and 2; a job ended by signal `S` is 128 + S.
//!
//! Builtins: `exit [N]` (N, or the last status), `NAME=value …` (shell variables), `wait` (every
//! background job; the last one's status), `jobs` (the background jobs, running or done),
//! `cd [DIR]` (the working directory, `/` without DIR; children inherit it) and `pwd`.
//! Left out: stopping and resuming jobs (`^Z`, `fg`,
//! `bg`), builtins in pipelines or with redirections.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use abi::signal::SIGINT;
use abi::types::{fd, open};
use bin::shell::{self, AndOr, Command, Env, Expanded, Join, Redirect};
use ulib::{Errno, eprint, eprintln, println, signal, sys};

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
            Err(Errno::Intr) => continue,
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
        None => {
            let mut sh = Shell::new(true);
            sh.interactive()
        }
        Some("-c") => match args.get(2) {
            Some(line) => {
                let mut sh = Shell::new(false);
                match sh.run_line(line) {
                    Next::Continue => sh.status,
                    Next::Exit(status) => status,
                }
            }
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

/// A background job.
struct Job {
    /// Its number, `[N]`.
    id: usize,
    /// Its processes, not yet waited for.
    pids: Vec<usize>,
    /// The process whose status is the job's.
    last: Option<usize>,
    /// The text typed.
    text: String,
}

/// The shell's state.
struct Shell {
    /// The last status (`$?`).
    status: i32,
    /// Shell variables.
    vars: Vec<(String, String)>,
    /// Background jobs.
    jobs: Vec<Job>,
    /// Job control on (an interactive shell).
    monitor: bool,
    /// The last background job's group (`$!`).
    last_job: Option<usize>,
}

/// What follows a line.
enum Next {
    /// Read the next line.
    Continue,
    /// `exit` ran: end the shell with this status.
    Exit(i32),
}

impl Env for Shell {
    fn var(&self, name: &str) -> Option<String> {
        match name {
            "?" => return Some(format!("{}", self.status)),
            "!" => return self.last_job.map(|p| format!("{p}")),
            _ => {}
        }
        self.vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn list_dir(&self, dir: &str) -> Vec<String> {
        let dir = if dir.is_empty() { "/" } else { dir };
        let mut names = Vec::new();
        let Ok(f) = sys::open(dir, open::RDONLY) else {
            return names;
        };
        while let Ok(Some(e)) = sys::readdir(f) {
            if let Ok(n) = core::str::from_utf8(e.name()) {
                names.push(String::from(n));
            }
        }
        close(Some(f));
        names
    }
}

impl Shell {
    fn new(monitor: bool) -> Shell {
        if monitor {
            // Ctrl-C at the prompt or for a job must not end the shell.
            let _ = signal::ignore(SIGINT);
        }
        Shell {
            status: 0,
            vars: Vec::new(),
            jobs: Vec::new(),
            monitor,
            last_job: None,
        }
    }

    /// Reads and runs lines until end of input; the last command's status.
    fn interactive(&mut self) -> i32 {
        loop {
            self.report_done();
            eprint!("$ ");
            let Some(line) = next_line() else { break };
            let Ok(line) = core::str::from_utf8(&line) else {
                eprintln!("sh: input is not UTF-8");
                self.status = 1;
                continue;
            };
            if let Next::Exit(s) = self.run_line(line) {
                return s;
            }
        }
        eprintln!();
        self.status
    }

    /// Parses and runs one line; an empty line or a comment leaves the status as it was.
    fn run_line(&mut self, line: &str) -> Next {
        let list = match shell::parse(line) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("sh: {e}");
                self.status = SYNTAX;
                return Next::Continue;
            }
        };
        for and_or in &list {
            if and_or.background {
                self.background(and_or);
                continue;
            }
            for (join, pipeline) in &and_or.pipelines {
                match join {
                    Some(Join::And) if self.status != 0 => continue,
                    Some(Join::Or) if self.status == 0 => continue,
                    _ => {}
                }
                if let Next::Exit(s) = self.run_pipeline(pipeline) {
                    return Next::Exit(s);
                }
            }
        }
        Next::Continue
    }

    /// Runs one pipeline in the foreground (a builtin if it is one command naming one).
    fn run_pipeline(&mut self, pipeline: &[Command]) -> Next {
        let expanded: Vec<Expanded> = pipeline.iter().map(|c| shell::expand(c, self)).collect();
        if let [only] = expanded.as_slice()
            && let Some(next) = self.builtin(only)
        {
            return next;
        }
        let (pids, last) = self.spawn_pipeline(&expanded);
        let pgid = pids.first().copied();
        if self.monitor
            && let Some(pgid) = pgid
        {
            let _ = signal::tcsetpgrp(pgid);
        }
        let mut status = last.err().unwrap_or(0);
        for &pid in &pids {
            match sys::wait(Some(pid)) {
                Ok((_, s)) if last == Ok(pid) => status = s,
                Ok(_) => {}
                Err(e) => bin::report("sh", "wait", e),
            }
        }
        if self.monitor && pgid.is_some() {
            let _ = signal::tcsetpgrp(0);
        }
        self.status = status;
        Next::Continue
    }

    /// Starts `and_or` in the background as a job.
    fn background(&mut self, and_or: &AndOr) {
        let (pids, last) = if let [(None, pipeline)] = and_or.pipelines.as_slice() {
            let expanded: Vec<Expanded> = pipeline.iter().map(|c| shell::expand(c, self)).collect();
            self.spawn_pipeline(&expanded)
        } else {
            let argv = Vec::from([String::from("sh"), String::from("-c"), and_or.text.clone()]);
            let cmd = Expanded {
                argv,
                redirects: Vec::new(),
            };
            self.spawn_pipeline(core::slice::from_ref(&cmd))
        };
        self.status = last.err().unwrap_or(0);
        let Some(&pgid) = pids.first() else { return };
        let id = self.jobs.iter().map(|j| j.id).max().unwrap_or(0) + 1;
        eprintln!("[{id}] {pgid}");
        self.last_job = Some(pgid);
        self.jobs.push(Job {
            id,
            pids,
            last: last.ok(),
            text: and_or.text.clone(),
        });
    }

    /// Runs `cmd` if it is a builtin.
    fn builtin(&mut self, cmd: &Expanded) -> Option<Next> {
        let name = cmd.argv.first()?;
        match name.as_str() {
            "exit" => Some(Next::Exit(self.exit_status(cmd))),
            "wait" => {
                self.wait_jobs();
                Some(Next::Continue)
            }
            "jobs" => {
                self.list_jobs();
                Some(Next::Continue)
            }
            "cd" => {
                let dir = cmd.argv.get(1).map_or("/", |d| d.as_str());
                self.status = match sys::chdir(dir) {
                    Ok(()) => 0,
                    Err(e) => {
                        eprintln!("sh: cd: {dir}: {}", e.message());
                        1
                    }
                };
                Some(Next::Continue)
            }
            "pwd" => {
                self.status = match sys::getcwd() {
                    Ok(dir) => {
                        println!("{dir}");
                        0
                    }
                    Err(e) => {
                        eprintln!("sh: pwd: {}", e.message());
                        1
                    }
                };
                Some(Next::Continue)
            }
            _ if cmd.argv.iter().all(|w| assignment(w).is_some()) => {
                for w in &cmd.argv {
                    if let Some((n, v)) = assignment(w) {
                        self.vars.retain(|(k, _)| k != n);
                        self.vars.push((String::from(n), String::from(v)));
                    }
                }
                self.status = 0;
                Some(Next::Continue)
            }
            _ => None,
        }
    }

    /// The status `exit [N]` exits with; a bad N is reported and exits 2.
    fn exit_status(&self, cmd: &Expanded) -> i32 {
        match cmd.argv.get(1) {
            None => self.status,
            Some(n) => n.parse().unwrap_or_else(|_| {
                eprintln!("sh: exit: {n}: not a number");
                SYNTAX
            }),
        }
    }

    /// `wait`: every background job, to its end; the status is the last job's.
    fn wait_jobs(&mut self) {
        let mut status = 0;
        for job in core::mem::take(&mut self.jobs) {
            for &pid in &job.pids {
                if let Ok((_, s)) = sys::wait(Some(pid))
                    && job.last == Some(pid)
                {
                    status = s;
                }
            }
        }
        self.status = status;
    }

    /// `jobs`: each background job, running or done (done ones are then forgotten).
    fn list_jobs(&mut self) {
        for job in &self.jobs {
            let state = if finished(job) { "Done" } else { "Running" };
            eprintln!("[{}] {state} {}", job.id, job.text);
        }
        self.reap(false);
        self.status = 0;
    }

    /// Before a prompt: `[N] Done TEXT` for each background job that has ended.
    fn report_done(&mut self) {
        self.reap(true);
    }

    /// Waits for the processes of every ended job and forgets it, saying so if `say`.
    fn reap(&mut self, say: bool) {
        let (done, running): (Vec<Job>, Vec<Job>) = core::mem::take(&mut self.jobs)
            .into_iter()
            .partition(finished);
        self.jobs = running;
        for job in done {
            for &pid in &job.pids {
                let _ = sys::wait(Some(pid));
            }
            if say {
                eprintln!("[{}] Done {}", job.id, job.text);
            }
        }
    }

    /// Spawns the commands as one pipeline (in a new process group when job control is on):
    /// the pids started and the last command's pid, or the status it gets for not starting.
    ///
    /// Descriptor rule: the shell holds at most the read end of the previous pipe, the ends of
    /// the current one and the files of one command's redirections, and closes each as soon as
    /// the child that needs it has been spawned (children inherit only their stdio), so a reader
    /// sees end of file exactly when its writer exits.
    fn spawn_pipeline(&mut self, commands: &[Expanded]) -> (Vec<usize>, Result<usize, i32>) {
        let mut pids: Vec<usize> = Vec::new();
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
                if self.monitor {
                    // Its own group (the first process's number): a failure means it ended
                    // already.
                    let _ = signal::setpgid(pid, pids.first().copied().unwrap_or(0));
                }
                pids.push(pid);
            }
        }
        close(prev_read);
        (pids, last)
    }
}

/// Whether every process of `job` has ended (a probe with signal 0 finds none of them).
fn finished(job: &Job) -> bool {
    job.pids
        .iter()
        .all(|&p| signal::kill(p, 0) == Err(Errno::Srch))
}

/// `NAME=value`: the name and the value, if `word` is an assignment.
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some((name, value))
}

/// Spawns `cmd` with standard input `input` and standard output `output` (`None`: the shell's
/// own), after its redirections. The child's pid, or the status to record if it did not start.
fn spawn_command(
    cmd: &Expanded,
    input: Option<usize>,
    output: Option<usize>,
) -> Result<usize, i32> {
    let Some(name) = cmd.argv.first() else {
        return Err(0);
    };
    // The files this command's redirections opened, closed once the child has them.
    let mut opened: Vec<usize> = Vec::new();
    let mut stdio = [
        input.map_or(-1, |f| f as i32),
        output.map_or(-1, |f| f as i32),
        -1,
    ];
    // Where stream `i` goes now, as a file descriptor of the shell's.
    let now = |stdio: &[i32; 3], i: usize| if stdio[i] == -1 { i as i32 } else { stdio[i] };
    for r in &cmd.redirects {
        let (path, flags, slot) = match r {
            Redirect::In(p) => (p, open::RDONLY, 0),
            Redirect::Out(p) => (p, open::WRONLY | open::CREAT | open::TRUNC, 1),
            Redirect::Append(p) => (p, open::WRONLY | open::CREAT | open::APPEND, 1),
            Redirect::Err(p) => (p, open::WRONLY | open::CREAT | open::TRUNC, 2),
            Redirect::ErrAppend(p) => (p, open::WRONLY | open::CREAT | open::APPEND, 2),
            Redirect::ErrToOut => {
                stdio[2] = now(&stdio, 1);
                continue;
            }
            Redirect::OutToErr => {
                stdio[1] = now(&stdio, 2);
                continue;
            }
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
    let path = bin::program_path(name);
    let args: Vec<&str> = cmd.argv.iter().map(|a| a.as_str()).collect();
    let result = sys::spawn(&path, &args, Some(stdio));
    opened.into_iter().for_each(|f| close(Some(f)));
    result.map_err(|e| {
        if e == Errno::NoEnt {
            eprintln!("sh: {name}: not found");
            NOT_FOUND
        } else {
            bin::report("sh", name, e);
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
