//! The pure logic of `verify` (live objects): byte extents, the process's memory map, safe
//! reads of our own memory, the memory and agreement verdicts, the `Py_buffer` verdicts, and the JSON of live
//! findings. No Python here: `python/` gathers the facts from live objects and calls this.

pub mod checks;
pub mod extent;
pub mod maps;
pub mod memory;
pub mod py_buffer;
pub mod raises;
pub mod report;
pub mod view;
