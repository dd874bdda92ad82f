//! Shared memory between processes (issue 16), from the host: `usertests shm_no_leak` makes and
//! frees 130 MiB of shared objects in three orders of letting go (unmap first, close first, a
//! child exiting with its mapping); on a 32 MiB machine a leak on any one order alone runs the
//! frames out (`ENOMEM`), and a frame freed twice stops the kernel. Checked on both kernels.

use std::process::Command;

#[test]
fn shm_no_leak_passes_on_a_32_mib_machine_on_both_kernels() {
    for kernel in ["mono", "micro"] {
        let out = Command::new(env!("CARGO_BIN_EXE_klab"))
            .args(["run", "--mem", "32M", kernel, "usertests", "shm_no_leak"])
            .output()
            .expect("run klab");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("usertests: shm_no_leak: ok"),
            "{kernel} on 32 MiB:\n{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
