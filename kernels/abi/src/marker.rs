//! Markers: the custom-use HINT `slti x0, rs1, imm12` (a NOP on hardware and QEMU, counted by
//! klab; see DESIGN.md §2 "Counters and markers"). `imm12` is the operation, `rs1` its argument.
//! Region ids below [`KERNEL_REGIONS`] belong to programs (benchmarks choose theirs); ids from
//! there up are the kernels'.

/// `imm12`: begin region `rs1`.
pub const BEGIN: i32 = 1;
/// `imm12`: end region `rs1`.
pub const END: i32 = 2;
/// `imm12`: name the current address space; `rs1` points to a NUL-terminated name.
pub const NAME: i32 = 3;
/// `imm12`: snapshot every statistic now, tagged `rs1`.
pub const SNAPSHOT: i32 = 4;
/// `imm12`: the kernel resumes thread `rs1` (a number naming it); klab counts a context switch
/// when it differs from the last one named.
pub const SWITCH: i32 = 5;
/// `imm12`: an operation boundary (`rs1` = x0: klab numbers them in region 1, for the timeline
/// of one operation). The bench harness emits one before each measured operation and one after
/// the last, only under `bench --mark-ops`.
pub const OP: i32 = 6;

/// First region id reserved for the kernels.
pub const KERNEL_REGIONS: usize = 0x100;
/// Region: the kernel's boot, from its first instruction to the first process.
pub const REGION_BOOT: usize = KERNEL_REGIONS;
