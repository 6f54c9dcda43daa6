//! Keeping secrets out of messages: the API key never appears, a purchase token only
//! shortened (enough to find it in a log, not enough to replay it).

/// A token shortened for messages: at most its first 10 characters, and never more than
/// half of it, followed by `…`. Enough to find a purchase in a log, not enough to replay
/// it; faces use it wherever they show a token (a `repr`, an `inspect`).
///
/// ```
/// assert_eq!(nowgg_payments::short_token("-nowgg-sample-paid"), "-nowgg-sa…");
/// ```
pub fn short_token(token: &str) -> String {
    let keep = (token.chars().count() / 2).min(10);
    let prefix: String = token.chars().take(keep).collect();
    format!("{prefix}…")
}

/// `text` from the server (a `codeMsg`, the start of an HTML page) with any copy of the
/// key or of the full token replaced, in case a gateway echoes what it was sent.
pub(crate) fn scrub(text: &str, api_key: &str, token: Option<&str>) -> String {
    let mut out = text.replace(api_key, "[api key]");
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        out = out.replace(token, &short_token(token));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tokens_never_show_the_whole_token() {
        assert_eq!(short_token("-nowgg-sample-paid"), "-nowgg-sa…");
        assert_eq!(short_token("-nowgg-0123456789abcdef"), "-nowgg-012…");
        assert_eq!(short_token("abcd"), "ab…");
        assert_eq!(short_token("a"), "…");
        assert_eq!(short_token("ünïcödé"), "ünï…");
    }

    #[test]
    fn scrub_replaces_key_and_token() {
        let s = scrub(
            "key k3y token -nowgg-xyz123456",
            "k3y",
            Some("-nowgg-xyz123456"),
        );
        assert_eq!(s, "key [api key] token -nowgg-x…");
    }
}
