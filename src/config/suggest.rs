//! "Did you mean …?" for misspelt config keys, rule ids and paths.

/// The candidate closest to `word`, when it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::jaro_winkler(&word_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        // Highest score wins; ties go to the alphabetically first candidate so the
        // suggestion does not depend on iteration order.
        .max_by(|(sa, ca), (sb, cb)| sa.total_cmp(sb).then_with(|| cb.cmp(ca)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["canonical", "names", "aliases", "deprecated"];
        assert_eq!(did_you_mean("canonicl", keys), Some("canonical"));
        assert_eq!(did_you_mean("alias", keys), Some("aliases"));
        assert_eq!(did_you_mean("Names", keys), Some("names"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
