//! "Did you mean": the closest of some names to a misspelt one.

use strsim::osa_distance;

/// The candidate closest to `word`, when it is close enough to be a typo: at most a
/// third of its characters (and at least one) differ, ignoring case. A candidate equal
/// to `word` is not a suggestion.
pub fn closest<'s>(word: &str, candidates: impl IntoIterator<Item = &'s str>) -> Option<&'s str> {
    // Comparing is quadratic in the length; nobody misspells a 200-character name.
    if word.len() > 200 {
        return None;
    }
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == word || candidate.len() > 200 {
            continue;
        }
        // Optimal string alignment: a swap of two neighbours, the commonest typo, is one edit.
        let distance = osa_distance(&lower, &candidate.to_lowercase());
        let len = word.chars().count().max(candidate.chars().count());
        let close = distance <= (len / 3).max(1);
        if close && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(osa_distance("kitten", "sitting"), 3);
        assert_eq!(osa_distance("", "abc"), 3);
        assert_eq!(osa_distance("same", "same"), 0);
        assert_eq!(osa_distance("wbe", "web"), 1);
        assert_eq!(osa_distance("abc", ""), 3);
    }

    #[test]
    fn closest_suggests_only_near_misses() {
        let keys = ["POST /user/{id}/reminder", "reminders", "users"];
        assert_eq!(
            closest("POST /user/{id}/reminders", keys),
            Some("POST /user/{id}/reminder")
        );
        assert_eq!(closest("GET /invoices", keys), None);
        assert_eq!(closest("databse", ["Ui", "Database"]), Some("Database"));
        assert_eq!(closest("lambda", ["Ui", "Service", "Job"]), None);
        assert_eq!(closest(&"x".repeat(100_000), ["x"]), None);
    }
}
