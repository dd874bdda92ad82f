//! The symbol tables klab gives a sampled run without being asked: the kernel it boots, micro's
//! servers when that kernel carries them, and every program of the initrd it gives the kernel.
//!
//! Each program table is named like the address space its program names itself with the
//! name-the-address-space marker (`ulib` names it after the program's file, each server after
//! itself: `proc`, `fs`, `mem`, `console`), and the emulator uses a table for a sample only where
//! the table's bytes are the guest's (`emu::symbols`). A server's table is given only when its
//! ELF's bytes are inside the kernel's ELF (micro embeds its servers verbatim), so a kernel built
//! elsewhere never gets the embedded servers' names; `--symbols FILE` adds a table of one's own.

use std::sync::Arc;

use emu::symbols::SymbolTable;

/// The tables of a run of `kernel` with `initrd` (a ustar archive whose `bin/NAME` files are
/// the programs; `None`: no initrd). A program that is not an ELF is skipped.
pub fn tables(kernel: &[u8], initrd: Option<&[u8]>) -> anyhow::Result<Vec<Arc<SymbolTable>>> {
    let mut out = vec![Arc::new(
        SymbolTable::kernel_from_elf(kernel).map_err(anyhow::Error::msg)?,
    )];
    for (name, elf) in crate::images::servers() {
        if let Some(elf) = elf.filter(|e| contains(kernel, e))
            && let Ok(t) = SymbolTable::from_elf(name, elf)
        {
            out.push(Arc::new(t));
        }
    }
    if let Some(initrd) = initrd {
        // An initrd that is not an archive has no programs to name (the kernel will say so).
        let files = crate::bench::guests::archive_files(initrd).unwrap_or_default();
        for (path, data) in &files {
            if let Some(name) = path.strip_prefix("bin/")
                && let Ok(t) = SymbolTable::from_elf(name, data)
            {
                out.push(Arc::new(t));
            }
        }
    }
    Ok(out)
}

/// Whether `needle` (an ELF, starting with its magic) occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some(magic) = needle.get(..4) else {
        return false;
    };
    hay.windows(4)
        .enumerate()
        .filter(|(_, w)| *w == magic)
        .any(|(i, _)| hay[i..].starts_with(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_elf_is_found_inside_another_only_whole() {
        let elf = b"\x7fELF-server";
        assert!(contains(b"kernel\x7fELF-server...", elf));
        assert!(!contains(b"kernel\x7fELF-serve", elf));
        assert!(!contains(b"kernel", b""));
    }
}
