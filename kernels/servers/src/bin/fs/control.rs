//! The requests of `proc` (process id 0; anyone else gets `EPERM`): a program's bytes for
//! `spawn` (`FS_PROGRAM`), a new process's fd table (`FS_SPAWN`) and an ended process's
//! (`FS_EXIT`) — `mono`'s `spawn` and `exit_process` do the same with `Files` directly.

use abi::Errno;
use abi::ipc::Badge;
use servers::{Outcome, lease, proto};
use services::{Pid, Wakes};

use crate::FileServer;

impl FileServer {
    /// `FS_PROGRAM`: the size of the regular file at the path in lease 0 (relative to the
    /// working directory of process `spawner`, word 0, if one), its bytes copied into
    /// lease 1 when they fit (else nothing is copied: proc grows its buffer and asks again).
    /// `ENOEXEC` for anything but a regular file.
    pub fn program(&mut self, badge: Badge, spawner: usize) -> Outcome {
        let (len, _) = lease::info(badge, 0)?;
        let path = lease::path(badge, 0, len)?;
        let path = match Pid::from_raw(spawner) {
            Some(p) => self.files.resolve(p, path.as_bytes())?.into_owned(),
            None => path.as_bytes().to_vec(),
        };
        let fs = self.files.fs();
        let ino = fs.lookup(&path)?;
        let chunks = fs.file_chunks(ino).ok_or(Errno::NoExec)?;
        let size = fs.size(ino)?;
        let (room, _) = lease::info(badge, 1)?;
        if size <= room {
            // One piece for a program from the initrd, one per page for a written one.
            let mut at = 0;
            for c in chunks {
                if lease::write(badge, 1, at, c)? < c.len() {
                    return Err(Errno::Fault.into());
                }
                at += c.len();
            }
        }
        Ok(size)
    }

    /// `FS_SPAWN`: words = child pid, parent pid (0: the first process, whose fds 0–2 are the
    /// console), stdio packed by [`proto::pack_stdio`]. `EINVAL` if the child's is no pid.
    pub fn spawn(&mut self, a: &[usize; 6]) -> Outcome {
        let child = Pid::from_raw(a[0]).ok_or(Errno::Inval)?;
        if a[1] == 0 {
            self.files.new_console_process(child)?;
        } else {
            let parent = Pid::from_raw(a[1]).ok_or(Errno::BadF)?;
            let stdio = proto::unpack_stdio([a[2] as u64, a[3] as u64]);
            self.files.spawn(child, parent, stdio)?;
        }
        Ok(0)
    }

    /// `FS_EXIT`: closes every fd of ended process `pid` (waking whom closed pipe ends wake)
    /// and drops its parked requests.
    /// `EINVAL` if `pid` is no pid.
    pub fn exit(&mut self, pid: usize, wakes: &mut Wakes) -> Outcome {
        let pid = Pid::from_raw(pid).ok_or(Errno::Inval)?;
        self.files.exit_process(pid, wakes);
        self.pending.drop_process(pid);
        self.deadlines.remove_if(|b| b.process() == Some(pid));
        Ok(0)
    }
}
