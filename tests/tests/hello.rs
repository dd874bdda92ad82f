//! Does a bare-metal program built for QEMU `virt` (`-bios none`) print the same thing on klab as
//! on QEMU? `hello` reads the device tree klab generates (memory, timebase, UART, bootargs,
//! initrd) and prints what it finds, so this checks the DTB and the boot protocol against QEMU.

use klab_tests::{RunOpts, guest, run_klab, run_qemu};

/// What `hello` prints with no boot arguments and no initrd, on either machine.
const PLAIN: &str = "hello from a bare-metal RISC-V guest
hartid: 0
memory: 0x80000000+0x8000000
timebase-frequency: 10000000
uart: 0x10000000 (ns16550a)
bootargs: (none)
initrd: (none)
";

fn both(opts: &RunOpts) -> (String, String) {
    let elf = guest("hello");
    let k = run_klab(&elf, opts);
    let q = run_qemu(&elf, opts);
    assert_eq!(k.status, Some(0), "klab: {:?}\n{}", k.exit, k.output);
    assert_eq!(q.status, Some(0), "QEMU:\n{}", q.output);
    (k.output, q.output)
}

#[test]
fn hello_prints_the_same_as_on_qemu() {
    let (klab, qemu) = both(&RunOpts::default());
    assert_eq!(klab, qemu);
    assert_eq!(klab, PLAIN);
}

#[test]
fn bootargs_and_the_initrd_appear_in_the_device_tree_as_on_qemu() {
    let dir = std::env::temp_dir().join(format!("klab-hello-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let initrd = dir.join("initrd.bin");
    std::fs::write(&initrd, b"0123456789").unwrap();
    let opts = RunOpts {
        bootargs: Some("x=1 console=ttyS0".into()),
        initrd: Some(initrd),
        ..RunOpts::default()
    };
    let (klab, qemu) = both(&opts);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(klab, qemu);
    assert!(klab.contains("bootargs: x=1 console=ttyS0\n"), "{klab}");
    assert!(klab.contains("initrd: 0x84000000..0x8400000a\n"), "{klab}");
}
