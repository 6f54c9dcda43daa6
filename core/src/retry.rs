//! When to try a verify again, and how long to wait first.

use std::time::Duration;

use crate::error::Error;

/// The first backoff; each retry doubles it, up to `MAX_BACKOFF`.
const BASE_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A server asking us to wait longer than this is answered with its error, not a stall.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How long to wait before retry number `attempt` (0-based) after `error`, or `None`
/// when the error must not be retried.
pub(crate) fn delay(error: &Error, attempt: u32) -> Option<Duration> {
    if !error.is_retryable() {
        return None;
    }
    let ceiling = BASE_BACKOFF
        .saturating_mul(1 << attempt.min(16))
        .min(MAX_BACKOFF);
    // "Equal jitter": half fixed, half random, so clients that failed together spread out.
    let jittered = ceiling / 2 + ceiling.mul_f64(fastrand::f64() / 2.0);
    match error.retry_after() {
        Some(wait) if wait > MAX_RETRY_AFTER => None,
        Some(wait) => Some(wait.max(jittered)),
        None => Some(jittered),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn status(status: u16, retry_after: Option<u64>) -> Error {
        Error::HttpStatus {
            status,
            retry_after: retry_after.map(Duration::from_secs),
            message: String::new(),
        }
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let err = status(503, None);
        let ms = Duration::from_millis;
        // (attempt, shortest, longest): 100 ms doubling, half of it jitter, 5 s at most.
        let bounds = [
            (0, ms(50), ms(100)),
            (1, ms(100), ms(200)),
            (2, ms(200), ms(400)),
            (5, ms(1600), ms(3200)),
            (6, ms(2500), ms(5000)),
            (30, ms(2500), ms(5000)),
            (u32::MAX, ms(2500), ms(5000)),
        ];
        for (attempt, shortest, longest) in bounds {
            let delays: HashSet<Duration> =
                (0..200).map(|_| delay(&err, attempt).unwrap()).collect();
            for d in &delays {
                assert!(*d >= shortest && *d <= longest, "{attempt}: {d:?}");
            }
            // Jittered: clients that failed together do not retry together.
            assert!(delays.len() > 100, "{attempt}: {} distinct", delays.len());
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_limit() {
        assert_eq!(
            delay(&status(429, Some(3)), 0),
            Some(Duration::from_secs(3))
        );
        assert_eq!(delay(&status(429, Some(3600)), 0), None);
    }

    #[test]
    fn non_retryable_errors_are_not_retried() {
        assert_eq!(delay(&status(404, None), 0), None);
        assert_eq!(delay(&Error::invalid("x"), 0), None);
    }
}
