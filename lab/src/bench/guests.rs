//! The guest images a benchmark run uses: the embedded kernels and initrd, the programs the
//! initrd holds, and the hashes a report records.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use anyhow::{Context, bail};

use super::job::Guests;
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

/// The embedded kernels named in `kernels` and the embedded initrd.
pub fn embedded(kernels: &[String]) -> anyhow::Result<Guests<'static>> {
    let initrd = images::initrd()
        .context("the initrd was not built into this klab: run `make guests`, then `make build`")?;
    let mut map = BTreeMap::new();
    for k in kernels {
        match images::kernel(k) {
            Some(Some(bytes)) => {
                map.insert(k.clone(), bytes);
            }
            Some(None) => bail!(
                "the {k} kernel was not built into this klab: run `make guests`, then `make build`"
            ),
            None => bail!("unknown kernel `{k}` (klab bench runs mono and micro)"),
        }
    }
    let files = archive_files(initrd)?;
    let program = files
        .get(PROGRAM)
        .with_context(|| format!("the initrd has no /{PROGRAM}: run `make guests`"))?;
    let programs: BTreeSet<String> = files
        .keys()
        .filter_map(|p| p.strip_prefix("bin/"))
        .map(str::to_string)
        .collect();
    Ok(Guests {
        kernels: map,
        initrd,
        program_hash: emu::profile::short_hash(program),
        programs,
    })
}

/// The image hashes a report records: every embedded image by name.
pub fn image_hashes() -> BTreeMap<String, String> {
    images::all()
        .into_iter()
        .filter_map(|(name, bytes)| Some((name.to_string(), emu::profile::short_hash(bytes?))))
        .collect()
}
