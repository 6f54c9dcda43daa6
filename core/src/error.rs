//! One error type for every failure, and the table of error kinds that every face
//! (C, Python, Node) derives its own errors from.

use std::fmt;
use std::time::Duration;

/// The class of a failure, as named in DESIGN.md.
///
/// Each kind has a stable name (`name()`) and a stable number (`code()`); faces expose
/// these directly (Python exception classes, Node `code` strings, C `nowgg_status`
/// values), so neither may ever change once published. API kinds carry the vendor's own
/// code as their number; local kinds are grouped in bands below 1000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input or configuration, detected before any I/O.
    InvalidArgument,
    /// The connect or response deadline passed.
    Timeout,
    /// DNS failure, refused or reset connection, TLS failure.
    Connection,
    /// A non-2xx answer without a JSON envelope (a proxy's HTML page, a 404).
    HttpStatus,
    /// A body that is not JSON, an envelope that is malformed, or a body over the cap.
    Decode,
    /// Any API code the vendor does not document, or `success: false` with code 0.
    ApiError,
    /// API code 3800: the product could not be consumed (already consumed, not paid).
    ErrorConsumingProduct,
    /// API code 3900: the Payments API key was refused.
    InvalidAuthorizationKey,
    /// API code 3901: the purchase token is unknown.
    InvalidPurchaseToken,
    /// API code 5014: a generic error from the multi-store backend; worth retrying.
    MultistoreUnknownError,
    /// API code 5015: the multi-store backend could not authenticate.
    MultistoreAuthError,
    /// Grant check: the purchase is not paid (`purchaseState` is not 1).
    NotPaid,
    /// Grant check: the purchase is already consumed (`consumptionState` is 1).
    AlreadyConsumed,
    /// Grant check: the purchase's `packageName` is not the policy's.
    PackageMismatch,
    /// Grant check: the purchase's product is not among the policy's product ids.
    ProductMismatch,
    /// Grant check: a test order, and the policy does not allow them.
    TestOrder,
    /// A bug in this library (a caught panic). The message never holds the panic's text.
    Internal,
}

impl ErrorKind {
    /// Every kind, in the order of their numbers: the table faces build from.
    pub const ALL: [ErrorKind; 17] = [
        ErrorKind::InvalidArgument,
        ErrorKind::Timeout,
        ErrorKind::Connection,
        ErrorKind::HttpStatus,
        ErrorKind::Decode,
        ErrorKind::ApiError,
        ErrorKind::ErrorConsumingProduct,
        ErrorKind::InvalidAuthorizationKey,
        ErrorKind::InvalidPurchaseToken,
        ErrorKind::MultistoreUnknownError,
        ErrorKind::MultistoreAuthError,
        ErrorKind::NotPaid,
        ErrorKind::AlreadyConsumed,
        ErrorKind::PackageMismatch,
        ErrorKind::ProductMismatch,
        ErrorKind::TestOrder,
        ErrorKind::Internal,
    ];

    /// The kinds a grant check refuses with ([`crate::Purchase::check`]).
    pub const GRANT_REFUSALS: [ErrorKind; 5] = [
        ErrorKind::NotPaid,
        ErrorKind::AlreadyConsumed,
        ErrorKind::PackageMismatch,
        ErrorKind::ProductMismatch,
        ErrorKind::TestOrder,
    ];

    /// The kind's stable name, e.g. `"INVALID_PURCHASE_TOKEN"`.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Connection => "CONNECTION",
            ErrorKind::HttpStatus => "HTTP_STATUS",
            ErrorKind::Decode => "DECODE",
            ErrorKind::ApiError => "API_ERROR",
            ErrorKind::ErrorConsumingProduct => "ERROR_CONSUMING_PRODUCT",
            ErrorKind::InvalidAuthorizationKey => "INVALID_AUTHORIZATION_KEY",
            ErrorKind::InvalidPurchaseToken => "INVALID_PURCHASE_TOKEN",
            ErrorKind::MultistoreUnknownError => "MULTISTORE_UNKNOWN_ERROR",
            ErrorKind::MultistoreAuthError => "MULTISTORE_AUTH_ERROR",
            ErrorKind::NotPaid => "NOT_PAID",
            ErrorKind::AlreadyConsumed => "ALREADY_CONSUMED",
            ErrorKind::PackageMismatch => "PACKAGE_MISMATCH",
            ErrorKind::ProductMismatch => "PRODUCT_MISMATCH",
            ErrorKind::TestOrder => "TEST_ORDER",
            ErrorKind::Internal => "INTERNAL",
        }
    }

    /// The kind's stable number: the vendor's code for API kinds, a local band otherwise
    /// (1: bad input; 100-199: transport; 200: other API errors; 300-399: grant
    /// refusals; 900: a bug in the library). The table is in order of these numbers,
    /// which faces rely on.
    pub const fn code(self) -> u32 {
        match self {
            ErrorKind::InvalidArgument => 1,
            ErrorKind::Timeout => 100,
            ErrorKind::Connection => 101,
            ErrorKind::HttpStatus => 102,
            ErrorKind::Decode => 103,
            ErrorKind::ApiError => 200,
            ErrorKind::ErrorConsumingProduct => 3800,
            ErrorKind::InvalidAuthorizationKey => 3900,
            ErrorKind::InvalidPurchaseToken => 3901,
            ErrorKind::MultistoreUnknownError => 5014,
            ErrorKind::MultistoreAuthError => 5015,
            ErrorKind::NotPaid => 300,
            ErrorKind::AlreadyConsumed => 301,
            ErrorKind::PackageMismatch => 302,
            ErrorKind::ProductMismatch => 303,
            ErrorKind::TestOrder => 304,
            ErrorKind::Internal => 900,
        }
    }

    /// Looks a kind up by its stable name (`"TIMEOUT"`), as faces and test files spell it.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kind an API code maps to (`ApiError` for codes the vendor does not document).
    pub fn from_api_code(code: i64) -> ErrorKind {
        match code {
            3800 => ErrorKind::ErrorConsumingProduct,
            3900 => ErrorKind::InvalidAuthorizationKey,
            3901 => ErrorKind::InvalidPurchaseToken,
            5014 => ErrorKind::MultistoreUnknownError,
            5015 => ErrorKind::MultistoreAuthError,
            _ => ErrorKind::ApiError,
        }
    }

    /// Whether errors of this kind are worth retrying, when that does not depend on the
    /// instance. Two kinds do: `HttpStatus` (only 429 and 5xx are) and `Connection` (a
    /// refused TLS handshake is not); ask [`Error::is_retryable`] of an error.
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::Timeout | ErrorKind::Connection | ErrorKind::MultistoreUnknownError
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every way a call can fail. Its `Display` is a sentence for logs: it never holds the
/// API key, and purchase tokens appear only shortened.
///
/// ```
/// # fn demo(client: &nowgg_payments::Client) {
/// use nowgg_payments::ErrorKind;
/// match client.verify_purchase("-nowgg-abc") {
///     Ok(purchase) => println!("paid: {}", purchase.is_paid()),
///     Err(e) if e.kind() == ErrorKind::InvalidPurchaseToken => println!("forged token"),
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => println!("{}: {e}", e.kind()),
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an envelope whose code is not 0, or `success: false`.
    Api {
        /// The kind the code maps to.
        kind: ErrorKind,
        /// The vendor's code (0 when only `success` was false).
        code: i64,
        /// What went wrong, with the vendor's `codeMsg`.
        message: String,
        /// The HTTP status the envelope came with.
        http_status: u16,
    },
    /// A non-2xx answer that carried no JSON envelope.
    HttpStatus {
        /// The HTTP status.
        status: u16,
        /// The server's `Retry-After`, when it sent one in seconds.
        retry_after: Option<Duration>,
        /// What went wrong, with the start of the body.
        message: String,
    },
    /// The connect or per-attempt deadline passed.
    Timeout {
        /// Which deadline passed.
        message: String,
    },
    /// The connection could not be made or was lost.
    Connection {
        /// What failed.
        message: String,
    },
    /// The TLS handshake failed (the server's certificate is not trusted, or there is no
    /// protocol in common): nothing was sent, and trying again would fail the same way.
    /// Its kind is [`ErrorKind::Connection`], but unlike other connection failures it is
    /// not retryable.
    Tls {
        /// Why the handshake failed.
        message: String,
    },
    /// The answer could not be understood.
    Decode {
        /// What was wrong with it.
        message: String,
        /// The HTTP status it came with, if a response arrived.
        http_status: Option<u16>,
    },
    /// Bad input or configuration, found before any I/O.
    InvalidArgument {
        /// Which argument, and why.
        message: String,
    },
    /// The purchase is genuine but must not be granted: one of
    /// [`ErrorKind::GRANT_REFUSALS`].
    NotGrantable {
        /// Why: `NotPaid`, `AlreadyConsumed`, `PackageMismatch`, `ProductMismatch` or
        /// `TestOrder`.
        kind: ErrorKind,
        /// What the purchase holds, against what the policy asked for.
        message: String,
    },
    /// A bug in this library: a panic was caught before it could reach the caller.
    Internal {
        /// A fixed sentence: the panic's own text may hold data and is only logged.
        message: String,
    },
}

impl Error {
    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidArgument {
            message: message.into(),
        }
    }

    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { kind, .. } => *kind,
            Error::HttpStatus { .. } => ErrorKind::HttpStatus,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Connection { .. } | Error::Tls { .. } => ErrorKind::Connection,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Error::NotGrantable { kind, .. } => *kind,
            Error::Internal { .. } => ErrorKind::Internal,
        }
    }

    /// The vendor's code, for errors that came in an API envelope.
    pub fn api_code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status of the response, when one arrived.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api { http_status, .. } => Some(*http_status),
            Error::HttpStatus { status, .. } => Some(*status),
            Error::Decode { http_status, .. } => *http_status,
            _ => None,
        }
    }

    /// Whether the same call may succeed if made again later: timeouts, connection
    /// failures (but not a failed TLS handshake), HTTP 429 and 5xx, and API code 5014.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::HttpStatus { status, .. } => *status == 429 || *status >= 500,
            Error::Tls { .. } => false,
            other => other.kind().is_retryable(),
        }
    }

    /// The sentence describing the error (the same text `Display` prints).
    pub fn message(&self) -> &str {
        match self {
            Error::Api { message, .. }
            | Error::HttpStatus { message, .. }
            | Error::Timeout { message }
            | Error::Connection { message }
            | Error::Tls { message }
            | Error::Decode { message, .. }
            | Error::InvalidArgument { message }
            | Error::NotGrantable { message, .. }
            | Error::Internal { message } => message,
        }
    }

    /// The error for a panic caught at `place` (what was running). Neither the message
    /// nor this crate's log line holds the panic's own text, which may hold a token or
    /// other data; the process's panic hook has already reported it where panics go.
    pub fn internal(place: &str) -> Error {
        log::error!("bug: {place} panicked");
        Error::Internal {
            message: format!(
                "internal error in nowgg-payments ({place} panicked); please report it"
            ),
        }
    }

    /// The same error, its message prefixed with `context` (what was being done).
    pub(crate) fn context(mut self, context: &str) -> Error {
        match &mut self {
            Error::Api { message, .. }
            | Error::HttpStatus { message, .. }
            | Error::Timeout { message, .. }
            | Error::Connection { message, .. }
            | Error::Tls { message, .. }
            | Error::Decode { message, .. }
            | Error::InvalidArgument { message, .. }
            | Error::NotGrantable { message, .. }
            | Error::Internal { message, .. } => *message = format!("{context}: {message}"),
        }
        self
    }

    /// The server's `Retry-After`, when the error carried one.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::HttpStatus { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

/// The result of every fallible call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
