//! Frames of a run encoded as a looping animated GIF, written here (no dependency): the renderer's
//! fixed colours ([`super::render::COLOURS`]) as the global palette, LZW-compressed pictures, one
//! per answer refresh (and the start).

use super::render::{COLOURS, Image, RenderError, RenderOptions, Rgb, render_frame};
use crate::engine::{Frame, FrameKind, PuzzleKind};

/// Why a GIF cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GifError {
    #[error("there are no frames to animate")]
    NoFrames,
    #[error("frame {index} is {found:?} pixels, the first is {first:?}")]
    SizeChanged { index: usize, first: (u32, u32), found: (u32, u32) },
    #[error("a GIF picture has 1 to 65535 pixels per side, not {0}×{1}")]
    Size(u32, u32),
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// The palette: [`COLOURS`] padded to a power of two (at least 4 entries); returns it and its
/// size exponent (`entries = 2^bits`).
fn palette() -> (Vec<Rgb>, u8) {
    let mut bits = 2u8;
    while (1usize << bits) < COLOURS.len() {
        bits += 1;
    }
    let mut colours = COLOURS.to_vec();
    colours.resize(1 << bits, [0, 0, 0]);
    (colours, bits)
}

/// Palette index of each pixel: the exact colour, or the nearest one for colours not in it.
fn indices(image: &Image, palette: &[Rgb]) -> Vec<u8> {
    let mut last: Option<([u8; 3], u8)> = None;
    image
        .rgba
        .chunks_exact(4)
        .map(|p| {
            let rgb = [p[0], p[1], p[2]];
            if let Some((c, i)) = last
                && c == rgb
            {
                return i;
            }
            let distance = |c: &Rgb| -> i32 { (0..3).map(|k| (i32::from(c[k]) - i32::from(rgb[k])).pow(2)).sum() };
            let i = (0..COLOURS.len()).min_by_key(|&k| distance(&palette[k])).unwrap_or(0) as u8;
            last = Some((rgb, i));
            i
        })
        .collect()
}

/// Variable-width codes, least significant bit first, in sub-blocks of at most 255 bytes.
struct CodeWriter {
    bytes: Vec<u8>,
    acc: u32,
    bits: u32,
}

impl CodeWriter {
    fn write(&mut self, code: u16, width: u32) {
        self.acc |= u32::from(code) << self.bits;
        self.bits += width;
        while self.bits >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.bits -= 8;
        }
    }
}

/// The LZW data of one picture (`min_code_size` bits per palette index), as GIF sub-blocks.
pub fn lzw(pixels: &[u8], min_code_size: u8) -> Vec<u8> {
    let clear = 1u16 << min_code_size;
    let eoi = clear + 1;
    let alphabet = usize::from(clear);
    let mut table = vec![0u16; 4096 * alphabet];
    let mut next = clear + 2;
    let mut w = CodeWriter { bytes: Vec::new(), acc: 0, bits: 0 };
    // The decoder lags one table entry behind: it reads each code at the width of a table of
    // `next - 1` entries.
    let width = |next: u16| {
        let mut width = u32::from(min_code_size) + 1;
        while width < 12 && u32::from(next - 1) >= 1 << width {
            width += 1;
        }
        width
    };
    w.write(clear, width(next));
    let mut iter = pixels.iter();
    if let Some(&first) = iter.next() {
        let mut prefix = u16::from(first);
        for &p in iter {
            let slot = usize::from(prefix) * alphabet + usize::from(p);
            if table[slot] != 0 {
                prefix = table[slot];
                continue;
            }
            w.write(prefix, width(next));
            if next < 4095 {
                table[slot] = next;
                next += 1;
            } else {
                w.write(clear, width(next));
                table.fill(0);
                next = clear + 2;
            }
            prefix = u16::from(p);
        }
        w.write(prefix, width(next));
    }
    w.write(eoi, width(next));
    if w.bits > 0 {
        w.bytes.push(w.acc as u8);
    }
    let mut out = vec![min_code_size];
    for block in w.bytes.chunks(255) {
        out.push(block.len() as u8);
        out.extend_from_slice(block);
    }
    out.push(0);
    out
}

/// A looping animated GIF of `images`, each shown `delay_cs` hundredths of a second.
pub fn encode_gif(images: &[Image], delay_cs: u16) -> Result<Vec<u8>, GifError> {
    let first = images.first().ok_or(GifError::NoFrames)?;
    let (width, height) = (first.width, first.height);
    let (Ok(w16), Ok(h16)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(GifError::Size(width, height));
    };
    if w16 == 0 || h16 == 0 {
        return Err(GifError::Size(width, height));
    }
    let (palette, bits) = palette();
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&w16.to_le_bytes());
    out.extend_from_slice(&h16.to_le_bytes());
    out.extend_from_slice(&[0x80 | 0x70 | (bits - 1), 0, 0]);
    for c in &palette {
        out.extend_from_slice(c);
    }
    // Loop forever (the NETSCAPE2.0 application extension).
    out.extend_from_slice(&[0x21, 0xFF, 0x0B]);
    out.extend_from_slice(b"NETSCAPE2.0");
    out.extend_from_slice(&[0x03, 0x01, 0x00, 0x00, 0x00]);
    for (index, image) in images.iter().enumerate() {
        if (image.width, image.height) != (width, height) {
            return Err(GifError::SizeChanged { index, first: (width, height), found: (image.width, image.height) });
        }
        // Graphic control: dispose "leave in place", the delay, no transparency.
        out.extend_from_slice(&[0x21, 0xF9, 0x04, 0x04]);
        out.extend_from_slice(&delay_cs.to_le_bytes());
        out.extend_from_slice(&[0x00, 0x00]);
        out.push(0x2C);
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&w16.to_le_bytes());
        out.extend_from_slice(&h16.to_le_bytes());
        out.push(0);
        out.extend_from_slice(&lzw(&indices(image, &palette), bits.max(2)));
    }
    out.push(0x3B);
    Ok(out)
}

/// The frames a run's GIF shows: the start and every answer refresh (edits too), in order.
pub fn gif_frames(frames: &[Frame]) -> impl Iterator<Item = &Frame> {
    frames.iter().filter(|f| matches!(f.kind, FrameKind::Start | FrameKind::Refresh | FrameKind::Edit))
}

/// An animated GIF of a run: one picture per refresh (see [`gif_frames`]) drawn with `options`.
pub fn run_gif(
    frames: &[Frame],
    kind: PuzzleKind,
    rows: usize,
    cols: usize,
    options: &RenderOptions<'_>,
    delay_cs: u16,
) -> Result<Vec<u8>, GifError> {
    let images =
        gif_frames(frames).map(|f| render_frame(f, kind, rows, cols, options)).collect::<Result<Vec<_>, _>>()?;
    encode_gif(&images, delay_cs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::testdata::{frame_of, maze_pair, run_sudoku};

    /// A GIF reader for the tests, written from the format's description: returns the size, the
    /// global palette and every picture's palette indices, checking the structure on the way.
    type Pictures = Vec<(u16, Vec<u8>)>;

    fn read(gif: &[u8]) -> (u16, u16, Vec<Rgb>, Pictures) {
        assert_eq!(&gif[..6], b"GIF89a");
        let w = u16::from_le_bytes([gif[6], gif[7]]);
        let h = u16::from_le_bytes([gif[8], gif[9]]);
        assert_eq!(gif[10] & 0x80, 0x80, "global colour table");
        let entries = 2usize << (gif[10] & 7);
        let palette: Vec<Rgb> = gif[13..13 + 3 * entries].chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
        let mut pos = 13 + 3 * entries;
        let mut pictures = Vec::new();
        let mut delay = 0;
        let sub_blocks = |pos: &mut usize| -> Vec<u8> {
            let mut data = Vec::new();
            loop {
                let n = usize::from(gif[*pos]);
                *pos += 1;
                if n == 0 {
                    return data;
                }
                data.extend_from_slice(&gif[*pos..*pos + n]);
                *pos += n;
            }
        };
        loop {
            match gif[pos] {
                0x3B => break,
                0x21 => {
                    let label = gif[pos + 1];
                    pos += 2;
                    let data = sub_blocks(&mut pos);
                    if label == 0xF9 {
                        delay = u16::from_le_bytes([data[1], data[2]]);
                    }
                }
                0x2C => {
                    let pw = u16::from_le_bytes([gif[pos + 5], gif[pos + 6]]);
                    let ph = u16::from_le_bytes([gif[pos + 7], gif[pos + 8]]);
                    assert_eq!((pw, ph), (w, h));
                    assert_eq!(gif[pos + 9], 0, "no local table, not interlaced");
                    let min = gif[pos + 10];
                    pos += 11;
                    let data = sub_blocks(&mut pos);
                    let pixels = unlzw(&data, min);
                    assert_eq!(pixels.len(), usize::from(w) * usize::from(h));
                    pictures.push((delay, pixels));
                }
                b => panic!("unexpected block 0x{b:02x} at {pos}"),
            }
        }
        assert_eq!(pos, gif.len() - 1, "the trailer ends the file");
        (w, h, palette, pictures)
    }

    /// The usual GIF LZW decoder (code width grows when the table reaches the next power of two).
    fn unlzw(data: &[u8], min: u8) -> Vec<u8> {
        let clear = 1usize << min;
        let eoi = clear + 1;
        let mut table: Vec<Vec<u8>> = Vec::new();
        let reset = |table: &mut Vec<Vec<u8>>| {
            *table = (0..clear).map(|k| vec![k as u8]).collect();
            table.push(Vec::new());
            table.push(Vec::new());
        };
        reset(&mut table);
        let mut width = u32::from(min) + 1;
        let (mut acc, mut bits, mut pos) = (0u32, 0u32, 0usize);
        let mut out = Vec::new();
        let mut prev: Option<Vec<u8>> = None;
        loop {
            while bits < width {
                acc |= u32::from(data[pos]) << bits;
                pos += 1;
                bits += 8;
            }
            let code = (acc & ((1 << width) - 1)) as usize;
            acc >>= width;
            bits -= width;
            if code == clear {
                reset(&mut table);
                width = u32::from(min) + 1;
                prev = None;
                continue;
            }
            if code == eoi {
                return out;
            }
            let entry = match (&prev, table.get(code)) {
                (_, Some(e)) if code < table.len() => e.clone(),
                (Some(p), _) if code == table.len() => {
                    let mut e = p.clone();
                    e.push(p[0]);
                    e
                }
                _ => panic!("bad code {code}"),
            };
            if let Some(p) = prev.take()
                && table.len() < 4096
            {
                let mut e = p;
                e.push(entry[0]);
                table.push(e);
                if table.len() == 1 << width && width < 12 {
                    width += 1;
                }
            }
            out.extend_from_slice(&entry);
            prev = Some(entry);
        }
    }

    fn rgb_of(image: &Image) -> Vec<Rgb> {
        image.rgba.chunks(4).map(|p| [p[0], p[1], p[2]]).collect()
    }

    #[test]
    fn lzw_survives_table_resets_and_every_width() {
        // Noise fills the table (clear codes); long runs use long entries.
        let mut x = 12345u32;
        let mut pixels: Vec<u8> = (0..60_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                ((x >> 16) % 32) as u8
            })
            .collect();
        pixels.extend(std::iter::repeat_n(3u8, 20_000));
        let data = lzw(&pixels, 5);
        let mut pos = 1;
        let mut joined = Vec::new();
        while data[pos] != 0 {
            let n = usize::from(data[pos]);
            joined.extend_from_slice(&data[pos + 1..pos + 1 + n]);
            pos += 1 + n;
        }
        assert_eq!(unlzw(&joined, 5), pixels);
        for min in [2u8, 4, 8] {
            let p: Vec<u8> = (0..5000u32).map(|k| ((k * 7 + k / 13) % (1 << min)) as u8).collect();
            let data = lzw(&p, min);
            let body: Vec<u8> = data[1..].chunks(256).flat_map(|c| c[1..].to_vec()).collect();
            assert_eq!(unlzw(&body, min), p, "min code size {min}");
        }
    }

    #[test]
    fn gif_of_a_real_run_has_one_picture_per_refresh() {
        let (info, frames) = run_sudoku("214.3...1.2.42..", 8);
        let options = RenderOptions { cell: 14, ..RenderOptions::default() };
        let gif = run_gif(&frames, info.kind, 4, 4, &options, 25).unwrap();
        let (w, h, palette, pictures) = read(&gif);
        let refreshes = frames.iter().filter(|f| f.kind == FrameKind::Refresh).count();
        assert_eq!(refreshes, 8 * info.h_cycles);
        assert_eq!(pictures.len(), 1 + refreshes);
        assert_eq!((w, h), (4 * 15 + 1, 4 * 15 + 1));
        for ((delay, pixels), frame) in pictures.iter().zip(gif_frames(&frames)) {
            assert_eq!(*delay, 25);
            let image = render_frame(frame, info.kind, 4, 4, &options).unwrap();
            let shown: Vec<Rgb> = pixels.iter().map(|&i| palette[usize::from(i)]).collect();
            assert_eq!(shown, rgb_of(&image), "frame {}", frame.index);
        }
        if let Ok(dir) = std::env::var("TRM_EXPORT_DIR") {
            std::fs::write(format!("{dir}/run.gif"), &gif).unwrap();
        }
    }

    #[test]
    fn maze_picture_and_errors() {
        let (puzzle, solution, side) = maze_pair("30x30-hard");
        let f = frame_of(&puzzle, &solution);
        let options = RenderOptions { cell: 8, ..RenderOptions::default() };
        let image = render_frame(&f, PuzzleKind::Maze { side }, side, side, &options).unwrap();
        let gif = encode_gif(std::slice::from_ref(&image), 10).unwrap();
        assert!(gif.len() < image.rgba.len() / 20, "{} bytes", gif.len());
        let (_, _, palette, pictures) = read(&gif);
        let shown: Vec<Rgb> = pictures[0].1.iter().map(|&i| palette[usize::from(i)]).collect();
        assert_eq!(shown, rgb_of(&image));
        if let Ok(dir) = std::env::var("TRM_EXPORT_DIR") {
            std::fs::write(format!("{dir}/maze.gif"), &gif).unwrap();
        }
        assert_eq!(encode_gif(&[], 10), Err(GifError::NoFrames));
        let small = Image::new(3, 3, [0, 0, 0]);
        assert!(matches!(encode_gif(&[image, small], 10), Err(GifError::SizeChanged { index: 1, .. })));
    }
}
