//! Replays every committed corpus file (`fuzz/corpus/TARGET/*`, seeds and the inputs AFL++ found
//! interesting, crashes once fixed included) through its target on the stable toolchain, so a
//! regression fails `cargo test` without a fuzzer. A target with no corpus fails too.

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_file_runs_through_its_target() {
    for (name, run) in klab_fuzz::TARGETS {
        let files = corpus(name);
        assert!(!files.is_empty(), "fuzz/corpus/{name} has no inputs");
        for file in files {
            let data = std::fs::read(&file).unwrap();
            // A panic names the file through the message below.
            let r = std::panic::catch_unwind(|| run(&data));
            assert!(r.is_ok(), "{} panics in target {name}", file.display());
        }
    }
}

#[test]
fn the_seeds_reach_past_the_parsers() {
    // Valid seeds must get through: a corpus of inputs that all fail early would fuzz nothing.
    for file in corpus("gdb") {
        let sent = lab::fuzz::gdb_session(&std::fs::read(&file).unwrap());
        let sent = String::from_utf8_lossy(&sent);
        assert!(sent.contains("$PacketSize="), "{}: {sent}", file.display());
    }
    // The full session stops at its breakpoint and its watchpoint.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/gdb");
    let sent = lab::fuzz::gdb_session(&std::fs::read(dir.join("session.txt")).unwrap());
    let sent = String::from_utf8_lossy(&sent);
    assert!(
        sent.contains(";swbreak:;") && sent.contains(";watch:"),
        "{sent}"
    );
    let report = corpus("report")
        .into_iter()
        .find_map(|f| lab::fuzz::report_merge(&std::fs::read(f).unwrap()));
    assert!(
        report.is_some_and(|n| n > 0),
        "a seed report merges with results"
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let profile = std::fs::read_to_string(dir.join("profile/tiny.toml")).unwrap();
    assert!(emu::profile::Profile::from_toml(&profile, "seed").is_ok());
    let elf = std::fs::read(&corpus("elf")[0]).unwrap();
    assert!(emu::ElfImage::parse(&elf).is_ok());
    let tar = std::fs::read(&corpus("initrd")[0]).unwrap();
    assert!(services::fs::Fs::from_ustar(&tar, 64).is_ok());
}

#[test]
fn every_target_is_found_by_name() {
    for (name, _) in klab_fuzz::TARGETS {
        assert!(klab_fuzz::target(name).is_some());
    }
    assert!(klab_fuzz::target("nope").is_none());
}
