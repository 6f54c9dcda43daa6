//! The C ABI of `nowgg-payments`: verify and consume now.gg in-app purchases from C and
//! C++ servers. Linked as `-lnowgg_payments`; declared in `include/nowgg_payments.h`, which
//! cbindgen generates from this crate (`cargo xtask codegen`; `--check` fails on drift).
//!
//! Everything here translates types: the HTTP, the envelope parsing and every error kind
//! come from the `nowgg-payments` core. The rules every export follows (outputs last and
//! written only on success, NULL-tolerant `_free`, borrowed strings, thread-safety) are
//! written once, at the top of the header (`cbindgen.toml`).
//!
//! # Safety
//!
//! Every export is `unsafe`: its pointer arguments must be NULL or point to what the
//! header says (an object this library made and has not freed, a NUL-terminated string,
//! a buffer of the given length). NULL is always checked; dangling pointers cannot be.
#![deny(missing_docs)]
// The C names are the API: `nowgg_client`, not `NowggClient`.
#![allow(non_camel_case_types)]
// The contract of every export is the crate-level "Safety" section above.
#![allow(clippy::missing_safety_doc)]

#[macro_use]
mod panic;

// Declared in the order the header lists them.
mod async_calls;
mod client;
mod config;
mod error;
// Generated from the core's field table by `cargo xtask codegen`, in its own layout.
#[rustfmt::skip]
mod fields;
mod grant;
mod handle;
mod purchase;
mod report;
mod sandbox;
mod status;
mod text;

pub use async_calls::*;
pub use client::*;
pub use config::*;
pub use error::*;
pub use fields::*;
pub use grant::*;
pub use purchase::*;
pub use report::*;
pub use sandbox::*;
pub use status::{nowgg_status, nowgg_status_name};

use std::ffi::c_char;

/// The library's version, e.g. `"0.1.0"`: the same as `NOWGG_PAYMENTS_VERSION` when the
/// header and the library match.
///
/// The string is static: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn nowgg_version() -> *const c_char {
    ffi_panic_boundary! {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    }
}
