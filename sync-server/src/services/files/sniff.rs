//! What a file is, from its bytes (never from the client's `Content-Type`): the allowlist of
//! media types accepted for course documents and attachments.

/// An accepted media type and the file name extensions that go with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaType {
    /// The media type served in `Content-Type`.
    pub mime: &'static str,
    /// What it is, for error messages.
    pub label: &'static str,
    /// Extensions a file of this type may have (lower case, without the dot).
    pub extensions: &'static [&'static str],
}

const fn t(
    mime: &'static str,
    label: &'static str,
    extensions: &'static [&'static str],
) -> MediaType {
    MediaType { mime, label, extensions }
}

/// PDF.
pub const PDF: MediaType = t("application/pdf", "a PDF document", &["pdf"]);
/// PNG.
pub const PNG: MediaType = t("image/png", "a PNG image", &["png"]);
/// JPEG.
pub const JPEG: MediaType = t("image/jpeg", "a JPEG image", &["jpg", "jpeg"]);
/// GIF.
pub const GIF: MediaType = t("image/gif", "a GIF image", &["gif"]);
/// WebP.
pub const WEBP: MediaType = t("image/webp", "a WebP image", &["webp"]);
/// Word (OOXML).
pub const DOCX: MediaType = t(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "a Word document",
    &["docx"],
);
/// Excel (OOXML).
pub const XLSX: MediaType = t(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "an Excel workbook",
    &["xlsx"],
);
/// PowerPoint (OOXML).
pub const PPTX: MediaType = t(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "a PowerPoint presentation",
    &["pptx"],
);
/// OpenDocument text.
pub const ODT: MediaType =
    t("application/vnd.oasis.opendocument.text", "an OpenDocument text", &["odt"]);
/// OpenDocument spreadsheet.
pub const ODS: MediaType =
    t("application/vnd.oasis.opendocument.spreadsheet", "an OpenDocument spreadsheet", &["ods"]);
/// OpenDocument presentation.
pub const ODP: MediaType =
    t("application/vnd.oasis.opendocument.presentation", "an OpenDocument presentation", &["odp"]);
/// Legacy Word (OLE compound file).
pub const DOC: MediaType = t("application/msword", "a Word 97–2003 document", &["doc"]);
/// Legacy Excel (OLE compound file).
pub const XLS: MediaType = t("application/vnd.ms-excel", "an Excel 97–2003 workbook", &["xls"]);
/// Legacy PowerPoint (OLE compound file).
pub const PPT: MediaType =
    t("application/vnd.ms-powerpoint", "a PowerPoint 97–2003 presentation", &["ppt"]);

/// Every accepted type.
pub const ALLOWED: &[MediaType] =
    &[PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT];

/// The lower-case extension of a file name, if any.
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The type of a file from its first and last bytes (see `blobs::SNIFF_WINDOW`) and, only to
/// tell apart the legacy Office formats (one container for three), its name. `None`: not an
/// accepted type.
pub fn sniff(head: &[u8], tail: &[u8], name: &str) -> Option<MediaType> {
    if head.starts_with(b"%PDF-") {
        return Some(PDF);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(PNG);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(JPEG);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some(GIF);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(WEBP);
    }
    if head.starts_with(b"PK\x03\x04") {
        // OpenDocument: the first entry is `mimetype`, stored (its size at offset 18), holding
        // the media type.
        if head.len() > 38 && &head[30..38] == b"mimetype" {
            let len = u32::from_le_bytes([head[18], head[19], head[20], head[21]]) as usize;
            let value = head.get(38..38 + len)?;
            return [ODT, ODS, ODP].into_iter().find(|t| value == t.mime.as_bytes());
        }
        // Office Open XML: entry names appear in the local headers and the central directory.
        if contains(head, b"[Content_Types].xml") || contains(tail, b"[Content_Types].xml") {
            let has = |n: &[u8]| contains(head, n) || contains(tail, n);
            if has(b"word/document.xml") {
                return Some(DOCX);
            }
            if has(b"xl/workbook.xml") {
                return Some(XLSX);
            }
            if has(b"ppt/presentation.xml") {
                return Some(PPTX);
            }
        }
        return None;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        let ext = extension(name)?;
        return [DOC, XLS, PPT].into_iter().find(|t| t.extensions.contains(&ext.as_str()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n...", b"", "x.pdf"), Some(PDF));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....", b"", "x.png"), Some(PNG));
        assert_eq!(sniff(b"<html><script>", b"", "x.pdf"), None);
        assert_eq!(sniff(b"MZ\x90\x00", b"", "cours.pdf"), None);
        assert_eq!(sniff(b"", b"", "vide.pdf"), None);
    }

    #[test]
    fn zip_containers_are_told_apart_by_their_entries() {
        let odf = |mime: &str| {
            let mut zip = b"PK\x03\x04".to_vec();
            zip.resize(30, 0);
            zip[18..22].copy_from_slice(&(mime.len() as u32).to_le_bytes());
            zip.extend_from_slice(b"mimetype");
            zip.extend_from_slice(mime.as_bytes());
            zip.extend_from_slice(b"PK\x03\x04");
            zip
        };
        assert_eq!(sniff(&odf("application/vnd.oasis.opendocument.text"), b"", "a.odt"), Some(ODT));
        let template = odf("application/vnd.oasis.opendocument.text-template");
        assert_eq!(sniff(&template, b"", "a.ott"), None);
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(sniff(docx, b"", "a.docx"), Some(DOCX));
        let tail_only = b"...central directory: [Content_Types].xml xl/workbook.xml";
        assert_eq!(sniff(b"PK\x03\x04 compressed", tail_only, "a.xlsx"), Some(XLSX));
        assert_eq!(sniff(b"PK\x03\x04 any zip", b"", "a.zip"), None);
    }

    #[test]
    fn legacy_office_files_need_a_matching_extension() {
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(sniff(&ole, b"", "cours.PPT"), Some(PPT));
        assert_eq!(sniff(&ole, b"", "cours.msi"), None);
        assert_eq!(extension(".bashrc"), None);
        assert_eq!(extension("a.tar.GZ").as_deref(), Some("gz"));
    }
}
