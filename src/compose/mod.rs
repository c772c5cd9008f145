//! Composing plans: edits that keep references whole, the pattern templates, drafting
//! the steps that reach the targets, and the nearest safe order (`fix`). Built on the
//! checker, which judges what they propose.

pub mod draft;
pub mod edit;
pub mod fix;
pub mod import;
pub mod patterns;

pub use draft::{Draft, draft};
pub use fix::{Fixed, fix};
pub use patterns::{DoubleWrite, ExpandContract, Inserted, Pattern, ToggleFeature};
