//! Helpers shared by the host integration tests: finding guest binaries, running them on klab
//! (in process) and on QEMU.
