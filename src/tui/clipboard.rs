//! Copying to the clipboard with OSC 52: the terminal sets its clipboard from an escape
//! sequence, so it works over SSH and in tmux (with `set-clipboard on`) without any
//! clipboard tool on the machine that runs storyplan.

use std::io;

use ratatui::crossterm::clipboard::CopyToClipboard;
use ratatui::crossterm::execute;

/// The command that puts `text` on the clipboard.
fn command(text: &str) -> CopyToClipboard<&[u8]> {
    CopyToClipboard::to_clipboard_from(text.as_bytes())
}

/// Sends the sequence to the terminal.
pub fn copy(text: &str) -> io::Result<()> {
    execute!(io::stdout(), command(text))
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::Command;

    use super::*;

    fn sequence(text: &str) -> String {
        let mut out = String::new();
        command(text).write_ansi(&mut out).expect("write to memory");
        out
    }

    #[test]
    fn base64_matches_the_standard_vectors() {
        let payload = |text: &str| {
            let sequence = sequence(text);
            sequence["\x1b]52;c;".len()..sequence.len() - "\x1b\\".len()].to_string()
        };
        assert_eq!(payload(""), "");
        assert_eq!(payload("f"), "Zg==");
        assert_eq!(payload("fo"), "Zm8=");
        assert_eq!(payload("foo"), "Zm9v");
        assert_eq!(payload("foob"), "Zm9vYg==");
        assert_eq!(payload("fooba"), "Zm9vYmE=");
        assert_eq!(payload("foobar"), "Zm9vYmFy");
        assert_eq!(payload("✓ ok"), "4pyTIG9r");
    }

    #[test]
    fn the_sequence_carries_the_text_and_no_raw_control_bytes() {
        let sequence = sequence("line one\nline \x1b two");
        assert!(sequence.starts_with("\x1b]52;c;"));
        assert!(sequence.ends_with("\x1b\\"));
        let payload = &sequence["\x1b]52;c;".len()..sequence.len() - "\x1b\\".len()];
        assert!(
            payload
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        );
    }
}
