//! The `nowgg` binary as a user runs it, against the sandbox binary it also provides.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

const KEY: &str = "cli-test-key";

/// `nowgg sandbox` on a free port; killed on drop.
struct Sandbox {
    child: Child,
    url: String,
}

impl Sandbox {
    fn start() -> Sandbox {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nowgg"))
            .args(["sandbox", "--port", "0", "--api-key", KEY])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("listening line")
            .to_owned();
        Sandbox { child, url }
    }

    fn nowgg(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_nowgg"))
            .args(args)
            .env("NOWGG_API_KEY", KEY)
            .env("NOWGG_BASE_URL", &self.url)
            .output()
            .unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn demo_walks_the_whole_flow() {
    let out = Command::new(env!("CARGO_BIN_EXE_nowgg"))
        .arg("demo")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("refused, as it must be: ERROR_CONSUMING_PRODUCT"),
        "{stdout}"
    );
    assert!(stdout.contains("is_consumed = true"), "{stdout}");
    assert!(stdout.ends_with("demo complete\n"), "{stdout}");
}

#[test]
fn verify_accepts_dash_tokens_after_double_dash_and_prints_json() {
    let sandbox = Sandbox::start();
    let out = sandbox.nowgg(&["verify", "--json", "--", "-nowgg-sample-paid"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(data["purchaseState"], 1);
    assert_eq!(data["purchaseToken"], "-nowgg-sample-paid");
}

#[test]
fn consume_then_consume_again_fails_with_the_kind_on_stderr() {
    let sandbox = Sandbox::start();
    let first = sandbox.nowgg(&["consume", "--", "-nowgg-sample-paid"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(text(&first.stdout), "consumed\n");
    let second = sandbox.nowgg(&["consume", "--", "-nowgg-sample-paid"]);
    assert_eq!(second.status.code(), Some(1));
    assert!(
        text(&second.stderr).starts_with("ERROR_CONSUMING_PRODUCT: "),
        "{}",
        text(&second.stderr)
    );
    let xiaomi = sandbox.nowgg(&["consume", "--store", "xiaomi", "xiaomi-sample-1"]);
    assert!(text(&xiaomi.stderr).starts_with("INVALID_ARGUMENT: product_id is required"));
}

#[test]
fn a_wrong_key_is_reported_without_echoing_it() {
    let sandbox = Sandbox::start();
    let out = sandbox.nowgg(&[
        "verify",
        "--api-key",
        "WRONG-SECRET",
        "--",
        "-nowgg-sample-paid",
    ]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("INVALID_AUTHORIZATION_KEY: "),
        "{stderr}"
    );
    assert!(!stderr.contains("WRONG-SECRET"));
}
