//! How objects cross the boundary. The type says the ownership: builders, purchases and
//! errors are Boxes owned by the caller; the client is an Arc, shared by every thread.
//! Pointers coming in are checked for NULL here, once.

use std::sync::Arc;

use nowgg::Error;

use crate::text::invalid;

/// An object handed to C as a `Box`: one owner, freed once.
pub(crate) trait BoxHandle: Sized {
    /// Moves the object to the heap and gives up ownership to C.
    fn into_raw(self) -> *mut Self {
        Box::into_raw(Box::new(self))
    }

    /// Takes ownership back and drops the object. NULL is ignored.
    ///
    /// `ptr` must be NULL or come from [`BoxHandle::into_raw`], not freed before.
    unsafe fn free(ptr: *mut Self) {
        if !ptr.is_null() {
            drop(Box::from_raw(ptr));
        }
    }
}

/// An object handed to C as an `Arc`: shared, immutable, safe to use from any thread.
pub(crate) trait ArcHandle: Sized + Send + Sync {
    /// Gives up C's reference to the new object.
    fn into_raw(self) -> *const Self {
        Arc::into_raw(Arc::new(self))
    }

    /// Drops C's reference; the object goes when the last reference does. NULL is
    /// ignored.
    ///
    /// `ptr` must be NULL or come from [`ArcHandle::into_raw`], not freed before.
    unsafe fn free(ptr: *const Self) {
        if !ptr.is_null() {
            drop(Arc::from_raw(ptr));
        }
    }
}

/// Borrows an object passed as `const T*`.
///
/// `ptr` must be NULL or point to a live `T` that outlives `'a`.
pub(crate) unsafe fn borrow<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Error> {
    ptr.as_ref()
        .ok_or_else(|| invalid(format!("{name} is NULL")))
}

/// Borrows an object passed as `T*`, to change it.
///
/// `ptr` must be NULL or point to a live `T` no one else uses during `'a`.
pub(crate) unsafe fn borrow_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Error> {
    ptr.as_mut()
        .ok_or_else(|| invalid(format!("{name} is NULL")))
}

/// Checks an out-parameter before any work is done, so that a result is never made only
/// to find it cannot be handed over. Write to it last, on success only.
///
/// `out` must be NULL or point to writable memory for a `P` (a pointer) during `'a`.
pub(crate) unsafe fn out_slot<'a, P>(out: *mut P, name: &str) -> Result<&'a mut P, Error> {
    borrow_mut(out, name)
}

/// The has/value convention of the optional getters: true and `*out = value` when the
/// value is present, false and `*out` untouched when it is not. `out` may be NULL to
/// test presence only.
pub(crate) unsafe fn write_present<T>(value: Option<T>, out: *mut T) -> bool {
    match value {
        Some(value) => {
            if !out.is_null() {
                *out = value;
            }
            true
        }
        None => false,
    }
}
