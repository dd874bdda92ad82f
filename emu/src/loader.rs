//! Loading ELF64 RISC-V executables with `goblin`: the PT_LOAD segments, the entry point, and the
//! symbol table (kept for HTIF, statistics and the debugger).
//!
//! Segments are placed at their physical addresses (`p_paddr`), as QEMU's `-kernel` loader does.
//! Anything malformed — wrong class, machine or type, a truncated file, a segment that does not
//! fit in RAM — is a [`LoadError`] naming what is wrong; nothing here panics on file contents.

use goblin::elf::{Elf, header, program_header, sym};

/// Why an ELF file was refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    /// goblin could not parse it.
    #[error("not a valid ELF file: {0}")]
    Malformed(String),
    /// A 32-bit ELF.
    #[error("this is a 32-bit ELF; klab runs RV64 (ELFCLASS64) executables")]
    NotElf64,
    /// Not RISC-V.
    #[error("this ELF is for machine {0} ({1}), not RISC-V (EM_RISCV = 243)")]
    WrongMachine(u16, &'static str),
    /// Big-endian.
    #[error("this ELF is big-endian; RISC-V is little-endian")]
    BigEndian,
    /// Not an executable.
    #[error("this ELF is of type {0}; klab runs executables (ET_EXEC)")]
    NotExecutable(&'static str),
    /// A segment's bytes extend past the end of the file.
    #[error(
        "segment {index} is truncated: its file range {offset:#x}+{size:#x} ends past the end of the file ({file_len:#x} bytes)"
    )]
    Truncated {
        /// Program header index.
        index: usize,
        /// `p_offset`.
        offset: u64,
        /// `p_filesz`.
        size: u64,
        /// File length.
        file_len: u64,
    },
    /// A segment has more file bytes than memory bytes.
    #[error("segment {0} has p_filesz > p_memsz")]
    FileLargerThanMemory(usize),
    /// A segment lies outside RAM.
    #[error(
        "segment {index} at {start:#x}..{end:#x} is outside RAM {ram_start:#x}..{ram_end:#x} (try a larger --mem)"
    )]
    OutsideRam {
        /// Program header index.
        index: usize,
        /// First byte.
        start: u64,
        /// One past the last byte.
        end: u64,
        /// RAM start.
        ram_start: u64,
        /// RAM end.
        ram_end: u64,
    },
    /// Nothing to load.
    #[error("this ELF has no PT_LOAD segments")]
    NoSegments,
}

/// A loadable segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Physical load address.
    pub paddr: u64,
    /// The bytes from the file.
    pub data: Vec<u8>,
    /// Size in memory; bytes past `data.len()` are zero.
    pub memsz: u64,
}

/// A symbol of the ELF's symbol table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// Name.
    pub name: String,
    /// Value (address).
    pub addr: u64,
    /// Size in bytes (0 if unknown).
    pub size: u64,
    /// Whether it is a function.
    pub is_func: bool,
}

/// A parsed executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfImage {
    /// Entry point.
    pub entry: u64,
    /// PT_LOAD segments.
    pub segments: Vec<Segment>,
    /// Defined symbols, sorted by address.
    pub symbols: Vec<Symbol>,
}

impl ElfImage {
    /// Parses an ELF64 RISC-V executable.
    pub fn parse(bytes: &[u8]) -> Result<ElfImage, LoadError> {
        // Check the identification bytes ourselves first, for precise messages.
        if bytes.len() >= header::SIZEOF_IDENT && bytes[..4] == *header::ELFMAG {
            if bytes[header::EI_CLASS] == header::ELFCLASS32 {
                return Err(LoadError::NotElf64);
            }
            if bytes[header::EI_DATA] == header::ELFDATA2MSB {
                return Err(LoadError::BigEndian);
            }
        }
        let elf = Elf::parse(bytes).map_err(|e| LoadError::Malformed(e.to_string()))?;
        if !elf.is_64 {
            return Err(LoadError::NotElf64);
        }
        if elf.header.e_machine != header::EM_RISCV {
            let m = elf.header.e_machine;
            return Err(LoadError::WrongMachine(m, header::machine_to_str(m)));
        }
        if elf.header.e_type != header::ET_EXEC {
            return Err(LoadError::NotExecutable(header::et_to_str(
                elf.header.e_type,
            )));
        }
        let mut segments = Vec::new();
        for (index, ph) in elf.program_headers.iter().enumerate() {
            if ph.p_type != program_header::PT_LOAD || ph.p_memsz == 0 {
                continue;
            }
            if ph.p_filesz > ph.p_memsz {
                return Err(LoadError::FileLargerThanMemory(index));
            }
            let truncated = LoadError::Truncated {
                index,
                offset: ph.p_offset,
                size: ph.p_filesz,
                file_len: bytes.len() as u64,
            };
            let end = ph
                .p_offset
                .checked_add(ph.p_filesz)
                .ok_or(truncated.clone())?;
            let data = bytes
                .get(ph.p_offset as usize..end as usize)
                .ok_or(truncated)?;
            segments.push(Segment {
                paddr: ph.p_paddr,
                data: data.to_vec(),
                memsz: ph.p_memsz,
            });
        }
        if segments.is_empty() {
            return Err(LoadError::NoSegments);
        }
        let mut symbols: Vec<Symbol> = elf
            .syms
            .iter()
            .filter(|s| {
                s.st_shndx != 0 && s.st_type() != sym::STT_FILE && s.st_type() != sym::STT_SECTION
            })
            .filter_map(|s| {
                let name = elf.strtab.get_at(s.st_name)?;
                (!name.is_empty()).then(|| Symbol {
                    name: name.to_string(),
                    addr: s.st_value,
                    size: s.st_size,
                    is_func: s.st_type() == sym::STT_FUNC,
                })
            })
            .collect();
        symbols.sort_by(|a, b| (a.addr, &a.name).cmp(&(b.addr, &b.name)));
        Ok(ElfImage {
            entry: elf.entry,
            segments,
            symbols,
        })
    }

    /// The address of the symbol called `name`.
    pub fn symbol(&self, name: &str) -> Option<u64> {
        self.symbols.iter().find(|s| s.name == name).map(|s| s.addr)
    }

    /// Checks that every segment lies in RAM `[ram_start, ram_end)`.
    pub fn check_fits(&self, ram_start: u64, ram_end: u64) -> Result<(), LoadError> {
        for (index, s) in self.segments.iter().enumerate() {
            let end = s.paddr.checked_add(s.memsz);
            if s.paddr < ram_start || end.is_none_or(|e| e > ram_end) {
                return Err(LoadError::OutsideRam {
                    index,
                    start: s.paddr,
                    end: end.unwrap_or(u64::MAX),
                    ram_start,
                    ram_end,
                });
            }
        }
        Ok(())
    }
}

/// Wraps raw RV64 code in a minimal ELF64 executable: one PT_LOAD segment at `paddr` holding
/// `code` followed by `bss` zero bytes, entered at `paddr`. Tests and tools use it to run a few
/// hand-assembled instructions.
pub fn minimal_elf(paddr: u64, code: &[u8], bss: u64) -> Vec<u8> {
    const EHDR: u64 = 64;
    const PHDR: u64 = 56;
    let mut f = Vec::with_capacity((EHDR + PHDR) as usize + code.len());
    f.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    f.extend_from_slice(&header::ET_EXEC.to_le_bytes());
    f.extend_from_slice(&header::EM_RISCV.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes()); // e_version
    f.extend_from_slice(&paddr.to_le_bytes()); // e_entry
    f.extend_from_slice(&EHDR.to_le_bytes()); // e_phoff
    f.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    f.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    for v in [EHDR as u16, PHDR as u16, 1, 64, 0, 0] {
        f.extend_from_slice(&v.to_le_bytes()); // ehsize, phentsize, phnum, shentsize, shnum, shstrndx
    }
    f.extend_from_slice(&program_header::PT_LOAD.to_le_bytes());
    f.extend_from_slice(&(program_header::PF_R | program_header::PF_X).to_le_bytes());
    f.extend_from_slice(&(EHDR + PHDR).to_le_bytes()); // p_offset
    f.extend_from_slice(&paddr.to_le_bytes()); // p_vaddr
    f.extend_from_slice(&paddr.to_le_bytes()); // p_paddr
    f.extend_from_slice(&(code.len() as u64).to_le_bytes()); // p_filesz
    f.extend_from_slice(&(code.len() as u64 + bss).to_le_bytes()); // p_memsz
    f.extend_from_slice(&8u64.to_le_bytes()); // p_align
    f.extend_from_slice(code);
    f
}
