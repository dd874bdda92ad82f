//! `klab` — run, compare and debug kernels on the klab machine. The command line is
//! `lab::cli`; the binary only calls it.

fn main() {
    lab::cli::main()
}
