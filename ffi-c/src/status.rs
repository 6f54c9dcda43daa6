//! `nowgg_status`: the result of every fallible call, one value per error kind of the
//! core, numbered with the kind's stable `ErrorKind::code()`.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use nowgg::ErrorKind;

/// Declares `nowgg_status` and its `from_kind` from the core's kind table: one value per
/// kind, `NOWGG_` and the kind's name, numbered with the kind's code.
macro_rules! statuses {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $name:literal, $class:literal, $retry:literal; )*) => { pastey::paste! {
        /// The result of every fallible call: `NOWGG_OK` (0), or the kind of the failure,
        /// numbered with the kind's code.
        ///
        /// The header declares this enum from the same table, each value with the kind's
        /// doc (`cargo xtask codegen`; cbindgen.toml excludes this one), so the docs here
        /// only name the kind.
        #[repr(u32)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum nowgg_status {
            /// Success.
            NOWGG_OK = 0,
            $(
                #[doc = concat!("`ErrorKind::", stringify!($variant), "`.")]
                [<NOWGG_ $name>] = $code,
            )*
        }

        impl nowgg_status {
            /// The status of an error kind: the one numbered with the kind's code.
            pub(crate) const fn from_kind(kind: ErrorKind) -> nowgg_status {
                match kind {
                    $( ErrorKind::$variant => nowgg_status::[<NOWGG_ $name>], )*
                    // `ErrorKind` is non_exhaustive, so another crate's match needs this
                    // arm; the table above has every kind, so none lands here.
                    _ => nowgg_status::NOWGG_INTERNAL,
                }
            }
        }
    } };
}

nowgg::for_each_error_kind!(statuses);

// Compile-time proof that every kind of the core has its own status, numbered with the
// kind's code: `from_kind` and `ErrorKind::ALL` must come from the same table.
const _: () = {
    let mut i = 0;
    while i < ErrorKind::ALL.len() {
        let kind = ErrorKind::ALL[i];
        assert!(
            nowgg_status::from_kind(kind) as u32 == kind.code(),
            "an ErrorKind has no nowgg_status of its own number"
        );
        i += 1;
    }
};

/// The name of every status, NUL-terminated: `OK` and the core's kind names.
fn names() -> &'static [(u32, CString)] {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let kinds = ErrorKind::ALL.map(|kind| (kind.code(), kind.name()));
        [(nowgg_status::NOWGG_OK as u32, "OK")]
            .into_iter()
            .chain(kinds)
            .map(|(code, name)| (code, crate::text::c_string(name)))
            .collect()
    })
}

/// The name of a status without its `NOWGG_` prefix, e.g. `"INVALID_PURCHASE_TOKEN"`:
/// the same kind names as the Rust, Python and Node faces use. NULL for a number that is
/// no status.
///
/// The string is static: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn nowgg_status_name(status: u32) -> *const c_char {
    ffi_panic_boundary! {
        names()
            .iter()
            .find(|(code, _)| *code == status)
            .map_or(std::ptr::null(), |(_, name)| name.as_ptr())
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    fn name(status: u32) -> Option<&'static str> {
        let ptr = nowgg_status_name(status);
        (!ptr.is_null()).then(|| unsafe { CStr::from_ptr(ptr) }.to_str().unwrap())
    }

    /// The header names each status `NOWGG_` and the kind's name: so must this enum.
    #[test]
    fn each_status_is_named_as_the_header_names_it() {
        for kind in ErrorKind::ALL {
            let status = nowgg_status::from_kind(kind);
            assert_eq!(format!("{status:?}"), format!("NOWGG_{}", kind.name()));
        }
    }

    #[test]
    fn ok_has_a_name_and_unknown_numbers_none() {
        assert_eq!(name(0), Some("OK"));
        assert_eq!(name(900), Some("INTERNAL"));
        assert_eq!(name(2), None);
        assert_eq!(name(u32::MAX), None);
    }
}
