use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Deeply nested input recurses deeply in the parser and the visitors: give the main
/// thread the same large stack the worker threads get.
const STACK_SIZE: usize = 64 * 1024 * 1024;

fn main() -> ExitCode {
    let worker = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(|| arraylint::cli::run(std::env::args_os()));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!(
                "arraylint: error: internal error (the checking thread stopped); please report it"
            );
            ExitCode::from(arraylint::cli::EXIT_ERROR)
        }
    }
}
