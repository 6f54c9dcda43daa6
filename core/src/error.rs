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
}

impl ErrorKind {
    /// Every kind, in the order of their numbers: the table faces build from.
    pub const ALL: [ErrorKind; 11] = [
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
        }
    }

    /// The kind's stable number: the vendor's code for API kinds, a local band otherwise
    /// (1: bad input; 100-199: transport; 200: other API errors).
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
    /// instance (`HttpStatus` does: only 429 and 5xx are; see [`Error::is_retryable`]).
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
            Error::Connection { .. } => ErrorKind::Connection,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
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
    /// failures, HTTP 429 and 5xx, and API code 5014.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::HttpStatus { status, .. } => *status == 429 || *status >= 500,
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
            | Error::Decode { message, .. }
            | Error::InvalidArgument { message } => message,
        }
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
