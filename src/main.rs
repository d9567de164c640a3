//! The `schemashift` command. All logic lives in the library.

fn main() {
    std::process::exit(schemashift::cli::run(std::env::args_os()));
}
