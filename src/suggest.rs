//! "Did you mean": the closest of some names to a misspelt one.

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
        let distance = edit_distance(&lower, &candidate.to_lowercase());
        let len = word.chars().count().max(candidate.chars().count());
        let close = distance <= (len / 3).max(1);
        if close && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// How many single-character insertions, deletions, substitutions and swaps of two
/// neighbours turn `a` into `b` (a swap is the commonest typo, so it counts as one).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            row[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut row);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("wbe", "web"), 1);
        assert_eq!(edit_distance("abc", ""), 3);
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
