//! JSON as storyplan prints it: pretty, with every string escaped so that plan text keeps
//! all its characters yet none reaches a terminal raw. serde_json escapes C0 controls; this
//! also escapes DEL, C1 controls, the invisible formatting characters (bidi, zero-width)
//! and line separators as `\uXXXX`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter, Serializer};

use crate::text::{is_dropped, is_separator};

/// Writes `value` as pretty JSON, strings escaped for a terminal.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(out: W, value: &T) -> io::Result<()> {
    let mut serializer = Serializer::with_formatter(out, Escaping(PrettyFormatter::new()));
    value.serialize(&mut serializer).map_err(io::Error::other)
}

struct Escaping<'a>(PrettyFormatter<'a>);

impl Formatter for Escaping<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if is_dropped(c) || is_separator(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                // Every such character is in the Basic Multilingual Plane.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> String {
        let mut out = Vec::new();
        to_writer(&mut out, &[text]).expect("writes");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn controls_and_invisible_characters_are_escaped_not_dropped() {
        let text = "a\u{1b}[31mb\u{7f}c\u{85}d\u{202e}e\u{200b}f\u{2028}g";
        let written = json(text);
        assert_eq!(
            written,
            "[\n  \"a\\u001b[31mb\\u007fc\\u0085d\\u202ee\\u200bf\\u2028g\"\n]"
        );
        let read: Vec<String> = serde_json::from_str(&written).expect("reads back");
        assert_eq!(read, [text]);
    }

    #[test]
    fn plain_text_is_written_as_it_is() {
        assert_eq!(json("POST /x «é» ✓"), "[\n  \"POST /x «é» ✓\"\n]");
    }
}
