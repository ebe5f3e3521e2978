//! Parse one file with syn and extract its facts.

use super::FileFacts;

/// Extract the facts of one file's text. Never panics; problems are recorded in the facts.
pub fn extract_file(text: &str) -> FileFacts {
    let _ = text;
    FileFacts::default()
}
