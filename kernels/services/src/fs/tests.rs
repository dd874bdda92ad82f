//! Tests of the file system, each headed by the question it asks. [`ustar`] is a tiny archive
//! writer, so the tests say exactly which bytes the kernel would be given.

use super::*;
use alloc::string::String;
use alloc::vec;

/// An archive entry for [`ustar`].
pub(crate) enum Entry<'d> {
    /// A regular file (typeflag `0`) with these bytes.
    File(&'d [u8]),
    /// A directory (typeflag `5`).
    Dir,
    /// Another typeflag, with a payload if the type has one.
    Other(u8, &'d [u8]),
}

/// Writes `value` in octal, zero-padded, NUL-terminated, filling `field`.
fn put_octal(field: &mut [u8], value: usize) {
    let digits = format!("{value:0width$o}", width = field.len() - 1);
    field[..digits.len()].copy_from_slice(digits.as_bytes());
    field[field.len() - 1] = 0;
}

/// Sets the checksum of header block `h`: the sum of its bytes with the checksum field as
/// spaces, six octal digits, NUL, space.
pub(crate) fn seal(h: &mut [u8]) {
    h[148..156].fill(b' ');
    let sum: usize = h[..512].iter().map(|&b| b as usize).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

/// A ustar header for `name` (split into prefix and name beyond 100 bytes).
pub(crate) fn header(name: &[u8], typeflag: u8, size: usize) -> [u8; 512] {
    let mut h = [0u8; 512];
    let (prefix, name) = if name.len() > 100 {
        let cut = name[..name.len().min(156)]
            .iter()
            .rposition(|&b| b == b'/')
            .unwrap();
        (&name[..cut], &name[cut + 1..])
    } else {
        (&name[..0], name)
    };
    h[..name.len()].copy_from_slice(name);
    put_octal(&mut h[100..108], 0o755); // mode
    put_octal(&mut h[108..116], 0); // uid
    put_octal(&mut h[116..124], 0); // gid
    put_octal(&mut h[124..136], size);
    put_octal(&mut h[136..148], 0); // mtime
    h[156] = typeflag;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len()].copy_from_slice(prefix);
    seal(&mut h);
    h
}

/// A ustar archive of `entries`, in order, ending with two zero blocks.
pub(crate) fn ustar(entries: &[(&str, Entry)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, e) in entries {
        let (flag, data): (u8, &[u8]) = match e {
            Entry::File(d) => (b'0', d),
            Entry::Dir => (b'5', &[]),
            Entry::Other(flag, d) => (*flag, d),
        };
        out.extend_from_slice(&header(name.as_bytes(), flag, data.len()));
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(512), 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// 700 bytes: a file whose data spans two blocks.
fn sh_bytes() -> Vec<u8> {
    (0..700u32).map(|i| (i * 7 % 251) as u8).collect()
}

/// `/bin/hello`, `/bin/sh` (with and without `./`, with directory entries) and `/lib/deep/x`
/// (without any).
fn sample(sh: &[u8]) -> Vec<u8> {
    ustar(&[
        ("./", Entry::Dir),
        ("./bin/", Entry::Dir),
        ("./bin/hello", Entry::File(b"hello")),
        ("bin/sh", Entry::File(sh)),
        ("lib/deep/x", Entry::File(b"x")),
    ])
}

/// The names in directory `ino`, in `dir_entry` order.
fn names(fs: &Fs, ino: Ino) -> Vec<String> {
    (0..)
        .map_while(|i| fs.dir_entry(ino, i))
        .map(|e| String::from_utf8(e.name().to_vec()).unwrap())
        .collect()
}

/// A file's content joined from [`Fs::file_chunks`]; `None` if `ino` is no file.
fn file_bytes(fs: &Fs, ino: Ino) -> Option<Vec<u8>> {
    Some(fs.file_chunks(ino)?.flatten().copied().collect())
}

fn read_all(fs: &Fs, ino: Ino) -> Vec<u8> {
    let mut buf = vec![0; fs.size(ino).unwrap() + 10];
    let n = fs.read(ino, 0, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn a_new_file_system_has_a_root_and_dev_with_three_devices() {
    let fs = Fs::new(16);
    assert_eq!(fs.lookup(b"/"), Ok(ROOT));
    assert_eq!(fs.kind(ROOT), Ok(kind::DIR));
    assert_eq!(names(&fs, ROOT), ["dev"]);
    let dev = fs.lookup(b"/dev").unwrap();
    assert_eq!(names(&fs, dev), ["console", "null", "zero"]);
    for d in Device::ALL {
        let ino = fs.lookup(format!("/dev/{}", d.name()).as_bytes()).unwrap();
        assert_eq!(fs.device(ino), Some(d));
        assert_eq!(
            fs.stat(ino),
            Ok(Stat {
                kind: kind::DEVICE,
                _pad: 0,
                size: 0,
                ino: ino as u64
            })
        );
        assert!(fs.is_readonly(ino));
    }
    assert_eq!(fs.device(dev), None);
    assert_eq!(fs.inodes_used(), 5);
    assert!(!fs.is_readonly(ROOT));
}

#[test]
fn archive_files_and_their_directories_appear_with_their_contents() {
    let sh = sh_bytes();
    let ar = sample(&sh);
    let fs = Fs::from_ustar(&ar, 64).unwrap();
    assert_eq!(names(&fs, ROOT), ["bin", "dev", "lib"]);
    let bin = fs.lookup(b"/bin").unwrap();
    assert_eq!(names(&fs, bin), ["hello", "sh"]);
    let ino = fs.lookup(b"/bin/sh").unwrap();
    assert_eq!(
        fs.stat(ino),
        Ok(Stat {
            kind: kind::FILE,
            _pad: 0,
            size: 700,
            ino: ino as u64
        })
    );
    assert_eq!(read_all(&fs, ino), sh);
    assert_eq!(
        file_bytes(&fs, fs.lookup(b"/bin/hello").unwrap()),
        Some(b"hello".to_vec())
    );
    assert_eq!(
        fs.kind(fs.lookup(b"/lib/deep").unwrap()),
        Ok(kind::DIR),
        "made though not listed"
    );
    assert_eq!(
        file_bytes(&fs, fs.lookup(b"/lib/deep/x").unwrap()),
        Some(b"x".to_vec())
    );
    assert_eq!(file_bytes(&fs, bin), None);
    assert_eq!(fs.inodes_used(), 5 + 6);
}

#[test]
fn archive_bytes_are_borrowed_not_copied() {
    let sh = sh_bytes();
    let ar = sample(&sh);
    let fs = Fs::from_ustar(&ar, 64).unwrap();
    let bytes = fs.archive_bytes(fs.lookup(b"/bin/sh").unwrap()).unwrap();
    assert!(
        ar.as_ptr_range().contains(&bytes.as_ptr()),
        "the file is a slice of the archive"
    );
    assert_eq!(
        fs.bytes_used(),
        0,
        "borrowed bytes do not count against the limit"
    );
}

#[test]
fn a_name_longer_than_100_bytes_is_found_through_the_ustar_prefix() {
    let long = format!("bin/{}/{}/prog", "d".repeat(50), "e".repeat(50));
    assert!(long.len() > 100);
    let ar = ustar(&[(&long, Entry::File(b"p"))]);
    let fs = Fs::from_ustar(&ar, 64).unwrap();
    let ino = fs.lookup(format!("/{long}").as_bytes()).unwrap();
    assert_eq!(file_bytes(&fs, ino), Some(b"p".to_vec()));
}

#[test]
fn links_devices_and_pax_headers_in_the_archive_are_skipped() {
    let ar = ustar(&[
        ("bin/link", Entry::Other(b'2', b"")),
        ("bin/tty", Entry::Other(b'3', b"")),
        (
            "PaxHeader/sh",
            Entry::Other(b'x', b"30 mtime=1700000000.123456789\n"),
        ),
        ("bin/sh", Entry::File(b"sh")),
    ]);
    let fs = Fs::from_ustar(&ar, 64).unwrap();
    assert_eq!(fs.lookup(b"/bin/link"), Err(Errno::NoEnt));
    assert_eq!(fs.lookup(b"/bin/tty"), Err(Errno::NoEnt));
    assert_eq!(fs.lookup(b"/PaxHeader"), Err(Errno::NoEnt));
    assert_eq!(
        file_bytes(&fs, fs.lookup(b"/bin/sh").unwrap()),
        Some(b"sh".to_vec())
    );
}

#[test]
fn archive_nodes_and_dev_are_read_only_and_everything_else_is_writable() {
    let sh = sh_bytes();
    let ar = sample(&sh);
    let mut fs = Fs::from_ustar(&ar, 64).unwrap();
    let ino = fs.lookup(b"/bin/sh").unwrap();
    assert!(fs.is_readonly(ino) && fs.is_readonly(fs.lookup(b"/bin").unwrap()));
    assert!(
        fs.is_readonly(fs.lookup(b"/lib/deep").unwrap()),
        "an implied directory too"
    );
    assert_eq!(fs.write(ino, 0, b"x"), Err(Errno::RoFs));
    assert_eq!(fs.truncate(ino), Err(Errno::RoFs));
    for path in [
        &b"/bin/sh"[..],
        b"/bin/hello",
        b"/lib/deep/x",
        b"/dev/null",
        b"/dev",
        b"/bin",
    ] {
        assert_eq!(
            fs.unlink(path),
            Err(Errno::RoFs),
            "{}",
            String::from_utf8_lossy(path)
        );
    }
    assert_eq!(fs.create_file(b"/bin/new"), Err(Errno::RoFs));
    assert_eq!(fs.mkdir(b"/lib/deep/d"), Err(Errno::RoFs));
    assert_eq!(fs.create_file(b"/dev/evil"), Err(Errno::RoFs));
    assert_eq!(read_all(&fs, ino), sh, "nothing changed");

    let tmp = fs.mkdir(b"/tmp").unwrap();
    let a = fs.create_file(b"/tmp/a").unwrap();
    let top = fs.create_file(b"/top").unwrap();
    assert!(!fs.is_readonly(tmp) && !fs.is_readonly(a) && !fs.is_readonly(top));
    assert_eq!(fs.write(a, 0, b"ok"), Ok(2));
}

#[test]
fn malformed_archives_are_errors_not_panics() {
    let sh = sh_bytes();
    let good = sample(&sh);
    assert!(Fs::from_ustar(&good, 64).is_ok());
    let mut bad_sum = good.clone();
    bad_sum[1024 + 3] ^= 1; // a name byte of the third header
    let mut bad_size = ustar(&[("f", Entry::File(b"abc"))]);
    bad_size[124..136].copy_from_slice(b"zz\0\0\0\0\0\0\0\0\0\0");
    seal(&mut bad_size[..512]);
    let mut huge_size = ustar(&[("f", Entry::File(b"abc"))]);
    huge_size[124..136].copy_from_slice(b"77777777777\0");
    seal(&mut huge_size[..512]);
    let mut bad_flag = ustar(&[("f", Entry::File(b"abc"))]);
    bad_flag[156] = b'Z';
    seal(&mut bad_flag[..512]);
    let mut not_utf8 = ustar(&[("f", Entry::File(b"abc"))]);
    not_utf8[0] = 0xff;
    seal(&mut not_utf8[..512]);
    let long_name = format!("bin/{}", "n".repeat(NAME_MAX + 1));
    let cases: Vec<(&str, Vec<u8>, Errno)> = vec![
        ("empty", Vec::new(), Errno::Inval),
        (
            "not whole blocks",
            good[..good.len() - 100].to_vec(),
            Errno::Inval,
        ),
        (
            "truncated in a file's data",
            good[..2048].to_vec(),
            Errno::Inval,
        ),
        (
            "no end blocks",
            good[..good.len() - 1024].to_vec(),
            Errno::Inval,
        ),
        ("bad checksum", bad_sum, Errno::Inval),
        ("size not octal", bad_size, Errno::Inval),
        ("size past the end", huge_size, Errno::Inval),
        ("unknown typeflag", bad_flag, Errno::Inval),
        ("name not UTF-8", not_utf8, Errno::Inval),
        (
            "dot-dot",
            ustar(&[("bin/../x", Entry::File(b""))]),
            Errno::Inval,
        ),
        (
            "a file as the root",
            ustar(&[("./", Entry::File(b"x"))]),
            Errno::Inval,
        ),
        (
            "long component",
            ustar(&[(&long_name, Entry::File(b""))]),
            Errno::NameTooLong,
        ),
        (
            "twice the same file",
            ustar(&[("a", Entry::File(b"1")), ("./a", Entry::File(b"2"))]),
            Errno::Exist,
        ),
        (
            "a directory over a file",
            ustar(&[("a", Entry::File(b"1")), ("a/", Entry::Dir)]),
            Errno::Exist,
        ),
        (
            "through a file",
            ustar(&[("bin", Entry::File(b"")), ("bin/sh", Entry::File(b""))]),
            Errno::NotDir,
        ),
        (
            "into /dev",
            ustar(&[("dev/evil", Entry::File(b""))]),
            Errno::RoFs,
        ),
        (
            "over a device",
            ustar(&[("dev/null", Entry::File(b""))]),
            Errno::Exist,
        ),
    ];
    for (what, ar, want) in &cases {
        assert_eq!(Fs::from_ustar(ar, 64).map(|_| ()), Err(*want), "{what}");
    }
}

#[test]
fn no_single_corrupted_byte_makes_populating_panic() {
    let sh = sh_bytes();
    let good = sample(&sh);
    let (mut errors, mut oks) = (0, 0);
    for i in 0..good.len() {
        for (v, reseal) in [
            (0xff, false),
            (b'/', true),
            (b'.', true),
            (b'5', true),
            (0, true),
        ] {
            let mut ar = good.clone();
            if ar[i] == v {
                continue;
            }
            ar[i] = v;
            // With a fixed-up checksum the corruption gets past validation to the names.
            let block = i / 512 * 512;
            if reseal && !(148..156).contains(&(i % 512)) {
                seal(&mut ar[block..block + 512]);
            }
            match Fs::from_ustar(&ar, 64) {
                Ok(_) => oks += 1,
                Err(_) => errors += 1,
            }
        }
    }
    assert!(
        errors > 0 && oks > 0,
        "some corruptions are noticed, others are harmless"
    );
}

#[test]
fn a_new_file_reads_back_what_was_written_and_truncates_to_nothing() {
    let mut fs = Fs::new(16);
    fs.mkdir(b"/tmp").unwrap();
    let f = fs.create_file(b"/tmp/f").unwrap();
    assert_eq!(fs.stat(f).map(|s| (s.kind, s.size)), Ok((kind::FILE, 0)));
    assert_eq!(fs.write(f, 0, b"hello world"), Ok(11));
    assert_eq!(fs.write(f, 6, b"there"), Ok(5));
    assert_eq!(read_all(&fs, f), b"hello there");
    let mut buf = [0; 4];
    assert_eq!(fs.read(f, 9, &mut buf), Ok(2));
    assert_eq!(&buf[..2], b"re");
    assert_eq!(fs.read(f, 11, &mut buf), Ok(0));
    assert_eq!(fs.read(f, usize::MAX, &mut buf), Ok(0));
    assert_eq!(fs.bytes_used(), 11);
    assert_eq!(fs.write(f, 3, b""), Ok(0));
    fs.truncate(f).unwrap();
    assert_eq!(fs.size(f), Ok(0));
    assert_eq!(fs.bytes_used(), 0);
    assert_eq!(file_bytes(&fs, f), Some(b"".to_vec()));
}

#[test]
fn a_write_past_the_end_leaves_a_hole_of_zeros() {
    let mut fs = Fs::new(16);
    let f = fs.create_file(b"/f").unwrap();
    fs.write(f, 0, b"ab").unwrap();
    assert_eq!(fs.write(f, 6, b"cd"), Ok(2));
    assert_eq!(read_all(&fs, f), b"ab\0\0\0\0cd");
    assert_eq!(fs.bytes_used(), 8, "the hole counts: it is stored");
}

#[test]
fn the_byte_limit_makes_a_write_partial_then_enospc() {
    let mut fs = Fs::with_limits(16, 100);
    let a = fs.create_file(b"/a").unwrap();
    let b = fs.create_file(b"/b").unwrap();
    assert_eq!(fs.write(a, 0, &[1; 80]), Ok(80));
    assert_eq!(
        fs.write(b, 0, &[2; 40]),
        Ok(20),
        "only the room left is written"
    );
    assert_eq!(fs.write(b, 20, b"x"), Err(Errno::NoSpc));
    assert_eq!(
        fs.write(a, 0, &[3; 80]),
        Ok(80),
        "overwriting needs no room"
    );
    assert_eq!(
        fs.write(b, 1000, b"x"),
        Err(Errno::NoSpc),
        "nor does a hole fit"
    );
    assert_eq!(fs.write(b, usize::MAX, b"x"), Err(Errno::NoSpc));
    assert_eq!(fs.bytes_used(), 100);
    fs.truncate(a).unwrap();
    assert_eq!(fs.write(b, 20, &[4; 50]), Ok(50));
    assert_eq!(fs.bytes_used(), 70);
}

#[test]
fn running_out_of_inodes_is_enospc_until_one_is_freed() {
    let mut fs = Fs::new(7);
    assert_eq!(fs.capacity(), 7);
    let a = fs.create_file(b"/a").unwrap();
    fs.mkdir(b"/d").unwrap();
    assert_eq!(fs.create_file(b"/b"), Err(Errno::NoSpc));
    assert_eq!(fs.mkdir(b"/e"), Err(Errno::NoSpc));
    assert_eq!(
        fs.lookup(b"/b"),
        Err(Errno::NoEnt),
        "a failed create leaves no name"
    );
    fs.unlink(b"/a").unwrap();
    assert_eq!(
        fs.create_file(b"/b"),
        Ok(a),
        "the lowest free number is reused"
    );
}

#[test]
fn a_capacity_below_the_built_in_inodes_is_raised_to_them() {
    let mut fs = Fs::new(0);
    assert_eq!(fs.capacity(), 5);
    assert!(fs.lookup(b"/dev/zero").is_ok());
    assert_eq!(fs.create_file(b"/a"), Err(Errno::NoSpc));
}

#[test]
fn an_unlinked_file_stays_usable_while_open_and_goes_at_its_last_release() {
    let mut fs = Fs::new(16);
    let f = fs.create_file(b"/f").unwrap();
    fs.write(f, 0, b"data").unwrap();
    fs.retain(f).unwrap();
    fs.retain(f).unwrap();
    fs.unlink(b"/f").unwrap();
    assert_eq!(fs.lookup(b"/f"), Err(Errno::NoEnt));
    assert_eq!(names(&fs, ROOT), ["dev"]);
    assert_eq!(read_all(&fs, f), b"data");
    assert_eq!(fs.write(f, 4, b"!"), Ok(1));
    let g = fs.create_file(b"/f").unwrap();
    assert_ne!(g, f, "the number is still in use");
    fs.release(f);
    assert_eq!(fs.size(f), Ok(5));
    fs.release(f);
    assert_eq!(fs.stat(f), Err(Errno::NoEnt));
    assert_eq!(fs.bytes_used(), 0);
    assert_eq!(fs.inodes_used(), 6);
}

#[test]
fn release_without_retain_and_retain_of_nothing_change_nothing() {
    let mut fs = Fs::new(16);
    let f = fs.create_file(b"/f").unwrap();
    fs.release(f);
    fs.release(999);
    assert_eq!(fs.lookup(b"/f"), Ok(f));
    assert_eq!(fs.retain(999), Err(Errno::NoEnt));
    assert_eq!(fs.retain(0), Err(Errno::NoEnt), "0 is never an inode");
    fs.retain(f).unwrap();
    fs.release(f);
    fs.unlink(b"/f").unwrap();
    assert_eq!(
        fs.stat(f),
        Err(Errno::NoEnt),
        "freed at unlink: no longer open"
    );
}

#[test]
fn unlink_removes_files_and_empty_directories_but_not_the_root() {
    let mut fs = Fs::new(16);
    fs.mkdir(b"/d").unwrap();
    fs.create_file(b"/d/f").unwrap();
    assert_eq!(fs.unlink(b"/d"), Err(Errno::NotEmpty));
    fs.unlink(b"/d/f").unwrap();
    assert_eq!(fs.unlink(b"/d/f"), Err(Errno::NoEnt));
    fs.unlink(b"/d/").unwrap();
    assert_eq!(fs.lookup(b"/d"), Err(Errno::NoEnt));
    assert_eq!(fs.unlink(b"/"), Err(Errno::Busy));
    assert_eq!(fs.unlink(b"///"), Err(Errno::Busy));
    assert_eq!(fs.inodes_used(), 5);
}

#[test]
fn path_errors_say_what_is_wrong() {
    let sh = sh_bytes();
    let ar = sample(&sh);
    let mut fs = Fs::from_ustar(&ar, 64).unwrap();
    fs.mkdir(b"/tmp").unwrap();
    fs.create_file(b"/tmp/f").unwrap();
    let long_name = [b'n'; NAME_MAX + 1];
    let long_component = [&b"/tmp/"[..], &long_name].concat();
    let long_path = [&b"/"[..], &[b'a'; PATH_MAX]].concat();
    let cases: [(&[u8], Errno); 10] = [
        (b"", Errno::NoEnt),
        (b"/nope", Errno::NoEnt),
        (b"/nope/f", Errno::NoEnt),
        (b"/bin/sh/x", Errno::NotDir),
        (b"/bin/sh/..", Errno::NotDir),
        (b"/tmp/f/", Errno::NotDir),
        (&long_component, Errno::NameTooLong),
        (&long_path, Errno::NameTooLong),
        (b"/tmp\0/f", Errno::Inval),
        (b"/bin/nope", Errno::NoEnt),
    ];
    for (path, want) in cases {
        // "/tmp/f/" is a file: looking it up ignores the slash; creating under it does not.
        let lookup = fs.lookup(path);
        let create = fs.create_file(&[path, b"/new"].concat());
        let p = String::from_utf8_lossy(path);
        if path == b"/tmp/f/" {
            assert!(lookup.is_ok(), "{p}");
        } else {
            assert_eq!(lookup, Err(want), "lookup {p}");
        }
        if !path.is_empty() {
            assert_eq!(create, Err(want), "create under {p}");
        }
    }
    assert_eq!(fs.create_file(b"/tmp/f"), Err(Errno::Exist));
    assert_eq!(fs.mkdir(b"/tmp"), Err(Errno::Exist));
    assert_eq!(fs.mkdir(b"/"), Err(Errno::Exist));
    assert_eq!(
        fs.mkdir(b"/bin"),
        Err(Errno::Exist),
        "exists, though read-only"
    );
    assert_eq!(fs.create_file(&long_component), Err(Errno::NameTooLong));
    assert_eq!(fs.mkdir(b"/tmp/."), Err(Errno::Inval));
    assert_eq!(fs.unlink(b"/tmp/.."), Err(Errno::Inval));
}

#[test]
fn dot_dotdot_and_relative_paths_resolve_from_the_root() {
    let sh = sh_bytes();
    let ar = sample(&sh);
    let mut fs = Fs::from_ustar(&ar, 64).unwrap();
    let sh_ino = fs.lookup(b"/bin/sh").unwrap();
    for path in [
        &b"bin/sh"[..],
        b"//bin/./sh",
        b"/lib/deep/../../bin/sh",
        b"/../../bin/sh",
        b"./bin//sh/",
    ] {
        assert_eq!(
            fs.lookup(path),
            Ok(sh_ino),
            "{}",
            String::from_utf8_lossy(path)
        );
    }
    assert_eq!(fs.lookup(b"/.."), Ok(ROOT));
    assert_eq!(fs.lookup(b"."), Ok(ROOT));
    let d = fs.mkdir(b"rel").unwrap();
    assert_eq!(fs.lookup(b"/rel"), Ok(d));
    let f = fs.create_file(b"/rel/../rel/./f").unwrap();
    assert_eq!(fs.lookup(b"/rel/f"), Ok(f));
}

#[test]
fn a_name_or_path_at_the_limit_is_fine_and_one_byte_more_is_too_long() {
    let mut fs = Fs::new(16);
    let name = [b'n'; NAME_MAX];
    let path = [&b"/"[..], &name].concat();
    let f = fs.create_file(&path).unwrap();
    assert_eq!(
        fs.dir_entry(ROOT, 1).map(|e| e.name().to_vec()),
        Some(name.to_vec())
    );
    assert_eq!(
        fs.create_file(&[&path[..], b"x"].concat()),
        Err(Errno::NameTooLong)
    );
    // PATH_MAX bytes exactly: slashes padding a short name.
    let padded = [&[b'/'; PATH_MAX - NAME_MAX][..], &name].concat();
    assert_eq!(padded.len(), PATH_MAX);
    assert_eq!(fs.lookup(&padded), Ok(f));
    assert_eq!(
        fs.lookup(&[b"/", &padded[..]].concat()),
        Err(Errno::NameTooLong)
    );
}

#[test]
fn directories_list_their_entries_in_name_order_whatever_the_creation_order() {
    let mut fs = Fs::new(16);
    let d = fs.mkdir(b"/d").unwrap();
    for n in ["zeta", "alpha", "Beta", "mid", "al"] {
        fs.create_file(format!("/d/{n}").as_bytes()).unwrap();
    }
    let sub = fs.mkdir(b"/d/sub").unwrap();
    assert_eq!(names(&fs, d), ["Beta", "al", "alpha", "mid", "sub", "zeta"]);
    let e = fs.dir_entry(d, 4).unwrap();
    assert_eq!(
        (e.ino, e.kind, e.name()),
        (sub as u64, kind::DIR, &b"sub"[..])
    );
    assert_eq!(fs.dir_entry(d, 0).map(|e| e.kind), Some(kind::FILE));
    assert_eq!(fs.dir_entry(d, 6), None);
    assert_eq!(fs.dir_entry(d, usize::MAX), None);
    assert_eq!(fs.size(d), Ok(6));
    let f = fs.lookup(b"/d/al").unwrap();
    assert_eq!(fs.dir_entry(f, 0), None, "a file has no entries");
}

#[test]
fn file_operations_on_a_directory_or_a_device_are_refused() {
    let mut fs = Fs::new(16);
    let null = fs.lookup(b"/dev/null").unwrap();
    let mut buf = [0; 4];
    assert_eq!(fs.read(ROOT, 0, &mut buf), Err(Errno::IsDir));
    assert_eq!(fs.write(ROOT, 0, b"x"), Err(Errno::IsDir));
    assert_eq!(fs.truncate(ROOT), Err(Errno::IsDir));
    assert_eq!(fs.read(null, 0, &mut buf), Err(Errno::Inval));
    assert_eq!(fs.write(null, 0, b"x"), Err(Errno::Inval));
    assert_eq!(fs.truncate(null), Err(Errno::Inval));
    assert_eq!(file_bytes(&fs, null), None);
    assert_eq!(fs.read(999, 0, &mut buf), Err(Errno::NoEnt));
    assert_eq!(fs.kind(0), Err(Errno::NoEnt));
    assert!(fs.is_readonly(999));
}

#[test]
fn appending_never_moves_the_bytes_already_stored() {
    // What makes appending O(N): no write copies the file, so a page, once full, stays put.
    let mut fs = Fs::new(16);
    let f = fs.create_file(b"/big").unwrap();
    let piece: Vec<u8> = (0..1000).map(|i| (i % 251) as u8).collect();
    let mut first_page = None;
    for _ in 0..1100 {
        let at = fs.size(f).unwrap();
        assert_eq!(fs.write(f, at, &piece), Ok(piece.len()));
        let page = fs.file_chunks(f).unwrap().next().unwrap();
        if page.len() == PAGE {
            let p = page.as_ptr();
            assert_eq!(*first_page.get_or_insert(p), p, "the first page moved");
        }
    }
    assert_eq!(fs.size(f), Ok(1_100_000));
    assert_eq!(fs.bytes_used(), 1_100_000);
    let back = read_all(&fs, f);
    assert!(back.chunks(1000).all(|c| c == &piece[..]));
}

#[test]
fn a_long_write_or_read_stops_short_at_a_page_boundary_once_a_page_is_copied_when_preempted() {
    let mut fs = Fs::new(16);
    let f = fs.create_file(b"/f").unwrap();
    let data: Vec<u8> = (0..3 * PAGE + 10).map(|i| (i % 253) as u8).collect();
    let mut asked = 0;
    let mut stop = || {
        asked += 1;
        true
    };
    // From offset 10: the piece to the first page boundary is not a page's worth, so it goes
    // on to the second boundary before asking.
    assert_eq!(fs.write_with(f, 10, &data, &mut stop), Ok(2 * PAGE - 10));
    assert_eq!(asked, 1, "asked once, after a page's worth");
    let mut at = 2 * PAGE;
    while at < 10 + data.len() {
        let n = fs
            .write_with(f, at, &data[at - 10..], &mut || true)
            .unwrap();
        assert!(n > 0 && n <= 2 * PAGE, "progress, at most two pages: {n}");
        at += n;
    }
    let mut never_asked = || panic!("a write of at most a page asks nothing");
    assert_eq!(fs.write_with(f, 0, &data[..10], &mut never_asked), Ok(10));
    assert_eq!(
        fs.write_with(f, PAGE - 5, &data[..PAGE], &mut never_asked),
        Ok(PAGE),
        "a page's worth across a page boundary is not split"
    );
    let mut want = data[..10].to_vec();
    want.extend_from_slice(&data);
    want[PAGE - 5..2 * PAGE - 5].copy_from_slice(&data[..PAGE]);
    assert_eq!(read_all(&fs, f), want);
    let mut buf = vec![0; 3 * PAGE];
    assert_eq!(fs.read_with(f, 5, &mut buf, &mut || true), Ok(2 * PAGE - 5));
    assert_eq!(&buf[..2 * PAGE - 5], &want[5..2 * PAGE]);
    assert_eq!(fs.read_with(f, 0, &mut buf, &mut || false), Ok(3 * PAGE));
    assert_eq!(&buf[..], &want[..3 * PAGE]);
}

#[test]
fn a_preempted_write_still_reports_errors_before_any_byte() {
    let mut fs = Fs::with_limits(16, 10);
    let f = fs.create_file(b"/f").unwrap();
    assert_eq!(fs.write_with(f, 0, &[1; 20], &mut || true), Ok(10));
    assert_eq!(
        fs.write_with(f, 10, &[1; 20], &mut || true),
        Err(Errno::NoSpc)
    );
    assert_eq!(fs.write_with(ROOT, 0, b"", &mut || true), Err(Errno::IsDir));
}
