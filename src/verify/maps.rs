//! The process's memory mappings, from `/proc/self/maps` (Linux), and the question the
//! verifier asks of them: does this byte range lie in readable (writable) memory?

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

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_stack_is_mapped() {
        let local = [0u8; 64];
        let addr = local.as_ptr() as u64;
        let map = MemoryMap::of_this_process().unwrap();
        assert_eq!(map.coverage(&extent(addr, addr + 64), true), Coverage::Ok);
    }
}
