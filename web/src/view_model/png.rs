//! RGBA pixels encoded as a PNG file, written here (no dependency): 8-bit RGBA, no interlacing,
//! filter "none", one zlib stream of fixed-Huffman deflate blocks whose matches repeat the previous
//! pixel or the row above — enough for flat-coloured grids to shrink to a few percent of their raw
//! size.

use super::render::Image;
use trm_puzzles::dataset::Crc32;

/// The PNG signature.
pub const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Why an image cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PngError {
    #[error("an image of {width}×{height} pixels cannot be exported (1 to 8192 pixels per side)")]
    Size { width: u32, height: u32 },
    #[error("the image holds {found} bytes, but {width}×{height} RGBA needs {expected}")]
    Length { width: u32, height: u32, expected: usize, found: usize },
}

/// CRC-32 (IEEE), as PNG chunks use it (trm-puzzles' table-driven CRC, over the parts in order).
pub fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = Crc32::new();
    for part in parts {
        crc.update(part);
    }
    crc.finish()
}

/// Adler-32, the zlib stream's checksum.
pub fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in bytes.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// Writes bits least significant first, as deflate does.
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    bits: u32,
}

impl BitWriter {
    fn bits(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.bits;
        self.bits += count;
        while self.bits >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.bits -= 8;
        }
    }

    /// A Huffman code, most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.bits(reversed, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.bits > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

const LENGTH_BASE: [u16; 29] =
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
    8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] =
    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/// A literal/length symbol with the fixed Huffman code.
fn fixed_symbol(w: &mut BitWriter, symbol: u16) {
    let s = u32::from(symbol);
    match symbol {
        0..=143 => w.code(0x30 + s, 8),
        144..=255 => w.code(0x190 + s - 144, 9),
        256..=279 => w.code(s - 256, 7),
        _ => w.code(0xC0 + s - 280, 8),
    }
}

fn write_match(w: &mut BitWriter, len: usize, dist: usize) {
    let l = LENGTH_BASE.iter().rposition(|&b| usize::from(b) <= len).unwrap_or(0);
    fixed_symbol(w, 257 + l as u16);
    w.bits((len - usize::from(LENGTH_BASE[l])) as u32, u32::from(LENGTH_EXTRA[l]));
    let d = DIST_BASE.iter().rposition(|&b| usize::from(b) <= dist).unwrap_or(0);
    w.code(d as u32, 5);
    w.bits((dist - usize::from(DIST_BASE[d])) as u32, u32::from(DIST_EXTRA[d]));
}

/// A zlib stream of `data`: fixed-Huffman blocks, matches only at the distances given (each at
/// most 32768).
pub fn zlib(data: &[u8], distances: &[usize]) -> Vec<u8> {
    let mut w = BitWriter { out: vec![0x78, 0x01], acc: 0, bits: 0 };
    // One final block with the fixed codes.
    w.bits(1, 1);
    w.bits(1, 2);
    let mut i = 0;
    while i < data.len() {
        let mut best = (0usize, 0usize);
        for &d in distances {
            if d == 0 || d > i || d > 32768 {
                continue;
            }
            let max = (data.len() - i).min(258);
            let len = (0..max).take_while(|&k| data[i + k] == data[i + k - d]).count();
            if len > best.0 {
                best = (len, d);
            }
        }
        if best.0 >= 3 {
            write_match(&mut w, best.0, best.1);
            i += best.0;
        } else {
            fixed_symbol(&mut w, u16::from(data[i]));
            i += 1;
        }
    }
    fixed_symbol(&mut w, 256);
    let mut out = w.finish();
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// The PNG file of `image`.
pub fn encode_png(image: &Image) -> Result<Vec<u8>, PngError> {
    let (width, height) = (image.width, image.height);
    if !(1..=8192).contains(&width) || !(1..=8192).contains(&height) {
        return Err(PngError::Size { width, height });
    }
    let stride = 4 * width as usize;
    let expected = stride * height as usize;
    if image.rgba.len() != expected {
        return Err(PngError::Length { width, height, expected, found: image.rgba.len() });
    }
    let mut raw = Vec::with_capacity(expected + height as usize);
    for row in image.rgba.chunks(stride) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8 bits, RGBA, deflate, adaptive filters, no interlace
    let mut out = SIGNATURE.to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib(&raw, &[4, stride + 1]));
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

/// A test-side reader, independent of the writer's choices: checks the signature, every chunk's
/// CRC, IHDR, and inflates IDAT (stored and fixed-Huffman blocks; dynamic ones are refused) to the
/// RGBA pixels.
#[cfg(test)]
pub(crate) mod read {
    use super::*;

    pub struct Bits<'a> {
        data: &'a [u8],
        pos: usize,
    }

    impl Bits<'_> {
        fn bit(&mut self) -> u32 {
            let b = (self.data[self.pos / 8] >> (self.pos % 8)) & 1;
            self.pos += 1;
            u32::from(b)
        }
        fn bits(&mut self, n: u32) -> u32 {
            (0..n).fold(0, |v, k| v | (self.bit() << k))
        }
        /// A fixed-code literal/length symbol.
        fn symbol(&mut self) -> u32 {
            let mut code = 0;
            for len in 1..=9 {
                code = (code << 1) | self.bit();
                match (len, code) {
                    (7, 0..=23) => return code + 256,
                    (8, 0x30..=0xBF) => return code - 0x30,
                    (8, 0xC0..=0xC7) => return code - 0xC0 + 280,
                    (9, 0x190..=0x1FF) => return code - 0x190 + 144,
                    _ => {}
                }
            }
            panic!("bad fixed code")
        }
    }

    /// Inflates a zlib stream and checks its Adler-32.
    pub fn inflate(z: &[u8]) -> Vec<u8> {
        assert_eq!(z[0] & 0x0f, 8, "deflate");
        assert_eq!((u16::from(z[0]) << 8 | u16::from(z[1])) % 31, 0, "zlib header check");
        let mut r = Bits { data: &z[2..z.len() - 4], pos: 0 };
        let mut out: Vec<u8> = Vec::new();
        loop {
            let last = r.bit();
            match r.bits(2) {
                0 => {
                    r.pos = r.pos.div_ceil(8) * 8;
                    let len = r.bits(16) as usize;
                    assert_eq!(r.bits(16) as usize, !len & 0xffff);
                    for _ in 0..len {
                        out.push(r.bits(8) as u8);
                    }
                }
                1 => loop {
                    let s = r.symbol();
                    if s < 256 {
                        out.push(s as u8);
                    } else if s == 256 {
                        break;
                    } else {
                        let l = (s - 257) as usize;
                        let len = usize::from(LENGTH_BASE[l]) + r.bits(u32::from(LENGTH_EXTRA[l])) as usize;
                        let code = (0..5).fold(0, |v, _| (v << 1) | r.bit()) as usize;
                        let dist = usize::from(DIST_BASE[code]) + r.bits(u32::from(DIST_EXTRA[code])) as usize;
                        for _ in 0..len {
                            out.push(out[out.len() - dist]);
                        }
                    }
                },
                t => panic!("block type {t} not supported by the test reader"),
            }
            if last == 1 {
                break;
            }
        }
        let n = z.len();
        assert_eq!(u32::from_be_bytes([z[n - 4], z[n - 3], z[n - 2], z[n - 1]]), adler32(&out));
        out
    }

    /// Width, height and RGBA pixels of a PNG written by [`encode_png`].
    pub fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        assert_eq!(png[..8], SIGNATURE);
        let mut pos = 8;
        let (mut width, mut height) = (0, 0);
        let mut idat = Vec::new();
        let mut kinds = Vec::new();
        while pos < png.len() {
            let len = u32::from_be_bytes(png[pos..pos + 4].try_into().unwrap()) as usize;
            let kind = &png[pos + 4..pos + 8];
            let data = &png[pos + 8..pos + 8 + len];
            let crc = u32::from_be_bytes(png[pos + 8 + len..pos + 12 + len].try_into().unwrap());
            assert_eq!(crc, crc32(&[kind, data]), "CRC of {}", String::from_utf8_lossy(kind));
            kinds.push(String::from_utf8_lossy(kind).into_owned());
            match kind {
                b"IHDR" => {
                    width = u32::from_be_bytes(data[0..4].try_into().unwrap());
                    height = u32::from_be_bytes(data[4..8].try_into().unwrap());
                    assert_eq!(data[8..], [8, 6, 0, 0, 0]);
                }
                b"IDAT" => idat.extend_from_slice(data),
                _ => {}
            }
            pos += 12 + len;
        }
        assert_eq!(kinds, ["IHDR", "IDAT", "IEND"]);
        let raw = inflate(&idat);
        let stride = 4 * width as usize;
        assert_eq!(raw.len(), (stride + 1) * height as usize);
        let mut rgba = Vec::with_capacity(stride * height as usize);
        for row in raw.chunks(stride + 1) {
            assert_eq!(row[0], 0, "filter none");
            rgba.extend_from_slice(&row[1..]);
        }
        (width, height, rgba)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::render::{CELL_BG, GIVEN_BG, RenderOptions, cell_origin, render_frame};
    use crate::view_model::testdata::run_sudoku;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[b"IEND"]), 0xAE42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn png_of_a_real_frame_decodes_to_the_same_pixels() {
        let (info, frames) = run_sudoku("3..2....13242.3.", 8);
        let img = render_frame(frames.last().unwrap(), info.kind, 4, 4, &RenderOptions::default()).unwrap();
        let png = encode_png(&img).unwrap();
        assert!(png.len() < img.rgba.len() / 10, "{} bytes for {} raw", png.len(), img.rgba.len());
        let (w, h, rgba) = read::decode(&png);
        assert_eq!((w, h), (117, 117));
        assert_eq!(rgba, img.rgba);
        let px = |x: u32, y: u32| {
            let k = 4 * (y * w + x) as usize;
            [rgba[k], rgba[k + 1], rgba[k + 2], rgba[k + 3]]
        };
        assert_eq!(px(2, 2), [GIVEN_BG[0], GIVEN_BG[1], GIVEN_BG[2], 255]);
        let (x, y) = cell_origin(0, 1, 28);
        assert_eq!(px(x + 1, y + 1), [CELL_BG[0], CELL_BG[1], CELL_BG[2], 255]);
        if let Ok(dir) = std::env::var("TRM_EXPORT_DIR") {
            std::fs::write(format!("{dir}/frame.png"), &png).unwrap();
        }
    }

    #[test]
    fn odd_data_round_trips_and_bad_sizes_are_refused() {
        let data: Vec<u8> = (0..5000u32).map(|k| (k * k % 251) as u8).chain(std::iter::repeat_n(7, 700)).collect();
        assert_eq!(read::inflate(&zlib(&data, &[1, 4, 13])), data);
        assert_eq!(read::inflate(&zlib(&[], &[4])), Vec::<u8>::new());
        let img = Image { width: 2, height: 2, rgba: vec![0; 15] };
        assert!(matches!(encode_png(&img), Err(PngError::Length { expected: 16, .. })));
        let img = Image { width: 0, height: 2, rgba: vec![] };
        assert!(matches!(encode_png(&img), Err(PngError::Size { .. })));
    }
}
