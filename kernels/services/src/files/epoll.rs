//! Epoll instances: register a descriptor once, then wait for the ready ones only. The cost of
//! a wait depends on the descriptors that are ready, never on how many are registered: each
//! pipe knows the instances watching it ([`PipeWatch`]), and the pipe change that wakes a pipe
//! waiter also puts the pipe's descriptor on those instances' ready lists ([`Files::changed`]).
//!
//! ```text
//! pipe 3 ─ watch: [(ep 0, fd 7)] ──change──▶ epoll 0: interest [fd 7 → pipe 3, IN]
//!                                                      ready    [fd 7]  ──epoll_wait──▶ [{7, IN}]
//! ```
//!
//! Rules:
//! - Only pipe ends can be registered (`EPERM` otherwise, as Linux refuses regular files).
//! - Level-triggered: a descriptor found ready by a wait stays on the ready list, so the next
//!   wait looks at it again; one found not ready leaves the list until its pipe changes.
//! - A registered fd that is closed (or now names another open file) is forgotten when a wait
//!   meets it, or replaced by a new `ADD`; closing the epoll fd's last reference drops the
//!   instance and its watches.
//!
//! Left out: edge-triggered and one-shot modes, user data in events, nesting epoll instances.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use abi::Errno;
use abi::types::limits::FDS;
use abi::types::{EpollEvent, epoll, poll};

use super::{Files, Object, OpenId};
use crate::{Error, Pid, PipeId, Wait, Wakes};

/// An epoll instance's id in [`Files`]; a free id may be reused once its last fd is closed.
pub type EpId = usize;

/// Who watches one pipe.
#[derive(Debug, Default)]
pub struct PipeWatch {
    /// Some `poll` blocked on it (cleared by the next change, which wakes every `poll`).
    pub(super) polled: bool,
    /// The epoll instances watching it, with the fd it is registered as.
    pub(super) epolls: Vec<(EpId, usize)>,
    /// The rings with operations waiting on it ([`super::ring`]).
    pub(super) rings: Vec<super::ring::RingId>,
}

/// One registered descriptor.
#[derive(Clone, Copy, Debug)]
struct Interest {
    /// The open file the fd named when it was registered.
    id: OpenId,
    pipe: PipeId,
    /// [`poll`] bits asked for.
    events: u16,
    /// On the ready list.
    queued: bool,
}

/// An epoll instance: the interest list, indexed by fd, and the ready list of fds.
#[derive(Debug)]
pub struct Epoll {
    /// The process whose fds are registered.
    owner: Pid,
    interest: Vec<Option<Interest>>,
    pub(super) ready: VecDeque<usize>,
}

impl Epoll {
    fn new(owner: Pid) -> Epoll {
        Epoll {
            owner,
            interest: vec![None; FDS],
            ready: VecDeque::new(),
        }
    }

    /// Whether some descriptor is on the ready list.
    pub(super) fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Puts registered `fd` on the ready list; true if it was not on it (a waiter is to wake).
    fn mark(&mut self, fd: usize) -> bool {
        match self.interest.get_mut(fd) {
            Some(Some(i)) if !i.queued => {
                i.queued = true;
                self.ready.push_back(fd);
                true
            }
            _ => false,
        }
    }
}

impl Files<'_> {
    /// `epoll_create()` for `pid`: the fd of a new, empty instance (`EMFILE` without a free fd).
    pub fn epoll_create(&mut self, pid: Pid) -> Result<usize, Errno> {
        let fd = self.free_fd(pid)?;
        let ep = match self.epolls.iter().position(Option::is_none) {
            Some(ep) => ep,
            None => {
                self.epolls.push(None);
                self.epolls.len() - 1
            }
        };
        let id = self.new_open(Object::Epoll(ep))?;
        self.epolls[ep] = Some(Epoll::new(pid));
        self.set_fd(pid, fd, id);
        Ok(fd)
    }

    /// The instance `ep_fd` of `pid` names: `EBADF` if it is not open, `EINVAL` if it is no
    /// epoll instance.
    fn epoll_of(&self, pid: Pid, ep_fd: usize) -> Result<EpId, Errno> {
        match self.object(self.open_id(pid, ep_fd)?)? {
            Object::Epoll(ep) => Ok(ep),
            _ => Err(Errno::Inval),
        }
    }

    /// `epoll_ctl(ep_fd, op, fd, events)` for `pid` (see [`abi::Sys::EpollCtl`]).
    pub fn epoll_ctl(
        &mut self,
        pid: Pid,
        ep_fd: usize,
        op: usize,
        fd: usize,
        events: usize,
    ) -> Result<(), Errno> {
        let ep = self.epoll_of(pid, ep_fd)?;
        if fd == ep_fd {
            return Err(Errno::Inval);
        }
        let id = self.open_id(pid, fd)?;
        let pipe = match self.object(id)? {
            Object::PipeReader(p) | Object::PipeWriter(p) => p,
            _ => return Err(Errno::Perm),
        };
        let events = (events & usize::from(poll::IN | poll::OUT)) as u16;
        let ready = self.readiness(id) & (events | poll::HUP | poll::ERR) != 0;
        let old = self
            .epolls
            .get(ep)
            .and_then(Option::as_ref)
            .and_then(|e| e.interest.get(fd).copied().flatten());
        // An entry left by a closed fd is no entry.
        let old = match old {
            Some(i) if i.id != id => {
                self.forget(ep, fd);
                None
            }
            o => o,
        };
        match (op, old) {
            (epoll::ADD, Some(_)) => Err(Errno::Exist),
            (epoll::MOD | epoll::DEL, None) => Err(Errno::NoEnt),
            (epoll::ADD, None) => {
                let e = self.epoll_mut(ep)?;
                e.interest[fd] = Some(Interest {
                    id,
                    pipe,
                    events,
                    queued: false,
                });
                if ready {
                    e.mark(fd);
                }
                self.watch_mut(pipe).epolls.push((ep, fd));
                Ok(())
            }
            (epoll::MOD, Some(_)) => {
                let e = self.epoll_mut(ep)?;
                if let Some(Some(i)) = e.interest.get_mut(fd) {
                    i.events = events;
                }
                if ready {
                    e.mark(fd);
                }
                Ok(())
            }
            (epoll::DEL, Some(_)) => {
                self.forget(ep, fd);
                Ok(())
            }
            _ => Err(Errno::Inval),
        }
    }

    /// `epoll_wait(ep_fd, out)` for `pid`: writes the ready descriptors into `out` (at most its
    /// length, `EINVAL` if it is empty) and returns how many; none ready is 0 unless `block`,
    /// which waits for [`Wait::Epoll`] of the instance instead.
    pub fn epoll_wait(
        &mut self,
        pid: Pid,
        ep_fd: usize,
        out: &mut [EpollEvent],
        block: bool,
    ) -> Result<usize, Error> {
        let ep = self.epoll_of(pid, ep_fd)?;
        if out.is_empty() {
            return Err(Errno::Inval.into());
        }
        let mut n = 0;
        let rounds = self.epoll_mut(ep)?.ready.len();
        for _ in 0..rounds {
            if n == out.len() {
                break;
            }
            let e = self.epoll_mut(ep)?;
            let owner = e.owner;
            let Some(fd) = e.ready.pop_front() else { break };
            let Some(Some(i)) = e.interest.get(fd).copied() else {
                continue;
            };
            if self.open_id(owner, fd) != Ok(i.id) {
                self.forget(ep, fd);
                continue;
            }
            let bits = self.readiness(i.id) & (i.events | poll::HUP | poll::ERR);
            let e = self.epoll_mut(ep)?;
            if bits != 0 {
                out[n] = EpollEvent {
                    fd: fd as i32,
                    events: u32::from(bits),
                };
                n += 1;
                e.ready.push_back(fd);
            } else if let Some(Some(i)) = e.interest.get_mut(fd) {
                i.queued = false;
            }
        }
        match n {
            0 if block => Err(Error::WouldBlock(Wait::Epoll(ep))),
            n => Ok(n),
        }
    }

    /// Pipe `p` changed: its descriptor goes on the ready list of every instance watching it,
    /// and each instance whose list gains it wakes its waiters. Out of line, as
    /// [`Files::notify_rings`].
    #[inline(never)]
    pub(super) fn notify_epolls(&mut self, p: PipeId, wakes: &mut Wakes) {
        let Files { watch, epolls, .. } = self;
        let Some(w) = watch.get(p) else { return };
        for &(ep, fd) in &w.epolls {
            if let Some(Some(e)) = epolls.get_mut(ep)
                && e.mark(fd)
            {
                wakes.push(Wait::Epoll(ep));
            }
        }
    }

    /// The last reference to instance `ep` is gone: it and its watches go.
    pub(super) fn drop_epoll(&mut self, ep: EpId) {
        let Some(e) = self.epolls.get_mut(ep).and_then(Option::take) else {
            return;
        };
        for (fd, i) in e.interest.iter().enumerate() {
            if let Some(i) = i {
                self.unwatch(i.pipe, ep, fd);
            }
        }
    }

    /// Removes `fd` from instance `ep`: its interest, its place on the ready list, its watch.
    fn forget(&mut self, ep: EpId, fd: usize) {
        let Some(Some(e)) = self.epolls.get_mut(ep) else {
            return;
        };
        let Some(i) = e.interest.get_mut(fd).and_then(Option::take) else {
            return;
        };
        if i.queued {
            e.ready.retain(|&f| f != fd);
        }
        self.unwatch(i.pipe, ep, fd);
    }

    fn unwatch(&mut self, pipe: PipeId, ep: EpId, fd: usize) {
        if let Some(w) = self.watch.get_mut(pipe) {
            w.epolls.retain(|&x| x != (ep, fd));
        }
    }

    pub(super) fn watch_mut(&mut self, p: PipeId) -> &mut PipeWatch {
        if self.watch.len() <= p {
            self.watch.resize_with(p + 1, PipeWatch::default);
        }
        &mut self.watch[p]
    }

    fn epoll_mut(&mut self, ep: EpId) -> Result<&mut Epoll, Errno> {
        self.epolls
            .get_mut(ep)
            .and_then(Option::as_mut)
            .ok_or(Errno::BadF)
    }
}
