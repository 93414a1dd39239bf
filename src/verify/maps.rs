//! The process's memory mappings, from `/proc/self/maps` (Linux), and the question the
//! verifier asks of them: does this byte range lie in readable (writable) memory?

use std::sync::Arc;

use super::extent::Extent;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub start: u64,
    pub end: u64,
    pub readable: bool,
    pub writable: bool,
    /// The file or pseudo-name (`[heap]`, `[stack]`), empty for anonymous memory.
    pub name: String,
}

/// The mappings of a process, sorted by address.
#[derive(Debug, Clone, Default)]
pub struct MemoryMap {
    mappings: Vec<Mapping>,
}

/// How a byte range sits in the mappings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Every byte is in readable (and, when asked, writable) memory.
    Ok,
    /// The first byte is in no mapping at all.
    StartUnmapped,
    /// The first byte is mapped but not readable (a guard page, `---p`).
    StartUnreadable,
    /// The range starts in readable memory but leaves it at `readable_end`.
    RunsPast { readable_end: u64 },
    /// Readable throughout, but the mapping at `at` is not writable.
    NotWritable { at: u64, name: String },
}

impl MemoryMap {
    /// Parse the text of `/proc/PID/maps`. Lines that do not parse are skipped: the format is
    /// the kernel's, but a skipped line only makes the map stricter, never a crash.
    pub fn parse(text: &str) -> Self {
        let mut mappings: Vec<Mapping> = text.lines().filter_map(parse_line).collect();
        mappings.sort_by_key(|mapping| mapping.start);
        MemoryMap { mappings }
    }

    /// The current process's mappings; an error off Linux or where `/proc` is not mounted.
    pub fn of_this_process() -> std::io::Result<Self> {
        // File names in the map need not be UTF-8; they only appear in messages.
        let bytes = std::fs::read("/proc/self/maps")?;
        Ok(Self::parse(&String::from_utf8_lossy(&bytes)))
    }

    pub fn mappings(&self) -> &[Mapping] {
        &self.mappings
    }

    /// The mapping that contains `addr`.
    pub fn find(&self, addr: u64) -> Option<&Mapping> {
        let index = self.mappings.partition_point(|mapping| mapping.end <= addr);
        self.mappings
            .get(index)
            .filter(|mapping| mapping.start <= addr)
    }

    /// Where `extent` lies. Adjacent mappings count as one range (a large allocation is often
    /// split by permissions or by the kernel merging rules). An empty extent is always `Ok`.
    pub fn coverage(&self, extent: &Extent, need_write: bool) -> Coverage {
        if extent.is_empty() {
            return Coverage::Ok;
        }
        let Some(first) = self.find(extent.start) else {
            return Coverage::StartUnmapped;
        };
        if !first.readable {
            return Coverage::StartUnreadable;
        }
        let mut not_writable = None;
        let mut cursor = extent.start;
        let mut current = Some(first);
        while let Some(mapping) = current {
            if !mapping.readable {
                return Coverage::RunsPast {
                    readable_end: cursor,
                };
            }
            if need_write && !mapping.writable && not_writable.is_none() {
                not_writable = Some((cursor, mapping.name.clone()));
            }
            if extent.end <= mapping.end {
                return match not_writable {
                    Some((at, name)) => Coverage::NotWritable { at, name },
                    None => Coverage::Ok,
                };
            }
            cursor = mapping.end;
            current = self.find(cursor);
        }
        Coverage::RunsPast {
            readable_end: cursor,
        }
    }
}

/// The process's mappings as one verification sees them. Reading `/proc/self/maps` costs
/// more than the rest of a verification in a process with many mappings (1,000 and more
/// once pyarrow, pandas and SciPy are loaded), so the map of the previous verification is
/// reused, and read again (at most once per verification) whenever it would say anything
/// but "readable (and writable, when asked)" about a range. So every finding comes from a
/// fresh map; a stale one can only miss memory that went away or became read-only since
/// it was read, and reads of our own memory go through the kernel, which refuses them
/// safely.
pub struct LiveMap<F> {
    map: Arc<MemoryMap>,
    fresh: bool,
    read: F,
}

impl<F: FnMut() -> std::io::Result<MemoryMap>> LiveMap<F> {
    /// Start from `cached` (the previous verification's map), else read it now.
    pub fn new(cached: Option<Arc<MemoryMap>>, mut read: F) -> std::io::Result<Self> {
        let (map, fresh) = match cached {
            Some(map) => (map, false),
            None => (Arc::new(read()?), true),
        };
        Ok(LiveMap { map, fresh, read })
    }

    /// The map to judge `extent` by: the current one when all of it is readable (and
    /// writable, with `need_write`) there, else a fresh read (once; a failed read keeps
    /// the current map).
    pub fn covering(&mut self, extent: &Extent, need_write: bool) -> &MemoryMap {
        if !self.fresh && self.map.coverage(extent, need_write) != Coverage::Ok {
            self.refresh();
        }
        &self.map
    }

    /// The map as it is now (no read).
    pub fn current(&self) -> &MemoryMap {
        &self.map
    }

    /// The map to judge `addr` by (as `covering` for one byte).
    pub fn containing(&mut self, addr: u64) -> &MemoryMap {
        let byte = Extent {
            start: addr,
            end: addr.saturating_add(1),
        };
        self.covering(&byte, false)
    }

    fn refresh(&mut self) {
        self.fresh = true;
        if let Ok(map) = (self.read)() {
            self.map = Arc::new(map);
        }
    }

    /// Whether the map was read during this verification.
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// The map to keep for the next verification.
    pub fn into_shared(self) -> Arc<MemoryMap> {
        self.map
    }
}

fn parse_line(line: &str) -> Option<Mapping> {
    // 7f3c0a000000-7f3c0a021000 rw-p 00000000 00:00 0          [heap]
    let mut fields = line.splitn(6, ' ');
    let range = fields.next()?;
    let perms = fields.next()?.as_bytes();
    let _offset = fields.next()?;
    let _device = fields.next()?;
    let _inode = fields.next()?;
    let name = fields.next().unwrap_or("").trim().to_string();
    let (start, end) = range.split_once('-')?;
    let start = u64::from_str_radix(start, 16).ok()?;
    let end = u64::from_str_radix(end, 16).ok()?;
    if end <= start || perms.len() < 2 {
        return None;
    }
    Some(Mapping {
        start,
        end,
        readable: perms[0] == b'r',
        writable: perms[1] == b'w',
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPS: &str = "\
00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/python3
00651000-00652000 r--p 00051000 08:02 173521      /usr/bin/python3
00652000-00655000 rw-p 00052000 08:02 173521      /usr/bin/python3
01e00000-01e21000 rw-p 00000000 00:00 0           [heap]
7f0000000000-7f0000001000 ---p 00000000 00:00 0
7f0000001000-7f0000002000 rw-p 00000000 00:00 0
not a line
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0   [stack]
";

    fn extent(start: u64, end: u64) -> Extent {
        Extent { start, end }
    }

    #[test]
    fn parses_fields() {
        let map = MemoryMap::parse(MAPS);
        assert_eq!(map.mappings().len(), 7);
        let heap = map.find(0x01e00010).unwrap();
        assert_eq!(heap.name, "[heap]");
        assert!(heap.readable && heap.writable);
        assert!(map.find(0x01e21000).is_none());
        assert!(!map.find(0x7f0000000000).unwrap().readable);
    }

    #[test]
    fn inside_one_mapping() {
        let map = MemoryMap::parse(MAPS);
        assert_eq!(
            map.coverage(&extent(0x01e00000, 0x01e21000), true),
            Coverage::Ok
        );
    }

    #[test]
    fn across_adjacent_mappings() {
        let map = MemoryMap::parse(MAPS);
        assert_eq!(
            map.coverage(&extent(0x00651ff0, 0x00652010), false),
            Coverage::Ok
        );
        assert_eq!(
            map.coverage(&extent(0x00651ff0, 0x00652010), true),
            Coverage::NotWritable {
                at: 0x00651ff0,
                name: "/usr/bin/python3".into()
            }
        );
    }

    #[test]
    fn unmapped_and_unreadable_starts() {
        let map = MemoryMap::parse(MAPS);
        assert_eq!(
            map.coverage(&extent(0x10, 0x20), false),
            Coverage::StartUnmapped
        );
        assert_eq!(
            map.coverage(&extent(0x7f0000000010, 0x7f0000000020), false),
            Coverage::StartUnreadable
        );
    }

    #[test]
    fn runs_past_the_end_or_into_a_guard_page() {
        let map = MemoryMap::parse(MAPS);
        assert_eq!(
            map.coverage(&extent(0x01e20ff0, 0x01e21010), false),
            Coverage::RunsPast {
                readable_end: 0x01e21000
            }
        );
        let map =
            MemoryMap::parse("1000-2000 rw-p 00000000 00:00 0\n2000-3000 ---p 00000000 00:00 0\n");
        assert_eq!(
            map.coverage(&extent(0x1ff0, 0x2010), false),
            Coverage::RunsPast {
                readable_end: 0x2000
            }
        );
    }

    #[test]
    fn empty_extent_is_fine_anywhere() {
        let map = MemoryMap::parse(MAPS);
        assert_eq!(map.coverage(&extent(5, 5), true), Coverage::Ok);
    }

    #[test]
    fn live_map_reads_again_only_for_an_address_it_lacks() {
        let mut reads = 0;
        let old = Arc::new(MemoryMap::parse("1000-2000 rw-p 00000000 00:00 0\n"));
        let mut live = LiveMap::new(Some(old), || {
            reads += 1;
            Ok(MemoryMap::parse(
                "1000-2000 rw-p 00000000 00:00 0\n5000-6000 rw-p 00000000 00:00 0\n",
            ))
        })
        .unwrap();
        assert!(!live.is_fresh());
        // Known: no read.
        assert!(live.containing(0x1800).find(0x1800).is_some());
        assert!(!live.is_fresh());
        // Unknown: one read, which finds it.
        assert!(live.containing(0x5800).find(0x5800).is_some());
        assert!(live.is_fresh());
        assert_eq!(live.current().mappings().len(), 2);
        // Unknown even now: no second read within one verification.
        assert!(live.containing(0x9000).find(0x9000).is_none());
        let shared = live.into_shared();
        assert_eq!(shared.mappings().len(), 2);
        assert_eq!(reads, 1);
    }

    #[test]
    fn live_map_reads_again_before_saying_read_only() {
        // The cached map remembers a read-only mapping that a writable one has replaced.
        let mut reads = 0;
        let old = Arc::new(MemoryMap::parse("1000-2000 r--p 00000000 00:00 0\n"));
        let mut live = LiveMap::new(Some(old), || {
            reads += 1;
            Ok(MemoryMap::parse("1000-2000 rw-p 00000000 00:00 0\n"))
        })
        .unwrap();
        let range = extent(0x1000, 0x1010);
        assert_eq!(
            live.covering(&range, false).coverage(&range, true),
            Coverage::NotWritable {
                at: 0x1000,
                name: String::new()
            }
        );
        assert_eq!(
            live.covering(&range, true).coverage(&range, true),
            Coverage::Ok
        );
        drop(live);
        assert_eq!(reads, 1);
    }

    #[test]
    fn live_map_without_a_cache_reads_once() {
        let mut reads = 0;
        let mut live = LiveMap::new(None, || {
            reads += 1;
            Ok(MemoryMap::parse("1000-2000 rw-p 00000000 00:00 0\n"))
        })
        .unwrap();
        assert!(live.is_fresh());
        assert!(live.containing(0x9000).find(0x9000).is_none());
        drop(live);
        assert_eq!(reads, 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_stack_is_mapped() {
        let local = [0u8; 64];
        let addr = local.as_ptr() as u64;
        let map = MemoryMap::of_this_process().unwrap();
        assert_eq!(map.coverage(&extent(addr, addr + 64), true), Coverage::Ok);
    }
}
