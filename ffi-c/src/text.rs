//! Strings across the boundary: NUL-terminated UTF-8 coming in, NUL-terminated copies
//! going out.

use std::ffi::{c_char, CStr, CString};

use nowgg::Error;

/// Borrows a required string argument: NULL or invalid UTF-8 is `INVALID_ARGUMENT`.
///
/// `ptr` must be NULL or point to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn required<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    optional(ptr, name)?.ok_or_else(|| invalid(format!("{name} is NULL")))
}

/// Borrows an optional string argument: NULL is `None`, invalid UTF-8 is
/// `INVALID_ARGUMENT`.
pub(crate) unsafe fn optional<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        return Ok(None);
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map(Some)
        .map_err(|_| invalid(format!("{name} is not valid UTF-8")))
}

/// A C copy of a string handed out. C cannot see past a NUL, so a value holding one is
/// cut there (the raw JSON keeps it, escaped).
pub(crate) fn c_string(text: &str) -> CString {
    let before_nul = text.split('\0').next().unwrap_or_default();
    CString::new(before_nul).unwrap_or_default()
}

/// An `INVALID_ARGUMENT` error about an argument of the C API.
pub(crate) fn invalid(message: String) -> Error {
    Error::InvalidArgument { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_in_are_checked() {
        let ok = c"-nowgg-abc";
        let bad = [0xffu8, 0xfe, 0];
        unsafe {
            assert_eq!(required(ok.as_ptr(), "token").unwrap(), "-nowgg-abc");
            let null = required(std::ptr::null(), "token").unwrap_err();
            assert_eq!(null.to_string(), "token is NULL");
            let utf8 = required(bad.as_ptr().cast(), "token").unwrap_err();
            assert_eq!(utf8.to_string(), "token is not valid UTF-8");
            assert_eq!(optional(std::ptr::null(), "currency").unwrap(), None);
        }
    }

    #[test]
    fn strings_out_stop_at_a_nul() {
        assert_eq!(c_string("abc\0def").to_bytes(), b"abc");
        assert_eq!(c_string("").to_bytes(), b"");
    }
}
