//! The article's three stories, bundled into the binary so `storyplan demo` (and the board)
//! can open them without any file on disk.

/// `(name, RON text)` of each bundled example, the reminders story first.
pub fn bundled() -> [(&'static str, &'static str); 3] {
    [
        (
            "reminders",
            include_str!("../../assets/examples/reminders.ron"),
        ),
        (
            "cents-api",
            include_str!("../../assets/examples/cents-api.ron"),
        ),
        (
            "amount-column",
            include_str!("../../assets/examples/amount-column.ron"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    #[test]
    fn every_bundled_example_parses() {
        for (name, text) in bundled() {
            let plan: Result<Plan, _> = ron::from_str(text);
            assert!(plan.is_ok(), "{name}: {plan:?}");
        }
    }
}
