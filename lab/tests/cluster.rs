//! Sweeps beyond one machine, through the real binary and scripts: `klab sweep --list-points`
//! and `--shard I/N`; shards merged with `klab report` give the unsharded report byte for byte
//! (in any order, an empty shard included); sweep point values are typed in report.json and
//! reports with string values still read; `scripts/parallel-sweep.sh` under GNU parallel; and
//! `scripts/slurm-sweep.sh` as a job array on a real single-node Slurm cluster (munged, slurmctld
//! and slurmd on localhost) that the test starts and stops.

mod common;

use common::Scratch;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The grid the tests sweep: 4 points, one quick benchmark, both kernels.
const GRID: [&str; 8] = [
    "--param",
    "tlb.entries=8,16",
    "--param",
    "asid=off,on",
    "--only",
    "getpid",
    "--quick",
    "--kernels=mono,micro",
];

fn klab_bin() -> &'static str {
    env!("CARGO_BIN_EXE_klab")
}

fn klab(args: &[&str]) -> Output {
    Command::new(klab_bin())
        .args(args)
        .output()
        .expect("run klab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `out`'s stdout, after checking it succeeded.
fn ok(what: &str, out: Output) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> Scratch {
    Scratch::new("cluster", name)
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scripts")
        .join(name)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// `klab sweep GRID EXTRA… --out DIR`.
fn sweep(dir: &Path, extra: &[&str]) {
    let mut args = vec!["sweep"];
    args.extend(GRID);
    args.extend(extra);
    let d = s(dir);
    args.extend(["--jobs", "1", "--out", &d]);
    ok(&format!("klab {args:?}"), klab(&args));
}

/// The unsharded run of [`GRID`], shared by the tests that compare with it.
fn whole() -> &'static Path {
    static WHOLE: OnceLock<PathBuf> = OnceLock::new();
    WHOLE.get_or_init(|| {
        let dir = common::shared("cluster", "whole");
        sweep(&dir, &[]);
        dir
    })
}

/// Asserts the report files in `dir` are byte for byte those of the unsharded run.
fn same_as_whole(dir: &Path) {
    for file in ["report.json", "report.md", "report.html"] {
        let a = std::fs::read(whole().join(file)).expect("the unsharded report");
        let b = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{dir:?}/{file}: {e}"));
        assert!(
            a == b,
            "{file} of {dir:?} differs from the unsharded run's ({} and {} bytes)",
            a.len(),
            b.len()
        );
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

#[test]
fn list_points_prints_the_grid_and_runs_nothing() {
    let dir = scratch("list");
    let out = dir.join("never");
    let list = |extra: &[&str]| {
        let mut args = vec!["sweep"];
        args.extend(GRID);
        args.extend(["--list-points", "--out", out.to_str().unwrap()]);
        args.extend(extra);
        ok("klab sweep --list-points", klab(&args))
    };
    assert_eq!(
        list(&[]),
        "0 tlb.entries=8 asid=off\n1 tlb.entries=8 asid=on\n\
         2 tlb.entries=16 asid=off\n3 tlb.entries=16 asid=on\n"
    );
    // A shard lists its own points, with their grid numbers.
    assert_eq!(
        list(&["--shard", "1/3"]),
        "0 tlb.entries=8 asid=off\n3 tlb.entries=16 asid=on\n"
    );
    assert_eq!(list(&["--shard", "2/3"]), "1 tlb.entries=8 asid=on\n");
    assert_eq!(list(&["--shard", "4/4"]), "3 tlb.entries=16 asid=on\n");
    assert_eq!(list(&["--shard", "6/6"]), "");
    let json: Value = serde_json::from_str(&list(&["--format", "json"])).expect("JSON");
    let points = json.as_array().expect("an array");
    assert_eq!(points.len(), 4);
    assert_eq!(
        points[2],
        serde_json::json!({"index": 2, "point": {"tlb.entries": 16, "asid": "off"}})
    );
    let csv = list(&["--format", "csv"]);
    assert_eq!(csv.lines().next(), Some("index,tlb.entries,asid"));
    assert_eq!(csv.lines().nth(4), Some("3,16,on"));
    assert!(
        !out.exists(),
        "--list-points runs nothing and writes nothing"
    );
}

#[test]
fn malformed_shards_are_usage_errors() {
    for bad in ["0/0", "5/4", "x", "0/4", "1/0", "2"] {
        let mut args = vec!["sweep"];
        args.extend(GRID);
        args.extend(["--list-points", "--shard", bad]);
        let out = klab(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--shard {bad}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(
            err.contains("not a shard") && err.contains("I/N") && err.contains("klab sweep --help"),
            "--shard {bad}: {err}"
        );
        assert!(out.stdout.is_empty(), "nothing listed for --shard {bad}");
    }
}

#[test]
fn merged_shards_equal_the_unsharded_run() {
    let base = scratch("shards");
    // Three shards of four points (2 + 1 + 1), merged out of order.
    let parts: Vec<PathBuf> = (1..=3).map(|i| base.join(format!("s{i}"))).collect();
    for (i, dir) in parts.iter().enumerate() {
        sweep(dir, &["--shard", &format!("{}/3", i + 1)]);
        let r = read_json(&dir.join("report.json"));
        let points = if i == 0 { 2 } else { 1 };
        assert_eq!(
            r["results"].as_array().unwrap().len(),
            2 * points,
            "shard {}",
            i + 1
        );
    }
    let merged = base.join("merged");
    ok(
        "klab report",
        klab(&[
            "report",
            &s(&parts[2]),
            &s(&parts[0]),
            &s(&parts[1]),
            "--out",
            &s(&merged),
        ]),
    );
    same_as_whole(&merged);

    // An empty shard (more shards than points) writes a report that merges to nothing.
    let empty = base.join("empty");
    sweep(&empty, &["--shard", "5/5"]);
    assert_eq!(
        read_json(&empty.join("report.json"))["results"],
        serde_json::json!([])
    );
    let again = base.join("again");
    ok(
        "klab report with an empty shard",
        klab(&["report", &s(&empty), &s(whole()), "--out", &s(&again)]),
    );
    same_as_whole(&again);
}

#[test]
fn sweep_point_values_are_typed_and_old_reports_still_read() {
    let r = read_json(&whole().join("report.json"));
    let results = r["results"].as_array().unwrap();
    assert_eq!(results.len(), 8);
    for x in results {
        assert!(x["point"]["tlb.entries"].is_u64(), "{}", x["point"]);
        assert!(x["point"]["asid"].is_string(), "{}", x["point"]);
    }
    // Grid order: tlb.entries, then asid, mono before micro.
    let first = &results[0];
    assert_eq!(
        first["point"],
        serde_json::json!({"tlb.entries": 8, "asid": "off"})
    );
    assert_eq!(first["kernel"], "mono");
    assert_eq!(
        results[7]["point"],
        serde_json::json!({"tlb.entries": 16, "asid": "on"})
    );
    assert!(r["comparisons"][0]["point"]["tlb.entries"].is_u64());

    // A report written before values were typed: every value a string.
    let mut old = r.clone();
    for list in ["results", "comparisons"] {
        for x in old[list].as_array_mut().unwrap() {
            let n = x["point"]["tlb.entries"].as_u64().unwrap();
            x["point"]["tlb.entries"] = Value::String(n.to_string());
        }
    }
    let dir = scratch("old");
    std::fs::write(dir.join("report.json"), old.to_string()).unwrap();
    let merged = dir.join("merged");
    ok(
        "klab report on an old report",
        klab(&["report", &s(&dir), "--out", &s(&merged)]),
    );
    same_as_whole(&merged);
}

#[test]
fn the_parallel_script_sweeps_like_one_run() {
    let have = Command::new("parallel")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    assert!(
        have.is_ok_and(|s| s.success()),
        "GNU parallel is not installed: run `make deps`"
    );
    let out = scratch("parallel");
    let mut cmd = Command::new(script("parallel-sweep.sh"));
    cmd.args(["3", &s(&out)]).args(GRID).env("KLAB", klab_bin());
    ok(
        "scripts/parallel-sweep.sh",
        cmd.output().expect("run the script"),
    );
    for i in 1..=3 {
        assert!(out.join(format!("shard-{i}-of-3/report.json")).is_file());
    }
    same_as_whole(&out.join("report"));
    // A shard that fails fails the script (and nothing is merged).
    let bad = scratch("parallel-bad");
    let out = Command::new(script("parallel-sweep.sh"))
        .args(["2", &s(&bad), "--param", "no.such=1,2"])
        .env("KLAB", klab_bin())
        .output()
        .expect("run the script");
    assert!(
        !out.status.success(),
        "a bad parameter must fail the script"
    );
    assert!(!bad.join("report").exists());
}

/// A single-node Slurm cluster in a temporary directory: munged with its own key and socket,
/// slurmctld and slurmd on free localhost ports. Dropping it stops the daemons (on failure too).
struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
    daemons: Vec<(&'static str, Child)>,
}

/// Whether `program` is an executable in a `PATH` directory (or `/usr/sbin`, where Debian puts
/// the daemons).
fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .any(|d| {
            std::fs::metadata(d.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Two free TCP ports on localhost (both held while choosing, so they differ).
fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").expect("a port");
    let b = TcpListener::bind("127.0.0.1:0").expect("a port");
    (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    )
}

impl Cluster {
    fn start(dir: &Path) -> Cluster {
        for sub in ["munge", "state", "spool", "log"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let munge = dir.join("munge");
        let key = munge.join("munge.key");
        let socket = munge.join("socket");
        // munged insists on a key only its owner can read, in a directory others cannot write.
        set_mode(dir, 0o755);
        set_mode(&munge, 0o755);
        let made = Command::new("mungekey")
            .args(["--create", "--keyfile"])
            .arg(&key)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            // munge before 0.5.14 has no mungekey: 1 KiB of randomness is a key.
            let mut bytes = vec![0u8; 1024];
            let mut f = std::fs::File::open("/dev/urandom").expect("/dev/urandom");
            std::io::Read::read_exact(&mut f, &mut bytes).unwrap();
            std::fs::write(&key, bytes).unwrap();
        }
        set_mode(&key, 0o600);
        let (ctld_port, d_port) = free_ports();
        let d = dir.display();
        let conf = dir.join("slurm.conf");
        std::fs::write(
            &conf,
            format!(
                "ClusterName=klabtest\n\
                 SlurmctldHost=localhost\n\
                 SlurmUser=root\n\
                 SlurmdUser=root\n\
                 SlurmctldPort={ctld_port}\n\
                 SlurmdPort={d_port}\n\
                 AuthType=auth/munge\n\
                 AuthInfo=socket={socket}\n\
                 CredType=cred/munge\n\
                 StateSaveLocation={d}/state\n\
                 SlurmdSpoolDir={d}/spool\n\
                 SlurmctldPidFile={d}/slurmctld.pid\n\
                 SlurmdPidFile={d}/slurmd.pid\n\
                 SlurmctldLogFile={d}/log/slurmctld.log\n\
                 SlurmdLogFile={d}/log/slurmd.log\n\
                 ProctrackType=proctrack/linuxproc\n\
                 TaskPlugin=task/none\n\
                 JobAcctGatherType=jobacct_gather/none\n\
                 AccountingStorageType=accounting_storage/none\n\
                 SelectType=select/cons_tres\n\
                 SelectTypeParameters=CR_CPU\n\
                 MpiDefault=none\n\
                 MailProg=/bin/true\n\
                 ReturnToService=2\n\
                 NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN\n\
                 PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
                socket = socket.display(),
            ),
        )
        .unwrap();
        let mut cluster = Cluster {
            dir: dir.to_path_buf(),
            conf: conf.clone(),
            daemons: Vec::new(),
        };
        let log = |name: &str| {
            std::fs::File::create(dir.join("log").join(format!("{name}.out"))).unwrap()
        };
        let spawn = |cluster: &mut Cluster, name: &'static str, cmd: &mut Command| {
            let out = log(name);
            let child = cmd
                .stdout(out.try_clone().unwrap())
                .stderr(out)
                .spawn()
                .unwrap_or_else(|e| panic!("start {name}: {e}"));
            cluster.daemons.push((name, child));
        };
        spawn(
            &mut cluster,
            "munged",
            Command::new("munged")
                .args(["--foreground", "--force"])
                .arg(format!("--socket={}", socket.display()))
                .arg(format!("--key-file={}", key.display()))
                .arg(format!("--pid-file={d}/munge/munged.pid"))
                .arg(format!("--seed-file={d}/munge/seed"))
                .arg(format!("--log-file={d}/log/munged.log")),
        );
        cluster.wait_for("munged's socket", Duration::from_secs(20), || {
            socket.exists()
        });
        spawn(
            &mut cluster,
            "slurmctld",
            Command::new("slurmctld").arg("-D").arg("-f").arg(&conf),
        );
        spawn(
            &mut cluster,
            "slurmd",
            Command::new("slurmd")
                .args(["-D", "-N", "localhost", "-f"])
                .arg(&conf),
        );
        cluster.wait_for("the node to be idle", Duration::from_secs(60), || {
            let out = Command::new("sinfo")
                .env("SLURM_CONF", &conf)
                .args(["-h", "-o", "%T"])
                .output();
            out.is_ok_and(|o| text(&o.stdout).trim() == "idle")
        });
        cluster
    }

    /// A Slurm client command pointed at this cluster.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("SLURM_CONF", &self.conf);
        cmd
    }

    /// Polls `ready` until it holds; fails with the daemons' logs after `limit`.
    fn wait_for(&mut self, what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
        let start = Instant::now();
        while !ready() {
            let exited = self
                .daemons
                .iter_mut()
                .find_map(|(name, child)| Some((*name, child.try_wait().ok()??)));
            if let Some((name, status)) = exited {
                panic!(
                    "{name} exited ({status}) waiting for {what}:\n{}",
                    self.logs()
                );
            }
            if start.elapsed() > limit {
                panic!("no {what} after {limit:?}:\n{}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Runs `cmd` to its end, at most `limit`; its output.
    fn run(&mut self, cmd: &mut Command, limit: Duration) -> Output {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let start = Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if start.elapsed() > limit {
                let _ = child.kill();
                let out = child.wait_with_output().expect("output");
                panic!(
                    "{cmd:?} still running after {limit:?}:\n{}{}\n{}",
                    text(&out.stdout),
                    text(&out.stderr),
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        child.wait_with_output().expect("output")
    }

    /// The end of every daemon's log, for a failure message.
    fn logs(&self) -> String {
        let mut out = String::new();
        let logs = std::fs::read_dir(self.dir.join("log"))
            .into_iter()
            .flatten();
        for entry in logs.flatten() {
            let body = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let tail: Vec<&str> = body.lines().rev().take(15).collect();
            out.push_str(&format!("--- {}\n", entry.path().display()));
            for line in tail.iter().rev() {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // slurmd before slurmctld before munged; each gets SIGTERM, then SIGKILL.
        for (_, child) in self.daemons.iter_mut().rev() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let start = Instant::now();
            while matches!(child.try_wait(), Ok(None)) && start.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Why the Slurm test cannot run here, when the reason is that it truly cannot: the packages
/// are not installed and no apt can install them, or no root to start the daemons. Missing
/// packages that apt could install are a failure naming `make deps`.
fn slurm_unavailable() -> Option<String> {
    // (`sbatch --version` needs a configuration, so the binaries are looked for, not run.)
    let installed = ["slurmctld", "slurmd", "sbatch", "sinfo", "munged"]
        .iter()
        .all(|p| on_path(p));
    if !installed {
        let candidate = Command::new("apt-cache")
            .args(["policy", "slurm-wlm", "munge"])
            .output()
            .map(|o| text(&o.stdout))
            .unwrap_or_default();
        let installable = candidate.matches("Candidate:").count() == 2
            && !candidate.contains("Candidate: (none)");
        assert!(
            !installable,
            "Slurm (slurm-wlm) or munge is not installed: run `make deps`"
        );
        return Some("slurm-wlm and munge are not installed and apt cannot install them".into());
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0");
    if !root {
        return Some("starting slurmd needs root".into());
    }
    None
}

#[test]
fn a_slurm_job_array_sweeps_like_one_run() {
    if let Some(why) = slurm_unavailable() {
        eprintln!("SKIPPED a_slurm_job_array_sweeps_like_one_run: {why}");
        return;
    }
    let dir = scratch("slurm");
    let mut cluster = Cluster::start(&dir.join("cluster"));
    let out = dir.join("out");
    let mut submit = cluster.command("sbatch");
    submit
        .args(["--parsable", "--wait", "--array=0-3"])
        .arg(format!("--chdir={}", dir.display()))
        .arg(format!("--output={}/task-%a.out", dir.display()))
        .env("KLAB", klab_bin())
        .arg(script("slurm-sweep.sh"))
        .arg(&out)
        .args(GRID);
    let array = cluster.run(&mut submit, Duration::from_secs(300));
    let tasks: String = (0..4)
        .map(|a| std::fs::read_to_string(dir.join(format!("task-{a}.out"))).unwrap_or_default())
        .collect();
    assert!(
        array.status.success(),
        "the job array failed:\n{}{}\n{tasks}\n{}",
        text(&array.stdout),
        text(&array.stderr),
        cluster.logs()
    );
    let job = text(&array.stdout).trim().to_string();
    for i in 1..=4 {
        let r = read_json(&out.join(format!("shard-{i}-of-4/report.json")));
        assert_eq!(
            r["results"].as_array().unwrap().len(),
            2,
            "shard {i}: one point, two kernels"
        );
    }
    // The merge as the recipe's dependent job.
    let mut merge = cluster.command("sbatch");
    merge
        .args(["--wait", &format!("--dependency=afterok:{job}")])
        .arg(format!("--chdir={}", dir.display()))
        .arg(format!("--output={}/merge.out", dir.display()))
        .env("KLAB", klab_bin())
        .arg(script("slurm-sweep.sh"))
        .args(["--merge", &s(&out)]);
    let merged = cluster.run(&mut merge, Duration::from_secs(120));
    assert!(
        merged.status.success(),
        "the merge job failed:\n{}{}\n{}",
        text(&merged.stderr),
        std::fs::read_to_string(dir.join("merge.out")).unwrap_or_default(),
        cluster.logs()
    );
    same_as_whole(&out.join("report"));
}
