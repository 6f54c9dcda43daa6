//! `include/nowgg_payments.h` is generated from this crate by cbindgen and checked in, so
//! that C users need no Rust tooling to read it. This test generates it again and fails
//! when the checked-in copy differs; `UPDATE_HEADER=1` rewrites it instead.

use std::path::Path;
use std::{env, fs};

const REGENERATE: &str = "UPDATE_HEADER=1 cargo test -p nowgg-payments-ffi --release --test header";

#[test]
fn checked_in_header_matches_the_code() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("ffi-c/cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .with_after_include(version_macros())
        .generate()
        .expect("cbindgen parses ffi-c/src");
    let mut generated = Vec::new();
    bindings.write(&mut generated);

    let path = crate_dir.join("../include/nowgg_payments.h");
    if env::var_os("UPDATE_HEADER").is_some() {
        fs::write(&path, &generated).expect("include/ is writable");
        return;
    }
    let checked_in = fs::read(&path).unwrap_or_default();
    assert!(
        generated == checked_in,
        "include/nowgg_payments.h differs from what ffi-c/src declares. Regenerate it with\n    \
         {REGENERATE}\nand commit it."
    );
}

/// The version macros, from the crate's own version, so a release bump shows up as drift.
fn version_macros() -> String {
    format!(
        "\n/** The version of the library this header declares (nowgg_version() gives the \
         linked one's). */\n\
         #define NOWGG_PAYMENTS_VERSION \"{}\"\n\
         #define NOWGG_PAYMENTS_VERSION_MAJOR {}\n\
         #define NOWGG_PAYMENTS_VERSION_MINOR {}\n\
         #define NOWGG_PAYMENTS_VERSION_PATCH {}",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    )
}
