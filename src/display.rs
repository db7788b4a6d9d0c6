//! The evcxr rich-output glue, in one place: evcxr shows the last
//! expression of a cell by calling its `evcxr_display` method, which
//! prints a MIME block.

use base64::Engine as _;

/// Prints a MIME block evcxr turns into rich output.
pub fn emit(mime: &str, content: &str) {
    println!("EVCXR_BEGIN_CONTENT {mime}\n{content}\nEVCXR_END_CONTENT");
}

/// Prints PNG bytes as an inline image.
pub fn emit_png(png: &[u8]) {
    emit(
        "image/png",
        &base64::engine::general_purpose::STANDARD.encode(png),
    );
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
