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
/// key or of the full token replaced, in case a gateway echoes what it was sent: as sent,
/// or in any of the forms of [`echoes`] (a page quoting the form, a JSON body).
pub(crate) fn scrub(text: &str, api_key: &str, token: Option<&str>) -> String {
    let mut out = text.to_owned();
    for echo in echoes(api_key) {
        out = out.replace(&echo, "[api key]");
    }
    if let Some(token) = token {
        let short = short_token(token);
        for echo in echoes(token) {
            out = out.replace(&echo, &short);
        }
    }
    out
}

/// The forms a server may echo `secret` in, longest first: verbatim; percent-encoded
/// as a form carries it (every reserved byte, or all but `!'()*`, in either hex case,
/// a space as `+` or `%20`); JSON-escaped (`\"`, `\\`, with `/` as is or as `\/`,
/// non-ASCII as is or as `\uXXXX`). Nothing for an empty secret.
fn echoes(secret: &str) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    let mut forms = vec![secret.to_owned()];
    for keep in [&b""[..], b"!'()*"] {
        let upper = percent_encoded(secret, keep);
        forms.push(upper.replace("%20", "+"));
        forms.push(lower_hex(&upper));
        forms.push(upper);
    }
    let json = serde_json::to_string(secret).expect("a string serializes");
    let json = &json[1..json.len() - 1];
    for escaped in [json.to_owned(), ascii_escaped(json)] {
        forms.push(escaped.replace('/', "\\/"));
        forms.push(escaped);
    }
    forms.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    forms
}

/// `text` with every byte percent-encoded but ASCII letters, digits, `-._~` and `keep`.
fn percent_encoded(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent escapes with lower-case hex digits (`%2f`), the rest as is.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut digits = 0;
    for c in encoded.chars() {
        if c == '%' {
            digits = 2;
            out.push(c);
        } else if digits > 0 {
            digits -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// JSON text with every non-ASCII character as `\uXXXX` (UTF-16, lower-case hex), as
/// Python's `json.dumps` writes it.
fn ascii_escaped(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
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

    #[test]
    fn scrub_finds_percent_encoded_and_json_escaped_echoes() {
        let token = "-nowgg-Zq8x+Tn4L/wP2mVb7rKc1sYd6h=";
        let key = "k\"ey\\with/slash é";
        let page = "<p>purchaseToken=-nowgg-Zq8x%2BTn4L%2FwP2mVb7rKc1sYd6h%3D</p>\
                    <p>-nowgg-Zq8x%2bTn4L%2fwP2mVb7rKc1sYd6h%3d</p>";
        let json = r#"{"echo":"k\"ey\\with\/slash \u00e9","also":"k\"ey\\with/slash é"}"#;
        let form = "Authorization: k%22ey%5Cwith%2Fslash+%C3%A9";
        for text in [page, json, form] {
            let out = scrub(text, key, Some(token));
            for secret in ["Zq8x", "Tn4L", "with", "slash"] {
                assert!(!out.contains(secret), "{secret} in {out}");
            }
        }
        assert_eq!(
            scrub(page, key, Some(token)),
            "<p>purchaseToken=-nowgg-Zq8…</p><p>-nowgg-Zq8…</p>"
        );
    }

    #[test]
    fn nothing_is_scrubbed_for_an_empty_secret() {
        assert_eq!(scrub("text", "", Some("")), "text");
    }
}
