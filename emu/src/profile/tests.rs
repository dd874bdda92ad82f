//! Tests of profiles: the embedded files, parsing errors, validation and overrides.

use super::*;
use crate::model::replacement::Replacement;

/// The message of `r`'s error.
fn err<T: std::fmt::Debug>(r: Result<T, ProfileError>) -> String {
    r.unwrap_err().to_string()
}

/// The embedded profile `simple` (the simple model; the default until the pipeline model).
fn simple() -> Profile {
    Profile::embedded("simple").unwrap()
}

/// The `simple` profile's text with `from` replaced by `to` (which must change it).
fn edited(from: &str, to: &str) -> String {
    let text = include_str!("../../profiles/simple.toml");
    assert!(text.contains(from), "simple.toml has no `{from}`");
    text.replacen(from, to, 1)
}

/// `p` without its `[sources]`: its parameters only (a change by hand rewrites the sources).
fn bare(p: &Profile) -> Profile {
    Profile {
        sources: sources::Sources::new(),
        ..p.clone()
    }
}

/// `simple` with `f` applied.
fn simple_with(f: impl FnOnce(&mut Profile)) -> Profile {
    let mut p = simple();
    f(&mut p);
    p
}

// Does every embedded profile parse, validate, build its models, and come back unchanged
// through `to_toml`?
#[test]
fn embedded_profiles_are_valid_and_round_trip() {
    assert_eq!(embedded_names(), ["u74", "simple", "tiny", "big"]);
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
    let d = simple();
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
    let d = simple();
    let h = d.hash();
    assert_eq!(h.len(), 16);
    assert!(
        h.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(h, simple().hash());
    assert_eq!(h, d.clone().hash());
    let changes: [fn(&mut Profile); 5] = [
        |p| p.cost.div += 1,
        |p| p.penalty.writeback += 1,
        |p| p.l2tlb = None,
        |p| p.dtlb.seed = 1,
        |p| p.timing = false,
    ];
    for change in changes {
        assert_ne!(simple_with(change).hash(), h);
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
    assert_eq!(p, simple());
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
    assert!(simple().to_toml().contains("size = \"2M\""));
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
    let line = 1 + include_str!("../../profiles/simple.toml")
        .lines()
        .position(|l| l.contains("ways = 8"))
        .expect("simple.toml has `ways = 8`");
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
        simple_with(|p| p.l2tlb = None)
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
    let e = err(simple_with(|p| p.cost.alu = MAX_COST + 1).validate());
    assert!(e.starts_with("profile `simple`: cost.alu = 1025"), "{e}");
    let e = err(simple_with(|p| p.l2.as_mut().unwrap().size = 2 << 30).validate());
    assert!(
        e.contains("l2.size = 2147483648 is more than the 1G"),
        "{e}"
    );
}

// Does `load` find embedded names and files, and list the embedded names when it finds neither?
#[test]
fn load_by_name_or_path() {
    let path = std::env::temp_dir().join(format!("klab-profile-{}.toml", std::process::id()));
    let text = edited("name = \"simple\"", "name = \"mine\"");
    std::fs::write(&path, text).unwrap();
    let p = Profile::load(path.to_str().unwrap()).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(p, simple_with(|p| p.name = "mine".into()));
    assert_eq!(Profile::load("default").unwrap(), Profile::default());

    let e = err(Profile::load("no-such-profile.toml"));
    assert!(
        e.contains("no-such-profile.toml") && e.contains("u74, simple, tiny, big"),
        "{e}"
    );
    let e = err(Profile::embedded("huge"));
    assert!(
        e.contains("huge") && e.contains("u74, simple, tiny, big"),
        "{e}"
    );
}

// Does each cache override change that level and nothing else, keeping its policy?
#[test]
fn cache_overrides_change_exactly_their_level() {
    let mut p = simple();
    p.set_cache(CacheLevel::L1d, "64K:4:32").unwrap();
    let expected = simple_with(|d| {
        let c = d.l1d.as_mut().unwrap();
        (c.size, c.ways, c.line) = (64 << 10, 4, 32);
    });
    assert_eq!(bare(&p), bare(&expected));
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
    let mut p = simple();
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
    assert_eq!(p, simple());
}

// Do the TLB, ASID and timing overrides change exactly what they name?
#[test]
fn tlb_asid_and_timing_overrides() {
    let mut p = simple();
    p.set_tlb(TlbLevel::Dtlb, "64:4").unwrap();
    assert_eq!(
        bare(&p),
        bare(&simple_with(|d| (d.dtlb.entries, d.dtlb.ways) = (64, 4)))
    );
    p.set_tlb(TlbLevel::L2tlb, "none").unwrap();
    assert_eq!(p.l2tlb, None);
    p.set_tlb(TlbLevel::L2tlb, "1024:8").unwrap();
    assert_eq!(
        p.l2tlb.as_ref().map(|t| (t.entries, t.ways)),
        Some((1024, 8))
    );

    let mut p = simple();
    p.set_asid(true).unwrap();
    assert_eq!(bare(&p), bare(&simple_with(|d| d.asid_bits = 16)));
    p.set_asid(false).unwrap();
    p.set_timing(false).unwrap();
    assert_eq!(bare(&p), bare(&simple_with(|d| d.timing = false)));
}

// Do sweep keys change what they name: both L1 TLBs for `tlb.entries`, keeping full
// associativity; one level for `l1d.size`; any cost or penalty?
#[test]
fn sweep_keys() {
    let mut p = simple();
    p.set("tlb.entries", "64").unwrap();
    assert_eq!(
        bare(&p),
        bare(&simple_with(|d| {
            (d.itlb.entries, d.itlb.ways, d.dtlb.entries, d.dtlb.ways) = (64, 64, 64, 64);
        }))
    );
    p.set_tlb(TlbLevel::Dtlb, "64:4").unwrap();
    p.set("tlb.entries", "16").unwrap();
    assert_eq!((p.itlb.ways, p.dtlb.entries, p.dtlb.ways), (16, 16, 4));

    let mut p = simple();
    p.set("l1d.size", "64K").unwrap();
    p.set("cost.div", "20").unwrap();
    p.set("penalty.memory", "250").unwrap();
    p.set("asid", "on").unwrap();
    p.set("l2.replacement", "random").unwrap();
    p.set("itlb.entries", "8").unwrap();
    let expected = simple_with(|d| {
        d.l1d.as_mut().unwrap().size = 64 << 10;
        (d.cost.div, d.penalty.memory, d.asid_bits) = (20, 250, 16);
        d.l2.as_mut().unwrap().replacement = Replacement::Random;
        (d.itlb.entries, d.itlb.ways) = (8, 8);
    });
    assert_eq!(bare(&p), bare(&expected));
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
    let mut p = simple();
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
    assert_eq!(p, simple());
}

// Is the default profile the pipeline model `u74` (also called `default`), and does the simple
// model, renamed `simple`, keep the hash it had as the default before the pipeline model existed
// (the README's and old reports' `default (76cbc601bcd0b7a3)`)? Is a profile without
// `core.model` simple, and writing the key out for the simple model the same profile?
#[test]
fn the_pipeline_is_the_default_and_simple_keeps_the_old_default_hash() {
    let d = Profile::default();
    assert_eq!((d.name.as_str(), d.model), ("u74", CoreModel::Pipeline));
    assert_eq!(Profile::embedded("default").unwrap(), d);
    assert_eq!(DEFAULT_PROFILE, "u74");

    let s = simple();
    assert_eq!(s.model, CoreModel::Simple);
    assert!(s.pipeline.is_none());
    assert_eq!(s.hash(), "76cbc601bcd0b7a3");
    // The hash is that of the old file: the same parameters under the old name, no `formerly`.
    let old = edited(
        "name = \"simple\"\nformerly = \"default\"\n",
        "name = \"default\"\n",
    );
    let old = Profile::from_toml(&old, "t").unwrap();
    assert_eq!(
        (old.name.as_str(), old.formerly.as_deref()),
        ("default", None)
    );
    assert_eq!(old.hash(), s.hash());
    assert_eq!(old.parameters_toml(), s.parameters_toml());
    // Renamed again, or with a parameter changed, it is another profile.
    assert_ne!(simple_with(|p| p.formerly = None).hash(), s.hash());
    assert_ne!(simple_with(|p| p.penalty.trap += 1).hash(), s.hash());
    // `formerly` survives to_toml, and only the hash reads it.
    assert!(
        s.to_toml().contains("formerly = \"default\""),
        "{}",
        s.to_toml()
    );
    assert_eq!(Profile::from_toml(&s.to_toml(), "t").unwrap(), s);

    assert!(
        !s.to_toml().lines().any(|l| l.starts_with("model")),
        "{}",
        s.to_toml()
    );
    let explicit = edited("asid_bits = 0\n", "asid_bits = 0\nmodel = \"simple\"\n");
    let p = Profile::from_toml(&explicit, "t").unwrap();
    assert_eq!(p, s);
    assert_eq!(p.hash(), s.hash());
}

// Is the pipeline model chosen by `core.model`, with its table required exactly then, and is
// `u74` the default core under the pipeline model (its L2 hit counted from the load-use latency)?
#[test]
fn the_pipeline_model_needs_its_table_and_only_then() {
    let u74 = Profile::embedded("u74").unwrap();
    assert_eq!(u74.model, CoreModel::Pipeline);
    let p = u74.pipeline.as_ref().unwrap();
    assert_eq!((p.load_use, p.mul, p.div_32, p.div_64), (3, 3, 34, 66));
    assert_eq!((p.mispredict, p.btb_entries, p.ras_entries), (3, 32, 12));
    // The same core, but the L2 hit charged beyond the load-use latency the pipeline adds.
    let mut penalty = simple().penalty;
    penalty.l2_hit -= p.load_use;
    let same_core = Profile {
        penalty,
        name: u74.name.clone(),
        formerly: None,
        description: u74.description.clone(),
        model: CoreModel::Pipeline,
        pipeline: u74.pipeline.clone(),
        sources: u74.sources.clone(),
        ..simple()
    };
    assert_eq!(
        same_core, u74,
        "u74 is simple's core with the pipeline model"
    );
    assert_ne!(u74.hash(), simple().hash());

    let table = "\n[pipeline]\nload_use = 3\nlate_bypass = 2\nalu_late = 3\nmul = 3\n\
                 div_32 = 34\ndiv_64 = 66\ncsr_read = 3\nmispredict = 3\nbht_entries = 16384\n\
                 btb_entries = 32\nras_entries = 12\n";
    let e = err(Profile::from_toml(
        &edited("\n[l1i]", &format!("{table}\n[l1i]")),
        "t",
    ));
    assert!(e.contains("core.model = \"pipeline\""), "{e}");
    let e = err(Profile::from_toml(
        &edited("asid_bits = 0\n", "asid_bits = 0\nmodel = \"pipeline\"\n"),
        "t",
    ));
    assert!(e.contains("needs a [pipeline] table"), "{e}");
    let e = err(Profile::from_toml(
        &edited(
            "asid_bits = 0\n",
            "asid_bits = 0\nmodel = \"superscalar\"\n",
        ),
        "t",
    ));
    assert!(e.contains("superscalar"), "{e}");
    let mut bad = u74.clone();
    bad.pipeline.as_mut().unwrap().btb_entries = 24;
    assert!(err(bad.validate()).contains("pipeline.btb_entries = 24 is not a power of two"));
    let mut bad = u74.clone();
    bad.pipeline.as_mut().unwrap().div_64 = MAX_LATENCY + 1;
    assert!(err(bad.validate()).contains("pipeline.div_64"));
    let mut bad = u74.clone();
    bad.pipeline.as_mut().unwrap().load_use = 0;
    assert!(err(bad.validate()).contains("pipeline.load_use must be at least 1"));
    let mut bad = u74;
    bad.cost.fence = MAX_LATENCY + 1;
    assert!(err(bad.validate()).contains("cost.fence"));
}

// Can a sweep set a pipeline parameter on a pipeline profile, and does it say why not on a
// simple one?
#[test]
fn pipeline_sweep_keys() {
    let mut p = Profile::embedded("u74").unwrap();
    p.set("pipeline.mispredict", "5").unwrap();
    p.set("pipeline.load_use", "2").unwrap();
    let q = p.pipeline.as_ref().unwrap();
    assert_eq!((q.mispredict, q.load_use), (5, 2));
    assert!(p.set("pipeline.btb_entries", "33").is_err());
    let e = err(simple().set("pipeline.mispredict", "5"));
    assert!(e.contains("simple model"), "{e}");
}

// Does every embedded profile say where each parameter comes from, with a range on every
// estimated linear parameter that holds the profile's value?
#[test]
fn embedded_profiles_source_every_parameter() {
    for name in embedded_names() {
        let p = Profile::embedded(name).unwrap();
        for key in sources::required_keys(&p) {
            assert!(
                sources::covers(&p.sources, &key),
                "{name}: no [sources] entry for {key}"
            );
        }
        for t in linear::LINEAR {
            // The pipeline's terms belong to pipeline profiles only.
            if t.key.starts_with("pipeline.") && p.pipeline.is_none() {
                continue;
            }
            let s = &p.sources[t.key];
            if let Some((low, high)) = s.range() {
                let v = u64::from((t.value)(&p));
                assert!(
                    low <= v && v <= high,
                    "{name}: {} = {v} outside {low}..{high}",
                    t.key
                );
            }
            assert!(
                s.source.is_some() || s.range().is_some(),
                "{name}: {}",
                t.key
            );
        }
        for (field, v) in p.cost.iter() {
            if let Some((low, high)) = p.sources[&format!("cost.{field}")].range() {
                let v = u64::from(v);
                assert!(
                    low <= v && v <= high,
                    "{name}: cost.{field} = {v} outside {low}..{high}"
                );
            }
        }
    }
}

// Is the hash blind to [sources] (a profile keeps its hash when it cites its sources, or
// corrects a citation), while to_toml keeps them?
#[test]
fn sources_do_not_change_the_hash_and_survive_to_toml() {
    let d = simple();
    assert!(!d.sources.is_empty());
    let text = include_str!("../../profiles/simple.toml");
    let without = &text[..text.find("[sources.").unwrap()];
    let old = Profile::from_toml(without, "t").unwrap();
    assert!(old.sources.is_empty());
    assert_eq!(old.hash(), d.hash());
    assert!(!old.to_toml().contains("sources"), "no empty table written");
    let mut cited = d.clone();
    cited.sources.get_mut("penalty.trap").unwrap().why = Some("another reason".into());
    assert_eq!(cited.hash(), d.hash());
    assert_ne!(cited, d);
    let back = Profile::from_toml(&d.to_toml(), "t").unwrap();
    assert_eq!(back, d);
    assert_eq!(back.sources["penalty.l2_hit"].range(), Some((12, 20)));
}

// Does a parameter set by hand lose its estimate (it is pinned), while the rest of its table
// keeps its citation?
#[test]
fn a_parameter_set_by_hand_is_cited_as_set() {
    let mut p = simple();
    p.set("penalty.tlb_walk", "30").unwrap();
    let s = &p.sources["penalty.tlb_walk"];
    assert_eq!(
        (s.source.as_deref(), s.range()),
        (Some("set: penalty.tlb_walk=30"), None)
    );
    let l1d = p.sources["l1d"].clone();
    p.set("l1d.size", "64K").unwrap();
    assert!(!p.sources.contains_key("l1d"));
    assert_eq!(p.sources["l1d.ways"], l1d);
    assert_eq!(
        p.sources["l1d.size"].source.as_deref(),
        Some("set: l1d.size=64K")
    );
    assert!(sources::covers(&p.sources, "l1d"));
    p.set("tlb.entries", "64").unwrap();
    assert!(p.sources["itlb.entries"].source.as_deref() == Some("set: tlb.entries=64"));
    p.set_asid(true).unwrap();
    assert!(p.sources["core.asid_bits"].source.as_deref() == Some("set: asid=on"));
    p.validate().unwrap();
}

// Are malformed [sources] entries errors naming the entry?
#[test]
fn bad_sources_are_errors() {
    let text = include_str!("../../profiles/simple.toml");
    let cases = [
        (
            "[sources.\"penalty.nope\"]\nsource = \"x\"",
            "is not a parameter",
        ),
        ("[sources.\"timing\"]\nsource = \"x\"", "is not a parameter"),
        (
            "[sources.\"cost.alu\"]\nlow = 1\nhigh = 2",
            "give its `source`",
        ),
        ("[sources.\"cost.alu\"]\nwhy = \"x\"\nlow = 3", "needs both"),
        (
            "[sources.\"cost.alu\"]\nwhy = \"x\"\nlow = 3\nhigh = 2",
            "is more than",
        ),
        (
            "[sources.\"penalty.xret\"]\nwhy = \"x\"",
            "needs a plausible range",
        ),
        (
            "[sources.\"cost.alu\"]\nsource = \"x\"\nurl = \"y\"",
            "unknown field",
        ),
    ];
    for (entry, message) in cases {
        // Each case replaces the file's own entry for that key.
        let key = entry.split('"').nth(1).unwrap();
        let header = format!("[sources.\"{key}\"]");
        let mut base = text.to_string();
        if let Some(at) = base.find(&header) {
            let end = base[at + 1..]
                .find("\n[")
                .map_or(base.len(), |e| at + 1 + e);
            base.replace_range(at..end, "");
        }
        let t = format!("{base}\n{entry}\n");
        let e = err(Profile::from_toml(&t, "t"));
        assert!(e.contains(message), "{entry}: {e}");
    }
}
