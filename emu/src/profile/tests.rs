//! Tests of profiles: the embedded files, parsing errors, validation and overrides.

use super::*;
use crate::model::replacement::Replacement;

/// The message of `r`'s error.
fn err<T: std::fmt::Debug>(r: Result<T, ProfileError>) -> String {
    r.unwrap_err().to_string()
}

/// The default profile's text with `from` replaced by `to` (which must change it).
fn edited(from: &str, to: &str) -> String {
    let text = include_str!("../../profiles/default.toml");
    assert!(text.contains(from), "default.toml has no `{from}`");
    text.replacen(from, to, 1)
}

/// `default` with `f` applied.
fn default_with(f: impl FnOnce(&mut Profile)) -> Profile {
    let mut p = Profile::default();
    f(&mut p);
    p
}

// Does every embedded profile parse, validate, build its models, and come back unchanged
// through `to_toml`?
#[test]
fn embedded_profiles_are_valid_and_round_trip() {
    assert_eq!(embedded_names(), ["default", "tiny", "big"]);
    for name in embedded_names() {
        let p = Profile::embedded(name).unwrap();
        assert_eq!(p.name, *name);
        p.validate().unwrap();
        let again = Profile::from_toml(&p.to_toml(), "round trip").unwrap();
        assert_eq!(again, p, "{name} changed through to_toml:\n{}", p.to_toml());
        assert_eq!(Profile::load(name).unwrap(), p);
        // A valid profile always builds the models (their constructors assert validity).
        let caches = CacheLevel::ALL.map(|l| p.cache(l).map(crate::model::cache::Cache::new));
        let tlbs = TlbLevel::ALL.map(|l| p.tlb(l).map(crate::model::tlb::Tlb::new));
        assert_eq!(caches.iter().flatten().count(), 3);
        assert_eq!(
            tlbs.iter().flatten().count(),
            2 + usize::from(p.l2tlb.is_some())
        );
    }
}

// Do the embedded profiles say what the brief and their headers say?
#[test]
fn embedded_profiles_have_their_key_numbers() {
    let d = Profile::default();
    let l1d = d.l1d.as_ref().unwrap();
    assert_eq!((l1d.size, l1d.ways, l1d.line), (32 << 10, 8, 64));
    assert_eq!(d.l2.as_ref().map(|c| (c.size, c.ways)), Some((2 << 20, 16)));
    assert_eq!((d.itlb.entries, d.itlb.ways, d.asid_bits), (32, 32, 0));
    assert_eq!(d.cycles_per_tick(), 100);
    assert!(d.timing);

    let tiny = Profile::embedded("tiny").unwrap();
    assert_eq!(
        tiny.l1i.as_ref().map(|c| (c.size, c.ways, c.line)),
        Some((4 << 10, 2, 32))
    );
    assert_eq!((tiny.dtlb.entries, tiny.l2tlb.is_none()), (8, true));

    let big = Profile::embedded("big").unwrap();
    assert_eq!(
        big.l2tlb.as_ref().map(|t| (t.entries, t.ways)),
        Some((2048, 8))
    );
    assert_eq!((big.asid_bits, big.cycles_per_tick()), (16, 200));
}

// Is the hash 16 hex digits, the same each time, and different when any one field differs?
#[test]
fn hash_is_stable_and_sensitive() {
    let d = Profile::default();
    let h = d.hash();
    assert_eq!(h.len(), 16);
    assert!(
        h.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(h, Profile::default().hash());
    assert_eq!(h, d.clone().hash());
    let changes: [fn(&mut Profile); 5] = [
        |p| p.cost.div += 1,
        |p| p.penalty.writeback += 1,
        |p| p.l2tlb = None,
        |p| p.dtlb.seed = 1,
        |p| p.timing = false,
    ];
    for change in changes {
        assert_ne!(default_with(change).hash(), h);
    }
    let hashes: Vec<String> = embedded_names()
        .iter()
        .map(|n| Profile::embedded(n).unwrap().hash())
        .collect();
    assert!(hashes[0] != hashes[1] && hashes[1] != hashes[2] && hashes[0] != hashes[2]);
}

// Are sizes accepted as integers and as "32K"/"2M"/"1G" strings, and written back canonically?
#[test]
fn sizes_take_integers_and_suffixes() {
    let p = Profile::from_toml(&edited("size = \"32K\"", "size = 32768"), "t").unwrap();
    assert_eq!(p, Profile::default());
    let p = Profile::from_toml(&edited("size = \"2M\"", "size = \"1g\""), "t").unwrap();
    assert_eq!(p.l2.as_ref().unwrap().size, 1 << 30);
    assert_eq!(file::parse_size("64k"), Ok(64 << 10));
    assert!(file::parse_size("").is_err() && file::parse_size("-1K").is_err());
    assert!(
        file::parse_size("99999999999G")
            .unwrap_err()
            .contains("too large")
    );
    assert_eq!(file::format_size(3 << 20), "3M");
    assert_eq!(file::format_size(1000), "1000");
    assert!(Profile::default().to_toml().contains("size = \"2M\""));
}

// Does a value of the wrong type give an error naming the origin and the field?
#[test]
fn wrong_type_names_the_field() {
    let e = err(Profile::from_toml(
        &edited("ways = 8", "ways = \"eight\""),
        "my.toml",
    ));
    assert!(e.starts_with("my.toml: in [l1d]: "), "{e}");
    // The line of the edited key, wherever the file's comments put it.
    let line = 1 + include_str!("../../profiles/default.toml")
        .lines()
        .position(|l| l.contains("ways = 8"))
        .expect("default.toml has `ways = 8`");
    assert!(
        e.contains("\"eight\"") && e.ends_with(&format!("(line {line})")),
        "{e}"
    );
    let e = err(Profile::from_toml(
        &edited("size = \"32K\"", "size = \"32Q\""),
        "my.toml",
    ));
    assert!(e.contains("`32Q` is not a size"), "{e}");
    let e = err(Profile::from_toml(
        &edited("\"lru\"", "\"lruu\""),
        "my.toml",
    ));
    assert!(e.contains("lruu") && e.contains("plru"), "{e}");
}

// Does an unknown field (a typo) fail, in a cache table and at the top level?
#[test]
fn unknown_fields_are_errors() {
    let e = err(Profile::from_toml(
        &edited("ways = 8", "wayz = 8"),
        "my.toml",
    ));
    assert!(
        e.starts_with("my.toml: in [l1d]: ") && e.contains("unknown field `wayz`"),
        "{e}"
    );
    let e = err(Profile::from_toml(
        &edited("\n[l2]\n", "\n[l3]\n"),
        "my.toml",
    ));
    assert!(e.contains("l3"), "{e}");
    let e = err(Profile::from_toml(
        &edited("alu = 1", "alu = 1\nnop = 1"),
        "my.toml",
    ));
    assert!(e.contains("nop"), "{e}");
}

// Is a missing required key an error, while a missing optional table means "absent"?
#[test]
fn missing_keys_and_optional_tables() {
    let e = err(Profile::from_toml(&edited("div = 34\n", ""), "my.toml"));
    assert!(
        e.contains("in [cost]") && e.contains("missing field `div`"),
        "{e}"
    );
    let e = err(Profile::from_toml(
        &edited("\n[dtlb]\n", "\n[dtlb_gone]\n"),
        "my.toml",
    ));
    assert!(e.contains("dtlb"), "{e}");
    let text = edited(
        "[l2tlb]\nentries = 512\nways = 1\nreplacement = \"lru\"\n",
        "",
    );
    assert_eq!(
        Profile::from_toml(&text, "t").unwrap(),
        default_with(|p| p.l2tlb = None)
    );
}

// Is every TOML error one short line, with the line number and text, however long the key?
#[test]
fn toml_errors_are_one_short_line() {
    let e = err(Profile::from_toml(
        &edited("ways = 8", "ways = \"eight\""),
        "my.toml",
    ));
    assert!(!e.contains('\n'), "{e}");
    assert!(e.contains("in [l1d]: ") && e.contains("(line "), "{e}");
    let long = "k".repeat(100_000);
    for text in [
        edited("alu = 1", &format!("alu = 1\n{long} = 1")),
        format!("name = \"{long}"),
        format!("[{long}]\nx = 1"),
    ] {
        let e = err(Profile::from_toml(&text, "my.toml"));
        assert!(!e.contains('\n'), "{e}");
        assert!(e.chars().count() < 300, "{} chars: {e}", e.chars().count());
    }
}

// Is a profile path that is a device, or too large, refused before it is read?
#[test]
fn profile_files_are_read_with_a_bound() {
    let e = err(Profile::load("/dev/zero"));
    assert!(e.contains("/dev/zero is a character device"), "{e}");
    let path = std::env::temp_dir().join(format!("emu-big-profile-{}", std::process::id()));
    std::fs::File::create(&path)
        .unwrap()
        .set_len(MAX_PROFILE_FILE.bytes + 1)
        .unwrap();
    let e = err(Profile::load(path.to_str().unwrap()));
    std::fs::remove_file(&path).unwrap();
    assert!(
        e.contains("more than the profile limit (1048576 bytes)"),
        "{e}"
    );
}

// Does TOML that is not TOML name the file?
#[test]
fn syntax_errors_name_the_origin() {
    let e = err(Profile::from_toml("name = ", "broken.toml"));
    assert!(e.starts_with("broken.toml: "), "{e}");
}

// Do invalid geometries and costs give errors that name the field by its full path?
#[test]
fn validation_names_the_field() {
    let cases: [(&str, &str, &str); 9] = [
        ("ways = 8", "ways = 3", "l1d.ways = 3 is not a power of two"),
        (
            "size = \"32K\"\nways = 4",
            "size = 128\nways = 4",
            "l1i.size = 128 is less than",
        ),
        ("line = 64", "line = 4", "l1i.line = 4 is less than 8"),
        (
            "entries = 512",
            "entries = 500",
            "l2tlb.entries = 500 is not a power of two",
        ),
        (
            "entries = 32\nways = 32",
            "entries = 16\nways = 32",
            "itlb.ways = 32 is more than",
        ),
        ("div = 34", "div = 0", "cost.div must be at least 1"),
        (
            "asid_bits = 0",
            "asid_bits = 17",
            "core.asid_bits = 17 is more than 16",
        ),
        (
            "timebase_hz = 10_000_000",
            "timebase_hz = 3",
            "core.timebase_hz = 3 does not divide",
        ),
        (
            "timebase_hz = 10_000_000",
            "timebase_hz = 5_000_000_000",
            "core.timebase_hz = 5000000000 is more than 4294967295",
        ),
    ];
    for (from, to, expected) in cases {
        let e = err(Profile::from_toml(&edited(from, to), "my.toml"));
        assert!(
            e.starts_with("my.toml: ") && e.contains(expected),
            "{to}: {e}"
        );
    }
    let e = err(default_with(|p| p.cost.alu = MAX_COST + 1).validate());
    assert!(e.starts_with("profile `default`: cost.alu = 1025"), "{e}");
    let e = err(default_with(|p| p.l2.as_mut().unwrap().size = 2 << 30).validate());
    assert!(
        e.contains("l2.size = 2147483648 is more than the 1G"),
        "{e}"
    );
}

// Does `load` find embedded names and files, and list the embedded names when it finds neither?
#[test]
fn load_by_name_or_path() {
    let path = std::env::temp_dir().join(format!("klab-profile-{}.toml", std::process::id()));
    let text = edited("name = \"default\"", "name = \"mine\"");
    std::fs::write(&path, text).unwrap();
    let p = Profile::load(path.to_str().unwrap()).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(p, default_with(|p| p.name = "mine".into()));

    let e = err(Profile::load("no-such-profile.toml"));
    assert!(
        e.contains("no-such-profile.toml") && e.contains("default, tiny, big"),
        "{e}"
    );
    let e = err(Profile::embedded("huge"));
    assert!(
        e.contains("huge") && e.contains("default, tiny, big"),
        "{e}"
    );
}

// Does each cache override change that level and nothing else, keeping its policy?
#[test]
fn cache_overrides_change_exactly_their_level() {
    let mut p = Profile::default();
    p.set_cache(CacheLevel::L1d, "64K:4:32").unwrap();
    let expected = default_with(|d| {
        let c = d.l1d.as_mut().unwrap();
        (c.size, c.ways, c.line) = (64 << 10, 4, 32);
    });
    assert_eq!(p, expected);
    p.set_cache(CacheLevel::L2, "none").unwrap();
    assert_eq!(p.l2, None);
    p.set_cache(CacheLevel::L2, "1M:8:64").unwrap();
    let l2 = p.l2.as_ref().unwrap();
    assert_eq!(
        (l2.size, l2.ways, l2.replacement),
        (1 << 20, 8, Replacement::Lru)
    );
    p.set_cache(CacheLevel::L1i, "16K:2:64").unwrap();
    assert_eq!(p.l1i.as_ref().unwrap().replacement, Replacement::Lru);
}

// Do bad override specs fail with a message naming the setting, leaving the profile unchanged?
#[test]
fn bad_override_specs_are_errors() {
    let mut p = Profile::default();
    let e = err(p.set_cache(CacheLevel::L1d, "32K:8"));
    assert!(
        e.contains("--l1d 32K:8") && e.contains("SIZE:WAYS:LINE"),
        "{e}"
    );
    let e = err(p.set_cache(CacheLevel::L2, "abc:1:64"));
    assert!(
        e.contains("--l2 abc:1:64") && e.contains("`abc` is not a size"),
        "{e}"
    );
    let e = err(p.set_cache(CacheLevel::L1d, "32K:3:64"));
    assert!(e.contains("l1d.ways = 3 is not a power of two"), "{e}");
    let e = err(p.set_tlb(TlbLevel::Dtlb, "32"));
    assert!(e.contains("ENTRIES:WAYS"), "{e}");
    let e = err(p.set_tlb(TlbLevel::Itlb, "none"));
    assert!(e.contains("only the L2 TLB is optional"), "{e}");
    let e = err(p.set_tlb(TlbLevel::Dtlb, "16:x"));
    assert!(e.contains("`x` is not a number"), "{e}");
    assert_eq!(p, Profile::default());
}

// Do the TLB, ASID and timing overrides change exactly what they name?
#[test]
fn tlb_asid_and_timing_overrides() {
    let mut p = Profile::default();
    p.set_tlb(TlbLevel::Dtlb, "64:4").unwrap();
    assert_eq!(p, default_with(|d| (d.dtlb.entries, d.dtlb.ways) = (64, 4)));
    p.set_tlb(TlbLevel::L2tlb, "none").unwrap();
    assert_eq!(p.l2tlb, None);
    p.set_tlb(TlbLevel::L2tlb, "1024:8").unwrap();
    assert_eq!(
        p.l2tlb.as_ref().map(|t| (t.entries, t.ways)),
        Some((1024, 8))
    );

    let mut p = Profile::default();
    p.set_asid(true).unwrap();
    assert_eq!(p, default_with(|d| d.asid_bits = 16));
    p.set_asid(false).unwrap();
    p.set_timing(false).unwrap();
    assert_eq!(p, default_with(|d| d.timing = false));
}

// Do sweep keys change what they name: both L1 TLBs for `tlb.entries`, keeping full
// associativity; one level for `l1d.size`; any cost or penalty?
#[test]
fn sweep_keys() {
    let mut p = Profile::default();
    p.set("tlb.entries", "64").unwrap();
    assert_eq!(
        p,
        default_with(|d| {
            (d.itlb.entries, d.itlb.ways, d.dtlb.entries, d.dtlb.ways) = (64, 64, 64, 64);
        })
    );
    p.set_tlb(TlbLevel::Dtlb, "64:4").unwrap();
    p.set("tlb.entries", "16").unwrap();
    assert_eq!((p.itlb.ways, p.dtlb.entries, p.dtlb.ways), (16, 16, 4));

    let mut p = Profile::default();
    p.set("l1d.size", "64K").unwrap();
    p.set("cost.div", "20").unwrap();
    p.set("penalty.memory", "250").unwrap();
    p.set("asid", "on").unwrap();
    p.set("l2.replacement", "random").unwrap();
    p.set("itlb.entries", "8").unwrap();
    let expected = default_with(|d| {
        d.l1d.as_mut().unwrap().size = 64 << 10;
        (d.cost.div, d.penalty.memory, d.asid_bits) = (20, 250, 16);
        d.l2.as_mut().unwrap().replacement = Replacement::Random;
        (d.itlb.entries, d.itlb.ways) = (8, 8);
    });
    assert_eq!(p, expected);
    p.set("timing", "off").unwrap();
    p.set("l2", "none").unwrap();
    assert!(!p.timing && p.l2.is_none());
    let e = err(p.set("l2.size", "1M"));
    assert!(e.contains("l2 is not modeled in this profile"), "{e}");
    for key in Profile::keys() {
        assert!(
            p.set(&key, "not-a-value").is_err(),
            "{key} took a bad value"
        );
    }
}

// Do unknown keys and bad values fail, naming valid keys close to it, and leave the profile unchanged?
#[test]
fn bad_sweep_settings_are_errors() {
    let mut p = Profile::default();
    let e = err(p.set("tlb.size", "64"));
    assert!(
        e.contains("tlb.size") && e.contains("close to it: tlb.entries"),
        "{e}"
    );
    assert!(e.contains("`--print-profile` shows all"), "{e}");
    let e = err(p.set("penalty.fence", "64"));
    assert!(
        e.contains("close to it: penalty.l2_hit,") && e.contains(", … ("),
        "{e}"
    );
    let e = err(p.set("nothing", "1"));
    assert!(e.contains("e.g. penalty.memory"), "{e}");
    let long = "k".repeat(100_000);
    let e = err(p.set(&long, "1"));
    assert!(e.chars().count() < 200, "{e}");
    let e = err(p.set("cost.div", "0"));
    assert!(
        e.contains("cost.div=0") && e.contains("cost.div must be at least 1"),
        "{e}"
    );
    let e = err(p.set("asid", "maybe"));
    assert!(e.contains("`maybe` is not on or off"), "{e}");
    let e = err(p.set("l1d.size", "48K"));
    assert!(e.contains("l1d.size = 49152 is not a power of two"), "{e}");
    assert_eq!(p, Profile::default());
}
