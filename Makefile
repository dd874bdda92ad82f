# klab — the front door. `make bench` and `make test` do all the set-up they need.
#
#   make deps     the pinned Rust toolchain and the RISC-V target; QEMU, gdb-multiarch, Chromium,
#                 Slurm, munge and GNU parallel (Debian)
#   make guests   every guest workspace (RISC-V, no_std): tests/guests, userland (+ the initrd),
#                 kernels
#   make build    guests + the host workspace (klab, emu) in release mode; klab embeds the
#                 kernels and the initrd
#   make run      boot mono to the shell on the terminal (KERNEL=micro for the other one)
#   make bench    build everything, run every benchmark on both kernels, print the comparison and
#                 write report/report.{json,md,html}
#   make sweep    the benchmarks over TLB entries x ASIDs off/on (report-sweep/)
#   make speed    the emulator's speed next to QEMU's (scripts/speed-vs-qemu.sh)
#   make validate the cycle model (the default profile, the pipeline model u74) against published figures: writes docs/model.md
#   make readme   a full `klab bench` (report/), then `klab readme`: the README's generated regions,
#                 docs/*.svg and docs/schema/*.json from this build (a test fails when they drift)
#   make test     deps, guests, lint, then every test of the host workspace (QEMU cross-checks too)
#   make soak     10^9 instructions of mixed workload per kernel with the memory invariants checked
#                 (scripts/soak.sh; not part of make test)
#   make lint     rustfmt and clippy -D warnings on the host and guest workspaces
#   make fuzz     every fuzz target under AFL++ for FUZZ_SECONDS each (cargo afl, installed if
#                 missing); findings land in target/fuzz/TARGET (`make test` replays fuzz/corpus)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

# Pinned in rust-toolchain.toml; installed explicitly because rustup may not auto-install.
TOOLCHAIN := $(shell sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
GUEST_TARGET := riscv64imac-unknown-none-elf
# The guest workspaces, built with the same toolchain and flags.
GUEST_WORKSPACES := tests/guests userland kernels
KLAB := target/release/klab
# Guest binaries must not depend on where the checkout or the Cargo home is: the paths compiled
# into them (panic locations, debug info) are made relative, so every checkout builds the same
# bytes and the same benchmark figures (the reports record the images' hashes).
CARGO_HOME_DIR := $(or $(CARGO_HOME),$(HOME)/.cargo)
GUEST_RUSTFLAGS := --remap-path-prefix=$(CURDIR)=. --remap-path-prefix=$(CARGO_HOME_DIR)=/cargo
# The kernels, servers and programs keep frame pointers, so klab's sampler can walk their call
# stacks (`klab run --folded`, the report's flame graphs); tests/guests, whose code measures the
# cycle model itself, do not. What they cost is in docs/stacks.md.
STACK_RUSTFLAGS := -C force-frame-pointers=yes
KERNEL ?= mono

# Debian packages the tests drive: QEMU is the functional cross-check, gdb-multiarch the debugger,
# Chromium renders the benchmark report, Slurm (slurm-wlm, munge) and GNU parallel run sharded
# sweeps (the test starts its own single-node Slurm cluster).
APT_PACKAGES := qemu-system-misc gdb-multiarch chromium slurm-wlm munge parallel
# The sweep `make sweep` runs: when do ASIDs close the gap between the kernels?
SWEEP ?= --param tlb.entries=8,16,32,64 --param asid=off,on --only getpid,ipc,ipc-4k,pipe-rt,process-switch,ring-8
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# `make fuzz`: seconds per target, and the targets (fuzz/src/lib.rs; corpora in fuzz/corpus).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= elf initrd profile gdb report
FUZZ_BIN := fuzz/afl/target/release/klab-fuzz-afl

.PHONY: all deps guests build run bench sweep speed test soak lint fmt clean fuzz validate readme

all: build

deps:
	@rustup toolchain list | grep -q "^$(TOOLCHAIN)" || \
		rustup toolchain install $(TOOLCHAIN) --profile minimal -c rustfmt -c clippy -c llvm-tools
	@rustup component list --installed --toolchain $(TOOLCHAIN) | grep -q '^llvm-tools' || \
		rustup component add --toolchain $(TOOLCHAIN) llvm-tools
	@rustup target list --installed --toolchain $(TOOLCHAIN) | grep -qx $(GUEST_TARGET) || \
		rustup target add --toolchain $(TOOLCHAIN) $(GUEST_TARGET)
	@missing=""; \
	command -v qemu-system-riscv64 >/dev/null || missing="$$missing qemu-system-misc"; \
	command -v gdb-multiarch >/dev/null || missing="$$missing gdb-multiarch"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null || \
		missing="$$missing slurm-wlm"; \
	command -v munged >/dev/null || missing="$$missing munge"; \
	command -v parallel >/dev/null || missing="$$missing parallel"; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		$(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

guests: deps
	@# micro embeds its servers' ELFs, so they are built before the rest of kernels/.
	cd kernels && RUSTFLAGS="$(GUEST_RUSTFLAGS) $(STACK_RUSTFLAGS)" cargo build --release --quiet -p servers
	@for ws in $(GUEST_WORKSPACES); do \
		flags="$(GUEST_RUSTFLAGS)"; [ $$ws = tests/guests ] || flags="$$flags $(STACK_RUSTFLAGS)"; \
		(cd $$ws && RUSTFLAGS="$$flags" cargo build --release --quiet); done
	scripts/mkinitrd.sh

build: guests
	cargo build --release --workspace

run: build
	$(KLAB) run $(KERNEL)

validate: build
	$(KLAB) validate --out docs/model.md

bench: build
	$(KLAB) bench

# Everything the docs quote from the build, regenerated: rerun after any change to the guests, the
# emulator or the report's rendering, and commit the result.
readme: build
	$(KLAB) bench --out report
	$(KLAB) readme report

sweep: build
	$(KLAB) sweep $(SWEEP)

speed: build
	scripts/speed-vs-qemu.sh

test: deps guests lint
	cd kernels && cargo test --quiet -p abi -p ksched -p services --target x86_64-unknown-linux-gnu
	@# The workspace includes fuzz/ (klab-fuzz), whose tests replay every committed corpus file.
	cargo test --workspace

soak: build
	scripts/soak.sh

# AFL++ through cargo-afl, on the pinned stable toolchain: cargo-afl from crates.io builds its
# own AFL++ (C, with gcc) for this toolchain. Each target runs FUZZ_SECONDS, then its figures
# are printed; a crash or hang fails the target with the inputs' paths.
fuzz: deps
	@command -v cargo-afl >/dev/null || cargo install cargo-afl --locked
	@cargo afl config --build >/dev/null 2>&1 || true
	cd fuzz/afl && cargo afl build --release --quiet
	@mkdir -p target/fuzz; failed=""; \
	for t in $(FUZZ_TARGETS); do \
		echo "make fuzz: $$t for $(FUZZ_SECONDS) s"; rm -rf target/fuzz/$$t; \
		AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1 \
			cargo afl fuzz -V $(FUZZ_SECONDS) -i fuzz/corpus/$$t -o target/fuzz/$$t \
			-- $(FUZZ_BIN) $$t >target/fuzz/$$t.log 2>&1 || { tail -5 target/fuzz/$$t.log; failed="$$failed $$t"; continue; }; \
		stats=target/fuzz/$$t/default/fuzzer_stats; \
		get() { sed -n "s/^$$1 *: //p" $$stats; }; \
		echo "make fuzz: $$t: $$(get execs_done) executions in $$(get run_time) s, $$(get corpus_count) inputs in the queue, $$(get saved_crashes) crashes, $$(get saved_hangs) hangs"; \
		if [ "$$(get saved_crashes)" != 0 ] || [ "$$(get saved_hangs)" != 0 ]; then \
			ls target/fuzz/$$t/default/crashes target/fuzz/$$t/default/hangs; failed="$$failed $$t"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then echo "make fuzz: findings or errors in:$$failed"; exit 1; fi

lint:
	cargo fmt --all -- --check
	cd fuzz/afl && cargo fmt -- --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings
	@for ws in $(GUEST_WORKSPACES); do \
		(cd $$ws && cargo fmt --all -- --check && cargo clippy --release --quiet -- -D warnings); \
	done

fmt:
	cargo fmt --all
	@for ws in $(GUEST_WORKSPACES); do (cd $$ws && cargo fmt --all); done

clean:
	cargo clean
	@for ws in $(GUEST_WORKSPACES); do (cd $$ws && cargo clean); done
