//! The client's options as one table: each option's name, unit, default, range and doc.
//! The builder takes its defaults and limits from here, and every face's signatures and
//! option docs are generated from it (`cargo xtask codegen`), each in its own units.

use std::time::Duration;

/// Default per-attempt deadline, connect included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default connect deadline.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Default number of retries after the first attempt of a verify.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default cap on a response body: 1 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
/// Default bound on everything one call does: attempts, backoff, `Retry-After` waits and
/// a consume's reconciling verify.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);
/// Default number of async calls that run at once on the library's threads.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;
/// The longest timeout or deadline accepted: longer ones are a unit mistake.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);
/// The largest count accepted for `max_response_bytes`: the largest integer every
/// face's numbers hold exactly (JavaScript's `Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
/// The most retries accepted.
pub const MAX_RETRIES_LIMIT: u32 = 100;
/// The most async calls in flight accepted (each may hold a thread).
pub const MAX_IN_FLIGHT_LIMIT: usize = 65_536;

/// What an option holds, which decides how each face spells and converts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionUnit {
    /// A string.
    Text,
    /// PEM certificates: text (or, in Python, also bytes).
    Pem,
    /// A length of time: seconds (a float) in Python, milliseconds in Node and C.
    Duration,
    /// A whole number.
    Count,
    /// A whole number of bytes.
    Bytes,
}

/// An option's default value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionDefault {
    /// No value: the option is off, or (for `base_url`) comes from another option.
    Unset,
    /// A string, e.g. the region `global`.
    Text(&'static str),
    /// A length of time.
    Duration(Duration),
    /// A whole number (of bytes, for [`OptionUnit::Bytes`]).
    Count(u64),
}

/// The values an option accepts besides its type's own bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionRange {
    /// Any value of the type.
    Any,
    /// A length of time greater than zero and at most `max`.
    Duration {
        /// The longest accepted.
        max: Duration,
    },
    /// A whole number from `min` to `max`, both included.
    Count {
        /// The smallest accepted.
        min: u64,
        /// The largest accepted.
        max: u64,
    },
}

/// A value for an option of the table, as a face read it from its own language: what
/// [`ClientBuilder::option`](crate::ClientBuilder::option) takes, so a face can apply
/// its options by walking [`OPTIONS`] rather than naming each setter.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionValue {
    /// For a [`OptionUnit::Text`] or [`OptionUnit::Pem`] option.
    Text(String),
    /// For a [`OptionUnit::Duration`] option.
    Duration(Duration),
    /// For a [`OptionUnit::Count`] or [`OptionUnit::Bytes`] option. A number past the
    /// setter's type is past the option's range too: it saturates, and the build
    /// refuses it.
    Count(u64),
}

/// One option of [`ClientBuilder`](crate::ClientBuilder).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientOption {
    /// The option's name in snake_case: the builder's method and Python's keyword
    /// (`connect_timeout`); Node spells it in camelCase, with `Ms` after a duration.
    pub name: &'static str,
    /// The option's key in Node's options object: camelCase, with `Ms` after a duration
    /// (`connectTimeoutMs`).
    pub node_name: &'static str,
    /// What the option holds.
    pub unit: OptionUnit,
    /// Its value when not given.
    pub default: OptionDefault,
    /// The values accepted; others are `INVALID_ARGUMENT`.
    pub range: OptionRange,
    /// What it does, in words every face's docs show (without units, which each face
    /// adds in its own).
    pub doc: &'static str,
}

impl ClientOption {
    /// The default as a duration (zero for an option without one).
    pub const fn default_duration(&self) -> Duration {
        match self.default {
            OptionDefault::Duration(d) => d,
            _ => Duration::ZERO,
        }
    }

    /// The default as a number (zero for an option without one).
    pub const fn default_count(&self) -> u64 {
        match self.default {
            OptionDefault::Count(n) => n,
            _ => 0,
        }
    }

    /// Looks an option up by its snake_case name.
    pub fn named(name: &str) -> Option<&'static ClientOption> {
        OPTIONS.iter().find(|option| option.name == name)
    }
}

/// An option without a default or a range: a text, off unless given.
const fn text(
    [name, node_name]: [&'static str; 2],
    unit: OptionUnit,
    doc: &'static str,
) -> ClientOption {
    ClientOption {
        name,
        node_name,
        unit,
        default: OptionDefault::Unset,
        range: OptionRange::Any,
        doc,
    }
}

/// A length of time, more than zero and at most [`MAX_DURATION`].
const fn duration(names: [&'static str; 2], default: Duration, doc: &'static str) -> ClientOption {
    ClientOption {
        default: OptionDefault::Duration(default),
        range: OptionRange::Duration { max: MAX_DURATION },
        ..text(names, OptionUnit::Duration, doc)
    }
}

/// A whole number from `min` to `max`.
const fn count(
    names: [&'static str; 2],
    unit: OptionUnit,
    [default, min, max]: [u64; 3],
    doc: &'static str,
) -> ClientOption {
    ClientOption {
        default: OptionDefault::Count(default),
        range: OptionRange::Count { min, max },
        ..text(names, unit, doc)
    }
}

/// Every option of the builder besides the API key, in the order faces list them.
pub const OPTIONS: [ClientOption; 11] = [
    ClientOption {
        default: OptionDefault::Text("global"),
        ..text(
            ["region", "region"],
            OptionUnit::Text,
            "The region whose API to call: `global` or `china` (case is ignored); \
             ignored when a base URL is set.",
        )
    },
    text(
        ["base_url", "baseUrl"],
        OptionUnit::Text,
        "A base URL instead of the region's: `https://...`, or `http://` to a loopback \
         host only (the sandbox). A path prefix is kept.",
    ),
    duration(
        ["timeout", "timeoutMs"],
        DEFAULT_TIMEOUT,
        "The deadline of one attempt, connect and response body included.",
    ),
    duration(
        ["connect_timeout", "connectTimeoutMs"],
        DEFAULT_CONNECT_TIMEOUT,
        "The deadline to connect, TLS included.",
    ),
    count(
        ["max_retries", "maxRetries"],
        OptionUnit::Count,
        [DEFAULT_MAX_RETRIES as u64, 0, MAX_RETRIES_LIMIT as u64],
        "How many times a verify is retried after a retryable failure. A consume's \
         request is never sent twice in one call.",
    ),
    duration(
        ["deadline", "deadlineMs"],
        DEFAULT_DEADLINE,
        "The bound on everything one call does: attempts, backoff, `Retry-After` waits \
         and a consume's reconciling verify. Past it the call ends with `TIMEOUT`; each \
         attempt also keeps its own timeout.",
    ),
    count(
        ["max_in_flight", "maxInFlight"],
        OptionUnit::Count,
        [DEFAULT_MAX_IN_FLIGHT as u64, 1, MAX_IN_FLIGHT_LIMIT as u64],
        "How many async calls run at once, each on a thread of the library's own \
         (started on demand, ended when idle); further calls wait in order. Blocking \
         calls are not counted: they run on the caller's thread.",
    ),
    text(
        ["user_agent", "userAgent"],
        OptionUnit::Text,
        "Text appended to the `User-Agent`, e.g. your game's name and version.",
    ),
    text(
        ["proxy", "proxy"],
        OptionUnit::Text,
        "An HTTP(S) proxy URL, e.g. `http://proxy.internal:3128`. A SOCKS proxy is \
         refused, and so is a proxy with a plain-http base URL (the API key would cross \
         it in cleartext).",
    ),
    text(
        ["ca_certs", "caCerts"],
        OptionUnit::Pem,
        "Extra root certificates (PEM), trusted besides the built-in Mozilla roots: for \
         a TLS-inspecting proxy or the sandbox's `--tls` mode.",
    ),
    count(
        ["max_response_bytes", "maxResponseBytes"],
        OptionUnit::Bytes,
        [DEFAULT_MAX_RESPONSE_BYTES, 1, MAX_SAFE_INTEGER],
        "The largest response body accepted; a larger one is `DECODE`.",
    ),
];
