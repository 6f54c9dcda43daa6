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
        nowgg(&self.url, args)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `nowgg` with `args` against the sandbox at `base_url`.
fn nowgg(base_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nowgg"))
        .args(args)
        .env("NOWGG_API_KEY", KEY)
        .env("NOWGG_BASE_URL", base_url)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn demo_walks_the_fulfillment_model() {
    let out = Command::new(env!("CARGO_BIN_EXE_nowgg"))
        .arg("demo")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    for shown in [
        "server A: recorded order <orderId>, granted 11223343; consume: already_consumed",
        "server B: already delivered",
        "consume: already_consumed",
        "refused: ALREADY_CONSUMED",
        "refused: INVALID_PURCHASE_TOKEN",
    ] {
        assert!(stdout.contains(shown), "{shown:?} in {stdout}");
    }
    assert!(stdout.ends_with("consumed\n"), "{stdout}");
}

#[test]
fn verify_json_is_the_typed_purchase_with_the_vendor_object_as_raw() {
    let sandbox = Sandbox::start();
    let out = sandbox.nowgg(&["verify", "--json", "--", "-nowgg-sample-paid"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let purchase: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(purchase["purchaseState"], 1);
    assert_eq!(purchase["purchaseToken"], "-nowgg-sample-paid");
    assert_eq!(purchase["isPaid"], true);
    assert_eq!(purchase["isConsumed"], false);
    assert_eq!(purchase["purchaseTimeMs"], 1_630_529_397_000_i64);
    assert_eq!(purchase["countryCode"], serde_json::Value::Null);
    // The vendor sends orderAmount as text here; `raw` keeps whatever it sent.
    assert_eq!(purchase["orderAmount"], "25.15");
    assert_eq!(purchase["raw"]["purchaseToken"], "-nowgg-sample-paid");
}

#[test]
fn verify_with_a_policy_is_the_grant_check() {
    let sandbox = Sandbox::start();
    let ok = sandbox.nowgg(&[
        "verify",
        "--package-name",
        "<package_name>",
        "--product-id",
        "other",
        "--product-id",
        "11223343",
        "--",
        "-nowgg-sample-paid",
    ]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let refused = |args: &[&str], kind: &str| {
        let out = sandbox.nowgg(args);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).starts_with(kind), "{}", text(&out.stderr));
    };
    let wrong_package = [
        "verify",
        "--package-name",
        "com.other",
        "--",
        "-nowgg-sample-paid",
    ];
    refused(&wrong_package, "PACKAGE_MISMATCH: ");
    let wrong_product = ["verify", "--product-id", "x", "--", "-nowgg-sample-paid"];
    refused(&wrong_product, "PRODUCT_MISMATCH: ");
    refused(
        &[
            "verify",
            "--allow-test-orders",
            "--",
            "-nowgg-sample-unpaid",
        ],
        "NOT_PAID: ",
    );
    // Without a policy option, verify only verifies: an unpaid purchase prints.
    let unpaid = sandbox.nowgg(&["verify", "--", "-nowgg-sample-unpaid"]);
    assert!(unpaid.status.success(), "{}", text(&unpaid.stderr));
}

#[test]
fn consume_prints_its_outcome_and_is_safe_to_repeat() {
    let sandbox = Sandbox::start();
    let first = sandbox.nowgg(&["consume", "--", "-nowgg-sample-paid"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(text(&first.stdout), "consumed\n");
    let second = sandbox.nowgg(&["consume", "--", "-nowgg-sample-paid"]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(text(&second.stdout), "already_consumed\n");
    let unpaid = sandbox.nowgg(&["consume", "--", "-nowgg-sample-unpaid"]);
    assert_eq!(unpaid.status.code(), Some(1));
    let stderr = text(&unpaid.stderr);
    assert!(stderr.starts_with("ERROR_CONSUMING_PRODUCT: "), "{stderr}");
    let xiaomi = sandbox.nowgg(&["consume", "--store", "xiaomi", "xiaomi-sample-1"]);
    assert!(text(&xiaomi.stderr).starts_with("INVALID_ARGUMENT: product_id is required"));
}

#[test]
fn consume_from_a_file_summarises_and_can_run_again() {
    let sandbox = Sandbox::start();
    let dir = std::env::temp_dir().join(format!("nowgg-cli-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tokens.txt");
    std::fs::write(
        &file,
        "# a sweep over recorded, unconsumed orders\n\
         -nowgg-sample-paid\n\
         {\"token\": \"xiaomi-sample-1\", \"store\": \"xiaomi\", \"productId\": \"11223343\"}\n\
         -nowgg-sample-unpaid\n\
         \n\
         {\"store\": \"xiaomi\"}\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let first = sandbox.nowgg(&["consume", "--from", file, "--concurrency", "2"]);
    assert_eq!(first.status.code(), Some(1), "two lines fail");
    let stdout = text(&first.stdout);
    assert!(
        stdout.contains(
            "consumed: 2, already consumed: 0, failed: 2 \
             (ERROR_CONSUMING_PRODUCT: 1, INVALID_ARGUMENT: 1)"
        ),
        "{stdout}"
    );
    // Started again, the two consumed purchases answer already_consumed.
    let again = sandbox.nowgg(&["consume", "--from", file, "--json"]);
    let lines: Vec<serde_json::Value> = text(&again.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let outcome = |line: u64| {
        let found = lines.iter().find(|l| l["line"] == line).unwrap();
        found["outcome"].as_str().unwrap_or("error").to_owned()
    };
    assert_eq!(outcome(2), "already_consumed");
    assert_eq!(outcome(3), "already_consumed");
    assert_eq!(outcome(4), "error");
    assert!(
        !text(&again.stdout).contains("-nowgg-sample-paid\""),
        "tokens are shortened"
    );
    assert!(text(&again.stderr).contains("already consumed: 2"));
    let _ = std::fs::remove_dir_all(&dir);
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

#[test]
fn trace_prints_each_calls_attempts_waits_and_outcome_to_stderr() {
    use nowgg_sandbox::{Action, Fault, Match};
    let sandbox = nowgg_sandbox::Sandbox::start(nowgg_sandbox::Config::new(KEY)).unwrap();
    let token = "-nowgg-sample-paid";
    sandbox.add_fault(Fault::new(Action::ApiCode {
        code: 5014,
        msg: None,
        status: 200,
    }));
    let out = nowgg(&sandbox.url(), &["verify", "--trace", "--", token]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for shown in [
        "verify_purchase -nowgg-sa",
        ": ok in ",
        "attempt 1 at +",
        "HTTP 200, code 5014 (",
        "wait ",
        "(backoff)",
        "attempt 2 at +",
        "HTTP 200, code 0 in ",
    ] {
        assert!(stderr.contains(shown), "{shown:?} in {stderr}");
    }

    sandbox.add_fault(Fault::new(Action::DropAfter).on(Match::Consume));
    let out = nowgg(&sandbox.url(), &["consume", "--trace", "--", token]);
    let stderr = text(&out.stderr);
    assert_eq!(text(&out.stdout), "already_consumed\n", "{stderr}");
    for shown in [
        "consume_purchase -nowgg-sa",
        "already_consumed in ",
        "(reconciled by a verify)",
        "/consumePurchase -> ",
        "/verifyPurchase -> HTTP 200",
    ] {
        assert!(stderr.contains(shown), "{shown:?} in {stderr}");
    }
    assert!(!stderr.contains(token) && !stderr.contains(KEY), "{stderr}");

    let quiet = nowgg(&sandbox.url(), &["consume", "--", token]);
    assert_eq!(text(&quiet.stdout), "already_consumed\n");
    assert_eq!(text(&quiet.stderr), "");
}
