//! The compact single-file dataset format; the layout is documented in the [module docs](super).

use std::io::{Cursor, Read, Seek, SeekFrom, Write};

use serde::{Deserialize, Serialize};

use super::crc::Crc32;
use super::{
    Dataset, DatasetError, DatasetMetadata, DatasetSplit, Names, check_dataset_level, check_structure, check_tokens,
    json_error,
};

/// The first eight bytes of a compact dataset file: `\x89TRMDS\r\n` (the high byte and the line ending
/// catch files mangled by text-mode transfers, as in PNG).
pub const COMPACT_MAGIC: [u8; 8] = *b"\x89TRMDS\r\n";
/// The format version this code writes and reads.
pub const COMPACT_VERSION: u32 = 1;
/// Largest JSON header accepted (256 MiB: the identifier names of the largest official ARC set take
/// about 36 MB).
pub const MAX_COMPACT_HEADER_BYTES: u32 = 256 << 20;

/// Bytes before the JSON header: magic, version, JSON length.
const FIXED_LEN: usize = 16;
/// Rows are written and checked in chunks of about this many bytes.
const CHUNK_BYTES: usize = 1 << 20;

/// Which split of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SplitKind {
    Train,
    Test,
}

impl SplitKind {
    /// Both splits, in file order.
    pub const ALL: [SplitKind; 2] = [SplitKind::Train, SplitKind::Test];

    /// `"train"` or `"test"`, as the official directories name them.
    pub fn name(self) -> &'static str {
        match self {
            SplitKind::Train => "train",
            SplitKind::Test => "test",
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    identifiers: Vec<String>,
    test_puzzles: Option<String>,
    train: SplitHeader,
    test: SplitHeader,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitHeader {
    metadata: DatasetMetadata,
    num_examples: u64,
    num_puzzles: u64,
    num_groups: u64,
}

/// Error locations inside a compact file: `compact train.puzzle_indices`, `compact test.metadata`.
struct CompactNames {
    split: &'static str,
}

impl Names for CompactNames {
    fn array(&self, array: &str) -> String {
        format!("compact {}.{array}", self.split)
    }
    fn metadata(&self) -> String {
        format!("compact {}.metadata", self.split)
    }
}

fn io_error(e: &std::io::Error) -> DatasetError {
    DatasetError::Io { path: "compact dataset".to_string(), message: e.to_string() }
}

fn truncated(what: &str, needed: u128, available: u64) -> DatasetError {
    DatasetError::Truncated { what: what.to_string(), needed: u64::try_from(needed).unwrap_or(u64::MAX), available }
}

fn to_usize(value: u64, what: &str) -> Result<usize, DatasetError> {
    usize::try_from(value).map_err(|_| DatasetError::TooLarge {
        what: what.to_string(),
        count: value,
        limit: usize::MAX as u64,
    })
}

impl Dataset {
    /// The JSON header and index arrays, with the head checksum.
    fn compact_head(&self) -> Result<Vec<u8>, DatasetError> {
        let split_header = |s: &DatasetSplit| SplitHeader {
            metadata: s.metadata.clone(),
            num_examples: s.num_examples() as u64,
            num_puzzles: s.num_puzzles() as u64,
            num_groups: s.num_groups() as u64,
        };
        let header = Header {
            identifiers: self.identifiers.clone(),
            test_puzzles: self.test_puzzles.clone(),
            train: split_header(&self.train),
            test: split_header(&self.test),
        };
        let json = serde_json::to_vec(&header).map_err(|e| json_error("compact header", &e))?;
        let json_len = u32::try_from(json.len()).ok().filter(|&n| n <= MAX_COMPACT_HEADER_BYTES).ok_or_else(|| {
            DatasetError::TooLarge {
                what: "compact JSON header bytes".to_string(),
                count: json.len() as u64,
                limit: u64::from(MAX_COMPACT_HEADER_BYTES),
            }
        })?;
        let mut head = Vec::with_capacity(FIXED_LEN + json.len() + 8);
        head.extend_from_slice(&COMPACT_MAGIC);
        head.extend_from_slice(&COMPACT_VERSION.to_le_bytes());
        head.extend_from_slice(&json_len.to_le_bytes());
        head.extend_from_slice(&json);
        head.resize(head.len().next_multiple_of(4), 0);
        for split in [&self.train, &self.test] {
            for array in [&split.puzzle_identifiers, &split.puzzle_indices, &split.group_indices] {
                for v in array.iter() {
                    head.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        let crc = super::crc::crc32(&head);
        head.extend_from_slice(&crc.to_le_bytes());
        Ok(head)
    }

    /// Writes the compact format (after [`validate`](Self::validate)) to `out`.
    pub fn write_compact<W: Write>(&self, mut out: W) -> Result<(), DatasetError> {
        self.validate()?;
        out.write_all(&self.compact_head()?).map_err(|e| io_error(&e))?;
        for split in [&self.train, &self.test] {
            let mut crc = Crc32::new();
            let mut buf = Vec::with_capacity(CHUNK_BYTES + 2 * split.seq_len());
            for (input, label) in
                split.inputs.chunks_exact(split.seq_len()).zip(split.labels.chunks_exact(split.seq_len()))
            {
                buf.extend_from_slice(input);
                buf.extend_from_slice(label);
                if buf.len() >= CHUNK_BYTES {
                    crc.update(&buf);
                    out.write_all(&buf).map_err(|e| io_error(&e))?;
                    buf.clear();
                }
            }
            crc.update(&buf);
            out.write_all(&buf).map_err(|e| io_error(&e))?;
            out.write_all(&crc.finish().to_le_bytes()).map_err(|e| io_error(&e))?;
        }
        out.flush().map_err(|e| io_error(&e))
    }

    /// The compact format in memory.
    pub fn to_compact_bytes(&self) -> Result<Vec<u8>, DatasetError> {
        let mut out = Vec::new();
        self.write_compact(&mut out)?;
        Ok(out)
    }

    /// Reads and fully checks a compact file held in memory (both checksums of every section, every token).
    pub fn from_compact_bytes(bytes: &[u8]) -> Result<Dataset, DatasetError> {
        CompactReader::open(Cursor::new(bytes))?.into_dataset()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Dataset {
    /// Writes the compact format to a file.
    pub fn write_compact_file(&self, path: &std::path::Path) -> Result<(), DatasetError> {
        let file = std::fs::File::create(path).map_err(|e| super::official::io_error(path, &e))?;
        self.write_compact(std::io::BufWriter::new(file)).map_err(|e| match e {
            DatasetError::Io { message, .. } => DatasetError::Io { path: path.display().to_string(), message },
            other => other,
        })
    }

    /// Reads and fully checks a compact file.
    pub fn read_compact_file(path: &std::path::Path) -> Result<Dataset, DatasetError> {
        let file = std::fs::File::open(path).map_err(|e| super::official::io_error(path, &e))?;
        CompactReader::open(std::io::BufReader::new(file))?.into_dataset()
    }
}

/// One split's index in a compact file: metadata and the small arrays, without the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactSplitIndex {
    metadata: DatasetMetadata,
    puzzle_identifiers: Vec<i32>,
    puzzle_indices: Vec<i32>,
    group_indices: Vec<i32>,
    num_examples: usize,
    /// Byte offset of the first row.
    rows_offset: u64,
}

impl CompactSplitIndex {
    /// The split's `dataset.json`.
    pub fn metadata(&self) -> &DatasetMetadata {
        &self.metadata
    }

    /// `[N_puzzles]` identifiers.
    pub fn puzzle_identifiers(&self) -> &[i32] {
        &self.puzzle_identifiers
    }

    /// `[N_puzzles + 1]` row offsets.
    pub fn puzzle_indices(&self) -> &[i32] {
        &self.puzzle_indices
    }

    /// `[N_groups + 1]` puzzle offsets.
    pub fn group_indices(&self) -> &[i32] {
        &self.group_indices
    }

    /// Number of examples (rows).
    pub fn num_examples(&self) -> usize {
        self.num_examples
    }

    fn row_bytes(&self) -> usize {
        2 * self.metadata.seq_len as usize
    }
}

/// Reads a compact file piece by piece: [`open`](Self::open) reads and checks the head (metadata,
/// identifiers, index arrays) and the file's size; examples are then read on demand by seeking.
/// Tokens are checked against `vocab_size` on every read; the rows' checksum only by
/// [`read_split`](Self::read_split) and [`verify_rows`](Self::verify_rows), which read a split whole.
#[derive(Debug)]
pub struct CompactReader<R> {
    inner: R,
    identifiers: Vec<String>,
    test_puzzles: Option<String>,
    train: CompactSplitIndex,
    test: CompactSplitIndex,
}

impl<R: Read + Seek> CompactReader<R> {
    /// Reads and checks the head: magic, version, sizes against the file length (before allocating),
    /// the head checksum, the zero padding and the structure of both splits.
    pub fn open(mut inner: R) -> Result<Self, DatasetError> {
        let len = inner.seek(SeekFrom::End(0)).map_err(|e| io_error(&e))?;
        inner.seek(SeekFrom::Start(0)).map_err(|e| io_error(&e))?;
        let mut fixed = [0u8; FIXED_LEN];
        let got = usize::try_from(len).map_or(FIXED_LEN, |len| len.min(FIXED_LEN));
        inner.read_exact(&mut fixed[..got]).map_err(|e| io_error(&e))?;
        let magic_part = got.min(COMPACT_MAGIC.len());
        if fixed[..magic_part] != COMPACT_MAGIC[..magic_part] {
            return Err(DatasetError::CompactMagic);
        }
        if got < FIXED_LEN {
            return Err(truncated("compact dataset (fixed header)", FIXED_LEN as u128, len));
        }
        let word = |k: usize| u32::from_le_bytes([fixed[k], fixed[k + 1], fixed[k + 2], fixed[k + 3]]);
        let version = word(8);
        if version != COMPACT_VERSION {
            return Err(DatasetError::CompactVersion { found: version });
        }
        let json_len = word(12);
        if json_len > MAX_COMPACT_HEADER_BYTES {
            return Err(DatasetError::TooLarge {
                what: "compact JSON header bytes".to_string(),
                count: u64::from(json_len),
                limit: u64::from(MAX_COMPACT_HEADER_BYTES),
            });
        }
        let json_end = FIXED_LEN as u128 + u128::from(json_len);
        if json_end > u128::from(len) {
            return Err(truncated("compact dataset (JSON header)", json_end, len));
        }
        let mut json = vec![0u8; json_len as usize];
        inner.read_exact(&mut json).map_err(|e| io_error(&e))?;
        let header: Header = serde_json::from_slice(&json).map_err(|e| json_error("compact header", &e))?;

        // Every size in u128: no product or sum of u64 counts can overflow it.
        let pad = (4 - json_end % 4) % 4;
        let mut head_end = json_end + pad;
        for s in [&header.train, &header.test] {
            head_end += 4 * (2 * u128::from(s.num_puzzles) + u128::from(s.num_groups) + 2);
        }
        if head_end + 4 > u128::from(len) {
            return Err(truncated("compact dataset (index arrays)", head_end + 4, len));
        }
        let rows_len = |s: &SplitHeader| u128::from(s.num_examples) * 2 * u128::from(s.metadata.seq_len);
        let train_rows = head_end + 4;
        let test_rows = train_rows + rows_len(&header.train) + 4;
        let total = test_rows + rows_len(&header.test) + 4;
        if total > u128::from(len) {
            return Err(truncated("compact dataset (rows)", total, len));
        }
        if total < u128::from(len) {
            return Err(DatasetError::TrailingBytes { extra: (u128::from(len) - total) as u64 });
        }

        // From here on every size is at most `len`.
        let mut rest = vec![0u8; (head_end - json_end) as usize];
        inner.read_exact(&mut rest).map_err(|e| io_error(&e))?;
        let mut stored = [0u8; 4];
        inner.read_exact(&mut stored).map_err(|e| io_error(&e))?;
        let mut crc = Crc32::new();
        crc.update(&fixed);
        crc.update(&json);
        crc.update(&rest);
        let (stored, computed) = (u32::from_le_bytes(stored), crc.finish());
        if stored != computed {
            return Err(DatasetError::Checksum {
                section: "the head (JSON header and index arrays)".into(),
                stored,
                computed,
            });
        }
        if let Some(k) = rest[..pad as usize].iter().position(|&b| b != 0) {
            return Err(DatasetError::Padding { offset: (json_end + k as u128) as u64 });
        }
        let mut ints = rest[pad as usize..].chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        let mut take = |n: u64| -> Vec<i32> { ints.by_ref().take(n as usize).collect() };
        let mut index =
            |s: SplitHeader, rows_offset: u128, split: &'static str| -> Result<CompactSplitIndex, DatasetError> {
                let puzzle_identifiers = take(s.num_puzzles);
                let puzzle_indices = take(s.num_puzzles + 1);
                let group_indices = take(s.num_groups + 1);
                let num_examples = to_usize(s.num_examples, "examples")?;
                check_structure(
                    &s.metadata,
                    num_examples,
                    &puzzle_identifiers,
                    &puzzle_indices,
                    &group_indices,
                    &CompactNames { split },
                )?;
                Ok(CompactSplitIndex {
                    metadata: s.metadata,
                    puzzle_identifiers,
                    puzzle_indices,
                    group_indices,
                    num_examples,
                    rows_offset: rows_offset as u64,
                })
            };
        let train = index(header.train, train_rows, "train")?;
        let test = index(header.test, test_rows, "test")?;
        check_dataset_level(
            &header.identifiers,
            &train.metadata,
            &test.metadata,
            header.test_puzzles.as_deref(),
            "compact identifiers",
            &CompactNames { split: "train" },
            &CompactNames { split: "test" },
        )?;
        Ok(Self { inner, identifiers: header.identifiers, test_puzzles: header.test_puzzles, train, test })
    }

    /// The names of the embedding rows (`identifiers.json`).
    pub fn identifiers(&self) -> &[String] {
        &self.identifiers
    }

    /// `test_puzzles.json` (ARC datasets), if stored.
    pub fn test_puzzles(&self) -> Option<&str> {
        self.test_puzzles.as_deref()
    }

    /// The index of one split.
    pub fn split(&self, kind: SplitKind) -> &CompactSplitIndex {
        match kind {
            SplitKind::Train => &self.train,
            SplitKind::Test => &self.test,
        }
    }

    /// The inputs and labels of examples `start .. start + count` of a split, row-major, tokens checked.
    pub fn read_examples(
        &mut self,
        kind: SplitKind,
        start: usize,
        count: usize,
    ) -> Result<(Vec<u8>, Vec<u8>), DatasetError> {
        let index = match kind {
            SplitKind::Train => &self.train,
            SplitKind::Test => &self.test,
        };
        let available = index.num_examples;
        let end = start.checked_add(count).filter(|&end| end <= available).ok_or(DatasetError::ExampleRange {
            split: kind.name(),
            start,
            end: start.saturating_add(count),
            available,
        })?;
        let row = index.row_bytes();
        // Both fit: the rows were measured against the file length on opening.
        let offset = index.rows_offset + (start as u64) * (row as u64);
        self.inner.seek(SeekFrom::Start(offset)).map_err(|e| io_error(&e))?;
        let mut buf = vec![0u8; (end - start) * row];
        self.inner.read_exact(&mut buf).map_err(|e| io_error(&e))?;
        let (inputs, labels) = deinterleave(&buf, row / 2);
        check_tokens(&index.metadata, &inputs, &labels, start, &CompactNames { split: kind.name() })?;
        Ok((inputs, labels))
    }

    /// Streams through a split's rows once, checking every token and the rows' checksum.
    pub fn verify_rows(&mut self, kind: SplitKind) -> Result<(), DatasetError> {
        self.scan_rows(kind, |_, _| {})
    }

    /// Reads a split whole, checking every token and the rows' checksum.
    pub fn read_split(&mut self, kind: SplitKind) -> Result<DatasetSplit, DatasetError> {
        let n = self.split(kind).num_examples * self.split(kind).metadata.seq_len as usize;
        let (mut inputs, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
        self.scan_rows(kind, |i, l| {
            inputs.extend_from_slice(i);
            labels.extend_from_slice(l);
        })?;
        let index = self.split(kind).clone();
        Ok(DatasetSplit {
            metadata: index.metadata,
            inputs,
            labels,
            puzzle_identifiers: index.puzzle_identifiers,
            puzzle_indices: index.puzzle_indices,
            group_indices: index.group_indices,
        })
    }

    /// Reads everything into a [`Dataset`], checking both splits' rows.
    pub fn into_dataset(mut self) -> Result<Dataset, DatasetError> {
        let train = self.read_split(SplitKind::Train)?;
        let test = self.read_split(SplitKind::Test)?;
        Ok(Dataset { identifiers: self.identifiers, train, test, test_puzzles: self.test_puzzles })
    }

    /// The underlying reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads a split's rows in chunks, checks tokens and the checksum, and hands each row to `each`.
    fn scan_rows(&mut self, kind: SplitKind, mut each: impl FnMut(&[u8], &[u8])) -> Result<(), DatasetError> {
        let index = match kind {
            SplitKind::Train => &self.train,
            SplitKind::Test => &self.test,
        };
        let names = CompactNames { split: kind.name() };
        let row = index.row_bytes();
        let seq_len = row / 2;
        let rows_per_chunk = (CHUNK_BYTES / row.max(1)).max(1);
        self.inner.seek(SeekFrom::Start(index.rows_offset)).map_err(|e| io_error(&e))?;
        let mut crc = Crc32::new();
        let mut buf = Vec::new();
        let mut done = 0;
        while done < index.num_examples {
            let rows = rows_per_chunk.min(index.num_examples - done);
            buf.resize(rows * row, 0);
            self.inner.read_exact(&mut buf).map_err(|e| io_error(&e))?;
            crc.update(&buf);
            for (k, pair) in buf.chunks_exact(row).enumerate() {
                let (input, label) = pair.split_at(seq_len);
                check_tokens(&index.metadata, input, label, done + k, &names)?;
                each(input, label);
            }
            done += rows;
        }
        let mut stored = [0u8; 4];
        self.inner.read_exact(&mut stored).map_err(|e| io_error(&e))?;
        let (stored, computed) = (u32::from_le_bytes(stored), crc.finish());
        if stored != computed {
            return Err(DatasetError::Checksum { section: format!("the {} rows", kind.name()), stored, computed });
        }
        Ok(())
    }
}

fn deinterleave(buf: &[u8], seq_len: usize) -> (Vec<u8>, Vec<u8>) {
    let mut inputs = Vec::with_capacity(buf.len() / 2);
    let mut labels = Vec::with_capacity(buf.len() / 2);
    for pair in buf.chunks_exact(2 * seq_len.max(1)) {
        let (input, label) = pair.split_at(seq_len);
        inputs.extend_from_slice(input);
        labels.extend_from_slice(label);
    }
    (inputs, labels)
}

#[cfg(test)]
mod tests {
    use super::super::tests::tiny;
    use super::*;

    #[test]
    fn round_trip_and_streaming() {
        let mut d = tiny();
        d.test_puzzles = Some("{\"e1\": {}}".into());
        let bytes = d.to_compact_bytes().unwrap();
        assert_eq!(&bytes[..8], b"\x89TRMDS\r\n");
        assert_eq!(Dataset::from_compact_bytes(&bytes).unwrap(), d);
        let mut r = CompactReader::open(Cursor::new(&bytes[..])).unwrap();
        assert_eq!(r.identifiers(), &d.identifiers[..]);
        assert_eq!(r.test_puzzles(), d.test_puzzles.as_deref());
        assert_eq!(r.split(SplitKind::Train).puzzle_indices(), &[0, 2, 3]);
        assert_eq!(r.split(SplitKind::Train).num_examples(), 3);
        assert_eq!(r.read_examples(SplitKind::Train, 1, 2).unwrap(), (vec![4, 0, 1, 2, 2, 2], vec![4, 4, 1, 0, 0, 1]));
        assert_eq!(r.read_examples(SplitKind::Test, 0, 1).unwrap(), (vec![3, 3, 3], vec![4, 4, 4]));
        assert_eq!(r.read_examples(SplitKind::Train, 3, 0).unwrap(), (vec![], vec![]));
        let err = r.read_examples(SplitKind::Train, 2, 2).unwrap_err();
        assert_eq!(err, DatasetError::ExampleRange { split: "train", start: 2, end: 4, available: 3 });
        r.verify_rows(SplitKind::Train).unwrap();
        r.verify_rows(SplitKind::Test).unwrap();
        assert_eq!(r.read_split(SplitKind::Test).unwrap(), d.test);
    }

    #[test]
    fn every_single_bit_flip_is_reported() {
        let bytes = tiny().to_compact_bytes().unwrap();
        for k in 0..bytes.len() {
            for bit in 0..8 {
                let mut bad = bytes.clone();
                bad[k] ^= 1 << bit;
                assert!(Dataset::from_compact_bytes(&bad).is_err(), "byte {k} bit {bit}");
            }
        }
        for cut in 0..bytes.len() {
            let err = Dataset::from_compact_bytes(&bytes[..cut]).unwrap_err();
            assert!(matches!(err, DatasetError::Truncated { .. } | DatasetError::CompactMagic), "cut {cut}: {err}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(Dataset::from_compact_bytes(&long).unwrap_err(), DatasetError::TrailingBytes { extra: 1 });
    }

    #[test]
    fn specific_errors() {
        let bytes = tiny().to_compact_bytes().unwrap();
        assert_eq!(Dataset::from_compact_bytes(b"\x93NUMPY\x01\x00").unwrap_err(), DatasetError::CompactMagic);
        let mut v2 = bytes.clone();
        v2[8] = 2;
        assert_eq!(Dataset::from_compact_bytes(&v2).unwrap_err(), DatasetError::CompactVersion { found: 2 });
        let mut huge = bytes.clone();
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(Dataset::from_compact_bytes(&huge).unwrap_err(), DatasetError::TooLarge { .. }));
        // A flipped token bit in the rows: the rows checksum catches it; streaming reads check tokens.
        let mut row = bytes.clone();
        let last_rows = row.len() - 4 - 6;
        row[last_rows] = 11;
        let err = Dataset::from_compact_bytes(&row).unwrap_err();
        assert!(err.to_string().starts_with("compact test.inputs: row 0, column 0: token 11"), "{err}");
        let mut r = CompactReader::open(Cursor::new(&row[..])).unwrap();
        assert!(r.read_examples(SplitKind::Test, 0, 1).is_err());
        let mut sum = bytes.clone();
        let n = sum.len();
        sum[n - 1] ^= 1;
        let err = Dataset::from_compact_bytes(&sum).unwrap_err();
        assert!(matches!(&err, DatasetError::Checksum { section, .. } if section == "the test rows"), "{err}");
        // Writing refuses an invalid dataset.
        let mut bad = tiny();
        bad.train.group_indices = vec![0, 1];
        assert!(bad.to_compact_bytes().is_err());
    }
}
