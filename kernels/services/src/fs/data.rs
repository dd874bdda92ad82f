//! A written file's bytes, kept in pages of [`PAGE`] bytes so that a write costs what it writes,
//! whatever the file's size: appending N bytes in fixed-size writes costs O(N) in all, and no
//! write copies more than the bytes it is given plus, for a file's first page only, that page.
//!
//! ```text
//! pages[0]       pages[1]       …  pages[last]
//! [PAGE bytes]   [PAGE bytes]      [1..=PAGE bytes]      len = (pages - 1) * PAGE + last's len
//! ```
//!
//! Why pages rather than one vector grown geometrically: a doubling vector is O(N) amortised
//! too, but at each doubling one write copies the whole file (2 MiB at once for a 2 MiB file,
//! with old and new copies in the heap together), and `mono` runs a system call with interrupts
//! off — so the longest stall would grow with the largest file. Pages bound every copy by the
//! write's own length, never move stored bytes, ask the heap for page-sized blocks only, and
//! keep reads and writes a short loop over at most the pages the range touches. The price: a
//! written file is not one slice (the program loader copies it out with [`Pages::chunks`]).
//!
//! Rules (the invariant every method keeps):
//! - every page but the last holds exactly [`PAGE`] bytes; the last holds 1..=PAGE; an empty
//!   file has no page;
//! - a file's first page grows geometrically up to [`PAGE`] (small files stay small); every
//!   later page is allocated whole;
//! - running out of heap is `ENOMEM` with the file as it was before the failing write, or a short
//!   count if some bytes were written.
//!
//! Left out: sparse holes (a hole is stored as zeros, as the byte limit counts it).

use abi::Errno;
use alloc::vec::Vec;

/// Bytes per page of a written file.
pub const PAGE: usize = 4096;

/// A written file's bytes (see the module note).
#[derive(Default)]
pub struct Pages {
    pages: Vec<Vec<u8>>,
    len: usize,
}

impl Pages {
    /// An empty file.
    pub const fn new() -> Pages {
        Pages {
            pages: Vec::new(),
            len: 0,
        }
    }

    /// The file's length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The bytes, in order, one page at a time.
    pub fn chunks(&self) -> impl Iterator<Item = &[u8]> {
        self.pages.iter().map(Vec::as_slice)
    }

    /// Copies bytes from `offset` into `buf`: how many (0 at or past the end).
    pub fn read(&self, offset: usize, buf: &mut [u8]) -> usize {
        let n = self.len.saturating_sub(offset).min(buf.len());
        let mut done = 0;
        while done < n {
            let at = offset + done;
            let page = &self.pages[at / PAGE];
            let from = at % PAGE;
            let k = (n - done).min(page.len() - from);
            buf[done..done + k].copy_from_slice(&page[from..from + k]);
            done += k;
        }
        n
    }

    /// Writes `data` at `offset`, growing the file (a hole before `offset` reads as zeros): how
    /// many bytes of `data` were written — all of them, or fewer if the heap ran out part way;
    /// `ENOMEM` if not one byte could be written (the file is then as it was). An empty `data`
    /// changes nothing, wherever `offset` is.
    pub fn write(&mut self, offset: usize, data: &[u8]) -> Result<usize, Errno> {
        if data.is_empty() {
            return Ok(0);
        }
        let old = self.len;
        if offset > self.len
            && let Err(e) = self.append(None, offset - self.len)
        {
            self.shrink_to(old);
            return Err(e);
        }
        // The part that overwrites bytes already there.
        let over = self.len.saturating_sub(offset).min(data.len());
        let mut done = 0;
        while done < over {
            let at = offset + done;
            let page = &mut self.pages[at / PAGE];
            let from = at % PAGE;
            let k = (over - done).min(page.len() - from);
            page[from..from + k].copy_from_slice(&data[done..done + k]);
            done += k;
        }
        let appended = self.append(Some(&data[over..]), data.len() - over);
        match appended {
            Ok(()) => Ok(data.len()),
            Err(_) if self.len > offset => Ok(self.len - offset),
            Err(e) => {
                self.shrink_to(old);
                Err(e)
            }
        }
    }

    /// Makes the file empty, giving its pages back.
    pub fn clear(&mut self) {
        *self = Pages::new();
    }

    /// Appends `n` bytes: `data` (whose length is `n`) or, for `None`, zeros. On `ENOMEM` the
    /// bytes appended so far stay (`len` counts them).
    fn append(&mut self, data: Option<&[u8]>, n: usize) -> Result<(), Errno> {
        let mut done = 0;
        while done < n {
            let first = self.pages.len() <= 1;
            let page = match self.pages.last_mut() {
                Some(p) if p.len() < PAGE => p,
                _ => {
                    // A new page: a first page as big as needed, later pages whole.
                    let want = if self.pages.is_empty() {
                        (n - done).min(PAGE)
                    } else {
                        PAGE
                    };
                    let mut p = Vec::new();
                    p.try_reserve_exact(want).map_err(|_| Errno::NoMem)?;
                    self.pages.try_reserve(1).map_err(|_| Errno::NoMem)?;
                    self.pages.push(p);
                    let Some(p) = self.pages.last_mut() else {
                        return Err(Errno::NoMem);
                    };
                    p
                }
            };
            let k = (n - done).min(PAGE - page.len());
            let need = page.len() + k;
            if need > page.capacity() {
                // Only a first page is ever short of capacity: grow it geometrically.
                debug_assert!(first);
                let cap = need.max(page.capacity() * 2).min(PAGE);
                page.try_reserve_exact(cap - page.len())
                    .map_err(|_| Errno::NoMem)?;
            }
            match data {
                Some(d) => page.extend_from_slice(&d[done..done + k]),
                None => page.resize(need, 0),
            }
            self.len += k;
            done += k;
        }
        Ok(())
    }

    /// Cuts the file to its first `len` bytes (`len` ≤ its length), freeing emptied pages.
    fn shrink_to(&mut self, len: usize) {
        self.pages.truncate(len.div_ceil(PAGE));
        if let Some(last) = self.pages.last_mut() {
            last.truncate(len - (len.div_ceil(PAGE) - 1) * PAGE);
        }
        self.len = len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn contents(p: &Pages) -> Vec<u8> {
        let mut v = vec![0; p.len()];
        assert_eq!(p.read(0, &mut v), p.len());
        let joined: Vec<u8> = p.chunks().flatten().copied().collect();
        assert_eq!(joined, v, "chunks and read agree");
        v
    }

    /// The invariant of the module note.
    fn check(p: &Pages) {
        let n = p.pages.len();
        for (i, page) in p.pages.iter().enumerate() {
            if i + 1 < n {
                assert_eq!(page.len(), PAGE, "page {i} of {n} is full");
            } else {
                assert!(
                    (1..=PAGE).contains(&page.len()),
                    "the last page is not empty"
                );
            }
            assert!(page.capacity() <= PAGE, "no page holds more than PAGE");
        }
        assert_eq!(p.pages.iter().map(Vec::len).sum::<usize>(), p.len);
    }

    #[test]
    fn appends_across_page_boundaries_read_back_in_order() {
        let mut p = Pages::new();
        let mut want = Vec::new();
        for i in 0..3000usize {
            let piece: Vec<u8> = (0..(i % 7 + 1)).map(|j| (i * 7 + j) as u8).collect();
            assert_eq!(p.write(p.len(), &piece), Ok(piece.len()));
            want.extend_from_slice(&piece);
            check(&p);
        }
        assert!(p.len() > 2 * PAGE);
        assert_eq!(contents(&p), want);
    }

    #[test]
    fn overwrites_inside_and_across_pages_change_only_their_bytes() {
        let mut p = Pages::new();
        let mut want: Vec<u8> = (0..3 * PAGE + 100).map(|i| (i % 251) as u8).collect();
        assert_eq!(p.write(0, &want), Ok(want.len()));
        for (at, len) in [
            (0, 1),
            (PAGE - 3, 10),
            (2 * PAGE - 1, PAGE + 2),
            (3 * PAGE, 50),
        ] {
            let patch = vec![0xee; len];
            assert_eq!(p.write(at, &patch), Ok(len));
            want[at..at + len].copy_from_slice(&patch);
            check(&p);
        }
        assert_eq!(contents(&p), want);
    }

    #[test]
    fn a_write_that_starts_inside_and_ends_past_the_end_overwrites_then_grows() {
        let mut p = Pages::new();
        p.write(0, &[1; PAGE + 5]).unwrap();
        assert_eq!(p.write(PAGE, &[2; PAGE]), Ok(PAGE));
        check(&p);
        let got = contents(&p);
        assert_eq!(got.len(), 2 * PAGE);
        assert!(got[..PAGE].iter().all(|&b| b == 1));
        assert!(got[PAGE..].iter().all(|&b| b == 2));
    }

    #[test]
    fn a_hole_past_the_end_reads_as_zeros() {
        let mut p = Pages::new();
        p.write(0, b"ab").unwrap();
        assert_eq!(p.write(2 * PAGE + 1, b"z"), Ok(1));
        check(&p);
        let got = contents(&p);
        assert_eq!(got.len(), 2 * PAGE + 2);
        assert_eq!(&got[..2], b"ab");
        assert!(got[2..2 * PAGE + 1].iter().all(|&b| b == 0));
        assert_eq!(got[2 * PAGE + 1], b'z');
    }

    #[test]
    fn reads_at_or_past_the_end_and_short_buffers() {
        let mut p = Pages::new();
        let mut buf = [9u8; 8];
        assert_eq!(p.read(0, &mut buf), 0);
        p.write(0, &[5; PAGE + 3]).unwrap();
        assert_eq!(p.read(PAGE + 3, &mut buf), 0);
        assert_eq!(p.read(usize::MAX, &mut buf), 0);
        assert_eq!(
            p.read(PAGE - 2, &mut buf),
            5,
            "across the page boundary to the end"
        );
        assert_eq!(&buf[..5], &[5; 5]);
        assert_eq!(p.read(1, &mut buf[..3]), 3);
    }

    #[test]
    fn a_small_file_keeps_a_small_first_page_that_grows_geometrically() {
        let mut p = Pages::new();
        p.write(0, b"0123456789").unwrap();
        assert_eq!(
            p.pages[0].capacity(),
            10,
            "a first page as big as the first write"
        );
        let mut caps = Vec::new();
        while p.len() < PAGE {
            p.write(p.len(), b"x").unwrap();
            let c = p.pages[0].capacity();
            if caps.last() != Some(&c) {
                caps.push(c);
            }
        }
        assert_eq!(caps, [20, 40, 80, 160, 320, 640, 1280, 2560, PAGE]);
        p.write(p.len(), b"y").unwrap();
        assert_eq!(
            p.pages[1].capacity(),
            PAGE,
            "later pages are allocated whole"
        );
        check(&p);
    }

    #[test]
    fn clear_and_shrink_give_the_pages_back() {
        let mut p = Pages::new();
        p.write(0, &[3; 3 * PAGE]).unwrap();
        p.shrink_to(PAGE + 1);
        check(&p);
        assert_eq!(p.pages.len(), 2);
        p.shrink_to(PAGE);
        check(&p);
        assert_eq!(p.pages.len(), 1);
        p.clear();
        check(&p);
        assert!(p.len() == 0 && p.pages.is_empty());
        assert_eq!(p.write(0, b""), Ok(0));
        assert_eq!(p.write(3 * PAGE, b""), Ok(0));
        assert!(p.pages.is_empty(), "an empty write allocates nothing");
        assert_eq!(p.len(), 0, "an empty write past the end makes no hole");
    }
}
