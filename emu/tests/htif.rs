//! Does HTIF work as Spike's does for a program that has `tohost`/`fromhost` symbols? Console
//! output through device 1, a proxied `write` system call through magic memory (with its return
//! value and the `fromhost` acknowledgement), and the exit status through device 0.

use emu::loader::{ElfImage, Segment, Symbol};
use emu::memmap::RAM_BASE;
use emu::{Config, Exit, Machine, Output};

const DATA: u64 = RAM_BASE + 0x800;
const MAGIC: u64 = DATA + 0x20;
const BUF: u64 = DATA + 0x40;
const TOHOST: u64 = RAM_BASE + 0x1000;
const FROMHOST: u64 = TOHOST + 8;

fn symbol(name: &str, addr: u64) -> Symbol {
    Symbol {
        name: name.into(),
        addr,
        size: 8,
        is_func: false,
    }
}

#[test]
fn console_syscall_and_exit_go_through_tohost() {
    // t0 = tohost (auipc t0, 1), t2 = DATA (auipc t2, 0; addi t2, t2, 0x7fc); then four commands
    // are loaded from DATA and stored to tohost; then spin.
    let (ld, sd) = (0x0003_b303u32, 0x0062_b023u32); // ld t1, 0(t2); sd t1, 0(t0)
    let mut code = vec![0x0000_1297u32, 0x0000_0397, 0x7fc3_8393];
    for k in 0..4 {
        code.extend([ld | (8 * k) << 20, sd]);
    }
    code.push(0x0000_006f); // j .
    let mut mem = vec![0u8; 0x1000];
    for (i, w) in code.iter().enumerate() {
        mem[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    let putc = |c: u8| (1u64 << 56) | (1 << 48) | u64::from(c);
    let words: [(u64, u64); 8] = [
        (DATA, putc(b'h')),
        (DATA + 8, putc(b'i')),
        (DATA + 16, MAGIC), // device 0, command 0, even payload: a system call
        (DATA + 24, (5 << 1) | 1), // exit with status 5
        (MAGIC, 64),        // SYS_write
        (MAGIC + 8, 1),     // fd 1
        (MAGIC + 16, BUF),  // buffer
        (MAGIC + 24, 3),    // length
    ];
    for (addr, v) in words {
        let o = (addr - RAM_BASE) as usize;
        mem[o..o + 8].copy_from_slice(&v.to_le_bytes());
    }
    let b = (BUF - RAM_BASE) as usize;
    mem[b..b + 3].copy_from_slice(b"ok\n");

    let image = ElfImage {
        entry: RAM_BASE,
        segments: vec![Segment {
            paddr: RAM_BASE,
            data: mem,
            memsz: 0x1010,
        }],
        symbols: vec![symbol("tohost", TOHOST), symbol("fromhost", FROMHOST)],
    };
    let (output, console) = Output::capture();
    let mut m = Machine::new(
        Config {
            output,
            ..Config::default()
        },
        &image,
    )
    .unwrap();
    assert_eq!(m.run(Some(1000)), Exit::Status(5));
    assert_eq!(&*console.lock().unwrap(), b"hiok\n");
    let word = |m: &Machine, a: u64| {
        let o = (a - RAM_BASE) as usize;
        u64::from_le_bytes(m.bus.ram[o..o + 8].try_into().unwrap())
    };
    assert_eq!(
        word(&m, MAGIC),
        3,
        "write returns the byte count in magic memory"
    );
    assert_eq!(
        word(&m, FROMHOST),
        1,
        "the system call is acknowledged in fromhost"
    );
    assert_eq!(word(&m, TOHOST), 0, "the host clears tohost");
}
