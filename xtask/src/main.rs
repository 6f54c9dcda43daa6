//! `cargo xtask codegen [--check]`: writes every face's generated part from the core's
//! tables (error kinds, options, stores, consume outcomes, purchase states, string
//! fields), so that adding any of them is a change in one place plus this command.
//!
//! - `codegen` rewrites the generated files, and the generated regions (between
//!   `generated: NAME` and `/generated: NAME` marker lines) of hand-written ones;
//! - `codegen --check` writes nothing and fails, naming the files, when any differs
//!   from what the tables give (CI runs it).
//!
//! What each face takes: [`c`] the C getters, the header (through cbindgen) and the C++
//! accessors; [`python`] the stubs, exception classes and enums; [`node`] the d.ts
//! unions and option docs; [`docs`] the error table of every README that has its markers.

mod c;
mod docs;
mod node;
mod options;
mod python;
mod text;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::{env, fs};

/// One generated file: its path from the repository root, and its whole text.
pub struct Output {
    path: PathBuf,
    text: String,
}

impl Output {
    fn new(path: impl Into<PathBuf>, text: String) -> Output {
        Output {
            path: path.into(),
            text,
        }
    }
}

/// A failure of a generator: what it could not read or find.
pub type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let check = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
        _ => {
            eprintln!("usage: cargo xtask codegen [--check]");
            return ExitCode::from(2);
        }
    };
    match codegen(&repo_root(), check) {
        Ok(stale) if stale.is_empty() => ExitCode::SUCCESS,
        Ok(stale) => {
            eprintln!("these generated files differ from the core's tables:");
            for path in &stale {
                eprintln!("    {}", path.display());
            }
            eprintln!("run `cargo xtask codegen`, review `git diff`, and commit the result");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("xtask codegen: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The repository: the folder above this crate's.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent")
        .to_path_buf()
}

/// Writes (or, with `check`, compares) every generated file; returns the stale ones.
fn codegen(root: &Path, check: bool) -> Result<Vec<PathBuf>> {
    let mut stale = Vec::new();
    let mut apply = |outputs: Vec<Output>| -> Result<()> {
        for output in outputs {
            let path = root.join(&output.path);
            if fs::read_to_string(&path).ok().as_deref() == Some(output.text.as_str()) {
                continue;
            }
            if check {
                stale.push(output.path);
            } else {
                fs::write(&path, &output.text).map_err(|e| format!("{}: {e}", path.display()))?;
                println!("wrote {}", output.path.display());
            }
        }
        Ok(())
    };
    // The Rust getters first: cbindgen reads them from disk to write the header.
    apply(c::sources(root)?)?;
    apply(c::header(root)?)?;
    apply(python::files(root)?)?;
    apply(node::files(root)?)?;
    apply(docs::files(root)?)?;
    Ok(stale)
}

/// The text of `path` (from the repository root).
fn read(root: &Path, path: &str) -> Result<String> {
    fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))
}
