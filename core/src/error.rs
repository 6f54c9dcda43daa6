//! One error type for every failure, and the table of error kinds that every face
//! (C, Python, Node) and every error table in the docs is generated from.

use std::fmt;
use std::time::Duration;

/// Declares the kinds of `for_each_error_kind!`'s table: the enum, its table and each
/// kind's name, number, doc, Python class and retry rule, so none of them can drift
/// apart.
macro_rules! error_kinds {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $name:literal, $class:literal, $retry:literal; )*) => {
        /// The class of a failure, as named in DESIGN.md.
        ///
        /// Each kind has a stable name (`name()`) and a stable number (`code()`); faces
        /// expose these directly (Python exception classes, Node `code` strings, C
        /// `nowgg_status` values), so neither may ever change once published. API kinds
        /// carry the vendor's own code as their number; local kinds are grouped in bands
        /// below 1000. Each kind's `doc()` is the one text every face's docs show for it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ErrorKind {
            /// Every kind, in the order of their numbers: the table faces build from.
            pub const ALL: [ErrorKind; KIND_COUNT] = [ $( ErrorKind::$variant, )* ];

            /// The kind's stable name, e.g. `"INVALID_PURCHASE_TOKEN"`.
            pub const fn name(self) -> &'static str {
                match self { $( ErrorKind::$variant => $name, )* }
            }

            /// The kind's stable number: the vendor's code for API kinds, a local band
            /// otherwise (1: bad input; 100-199: transport; 200: other API errors;
            /// 300-399: grant refusals; 900: a bug in the library). The C face's
            /// `nowgg_status` values are these numbers.
            pub const fn code(self) -> u32 {
                match self { $( ErrorKind::$variant => $code, )* }
            }

            /// What an error of this kind means and what to do about it: the text the C
            /// header, the Python classes, the Node types and the READMEs' error table
            /// show for the kind.
            pub const fn doc(self) -> &'static str {
                match self { $( ErrorKind::$variant => concat!($($doc),*).trim_ascii(), )* }
            }

            /// The kind's exception class in the Python face (`InvalidPurchaseToken`).
            pub const fn python_class(self) -> &'static str {
                match self { $( ErrorKind::$variant => $class, )* }
            }

            /// When errors of this kind are retryable, in words for the error tables:
            /// `yes`, `no`, or the condition ([`Error::is_retryable`] decides it).
            pub const fn retryable_when(self) -> &'static str {
                match self { $( ErrorKind::$variant => $retry, )* }
            }
        }
    };
}

/// How many kinds there are (see [`ErrorKind::ALL`]).
pub const KIND_COUNT: usize = 17;

/// The table of kinds, handed to the macro `$callback` (`error_kinds!` here, the C
/// face's declaration of `nowgg_status`), so that no crate restates a kind: each entry
/// is `/// doc` lines, then `Variant = code, "NAME", "PythonClass", "retryable when";`.
/// Not a stable API.
#[doc(hidden)]
#[macro_export]
macro_rules! for_each_error_kind {
    ($callback:ident) => { $callback! {
        /// Bad input or configuration, found before any I/O: a missing or non-UTF-8
        /// argument, an empty token, an unknown store or region, an option out of its range.
        /// Nothing was sent; fix the call.
        InvalidArgument = 1, "INVALID_ARGUMENT", "InvalidArgument", "no";
        /// A deadline passed: the connect timeout, one attempt's timeout, or the whole call's
        /// deadline (in Node, also an `AbortSignal` that fired). A consume that ends so may
        /// still have taken effect: consuming again later is safe.
        Timeout = 100, "TIMEOUT", "Timeout", "yes";
        /// The connection failed: DNS, refused, reset. A failed TLS handshake (an untrusted
        /// certificate, no protocol in common) is this kind too, but is not retryable:
        /// nothing was sent, and trying again would fail the same way.
        Connection = 101, "CONNECTION", "ConnectionFailed", "yes; no for a TLS failure";
        /// A non-2xx answer without the vendor's JSON envelope (a proxy's HTML page, a
        /// gateway's own JSON, a 404). Retryable for 429 and 5xx only.
        HttpStatus = 102, "HTTP_STATUS", "HttpStatusError", "for 429 and 5xx";
        /// An answer that could not be understood: not JSON, a malformed envelope, or a body
        /// over `max_response_bytes`.
        Decode = 103, "DECODE", "DecodeError", "no";
        /// An API code the vendor does not document, or `success: false` with code 0.
        ApiError = 200, "API_ERROR", "ApiError", "no";
        /// Grant check: the purchase is not paid (`purchaseState` is not 1).
        NotPaid = 300, "NOT_PAID", "NotPaid", "no";
        /// Grant check: the purchase is already consumed (`consumptionState` is 1).
        AlreadyConsumed = 301, "ALREADY_CONSUMED", "AlreadyConsumed", "no";
        /// Grant check: the purchase's `packageName` is not the policy's.
        PackageMismatch = 302, "PACKAGE_MISMATCH", "PackageMismatch", "no";
        /// Grant check: the purchase's product (`productId`, else `sellerGoodsId`) is not
        /// one of the policy's.
        ProductMismatch = 303, "PRODUCT_MISMATCH", "ProductMismatch", "no";
        /// Grant check: a test order, and the policy does not allow them.
        TestOrder = 304, "TEST_ORDER", "TestOrder", "no";
        /// A bug in this library (a caught panic); please report it. The message is a fixed
        /// sentence, never the panic's text.
        Internal = 900, "INTERNAL", "Internal", "no";
        /// API code 3800: now.gg refused the consume, and the purchase is not consumed (not
        /// paid). A consume that finds it consumed before does not fail: it ends with the
        /// outcome `already_consumed`.
        ErrorConsumingProduct = 3800, "ERROR_CONSUMING_PRODUCT", "ErrorConsumingProduct", "no";
        /// API code 3900: the Payments API key was refused.
        InvalidAuthorizationKey = 3900, "INVALID_AUTHORIZATION_KEY", "InvalidAuthorizationKey", "no";
        /// API code 3901: the purchase token is unknown (forged, or from another app).
        InvalidPurchaseToken = 3901, "INVALID_PURCHASE_TOKEN", "InvalidPurchaseToken", "no";
        /// API code 5014: a generic error of the multi-store backend; worth retrying.
        MultistoreUnknownError = 5014, "MULTISTORE_UNKNOWN_ERROR", "MultistoreUnknownError", "yes";
        /// API code 5015: the multi-store backend could not authenticate.
        MultistoreAuthError = 5015, "MULTISTORE_AUTH_ERROR", "MultistoreAuthError", "no";
    } };
}

for_each_error_kind!(error_kinds);

// `ALL` is in the order of the numbers, as its doc says and faces rely on.
const _: () = {
    let mut i = 1;
    while i < ErrorKind::ALL.len() {
        assert!(
            ErrorKind::ALL[i - 1].code() < ErrorKind::ALL[i].code(),
            "for_each_error_kind! must list the kinds in the order of their numbers"
        );
        i += 1;
    }
};

impl ErrorKind {
    /// The kinds a grant check refuses with ([`crate::Purchase::check`]).
    pub const GRANT_REFUSALS: [ErrorKind; 5] = [
        ErrorKind::NotPaid,
        ErrorKind::AlreadyConsumed,
        ErrorKind::PackageMismatch,
        ErrorKind::ProductMismatch,
        ErrorKind::TestOrder,
    ];

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
    /// failed TLS handshake is not); ask [`Error::is_retryable`] of an error.
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
    /// A deadline passed: see [`ErrorKind::Timeout`].
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
