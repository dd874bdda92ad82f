//! Recording the timeline of one operation (see [`crate::timeline`]): the operation boundary
//! marker (`imm12 = 6`) counts operations while region 1 is the current region, and between
//! the chosen operation's marker and the next one every privilege change, `satp` write and
//! `sfence.vma` leaves a stamp.
//!
//! Off the hot path: nothing here runs per instruction. Each boundary (a trap, an xRET, a `satp`
//! write, a fence — rare events with their own slow paths already) checks one flag; only while
//! the chosen operation runs does it read the counters. Without `record_timeline` the operation
//! marker does nothing at all.

use crate::stats::Event;
use crate::timeline::{self, Boundary, Stamp, Tally, Timeline};

use super::Machine;

/// The region whose operations are numbered (the bench harness measures in region 1).
pub const OP_REGION: u64 = 1;

/// What the machine keeps while a timeline is asked for.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    /// The operation to record (1 is the first).
    target: u64,
    /// Operation markers seen in region [`OP_REGION`] so far.
    seen: u64,
    /// Between the target's marker and the next one.
    recording: bool,
    /// The stamps of the target operation.
    stamps: Vec<Stamp>,
    /// Page walks so far (counted only while recording).
    walks: u64,
}

impl Machine {
    /// Asks for the timeline of operation `op` (1 is the first) of region 1: from its
    /// operation boundary marker to the next one.
    pub fn record_timeline(&mut self, op: u64) {
        self.recorder = Some(Box::new(Recorder {
            target: op,
            ..Recorder::default()
        }));
    }

    /// Operation boundary markers seen in region 1 so far (0 when no timeline was asked for).
    pub fn op_markers(&self) -> u64 {
        self.recorder.as_ref().map_or(0, |r| r.seen)
    }

    /// The timeline asked for, once its operation has ended; `None` before.
    pub fn timeline(&self) -> Option<Timeline> {
        let r = self.recorder.as_ref()?;
        if r.seen <= r.target || r.stamps.is_empty() {
            return None;
        }
        let spaces = self.stats.spaces();
        Some(timeline::timeline(r.target, &r.stamps, |(root, asid)| {
            spaces
                .iter()
                .find(|s| s.root == root && s.asid == asid)
                .and_then(|s| s.name.clone())
        }))
    }

    /// The operation boundary marker.
    pub(crate) fn op_marker(&mut self) {
        let Some(r) = self.recorder.as_deref_mut() else {
            return;
        };
        if self.stats.key().region != OP_REGION {
            return;
        }
        r.seen += 1;
        if r.seen == r.target {
            r.recording = true;
            self.push_stamp(Boundary::OpStart);
        } else if r.recording && r.seen == r.target + 1 {
            self.push_stamp(Boundary::OpEnd);
            if let Some(r) = self.recorder.as_deref_mut() {
                r.recording = false;
            }
        }
    }

    /// Leaves a stamp at boundary `b` if the chosen operation is running.
    #[inline]
    pub(crate) fn stamp(&mut self, b: Boundary) {
        if self.recorder.as_ref().is_some_and(|r| r.recording) {
            self.push_stamp(b);
        }
    }

    /// Counts a page walk if the chosen operation is running.
    #[inline]
    pub(crate) fn count_walk(&mut self) {
        if let Some(r) = self.recorder.as_deref_mut()
            && r.recording
        {
            r.walks += 1;
        }
    }

    #[cold]
    #[inline(never)]
    fn push_stamp(&mut self, boundary: Boundary) {
        let modes = 0b111;
        let total = |e: Event| self.stats.event_total(e as usize, modes);
        let (l1i, l1d, l2) = (
            total(Event::L1iMiss),
            total(Event::L1dMiss),
            total(Event::L2Miss),
        );
        let stamp = Stamp {
            boundary,
            instructions: self.retired,
            cycles: self.cycles(),
            tally: Tally {
                walks: 0,
                l1i_misses: l1i,
                l1d_misses: l1d,
                l2_misses: l2,
            },
            mode: self.hart.privilege,
            space: self.address_space(),
        };
        if let Some(r) = self.recorder.as_deref_mut() {
            let walks = r.walks;
            r.stamps.push(Stamp {
                tally: Tally {
                    walks,
                    ..stamp.tally
                },
                ..stamp
            });
        }
    }
}
