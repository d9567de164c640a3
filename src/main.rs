//! The `schemashift` command. All logic lives in the library.

// The reader allocates heavily on two threads at once; see BENCHMARKS.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(schemashift::cli::run(std::env::args_os()));
}
