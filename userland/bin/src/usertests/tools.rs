//! The programs of `/bin` together: a script fed to `sh` on a pipe exercises pipelines,
//! redirections, quotes, comments, `echo`, `cat`, `wc`, `ls`, `mkdir`, `rm`, a missing command
//! and `exit`'s default status, and its standard output is compared byte for byte. (The prompt
//! and error messages go to standard error, sent to `/dev/null` here.)

use abi::types::open;
use ulib::{io, sys};

use crate::harness::{Outcome, Test, ok, reap, remove_tree};

/// The script; it works in `/tmp/ut.sh`, which the test removes before and after.
const SCRIPT: &str = "\
mkdir /tmp/ut.sh
echo hello  world | wc
echo 'a  |  b' # a comment
echo one > /tmp/ut.sh/f
echo two>>/tmp/ut.sh/f
mkdir /tmp/ut.sh/d
ls /tmp/ut.sh
ls -l /tmp/ut.sh/f
cat < /tmp/ut.sh/f | cat | wc
wc /tmp/ut.sh/f
cat /tmp/ut.sh/f /tmp/ut.sh/nothing
rm /tmp/ut.sh/f /tmp/ut.sh/d /tmp/ut.sh
ls /tmp/ut.sh
no-such-command
exit
";

/// What the script prints on standard output.
const OUTPUT: &str = "\
1 2 12
a  |  b
d/
f
file        8 /tmp/ut.sh/f
2 2 8
2 2 8 /tmp/ut.sh/f
one
two
";

fn shell_script() -> Outcome {
    // /tmp may exist already; if it cannot be made, the script's mkdir says why.
    let _ = sys::mkdir("/tmp");
    remove_tree("/tmp/ut.sh")?;
    let (in_r, in_w) = ok(sys::pipe(), "pipe")?;
    let (out_r, out_w) = ok(sys::pipe(), "pipe")?;
    let null = ok(sys::open("/dev/null", open::WRONLY), "open /dev/null")?;
    let pid = ok(
        sys::spawn(
            "/bin/sh",
            &["sh"],
            Some([in_r as i32, out_w as i32, null as i32]),
        ),
        "spawn /bin/sh",
    )?;
    for f in [in_r, out_w, null] {
        ok(sys::close(f), "close")?;
    }
    // The script fits in the pipe, so writing it all before reading cannot deadlock.
    ok(io::write_all(in_w, SCRIPT.as_bytes()), "write the script")?;
    ok(sys::close(in_w), "close")?;
    let out = ok(io::read_to_end(out_r), "read the output")?;
    ok(sys::close(out_r), "close")?;
    let status = reap(pid)?;
    let out = core::str::from_utf8(&out).unwrap_or("(not UTF-8)");
    if out != OUTPUT {
        let line = out.lines().zip(OUTPUT.lines()).position(|(a, b)| a != b);
        let line = line.unwrap_or(out.lines().count().min(OUTPUT.lines().count()));
        let got = out.lines().nth(line).unwrap_or("(nothing)");
        let want = OUTPUT.lines().nth(line).unwrap_or("(nothing)");
        return Err(alloc::format!(
            "output line {}: got {got:?}, want {want:?}",
            line + 1
        ));
    }
    ensure!(
        status == 127,
        "sh exited with {status}, want 127 (the missing command's)"
    );
    remove_tree("/tmp/ut.sh")
}

/// The tests.
pub const TESTS: &[Test] = &[Test {
    name: "shell_script",
    question: "Does sh run a script of pipelines and redirections through the tools exactly?",
    run: shell_script,
}];
