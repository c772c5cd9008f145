//! Composing plans: edits that keep references whole, the pattern templates, and drafting
//! the steps that reach the targets. Built on the checker, which judges what they propose.

pub mod draft;
pub mod edit;
pub mod import;
pub mod patterns;

pub use draft::{Draft, draft};
pub use patterns::{DoubleWrite, ExpandContract, Inserted, Pattern, ToggleFeature};
