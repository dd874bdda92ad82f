//! The guest images a benchmark run uses: the embedded kernels and initrd or the files given
//! with `--kernel NAME=ELF` and `--initrd FILE`, the programs the initrd holds, and the hashes a
//! report records.
//!
//! A kernel given as a file runs exactly like an embedded one: the same machine, the same
//! initrd (micro's servers are inside its ELF, so a micro built elsewhere brings its own).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};

use super::job::Guests;
use super::model::KernelImages;
use crate::cli::BadInput;
use crate::images;

/// The path of the benchmark program inside the initrd.
pub const PROGRAM: &str = "bin/bench";

/// The files of a ustar archive: path → bytes.
pub fn archive_files(tar_bytes: &[u8]) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut archive = tar::Archive::new(tar_bytes);
    for entry in archive
        .entries()
        .context("the initrd is not a tar archive")?
    {
        let mut entry = entry.context("a damaged initrd entry")?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .context("an initrd entry with a bad path")?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .with_context(|| format!("cannot read {path} from the initrd"))?;
        files.insert(path, data);
    }
    Ok(files)
}

/// The RAM a benchmark machine has (`job::Job`'s config), which bounds the files loaded into it.
const GUEST_FILE: emu::input::Bound = emu::input::Bound {
    bytes: 128 << 20,
    why: "the benchmark machine's RAM",
    advice: "give a kernel ELF or an initrd built for klab",
};

/// The longest kernel name `--kernel NAME=ELF` takes (it becomes a column and a file label).
const MAX_NAME: usize = 32;

/// Parses `--kernel NAME=ELF`: a name of letters, digits, `-`, `_` and `.`, and a path.
pub fn parse_kernel(text: &str) -> Result<(String, PathBuf), String> {
    let (name, path) = text
        .split_once('=')
        .ok_or_else(|| "expected NAME=ELF, e.g. mono-new=kernels/target/…/mono".to_string())?;
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > MAX_NAME || !name.chars().all(ok) {
        return Err(format!(
            "`{}` is not a kernel name: up to {MAX_NAME} letters, digits, `-`, `_` or `.`",
            emu::input::shorten(name)
        ));
    }
    if path.is_empty() {
        return Err(format!("--kernel {name}=: the ELF's path is missing"));
    }
    Ok((name.to_string(), PathBuf::from(path)))
}

/// Where the guest images come from: the kernels given with `--kernel` (name, path) and the
/// `--initrd` file; everything else is embedded.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// `--kernel NAME=ELF`, in the order given.
    pub kernels: Vec<(String, PathBuf)>,
    /// `--initrd FILE`.
    pub initrd: Option<PathBuf>,
}

impl Sources {
    /// The kernels to run when `--kernels` is not given: `mono`, `micro`, then every kernel given
    /// with `--kernel` under another name.
    pub fn default_kernels(&self) -> Vec<String> {
        let mut out = vec!["mono".to_string(), "micro".to_string()];
        for (name, _) in &self.kernels {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }
}

/// The kernels named in `kernels` — a `--kernel` file where one has the name, else the
/// embedded one — and the initrd (`--initrd`, else the embedded one), each read once, checked
/// and hashed.
pub fn load(kernels: &[String], sources: &Sources) -> anyhow::Result<Guests<'static>> {
    for (i, (name, _)) in sources.kernels.iter().enumerate() {
        if sources.kernels[..i].iter().any(|(other, _)| other == name) {
            bail!("--kernel {name} is given twice");
        }
    }
    let (initrd, initrd_source): (Cow<'static, [u8]>, String) = match &sources.initrd {
        Some(path) => (
            Cow::Owned(emu::input::read_file(path, "the initrd", GUEST_FILE)?),
            path.display().to_string(),
        ),
        None => (
            Cow::Borrowed(images::initrd().context(
                "the initrd was not built into this klab: run `make guests`, then `make build`",
            )?),
            "embedded".to_string(),
        ),
    };
    let mut map = BTreeMap::new();
    let mut records = BTreeMap::new();
    let initrd_hash = emu::profile::short_hash(&initrd);
    for k in kernels {
        if map.contains_key(k) {
            bail!("--kernels names {k} twice");
        }
        let given = sources.kernels.iter().find(|(name, _)| name == k);
        let (bytes, source): (Cow<'static, [u8]>, String) = match (given, images::kernel(k)) {
            (Some((_, path)), _) => {
                let bytes = emu::input::read_file(path, "the kernel ELF", GUEST_FILE)?;
                emu::ElfImage::parse(&bytes).with_context(|| {
                    format!(
                        "--kernel {k}={}: not a kernel klab can boot",
                        emu::input::shorten(&path.to_string_lossy())
                    )
                })?;
                (Cow::Owned(bytes), path.display().to_string())
            }
            (None, Some(Some(bytes))) => (Cow::Borrowed(bytes), "embedded".to_string()),
            (None, Some(None)) => bail!(
                "the {k} kernel was not built into this klab: run `make guests`, then `make build`"
            ),
            (None, None) => {
                return Err(BadInput::error(format!(
                    "unknown kernel `{k}`{}: klab has mono and micro built in; give others with --kernel {k}=ELF",
                    crate::suggest::did_you_mean(k, crate::images::KERNELS.iter().copied())
                )));
            }
        };
        records.insert(
            k.clone(),
            KernelImages {
                kernel: emu::profile::short_hash(&bytes),
                initrd: initrd_hash.clone(),
                source,
                initrd_source: initrd_source.clone(),
            },
        );
        map.insert(k.clone(), bytes);
    }
    if let Some((name, _)) = sources.kernels.iter().find(|(n, _)| !kernels.contains(n)) {
        bail!(
            "--kernel {name}=… is not among --kernels {}",
            kernels.join(",")
        );
    }
    let files = archive_files(&initrd)?;
    let program = files
        .get(PROGRAM)
        .with_context(|| format!("the initrd has no /{PROGRAM}: run `make guests`"))?;
    let programs: BTreeSet<String> = files
        .keys()
        .filter_map(|p| p.strip_prefix("bin/"))
        .map(str::to_string)
        .collect();
    let mut symbols = BTreeMap::new();
    for (name, kernel) in &map {
        symbols.insert(name.clone(), crate::symbols::tables(kernel, Some(&initrd))?);
    }
    Ok(Guests {
        program_hash: emu::profile::short_hash(program),
        symbols,
        kernels: map,
        initrd,
        programs,
        records,
    })
}

/// The embedded image hashes a report records (`Report::images`): every embedded image by name,
/// whether it ran or not (what ran is `Report::kernels`).
pub fn image_hashes() -> BTreeMap<String, String> {
    images::all()
        .into_iter()
        .filter_map(|(name, bytes)| Some((name.to_string(), emu::profile::short_hash(bytes?))))
        .collect()
}
