//! Real small files for the demo library and homework, written by code at seed time (no
//! binary is committed): a one-page PDF whose text names the document, and a small PNG.

use sha2::{Digest, Sha256};

/// One demo file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFile {
    /// File name.
    pub name: String,
    /// Media type.
    pub mime: &'static str,
    /// Content.
    pub bytes: Vec<u8>,
}

impl DemoFile {
    /// The file `name` (a PNG if it ends in `.png`, a PDF otherwise) showing `heading` and
    /// `detail`. Deterministic: the same arguments give the same bytes.
    pub fn new(name: &str, heading: &str, detail: &str) -> DemoFile {
        let (mime, bytes) = if name.ends_with(".png") {
            ("image/png", png(heading))
        } else {
            ("application/pdf", pdf(heading, detail))
        };
        DemoFile { name: name.into(), mime, bytes }
    }

    /// Lower-case hex SHA-256 of the content.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// A PDF string literal's bytes in WinAnsiEncoding (Latin-1 plus a few typographic signs).
fn pdf_text(text: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for c in text.chars() {
        let b = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            '—' => 0x97,
            '–' => 0x96,
            '’' => 0x92,
            '…' => 0x85,
            c if (c as u32) < 0x100 => c as u8,
            _ => b'?',
        };
        out.push(b);
    }
    out.push(b')');
    out
}

/// A valid one-page PDF 1.4 (Helvetica, A4) with a heading, a line of detail and a few lines
/// of filler text; the cross-reference table has the exact byte offsets.
pub(super) fn pdf(heading: &str, detail: &str) -> Vec<u8> {
    let mut content = b"BT /F1 20 Tf 56 780 Td ".to_vec();
    content.extend(pdf_text(heading));
    content.extend_from_slice(b" Tj /F1 12 Tf 0 -28 Td ");
    content.extend(pdf_text(detail));
    content.extend_from_slice(b" Tj");
    for i in 1..=12 {
        content.extend_from_slice(b" 0 -18 Td ");
        content.extend(pdf_text(&format!(
            "{i}. Document de démonstration de Cartable — contenu fictif."
        )));
        content.extend_from_slice(b" Tj");
    }
    content.extend_from_slice(b" ET");
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
            content,
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A valid 96×64 RGB PNG (a gradient with a band whose colour depends on `seed`), its pixels
/// in stored (uncompressed) deflate blocks.
pub(super) fn png(seed: &str) -> Vec<u8> {
    const W: u32 = 96;
    const H: u32 = 64;
    let tint = crc32(seed.as_bytes()).to_be_bytes();
    let mut raw = Vec::with_capacity(((W * 3 + 1) * H) as usize);
    for y in 0..H {
        raw.push(0); // filter: none
        for x in 0..W {
            let band = (24..40).contains(&y);
            let (r, g, b) = if band {
                (tint[0], tint[1], tint[2])
            } else {
                ((x * 255 / W) as u8, (y * 255 / H) as u8, 200)
            };
            raw.extend_from_slice(&[r, g, b]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&W.to_be_bytes());
    header.extend_from_slice(&H.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, adaptive, no interlace
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_cross_reference_points_at_its_objects() {
        let bytes = pdf("Mémo SQL", "Bases de données");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.ends_with("%%EOF\n"));
        let startxref: usize =
            text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        assert!(bytes[startxref..].starts_with(b"xref\n0 6\n"));
        let xref = String::from_utf8_lossy(&bytes[startxref..]);
        for (n, line) in xref.lines().skip(3).take(5).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            let expected = format!("{} 0 obj", n + 1);
            assert!(bytes[offset..].starts_with(expected.as_bytes()), "object {}", n + 1);
        }
        assert!(bytes.windows(9).any(|w| w == b"(M\xE9mo SQL"), "Latin-1 text");
    }

    #[test]
    fn the_png_has_valid_chunk_checksums() {
        let bytes = png("schéma");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let mut at = 8;
        let mut kinds = Vec::new();
        while at < bytes.len() {
            let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            let body = &bytes[at + 4..at + 8 + len];
            let crc = u32::from_be_bytes(bytes[at + 8 + len..at + 12 + len].try_into().unwrap());
            assert_eq!(crc32(body), crc);
            kinds.push(String::from_utf8_lossy(&body[..4]).into_owned());
            at += 12 + len;
        }
        assert_eq!(kinds, ["IHDR", "IDAT", "IEND"]);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926, "the CRC-32 check value");
    }
}
