//! The interactive board: Elm-style, `update` is the only place state changes.

pub mod app;
pub mod clipboard;
pub mod complete;
pub mod editing;
pub mod finder;
pub mod fix;
pub mod form;
pub mod fuzzy;
pub mod import;
pub mod keymap;
pub mod model;
pub mod mouse;
pub mod msg;
pub mod phrase;
pub mod picker;
pub mod repo;
pub mod settings;
pub mod share;
pub mod theme;
pub mod update;
pub mod view;
