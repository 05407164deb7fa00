//! NumPy `.npy` files (format versions 1.0–3.0 read, 1.0 written), in pure Rust over byte slices.
//!
//! A file is the magic `\x93NUMPY`, a major and a minor version byte, the header length (`u16` little-endian
//! in version 1.0, `u32` in 2.0 and 3.0), then the header: a Python dict literal such as
//! `{'descr': '<i4', 'fortran_order': False, 'shape': (3, 81), }`, padded with spaces and ending in `\n`
//! so that the data starts at a multiple of 64 bytes. The data follows, C order, with nothing after it.
//!
//! What this module handles:
//! - dtypes `|u1` (uint8), `|i1`, `<u2`, `<i2`, `<i4` (int32) and `<i8`; one-byte types also with a `<`
//!   prefix. Values are converted to `u8` ([`read_u8`]) or `i32` ([`read_i32`]) with a range check, so
//!   an int64 token array loads as `u8` when every value fits.
//! - 1-D and 2-D shapes; C order only ([`NpyError::FortranOrder`] otherwise).
//! - `&[u8]` in, `Vec<u8>` out, so it works without a filesystem (wasm32); `*_file` helpers wrap
//!   `std::fs` on other targets.
//! - Written files ([`write_u8`], [`write_i32`]) are byte-for-byte what `numpy.save` writes for the same
//!   array (`|u1` / `<i4`, version 1.0, header padded to 64 bytes), so `numpy.load` — also with
//!   `mmap_mode="r"`, as the official loader uses — reads them.
//!
//! Reading never panics and never allocates more than a small multiple of the input's length: the
//! header is parsed strictly (exactly the keys `descr`, `fortran_order`, `shape`), the element count is
//! computed with overflow checks and must match the data length exactly.

use std::fmt;

/// The six magic bytes every `.npy` file starts with.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Data alignment numpy pads headers to.
const ALIGN: usize = 64;

/// Why `.npy` bytes were rejected, or an array could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NpyError {
    /// The bytes do not start with `\x93NUMPY`.
    #[error("not an .npy file: the magic string \\x93NUMPY is missing")]
    BadMagic,
    /// A format version other than 1.0, 2.0 or 3.0.
    #[error("unsupported .npy format version {major}.{minor} (1.0, 2.0 and 3.0 are read)")]
    UnsupportedVersion { major: u8, minor: u8 },
    /// The file ends before the part named by `what` is complete.
    #[error("truncated .npy file: the {what} needs {needed} bytes, only {available} are present")]
    Truncated { what: &'static str, needed: u64, available: u64 },
    /// The header is not the dict literal the format prescribes.
    #[error("bad .npy header: {0}")]
    BadHeader(String),
    /// A dtype outside the supported ones (big-endian, floats, structured types, …).
    #[error("unsupported dtype {0:?} (supported: |u1, |i1, <u2, <i2, <i4, <i8)")]
    UnsupportedDtype(String),
    /// `fortran_order: True`.
    #[error("Fortran-order arrays are not supported: save a C-order array (numpy.ascontiguousarray)")]
    FortranOrder,
    /// A shape of rank 0 or above 2.
    #[error("a {rank}-dimensional array: only 1-D and 2-D arrays are supported")]
    UnsupportedRank { rank: usize },
    /// The number of elements or bytes of a shape overflows.
    #[error("shape {shape:?} has more elements than can be addressed")]
    ShapeOverflow { shape: Vec<u64> },
    /// The data is shorter or longer than the shape says.
    #[error("the data has {found} bytes, but shape {shape:?} of {dtype} needs exactly {expected}")]
    DataLength { shape: Vec<usize>, dtype: Dtype, expected: u64, found: u64 },
    /// A value that does not fit the requested element type.
    #[error("element {index} is {value}, which does not fit {target}")]
    ValueOutOfRange { index: usize, value: i64, target: &'static str },
    /// Writing: the data length differs from the product of the shape (or the rank is not 1 or 2).
    #[error("cannot write shape {shape:?} with {found} elements")]
    ShapeMismatch { shape: Vec<usize>, found: usize },
}

/// Element types this module reads (all integers, little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// `|u1`
    U8,
    /// `|i1`
    I8,
    /// `<u2`
    U16,
    /// `<i2`
    I16,
    /// `<i4`
    I32,
    /// `<i8`
    I64,
}

impl Dtype {
    /// The descriptor numpy writes for this type (`|u1`, `<i4`, …).
    pub fn descr(self) -> &'static str {
        match self {
            Dtype::U8 => "|u1",
            Dtype::I8 => "|i1",
            Dtype::U16 => "<u2",
            Dtype::I16 => "<i2",
            Dtype::I32 => "<i4",
            Dtype::I64 => "<i8",
        }
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Dtype::U8 | Dtype::I8 => 1,
            Dtype::U16 | Dtype::I16 => 2,
            Dtype::I32 => 4,
            Dtype::I64 => 8,
        }
    }

    /// The type of a descriptor: little-endian (`<`) integers, one-byte ones also as `|`.
    pub fn from_descr(descr: &str) -> Option<Self> {
        Some(match descr {
            "|u1" | "<u1" => Dtype::U8,
            "|i1" | "<i1" => Dtype::I8,
            "<u2" => Dtype::U16,
            "<i2" => Dtype::I16,
            "<i4" => Dtype::I32,
            "<i8" => Dtype::I64,
            _ => return None,
        })
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.descr())
    }
}

/// A parsed header: what the data is and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyHeader {
    /// The format version `(major, minor)`.
    pub version: (u8, u8),
    /// Element type.
    pub dtype: Dtype,
    /// Shape, 1 or 2 dimensions.
    pub shape: Vec<usize>,
    /// Byte offset of the data in the file.
    pub data_offset: usize,
}

impl NpyHeader {
    /// Number of elements (checked when the header was parsed).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An array read from a `.npy` file: its shape and its elements in C order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyArray<T> {
    /// Shape, 1 or 2 dimensions.
    pub shape: Vec<usize>,
    /// Elements, row-major; `data.len()` is the product of `shape`.
    pub data: Vec<T>,
}

impl<T> NpyArray<T> {
    /// The data of a 1-D array, or `Err` with the actual shape.
    pub fn into_1d(self) -> Result<Vec<T>, Vec<usize>> {
        if self.shape.len() == 1 { Ok(self.data) } else { Err(self.shape) }
    }

    /// `(rows, cols, data)` of a 2-D array, or `Err` with the actual shape.
    pub fn into_2d(self) -> Result<(usize, usize, Vec<T>), Vec<usize>> {
        match self.shape[..] {
            [rows, cols] => Ok((rows, cols, self.data)),
            _ => Err(self.shape),
        }
    }
}

/// A little cursor over the header text.
struct HeaderParser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl HeaderParser<'_> {
    fn fail<T>(&self, what: &str) -> Result<T, NpyError> {
        Err(NpyError::BadHeader(format!("{what} at header byte {}", self.pos)))
    }

    fn skip_ws(&mut self) {
        while self.text.get(self.pos).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.text.get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), NpyError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(&format!("expected {:?}", char::from(byte)))
        }
    }

    /// A string literal in single or double quotes (no escapes: none of the keys or descriptors need them).
    fn string(&mut self) -> Result<String, NpyError> {
        let quote = match self.peek() {
            Some(q @ (b'\'' | b'"')) => q,
            _ => return self.fail("expected a string"),
        };
        let start = self.pos + 1;
        let Some(len) = self.text[start..].iter().position(|&b| b == quote) else {
            return self.fail("unterminated string");
        };
        let raw = &self.text[start..start + len];
        if raw.contains(&b'\\') {
            return self.fail("escape sequences are not supported in header strings");
        }
        self.pos = start + len + 1;
        String::from_utf8(raw.to_vec()).map_err(|_| NpyError::BadHeader("a header string is not UTF-8".into()))
    }

    fn word(&mut self) -> &[u8] {
        self.skip_ws();
        let start = self.pos;
        while self.text.get(self.pos).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    fn boolean(&mut self) -> Result<bool, NpyError> {
        match self.word() {
            b"True" => Ok(true),
            b"False" => Ok(false),
            _ => self.fail("expected True or False"),
        }
    }

    /// A non-negative integer, optionally with Python 2's `L` suffix.
    fn integer(&mut self) -> Result<u64, NpyError> {
        let word = self.word();
        let digits = word.strip_suffix(b"L").unwrap_or(word);
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return self.fail("expected a non-negative integer");
        }
        let mut value: u64 = 0;
        for &d in digits {
            value = match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(d - b'0'))) {
                Some(v) => v,
                None => return self.fail("integer too large"),
            };
        }
        Ok(value)
    }

    /// A tuple of integers: `()`, `(n,)`, `(n, m)`, `(n, m,)`, …
    fn shape(&mut self) -> Result<Vec<u64>, NpyError> {
        self.expect(b'(')?;
        let mut dims = Vec::new();
        loop {
            if self.peek() == Some(b')') {
                self.pos += 1;
                break;
            }
            if dims.len() >= 32 {
                return self.fail("too many dimensions");
            }
            dims.push(self.integer()?);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    // `(n)` is not a tuple in Python; numpy never writes it for a 1-D shape.
                    if dims.len() == 1 {
                        return self.fail("a one-element shape needs a trailing comma, as in (n,)");
                    }
                    break;
                }
                _ => return self.fail("expected ',' or ')' in the shape"),
            }
        }
        Ok(dims)
    }
}

/// The header fields before they are checked against what this module supports.
struct RawHeader {
    descr: String,
    fortran_order: bool,
    shape: Vec<u64>,
}

fn parse_dict(text: &[u8]) -> Result<RawHeader, NpyError> {
    let mut p = HeaderParser { text, pos: 0 };
    p.expect(b'{')?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        if p.peek() == Some(b'}') {
            p.pos += 1;
            break;
        }
        let key = p.string()?;
        p.expect(b':')?;
        let duplicate = match key.as_str() {
            "descr" => {
                let value = match p.peek() {
                    Some(b'\'' | b'"') => p.string()?,
                    _ => return Err(NpyError::UnsupportedDtype("a structured (non-string) descr".into())),
                };
                descr.replace(value).is_some()
            }
            "fortran_order" => fortran.replace(p.boolean()?).is_some(),
            "shape" => shape.replace(p.shape()?).is_some(),
            other => return Err(NpyError::BadHeader(format!("unexpected key {other:?}"))),
        };
        if duplicate {
            return Err(NpyError::BadHeader(format!("key {key:?} appears twice")));
        }
        match p.peek() {
            Some(b',') => p.pos += 1,
            Some(b'}') => {
                p.pos += 1;
                break;
            }
            _ => return p.fail("expected ',' or '}'"),
        }
    }
    if p.peek().is_some() {
        return p.fail("unexpected text after the dict");
    }
    match (descr, fortran, shape) {
        (Some(descr), Some(fortran_order), Some(shape)) => Ok(RawHeader { descr, fortran_order, shape }),
        _ => Err(NpyError::BadHeader("the dict needs the keys 'descr', 'fortran_order' and 'shape'".into())),
    }
}

fn truncated(what: &'static str, needed: usize, available: usize) -> NpyError {
    NpyError::Truncated { what, needed: needed as u64, available: available as u64 }
}

/// Parses and checks the header of `.npy` bytes (the data itself is only measured, not read).
pub fn parse_header(bytes: &[u8]) -> Result<NpyHeader, NpyError> {
    if bytes.len() < MAGIC.len() {
        return if MAGIC.starts_with(bytes) {
            Err(truncated("magic", 6, bytes.len()))
        } else {
            Err(NpyError::BadMagic)
        };
    }
    if &bytes[..6] != MAGIC {
        return Err(NpyError::BadMagic);
    }
    let (major, minor) = match bytes.get(6..8) {
        Some(&[major, minor]) => (major, minor),
        _ => return Err(truncated("version", 8, bytes.len())),
    };
    let (header_len, header_start) = match (major, minor) {
        (1, 0) => match bytes.get(8..10) {
            Some(&[a, b]) => (usize::from(u16::from_le_bytes([a, b])), 10usize),
            _ => return Err(truncated("header length", 10, bytes.len())),
        },
        (2, 0) | (3, 0) => match bytes.get(8..12) {
            Some(&[a, b, c, d]) => {
                let len = u32::from_le_bytes([a, b, c, d]);
                (usize::try_from(len).unwrap_or(usize::MAX), 12)
            }
            _ => return Err(truncated("header length", 12, bytes.len())),
        },
        _ => return Err(NpyError::UnsupportedVersion { major, minor }),
    };
    let data_offset = header_start.saturating_add(header_len);
    let Some(text) = bytes.get(header_start..data_offset) else {
        return Err(truncated("header", data_offset, bytes.len()));
    };
    if text.last() != Some(&b'\n') {
        return Err(NpyError::BadHeader("the header does not end in a newline".into()));
    }
    if major < 3 && !text.is_ascii() {
        return Err(NpyError::BadHeader("a version 1.0/2.0 header must be ASCII".into()));
    }
    let raw = parse_dict(text)?;
    let dtype = Dtype::from_descr(&raw.descr).ok_or(NpyError::UnsupportedDtype(raw.descr))?;
    if raw.fortran_order {
        return Err(NpyError::FortranOrder);
    }
    if !(1..=2).contains(&raw.shape.len()) {
        return Err(NpyError::UnsupportedRank { rank: raw.shape.len() });
    }
    let overflow = || NpyError::ShapeOverflow { shape: raw.shape.clone() };
    let mut shape = Vec::with_capacity(raw.shape.len());
    let mut count: usize = 1;
    for &d in &raw.shape {
        let d = usize::try_from(d).map_err(|_| overflow())?;
        count = count.checked_mul(d).ok_or_else(overflow)?;
        shape.push(d);
    }
    let expected = count.checked_mul(dtype.size()).ok_or_else(overflow)?;
    let found = bytes.len() - data_offset;
    if found != expected {
        return Err(NpyError::DataLength { shape, dtype, expected: expected as u64, found: found as u64 });
    }
    Ok(NpyHeader { version: (major, minor), dtype, shape, data_offset })
}

/// Decodes every element as `i64` and hands it to `convert`, which may refuse it.
fn decode<T>(bytes: &[u8], convert: impl Fn(i64) -> Option<T>, target: &'static str) -> Result<NpyArray<T>, NpyError> {
    let header = parse_header(bytes)?;
    let data = &bytes[header.data_offset..];
    let size = header.dtype.size();
    let mut out = Vec::with_capacity(header.len());
    for (index, chunk) in data.chunks_exact(size).enumerate() {
        let value = match (header.dtype, chunk) {
            (Dtype::U8, &[a]) => i64::from(a),
            (Dtype::I8, &[a]) => i64::from(a as i8),
            (Dtype::U16, &[a, b]) => i64::from(u16::from_le_bytes([a, b])),
            (Dtype::I16, &[a, b]) => i64::from(i16::from_le_bytes([a, b])),
            (Dtype::I32, &[a, b, c, d]) => i64::from(i32::from_le_bytes([a, b, c, d])),
            (Dtype::I64, &[a, b, c, d, e, f, g, h]) => i64::from_le_bytes([a, b, c, d, e, f, g, h]),
            // `chunks_exact` yields chunks of exactly `size` bytes, so this arm is never taken.
            _ => return Err(NpyError::BadHeader("internal: element size mismatch".into())),
        };
        out.push(convert(value).ok_or(NpyError::ValueOutOfRange { index, value, target })?);
    }
    Ok(NpyArray { shape: header.shape, data: out })
}

/// Reads an array as `u8`: `|u1` directly, other integer types when every value is in `0..=255`.
pub fn read_u8(bytes: &[u8]) -> Result<NpyArray<u8>, NpyError> {
    let header = parse_header(bytes)?;
    if header.dtype == Dtype::U8 {
        return Ok(NpyArray { shape: header.shape, data: bytes[header.data_offset..].to_vec() });
    }
    decode(bytes, |v| u8::try_from(v).ok(), "uint8")
}

/// Reads an array as `i32`: `<i4` directly, other integer types when every value fits.
pub fn read_i32(bytes: &[u8]) -> Result<NpyArray<i32>, NpyError> {
    decode(bytes, |v| i32::try_from(v).ok(), "int32")
}

/// Checks the shape for writing and returns its element count.
fn check_write_shape(shape: &[usize], found: usize) -> Result<(), NpyError> {
    let mismatch = || NpyError::ShapeMismatch { shape: shape.to_vec(), found };
    if !(1..=2).contains(&shape.len()) {
        return Err(mismatch());
    }
    let count = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).ok_or_else(mismatch)?;
    if count != found {
        return Err(mismatch());
    }
    Ok(())
}

/// The version 1.0 header numpy writes for `dtype` and `shape` (magic to newline, a multiple of 64 bytes).
fn header_bytes(dtype: Dtype, shape: &[usize]) -> Vec<u8> {
    let dims = match shape {
        [n] => format!("({n},)"),
        _ => format!("({})", shape.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
    };
    let dict = format!("{{'descr': '{}', 'fortran_order': False, 'shape': {dims}, }}", dtype.descr());
    // As numpy's `_wrap_header`: pad with spaces so that magic + version + length + dict + padding + `\n`
    // is a multiple of 64; numpy pads a full 64 when it would already be aligned, and so do we.
    let unpadded = MAGIC.len() + 2 + 2 + dict.len() + 1;
    let pad = ALIGN - unpadded % ALIGN;
    let header_len = dict.len() + pad + 1;
    let mut out = Vec::with_capacity(unpadded + pad);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    // A 1-D or 2-D shape's dict is < 100 bytes, far below u16::MAX.
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(out.len() + pad, b' ');
    out.push(b'\n');
    out
}

/// An `|u1` array in `.npy` bytes (what `numpy.save` writes for a uint8 array of this shape).
pub fn write_u8(shape: &[usize], data: &[u8]) -> Result<Vec<u8>, NpyError> {
    check_write_shape(shape, data.len())?;
    let mut out = header_bytes(Dtype::U8, shape);
    out.extend_from_slice(data);
    Ok(out)
}

/// An `<i4` array in `.npy` bytes (what `numpy.save` writes for an int32 array of this shape).
pub fn write_i32(shape: &[usize], data: &[i32]) -> Result<Vec<u8>, NpyError> {
    check_write_shape(shape, data.len())?;
    let mut out = header_bytes(Dtype::I32, shape);
    out.reserve(data.len() * 4);
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Ok(out)
}

/// Filesystem helpers (not on wasm32): the byte functions above applied to a file, errors naming the path.
#[cfg(not(target_arch = "wasm32"))]
mod files {
    use std::path::Path;

    use super::{NpyArray, read_i32, read_u8, write_i32, write_u8};
    use crate::dataset::DatasetError;

    fn io(path: &Path, e: &std::io::Error) -> DatasetError {
        DatasetError::Io { path: path.display().to_string(), message: e.to_string() }
    }

    fn npy(path: &Path) -> impl FnOnce(super::NpyError) -> DatasetError + '_ {
        move |source| DatasetError::Npy { file: path.display().to_string(), source }
    }

    /// [`read_u8`] of a file.
    pub fn read_u8_file(path: &Path) -> Result<NpyArray<u8>, DatasetError> {
        read_u8(&std::fs::read(path).map_err(|e| io(path, &e))?).map_err(npy(path))
    }

    /// [`read_i32`] of a file.
    pub fn read_i32_file(path: &Path) -> Result<NpyArray<i32>, DatasetError> {
        read_i32(&std::fs::read(path).map_err(|e| io(path, &e))?).map_err(npy(path))
    }

    /// [`write_u8`] into a file.
    pub fn write_u8_file(path: &Path, shape: &[usize], data: &[u8]) -> Result<(), DatasetError> {
        std::fs::write(path, write_u8(shape, data).map_err(npy(path))?).map_err(|e| io(path, &e))
    }

    /// [`write_i32`] into a file.
    pub fn write_i32_file(path: &Path, shape: &[usize], data: &[i32]) -> Result<(), DatasetError> {
        std::fs::write(path, write_i32(shape, data).map_err(npy(path))?).map_err(|e| io(path, &e))
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use files::{read_i32_file, read_u8_file, write_i32_file, write_u8_file};

#[cfg(test)]
mod tests {
    use super::*;

    /// What numpy 2.x writes for `np.save(f, np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8))`.
    fn numpy_u8_2x3() -> Vec<u8> {
        let dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
        let mut out = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
        out.extend_from_slice(dict.as_bytes());
        out.resize(127, b' ');
        out.push(b'\n');
        out.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        out
    }

    #[test]
    fn writes_what_numpy_writes() {
        let bytes = write_u8(&[2, 3], &[1, 2, 3, 4, 5, 6]).unwrap();
        assert_eq!(bytes, numpy_u8_2x3());
        assert_eq!(parse_header(&bytes).unwrap().data_offset, 128);
        let ints = write_i32(&[5], &[0, -1, 7, i32::MAX, i32::MIN]).unwrap();
        let dict = b"{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }";
        assert_eq!(&ints[10..10 + dict.len()], dict.as_slice());
        assert_eq!(ints.len(), 128 + 20);
        assert_eq!(read_i32(&ints).unwrap(), NpyArray { shape: vec![5], data: vec![0, -1, 7, i32::MAX, i32::MIN] });
    }

    #[test]
    fn reads_other_dtypes_with_range_checks() {
        let mut bytes = header_bytes(Dtype::I64, &[3]);
        for v in [1i64, 255, 300] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(read_i32(&bytes).unwrap().data, vec![1, 255, 300]);
        assert_eq!(read_u8(&bytes).unwrap_err(), NpyError::ValueOutOfRange { index: 2, value: 300, target: "uint8" });
        let mut small = header_bytes(Dtype::I8, &[1, 2]);
        small.extend_from_slice(&[0xff, 3]);
        assert_eq!(read_i32(&small).unwrap(), NpyArray { shape: vec![1, 2], data: vec![-1, 3] });
        assert!(matches!(read_u8(&small), Err(NpyError::ValueOutOfRange { index: 0, value: -1, .. })));
        let mut wide = header_bytes(Dtype::U16, &[1]);
        wide.extend_from_slice(&40000u16.to_le_bytes());
        assert_eq!(read_i32(&wide).unwrap().data, vec![40000]);
        let mut short = header_bytes(Dtype::I16, &[1]);
        short.extend_from_slice(&(-2i16).to_le_bytes());
        assert_eq!(read_i32(&short).unwrap().data, vec![-2]);
    }

    fn with_dict(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut text = dict.to_string();
        text.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(text.len() as u16).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn header_variants_and_rejections() {
        // Key order, quotes, spacing and the Python 2 `L` suffix are free; 16-byte alignment is fine.
        let ok = with_dict("{\"shape\": (2L,3L), 'fortran_order':False,'descr':'<u1'}", &[9; 6]);
        assert_eq!(read_u8(&ok).unwrap().shape, vec![2, 3]);
        type Check = fn(&NpyError) -> bool;
        let cases: &[(&str, &[u8], Check)] = &[
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                &[0; 4],
                |e| matches!(e, NpyError::UnsupportedDtype(d) if d == "<f4"),
            ),
            ("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", &[0; 4], |e| {
                matches!(e, NpyError::UnsupportedDtype(_))
            }),
            ("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", &[0; 4], |e| {
                matches!(e, NpyError::UnsupportedDtype(_))
            }),
            ("{'descr': '<i4', 'fortran_order': True, 'shape': (1, 1), }", &[0; 4], |e| *e == NpyError::FortranOrder),
            ("{'descr': '<i4', 'fortran_order': False, 'shape': (), }", &[0; 4], |e| {
                *e == NpyError::UnsupportedRank { rank: 0 }
            }),
            ("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1, 1), }", &[0; 4], |e| {
                *e == NpyError::UnsupportedRank { rank: 3 }
            }),
            ("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", &[0; 4], |e| {
                matches!(e, NpyError::DataLength { expected: 8, found: 4, .. })
            }),
            ("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", &[0; 5], |e| {
                matches!(e, NpyError::DataLength { expected: 4, found: 5, .. })
            }),
            ("{'descr': '<i4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", &[], |e| {
                matches!(e, NpyError::ShapeOverflow { .. })
            }),
            ("{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,), }", &[], |e| {
                matches!(e, NpyError::BadHeader(_))
            }),
            ("{'descr': '<i4', 'fortran_order': False}", &[], |e| matches!(e, NpyError::BadHeader(_))),
            (
                "{'descr': '<i4', 'descr': '<i4', 'fortran_order': False, 'shape': (1,)}",
                &[0; 4],
                |e| matches!(e, NpyError::BadHeader(m) if m.contains("twice")),
            ),
            (
                "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
                &[0; 4],
                |e| matches!(e, NpyError::BadHeader(m) if m.contains("'x'") || m.contains("\"x\"")),
            ),
            ("{'descr': '<i4', 'fortran_order': False, 'shape': (1)}", &[0; 4], |e| {
                matches!(e, NpyError::BadHeader(_))
            }),
            ("{'descr': '<i4', 'fortran_order': False, 'shape': (1,)} x", &[0; 4], |e| {
                matches!(e, NpyError::BadHeader(_))
            }),
        ];
        for (dict, data, check) in cases {
            let err = read_i32(&with_dict(dict, data)).unwrap_err();
            assert!(check(&err), "{dict}: {err}");
        }
        assert_eq!(parse_header(b"\x93NUMP"), Err(NpyError::Truncated { what: "magic", needed: 6, available: 5 }));
        assert_eq!(parse_header(b"PK\x03\x04xxxxxxx"), Err(NpyError::BadMagic));
        assert_eq!(parse_header(b"\x93NUMPY\x04\x00"), Err(NpyError::UnsupportedVersion { major: 4, minor: 0 }));
        let mut cut = numpy_u8_2x3();
        cut.truncate(60);
        assert!(matches!(parse_header(&cut), Err(NpyError::Truncated { what: "header", needed: 128, .. })));
        let no_newline = with_dict("{'descr': '|u1', 'fortran_order': False, 'shape': (0,)}", &[]);
        let mut broken = no_newline.clone();
        let last = broken.len() - 1;
        broken[last] = b' ';
        assert!(matches!(parse_header(&broken), Err(NpyError::BadHeader(_))));
        assert_eq!(read_u8(&no_newline).unwrap(), NpyArray { shape: vec![0], data: vec![] });
    }

    #[test]
    fn version_2_and_3_headers_read() {
        let dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }\n";
        for major in [2u8, 3] {
            let mut out = b"\x93NUMPY".to_vec();
            out.extend_from_slice(&[major, 0]);
            out.extend_from_slice(&(dict.len() as u32).to_le_bytes());
            out.extend_from_slice(dict.as_bytes());
            out.extend_from_slice(&[7, 8]);
            assert_eq!(read_u8(&out).unwrap().data, vec![7, 8]);
        }
    }

    #[test]
    fn writer_rejects_bad_shapes() {
        assert!(write_u8(&[2, 2], &[0; 3]).is_err());
        assert!(write_u8(&[], &[]).is_err());
        assert!(write_i32(&[1, 1, 1], &[0]).is_err());
        assert!(write_u8(&[usize::MAX, 2], &[]).is_err());
        assert_eq!(read_u8(&write_u8(&[0, 81], &[]).unwrap()).unwrap().shape, vec![0, 81]);
    }
}
