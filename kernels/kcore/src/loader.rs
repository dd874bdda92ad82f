//! Loading a user program: an ELF64 RISC-V executable (read with the `elf` crate) becomes pages
//! of an address space, and the program's arguments go on top of its stack.
//!
//! Every `PT_LOAD` segment must lie in `abi::layout::USER_BASE..MMAP_BASE`; its pages are mapped
//! eagerly with the segment's R/W/X (a page shared by two segments gets both permissions), file
//! bytes copied and the rest zeroed. Anything else in the file is ignored. A file that is not such
//! an executable is `ENOEXEC`; running out of frames is `ENOMEM` (the caller destroys the half-made
//! address space).

use abi::Errno;
use abi::layout::{MMAP_BASE, PAGE_SIZE, STACK_TOP, USER_BASE};
use abi::types::Str;
use elf::ElfBytes;
use elf::abi::{EM_RISCV, ET_EXEC, PF_R, PF_W, PF_X, PT_LOAD};
use elf::endian::LittleEndian;
use elf::file::Class;

use crate::frame::FrameAllocator;
use crate::trap::TrapFrame;
use crate::vm::{AddressSpace, PteFlags};

/// Most loadable segments a program may have.
pub const MAX_SEGMENTS: usize = 8;

/// A loaded segment: its pages and permissions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    /// First byte (the segment's `p_vaddr`).
    pub start: usize,
    /// One past the last byte (`p_vaddr + p_memsz`).
    pub end: usize,
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
    /// Executable.
    pub exec: bool,
}

impl Segment {
    /// The segment's permissions as [`abi::types::prot`] bits, exactly as the ELF gives them.
    pub fn prot(&self) -> usize {
        use abi::types::prot;
        (if self.read { prot::READ } else { 0 })
            | (if self.write { prot::WRITE } else { 0 })
            | (if self.exec { prot::EXEC } else { 0 })
    }
}

/// What the loader made.
#[derive(Clone, Debug, Default)]
pub struct Image {
    /// The entry point.
    pub entry: usize,
    /// One past the highest loaded byte.
    pub end: usize,
    /// The segments, `count` of them.
    pub segments: [Segment; MAX_SEGMENTS],
    /// How many segments.
    pub count: usize,
}

impl Image {
    /// The loaded segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments[..self.count]
    }
}

/// Loads the executable `bytes` into `space`.
pub fn load(
    space: &mut AddressSpace,
    frames: &mut FrameAllocator,
    bytes: &[u8],
) -> Result<Image, Errno> {
    let file = ElfBytes::<LittleEndian>::minimal_parse(bytes).map_err(|_| Errno::NoExec)?;
    let h = &file.ehdr;
    if h.class != Class::ELF64 || h.e_machine != EM_RISCV || h.e_type != ET_EXEC {
        return Err(Errno::NoExec);
    }
    let phdrs = file.segments().ok_or(Errno::NoExec)?;
    let mut image = Image {
        entry: h.e_entry as usize,
        ..Default::default()
    };
    for ph in phdrs
        .iter()
        .filter(|p| p.p_type == PT_LOAD && p.p_memsz > 0)
    {
        let start = ph.p_vaddr as usize;
        let memsz = ph.p_memsz as usize;
        let filesz = ph.p_filesz as usize;
        let offset = ph.p_offset as usize;
        let end = start.checked_add(memsz).ok_or(Errno::NoExec)?;
        let file_end = offset.checked_add(filesz).ok_or(Errno::NoExec)?;
        if start < USER_BASE || end > MMAP_BASE || filesz > memsz || file_end > bytes.len() {
            return Err(Errno::NoExec);
        }
        if image.count == MAX_SEGMENTS {
            return Err(Errno::NoExec);
        }
        let seg = Segment {
            start,
            end,
            read: ph.p_flags & PF_R != 0,
            write: ph.p_flags & PF_W != 0,
            exec: ph.p_flags & PF_X != 0,
        };
        map_segment(space, frames, &seg, &bytes[offset..file_end])?;
        image.segments[image.count] = seg;
        image.count += 1;
        image.end = image.end.max(end);
    }
    let entry_ok = image
        .segments()
        .iter()
        .any(|s| s.exec && (s.start..s.end).contains(&image.entry));
    if !entry_ok {
        return Err(Errno::NoExec);
    }
    Ok(image)
}

fn flags(seg: &Segment) -> PteFlags {
    let mut f = PteFlags::empty();
    f.set(PteFlags::R, seg.read || seg.write);
    f.set(PteFlags::W, seg.write);
    f.set(PteFlags::X, seg.exec);
    f
}

/// Maps the pages of `seg`, copying `data` (the file bytes) to its start.
fn map_segment(
    space: &mut AddressSpace,
    frames: &mut FrameAllocator,
    seg: &Segment,
    data: &[u8],
) -> Result<(), Errno> {
    let mut page = seg.start & !(PAGE_SIZE - 1);
    while page < seg.end {
        let frame = match space.lookup(page) {
            Some((frame, old)) => {
                let merged = old & (PteFlags::R | PteFlags::W | PteFlags::X) | flags(seg);
                space.protect(page, merged)?;
                frame
            }
            None => {
                let frame = frames.alloc().ok_or(Errno::NoMem)?;
                if let Err(e) = space.map(frames, page, frame, flags(seg)) {
                    // Safety: the frame was never mapped.
                    unsafe { frames.free(frame) };
                    return Err(e);
                }
                frame
            }
        };
        // The part of `data` that falls in this page.
        let lo = page.max(seg.start);
        let hi = (page + PAGE_SIZE).min(seg.start + data.len());
        if lo < hi {
            let src = &data[lo - seg.start..hi - seg.start];
            // Safety: `frame` is this address space's page for `page`, mapped 1:1 in the kernel;
            // `lo - page + src.len() <= PAGE_SIZE`.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    src.as_ptr(),
                    (frame + (lo - page)) as *mut u8,
                    src.len(),
                );
            }
        }
        page += PAGE_SIZE;
    }
    Ok(())
}

/// A new address space with the executable `bytes` loaded and `args` on its stack: the space,
/// what was loaded, and the frame its first thread starts with (`a0` = argc, `a1` = argv). On
/// failure nothing stays allocated. Both kernels make every process this way.
pub fn new_space(
    frames: &mut FrameAllocator,
    bytes: &[u8],
    args: &[&[u8]],
) -> Result<(AddressSpace, Image, TrapFrame), Errno> {
    let mut space = AddressSpace::new(frames)?;
    let made = (|| {
        let image = load(&mut space, frames, bytes)?;
        let (sp, argv) = push_args(&mut space, frames, args)?;
        Ok((TrapFrame::new(image.entry, sp, args.len(), argv), image))
    })();
    match made {
        Ok((frame, image)) => Ok((space, image, frame)),
        Err(e) => {
            space.destroy(frames);
            Err(e)
        }
    }
}

/// Puts `args` on top of the stack of `space` (mapping the pages it needs, read/write): the
/// strings, then an array of [`Str`] pointing to them. Returns `(sp, argv)`: the initial stack
/// pointer (16-byte aligned, below everything) and the array's address, for `a1`.
pub fn push_args(
    space: &mut AddressSpace,
    frames: &mut FrameAllocator,
    args: &[&[u8]],
) -> Result<(usize, usize), Errno> {
    let strings: usize = args.iter().map(|a| a.len()).sum();
    let argv = (STACK_TOP - strings) & !15;
    let argv = argv
        .checked_sub(args.len() * size_of::<Str>())
        .ok_or(Errno::TooBig)?
        & !15;
    let sp = argv - 16;
    let mut page = sp & !(PAGE_SIZE - 1);
    while page < STACK_TOP {
        let frame = frames.alloc().ok_or(Errno::NoMem)?;
        if let Err(e) = space.map(frames, page, frame, PteFlags::R | PteFlags::W) {
            // Safety: the frame was never mapped.
            unsafe { frames.free(frame) };
            return Err(e);
        }
        page += PAGE_SIZE;
    }
    let mut at = STACK_TOP - strings;
    for (i, a) in args.iter().enumerate() {
        poke(space, at, a)?;
        let s = Str {
            ptr: at as u64,
            len: a.len() as u64,
        };
        // Safety: `Str` is plain data; its bytes are what the program reads.
        let raw =
            unsafe { core::slice::from_raw_parts(&s as *const Str as *const u8, size_of::<Str>()) };
        poke(space, argv + i * size_of::<Str>(), raw)?;
        at += a.len();
    }
    Ok((sp, argv))
}

/// Writes `bytes` at user address `va` of `space` through the frames (the space need not be
/// current).
fn poke(space: &mut AddressSpace, va: usize, bytes: &[u8]) -> Result<(), Errno> {
    let mut done = 0;
    while done < bytes.len() {
        let addr = va + done;
        let page = addr & !(PAGE_SIZE - 1);
        let (frame, _) = space.lookup(page).ok_or(Errno::Fault)?;
        let n = (page + PAGE_SIZE - addr).min(bytes.len() - done);
        // Safety: `frame` backs `page` of this address space and is mapped 1:1 in the kernel; the
        // copy stays inside it.
        unsafe {
            core::ptr::copy_nonoverlapping(
                bytes[done..].as_ptr(),
                (frame + (addr - page)) as *mut u8,
                n,
            );
        }
        done += n;
    }
    Ok(())
}
