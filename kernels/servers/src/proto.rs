//! Message encodings the servers agree on beyond what `abi::ipc` spells out word by word — kept
//! here, beside the servers that send and receive them, so both sides share one definition.

/// `FS_SPAWN`'s words 2 and 3: `spawn`'s three stdio fds (`i32`, -1 = the parent's own fd) do
/// not fit one word each beside the two pids in a `CALL`'s four words, so each travels as its
/// 32 bits: word 2 = `stdio[0] | stdio[1] << 32`, word 3 = `stdio[2]`.
pub fn pack_stdio(stdio: [i32; 3]) -> [u64; 2] {
    let bits = |fd: i32| u64::from(fd as u32);
    [bits(stdio[0]) | bits(stdio[1]) << 32, bits(stdio[2])]
}

/// The stdio fds [`pack_stdio`] packed into `words`.
pub fn unpack_stdio(words: [u64; 2]) -> [i32; 3] {
    [
        words[0] as u32 as i32,
        (words[0] >> 32) as u32 as i32,
        words[1] as u32 as i32,
    ]
}
