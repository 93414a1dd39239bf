use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Deeply nested input recurses deeply in the parser and the visitors: give the main
/// thread the same large stack the worker threads get.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// `mi_option_purge_delay` in mimalloc 2's `mimalloc.h` (between `eager_commit_delay` = 14
/// and `use_numa_nodes` = 16, which libmimalloc-sys does export).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Each file's AST is freed and the next one allocated again. With transparent huge
    // pages (mimalloc asks for them) every fresh page costs a 2 MiB zeroing, and purged
    // memory is faulted in again: together about 30% of the CPU on the bench corpus
    // (perf: clear_page_erms under do_huge_pmd_anonymous_page). Keep freed memory and use
    // small pages.
    // SAFETY: sets a process-wide allocator option before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and affects only this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
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
