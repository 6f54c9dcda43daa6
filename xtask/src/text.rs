//! Text helpers of the generators: wrapping docs, and replacing a marked region.

use std::fmt::Write as _;

/// Words of `text` in lines of at most `width` characters, each starting with `prefix`
/// and ending with a newline.
pub fn wrapped(text: &str, prefix: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && prefix.len() + line.len() + 1 + word.len() > width {
            writeln!(out, "{}", format!("{prefix}{line}").trim_end()).unwrap();
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    writeln!(out, "{}", format!("{prefix}{line}").trim_end()).unwrap();
    out
}

/// `file` with the lines between its `generated: NAME` and `/generated: NAME` marker
/// lines replaced by `region` (the marker lines stay, in whatever comment syntax the
/// file uses). Fails when the markers are missing.
pub fn replace_region(file: &str, name: &str, region: &str) -> Result<String, String> {
    let begin = format!("generated: {name}");
    let end = format!("/generated: {name}");
    let is_marker = |line: &str, marker: &str| {
        line.find(marker).is_some_and(|at| {
            let after = &line[at + marker.len()..];
            after.is_empty() || after.starts_with([' ', '\n', '\r'])
        })
    };
    let mut start = None;
    let mut offset = 0;
    for line in file.split_inclusive('\n') {
        let next = offset + line.len();
        match start {
            None if is_marker(line, &begin) && !line.contains(&end) => start = Some(next),
            Some(from) if is_marker(line, &end) => {
                return Ok(format!("{}{region}{}", &file[..from], &file[offset..]));
            }
            _ => {}
        }
        offset = next;
    }
    Err(match start {
        None => format!("no `{begin}` marker line"),
        Some(_) => format!("no `{end}` marker line after `{begin}`"),
    })
}

/// Whether `file` has the begin marker of region `name`.
pub fn has_region(file: &str, name: &str) -> bool {
    replace_region(file, name, "").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_replaced_between_its_markers_only() {
        let file =
            "intro\n<!-- generated: errors -->\nold\nrows\n<!-- /generated: errors -->\nend\n";
        let new = replace_region(file, "errors", "new\n").unwrap();
        assert_eq!(
            new,
            "intro\n<!-- generated: errors -->\nnew\n<!-- /generated: errors -->\nend\n"
        );
        assert_eq!(replace_region(&new, "errors", "new\n").unwrap(), new);
        assert!(replace_region(file, "error", "x").is_err());
        assert!(replace_region("<!-- generated: errors -->\n", "errors", "x").is_err());
        assert!(!has_region("no markers\n", "errors"));
    }

    #[test]
    fn words_wrap_within_the_width() {
        let text = wrapped("one two three four", "// ", 12);
        assert_eq!(text, "// one two\n// three\n// four\n");
    }
}
