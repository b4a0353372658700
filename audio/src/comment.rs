//! The Vorbis comment block: FLAC's VORBIS_COMMENT and Ogg Opus's OpusTags carry the same
//! body, so both encoders write it here (and neither imports the other).

/// A Vorbis comment body: little-endian lengths, the vendor, then the `KEY=value` entries.
pub(crate) fn vorbis_comment(vendor: &str, comments: &[(String, String)]) -> Vec<u8> {
    fn put(block: &mut Vec<u8>, s: &str) {
        block.extend((s.len() as u32).to_le_bytes());
        block.extend(s.as_bytes());
    }
    let mut block = Vec::new();
    put(&mut block, vendor);
    block.extend((comments.len() as u32).to_le_bytes());
    for (k, v) in comments {
        put(&mut block, &format!("{k}={v}"));
    }
    block
}
