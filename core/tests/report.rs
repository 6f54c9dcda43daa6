//! Call reports against the in-process sandbox: what each call's report says about its
//! attempts, waits, reconciliation and outcome, from blocking and async calls, and the
//! `tracing` spans made as calls run.

mod common;

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nowgg_payments::report::capture;
use nowgg_payments::{
    CallName, CallReport, Client, ConsumeOutcome, ConsumeRequest, Endpoint, ErrorKind, GrantPolicy,
    Outcome, WaitReason,
};
use nowgg_sandbox::{Action, Fault, Match, Sandbox};

const PAID: &str = "-nowgg-sample-paid";
const UNPAID: &str = "-nowgg-sample-unpaid";

fn client(sandbox: &Sandbox) -> Client {
    Client::builder(common::KEY)
        .base_url(sandbox.url())
        .build()
        .unwrap()
}

/// A raw HTTP answer of `status` with `headers`.
fn status(status: u16, headers: &[(&str, &str)]) -> Action {
    Action::Status {
        status,
        body: "busy".into(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        content_type: "text/plain".into(),
    }
}

/// The report of the one call `f` makes.
fn report_of<T>(f: impl FnOnce() -> T) -> (T, CallReport) {
    let (value, report) = capture(f);
    (value, report.expect("the call was reported"))
}

#[test]
fn a_verify_retried_after_a_503_reports_both_attempts_and_the_wait() {
    let sandbox = common::sandbox(common::KEY);
    sandbox.add_fault(Fault::new(status(503, &[])).on(Match::Verify));
    let client = client(&sandbox);
    let (result, report) = report_of(|| client.verify_purchase(PAID));
    assert!(result.unwrap().is_paid());
    assert_eq!(report.call, CallName::VerifyPurchase);
    assert_eq!(report.outcome, Outcome::Ok);
    assert_eq!(report.attempts.len(), 2, "{report}");
    let (first, second) = (&report.attempts[0], &report.attempts[1]);
    assert_eq!(first.http_status, Some(503));
    assert_eq!(first.error, Some(ErrorKind::HttpStatus));
    assert_eq!(second.http_status, Some(200));
    assert_eq!(second.api_code, Some(0));
    assert_eq!(second.error, None);
    assert!(second.offset >= first.offset + first.duration);
    assert_eq!(report.resend_count(0), 0);
    assert_eq!(report.resend_count(1), 1);
    assert_eq!(report.waits.len(), 1);
    assert_eq!(report.waits[0].after_attempt, 0);
    assert_eq!(report.waits[0].reason, WaitReason::Backoff);
    assert!(report.duration >= second.offset + second.duration);
    assert!(!report.reconciled);
}

#[test]
fn a_consume_whose_answer_was_lost_is_reconciled_by_a_verify() {
    let sandbox = common::sandbox(common::KEY);
    sandbox.add_fault(Fault::new(Action::DropAfter).on(Match::Consume));
    let client = client(&sandbox);
    let (result, report) = report_of(|| client.consume_purchase(&ConsumeRequest::new(PAID)));
    assert_eq!(result.unwrap(), ConsumeOutcome::AlreadyConsumed);
    assert_eq!(report.call, CallName::ConsumePurchase);
    assert_eq!(report.outcome, Outcome::AlreadyConsumed);
    assert!(report.reconciled, "{report}");
    let endpoints: Vec<Endpoint> = report.attempts.iter().map(|a| a.endpoint).collect();
    assert_eq!(endpoints, [Endpoint::Consume, Endpoint::Verify]);
    assert_eq!(report.attempts[0].http_status, None);
    assert!(report.attempts[0].error.is_some());
    assert_eq!(report.attempts[1].http_status, Some(200));
    // The verify is the first attempt at its endpoint.
    assert_eq!(report.resend_count(1), 0);
    assert!(report.to_string().contains("reconciled"), "{report}");
}

#[test]
fn a_plain_consume_is_not_reconciled() {
    let sandbox = common::sandbox(common::KEY);
    let client = client(&sandbox);
    let (result, report) = report_of(|| client.consume_purchase(&ConsumeRequest::new(PAID)));
    assert_eq!(result.unwrap(), ConsumeOutcome::Consumed);
    assert_eq!(report.outcome, Outcome::Consumed);
    assert!(!report.reconciled);
    assert_eq!(report.attempts.len(), 1);
}

#[test]
fn a_refused_grant_is_one_report_with_the_refusal_as_its_outcome() {
    let sandbox = common::sandbox(common::KEY);
    let client = client(&sandbox);
    let (result, report) = report_of(|| client.verify_for_grant(UNPAID, &GrantPolicy::new()));
    assert_eq!(result.unwrap_err().kind(), ErrorKind::NotPaid);
    assert_eq!(report.call, CallName::VerifyForGrant);
    assert_eq!(report.outcome, Outcome::Failed(ErrorKind::NotPaid));
    assert_eq!(report.outcome.name(), "NOT_PAID");
    assert_eq!(report.attempts.len(), 1);
    assert_eq!(report.attempts[0].http_status, Some(200));
}

#[test]
fn a_wait_the_server_asked_for_says_retry_after() {
    let sandbox = common::sandbox(common::KEY);
    sandbox.add_fault(Fault::new(status(429, &[("Retry-After", "1")])).on(Match::Verify));
    let client = client(&sandbox);
    let (result, report) = report_of(|| client.verify_purchase(PAID));
    result.unwrap();
    assert_eq!(report.attempts[0].http_status, Some(429));
    assert_eq!(report.waits.len(), 1, "{report}");
    assert_eq!(report.waits[0].reason, WaitReason::RetryAfter);
    assert_eq!(report.waits[0].duration, Duration::from_secs(1));
    assert!(report.to_string().contains("retry_after"), "{report}");
}

#[test]
fn the_second_call_reuses_the_connection() {
    let sandbox = common::sandbox(common::KEY);
    let client = client(&sandbox);
    let (_, first) = report_of(|| client.verify_purchase(PAID));
    let (_, second) = report_of(|| client.verify_purchase(PAID));
    assert_eq!(first.attempts[0].reused_connection, Some(false));
    assert_eq!(second.attempts[0].reused_connection, Some(true));
}

#[test]
fn a_call_refused_before_sending_is_reported_without_attempts() {
    let sandbox = common::sandbox(common::KEY);
    let client = client(&sandbox);
    let (result, report) = report_of(|| client.verify_purchase(""));
    assert_eq!(result.unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(report.outcome, Outcome::Failed(ErrorKind::InvalidArgument));
    assert!(report.attempts.is_empty());
}

#[test]
fn nothing_is_captured_without_a_call() {
    let (value, report) = capture(|| 7);
    assert_eq!(value, 7);
    assert!(report.is_none());
}

#[test]
fn a_listener_gets_every_call_and_async_calls_can_capture_theirs() {
    let sandbox = common::sandbox(common::KEY);
    sandbox.add_fault(Fault::new(status(503, &[])).on(Match::Verify));
    let (heard_tx, heard) = mpsc::channel::<(CallReport, std::thread::ThreadId)>();
    let heard_tx = Mutex::new(heard_tx);
    let client = Client::builder(common::KEY)
        .base_url(sandbox.url())
        .on_report(move |report| {
            let current = std::thread::current().id();
            heard_tx
                .lock()
                .unwrap()
                .send((report.clone(), current))
                .unwrap();
        })
        .build()
        .unwrap();
    let (done_tx, done) = mpsc::channel();
    client
        .spawn(
            |c| Ok(capture(|| c.verify_purchase(PAID))),
            move |result| {
                let current = std::thread::current().id();
                done_tx.send((result, current)).unwrap();
            },
        )
        .unwrap();
    let (result, done_thread) = done.recv_timeout(Duration::from_secs(30)).unwrap();
    let (verified, captured) = result.unwrap();
    assert!(verified.unwrap().is_paid());
    let captured = captured.expect("captured on the library's thread");
    let (listened, listener_thread) = heard.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(listener_thread, done_thread);
    assert_ne!(listener_thread, std::thread::current().id());
    for report in [&captured, &listened] {
        assert_eq!(report.attempts.len(), 2, "{report}");
        assert_eq!(report.waits.len(), 1);
        assert_eq!(report.outcome, Outcome::Ok);
    }
    assert_eq!(captured.started, listened.started);
    // A blocking call is heard too, once.
    client.verify_purchase(PAID).unwrap();
    let (blocking, thread) = heard.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(thread, std::thread::current().id());
    assert_eq!(blocking.attempts.len(), 1);
    assert!(heard.try_recv().is_err());
    assert!(format!("{:?}", Client::builder("k").on_report(|_| {})).contains("on_report"));
}

#[test]
fn an_async_call_whose_deadline_passed_in_the_queue_is_reported_unsent() {
    let sandbox = common::sandbox(common::KEY);
    // One thread, held by a call the sandbox answers late: the next call's deadline
    // passes while it waits in the queue.
    sandbox.add_fault(Fault::new(Action::None).delay(Duration::from_millis(600)));
    let (heard_tx, heard) = mpsc::channel::<CallReport>();
    let heard_tx = Mutex::new(heard_tx);
    let client = Client::builder(common::KEY)
        .base_url(sandbox.url())
        .max_in_flight(1)
        .deadline(Duration::from_millis(300))
        .on_report(move |report| heard_tx.lock().unwrap().send(report.clone()).unwrap())
        .build()
        .unwrap();
    let (done_tx, done) = mpsc::channel();
    for _ in 0..2 {
        let done_tx = done_tx.clone();
        client
            .spawn(
                |c| c.verify_purchase(PAID),
                move |result| done_tx.send(result).unwrap(),
            )
            .unwrap();
    }
    let wait = Duration::from_secs(30);
    let first = done.recv_timeout(wait).unwrap().unwrap_err();
    let second = done.recv_timeout(wait).unwrap().unwrap_err();
    assert_eq!(first.kind(), ErrorKind::Timeout);
    assert!(
        second.to_string().contains("waited for a thread"),
        "{second}"
    );
    let reports = [
        heard.recv_timeout(wait).unwrap(),
        heard.recv_timeout(wait).unwrap(),
    ];
    assert_eq!(reports[0].attempts.len(), 1);
    assert_eq!(reports[1].attempts.len(), 0, "{}", reports[1]);
    for report in &reports {
        assert_eq!(report.outcome, Outcome::Failed(ErrorKind::Timeout));
    }
}

#[test]
fn a_panicking_listener_leaves_the_call_alone() {
    let sandbox = common::sandbox(common::KEY);
    let client = Client::builder(common::KEY)
        .base_url(sandbox.url())
        .on_report(|_| panic!("a listener's bug"))
        .build()
        .unwrap();
    assert!(client.verify_purchase(PAID).unwrap().is_paid());
}

#[test]
fn no_report_holds_more_than_the_start_of_a_token() {
    let sandbox = common::sandbox(common::KEY);
    sandbox.add_fault(Fault::new(Action::DropAfter).on(Match::Consume));
    let client = client(&sandbox);
    let reports = [
        report_of(|| client.verify_for_grant(UNPAID, &GrantPolicy::new())).1,
        report_of(|| client.consume_purchase(&ConsumeRequest::new(PAID))).1,
    ];
    for (report, token) in reports.iter().zip([UNPAID, PAID]) {
        assert!(token.starts_with(report.token_start.trim_end_matches('…')));
        for text in [format!("{report}"), format!("{report:?}")] {
            assert!(!text.contains(token), "{text}");
            assert!(!text.contains(common::KEY), "{text}");
        }
    }
}

mod spans {
    //! A subscriber that keeps each span's name, its parent's, and every field value.

    use std::fmt::Debug;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Subscriber};
    use tracing_subscriber::layer::Context;
    use tracing_subscriber::registry::LookupSpan;
    use tracing_subscriber::Layer;

    #[derive(Default)]
    pub struct Seen {
        /// (span name, parent span name)
        pub spans: Vec<(String, Option<String>)>,
        /// Every field as `name=value`, spans' and events'.
        pub fields: Vec<String>,
        /// Events' messages.
        pub events: Vec<String>,
    }

    #[derive(Clone, Default)]
    pub struct Collect(pub Arc<Mutex<Seen>>);

    struct Fields<'a>(&'a mut Vec<String>);

    impl Visit for Fields<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            self.0.push(format!("{}={value:?}", field.name()));
        }
    }

    impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Collect {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
            let span = ctx.span(id).expect("a new span");
            let parent = span.parent().map(|p| p.name().to_string());
            let mut seen = self.0.lock().unwrap();
            seen.spans.push((span.name().to_string(), parent));
            attrs.record(&mut Fields(&mut seen.fields));
        }

        fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
            values.record(&mut Fields(&mut self.0.lock().unwrap().fields));
        }

        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            let mut seen = self.0.lock().unwrap();
            let mut fields = Vec::new();
            event.record(&mut Fields(&mut fields));
            seen.events.extend(fields.iter().cloned());
            seen.fields.extend(fields);
        }
    }
}

#[test]
fn tracing_sees_a_span_per_call_and_per_attempt() {
    use tracing_subscriber::layer::SubscriberExt;

    let sandbox = common::sandbox(common::KEY);
    sandbox.add_fault(Fault::new(status(503, &[])).on(Match::Verify));
    sandbox.add_fault(Fault::new(Action::DropAfter).on(Match::Consume));
    let client = client(&sandbox);
    let collect = spans::Collect::default();
    let subscriber = tracing_subscriber::registry().with(collect.clone());
    tracing::subscriber::with_default(subscriber, || {
        client.verify_purchase(PAID).unwrap();
        client
            .verify_for_grant(UNPAID, &GrantPolicy::new())
            .unwrap_err();
        client.consume_purchase(&ConsumeRequest::new(PAID)).unwrap();
    });
    let seen = Arc::into_inner(collect.0).unwrap().into_inner().unwrap();
    let span = |name: &str, parent: Option<&str>| (name.to_string(), parent.map(String::from));
    let post = |parent| span("POST", Some(parent));
    assert_eq!(
        seen.spans,
        [
            span("nowgg.verify_purchase", None),
            post("nowgg.verify_purchase"),
            post("nowgg.verify_purchase"),
            span("nowgg.verify_for_grant", None),
            post("nowgg.verify_for_grant"),
            span("nowgg.consume_purchase", None),
            post("nowgg.consume_purchase"),
            post("nowgg.consume_purchase"),
        ]
    );
    let has = |field: &str| seen.fields.iter().any(|f| f == field);
    for field in [
        "http.request.method=\"POST\"",
        "http.response.status_code=503",
        "http.response.status_code=200",
        "error.type=\"HTTP_STATUS\"",
        "nowgg.api_code=0",
        "nowgg.outcome=\"ok\"",
        "nowgg.outcome=\"already_consumed\"",
        "error.type=\"NOT_PAID\"",
        "nowgg.reconciled=true",
        "reason=\"backoff\"",
    ] {
        assert!(has(field), "{field} not in {:?}", seen.fields);
    }
    assert!(seen.fields.iter().any(|f| f.starts_with("url.full=")));
    assert_eq!(
        seen.events
            .iter()
            .filter(|f| f.starts_with("reason="))
            .count(),
        1
    );
    for text in &seen.fields {
        for secret in [PAID, UNPAID, common::KEY] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}
