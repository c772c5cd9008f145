//! storyplan: order the releases of a story so that no deploy breaks a consumer or loses data.

pub mod check;
pub mod cli;
pub mod compose;
pub mod diff;
pub mod export;
pub mod forest;
pub mod plan;
pub mod sources;
pub mod store;
pub mod suggest;
pub mod text;
pub mod tui;
pub mod verify;
