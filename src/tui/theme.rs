//! Placeholder until the views land.

#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub color: bool,
}
