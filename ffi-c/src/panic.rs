//! The panic boundary around every export. A panic unwinding into C frames is undefined
//! behaviour and an abort would take the game server down with it, so each export runs
//! its body in `catch_unwind` and turns a panic into a value C can handle.

use std::ffi::c_char;

use crate::status::nowgg_status;

/// What an export returns when its body panicked.
pub(crate) trait PanicValue {
    /// The value: `NOWGG_INTERNAL`, NULL, `false`, 0 or nothing.
    fn panic_value() -> Self;
}

impl PanicValue for nowgg_status {
    fn panic_value() -> Self {
        nowgg_status::NOWGG_INTERNAL
    }
}

impl PanicValue for *const c_char {
    fn panic_value() -> Self {
        std::ptr::null()
    }
}

impl PanicValue for bool {
    fn panic_value() -> Self {
        false
    }
}

impl PanicValue for () {
    fn panic_value() -> Self {}
}

/// Numbers answer 0, as their getters do for NULL.
macro_rules! zero_on_panic {
    ($($t:ty),*) => {
        $(impl PanicValue for $t {
            fn panic_value() -> Self {
                0
            }
        })*
    };
}

zero_on_panic!(u16, i32, u64, usize);

/// Runs an export's body inside `catch_unwind`.
///
/// `ffi_panic_boundary! { body }` returns the body's value, or its type's
/// [`PanicValue`] after a panic.
///
/// `ffi_panic_boundary! { err_out = p; body }` is for fallible calls: the body gives
/// `Result<(), nowgg::Error>`, and the export returns its `nowgg_status`, writing a
/// `nowgg_error` to `*p` (when `p` is not NULL) on failure or panic.
macro_rules! ffi_panic_boundary {
    (err_out = $err_out:expr; $($body:tt)*) => {
        ffi_panic_boundary! {
            let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
                || -> ::std::result::Result<(), ::nowgg::Error> { $($body)* },
            ));
            $crate::error::report(outcome, $err_out)
        }
    };
    ($($body:tt)*) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })) {
            Ok(value) => value,
            Err(_) => $crate::panic::PanicValue::panic_value(),
        }
    };
}

#[cfg(test)]
mod tests {
    use std::ptr;

    use super::*;
    use crate::error::{nowgg_error, nowgg_error_free, nowgg_error_message, nowgg_error_status};

    fn panics() -> bool {
        panic!("a bug")
    }

    #[test]
    fn a_panic_becomes_a_value() {
        let text: *const c_char =
            ffi_panic_boundary! { panics(); ptr::null::<c_char>().wrapping_add(1) };
        assert!(text.is_null());
        let flag: bool = ffi_panic_boundary! { panics() };
        assert!(!flag);
    }

    #[test]
    fn a_panic_in_a_fallible_call_is_internal_with_a_fixed_message() {
        let mut err: *mut nowgg_error = ptr::null_mut();
        let status: nowgg_status = ffi_panic_boundary! { err_out = &mut err;
            panic!("a token -nowgg-0123456789abcdef in the panic's text");
        };
        assert_eq!(status, nowgg_status::NOWGG_INTERNAL);
        unsafe {
            assert_eq!(nowgg_error_status(err), nowgg_status::NOWGG_INTERNAL);
            let message = std::ffi::CStr::from_ptr(nowgg_error_message(err));
            let message = message.to_str().unwrap();
            assert!(message.contains("panicked"), "{message}");
            assert!(!message.contains("0123456789abcdef"), "{message}");
            nowgg_error_free(err);
        }
    }
}
