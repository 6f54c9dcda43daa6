//! `nowgg_config`: the options of a client, set one by one, checked by
//! `nowgg_client_new`.

use std::ffi::{c_char, c_void};
use std::mem;
use std::time::Duration;

use nowgg::{Client, ClientBuilder, Error, Region};

use crate::error::nowgg_error;
use crate::handle::{borrow_mut, out_slot, BoxHandle};
use crate::report::{nowgg_report_callback, nowgg_user_data_free, Listener};
use crate::status::nowgg_status;
use crate::text;

/// The options of a client: a builder.
///
/// Ownership: made by `nowgg_config_new`, owned by the caller, freed with
/// `nowgg_config_free` (at most once). `nowgg_client_new` only reads it, so one config
/// can build several clients and must still be freed.
///
/// Thread-safety: not synchronised. Use it from one thread at a time (it may move
/// between threads).
pub struct nowgg_config {
    builder: ClientBuilder,
}

impl BoxHandle for nowgg_config {}

impl nowgg_config {
    pub(crate) fn builder(&self) -> &ClientBuilder {
        &self.builder
    }
}

/// Applies one option to the config behind `config` (NULL is `INVALID_ARGUMENT`).
unsafe fn update(
    config: *mut nowgg_config,
    change: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Result<(), Error> {
    let config = borrow_mut(config, "config")?;
    let builder = mem::replace(&mut config.builder, Client::builder(String::new()));
    config.builder = change(builder);
    Ok(())
}

/// Starts a config with the Payments API key from nowStudio; every other option has its
/// default (region global, timeout 10 s, connect timeout 3 s, 2 retries, deadline 30 s,
/// 512 async calls in flight, 1 MiB cap). The library checks every value when the client
/// is built, with the same limits in every language it serves.
///
/// On success writes a new config to `*config_out`. The key is checked by
/// `nowgg_client_new`; it is never echoed in an error.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_new(
    api_key: *const c_char,
    config_out: *mut *mut nowgg_config,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let api_key = text::required(api_key, "api_key")?;
        let out = out_slot(config_out, "config_out")?;
        *out = nowgg_config { builder: Client::builder(api_key) }.into_raw();
        Ok(())
    }
}

/// Sets the region whose API to call: `"global"` (the default) or `"china"`, in any
/// case. Ignored when a base URL is set.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_region(
    config: *mut nowgg_config,
    region: *const c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let region: Region = text::required(region, "region")?.parse()?;
        update(config, |b| b.region(region))
    }
}

/// Sets a base URL instead of the region's: `https://...`, or `http://` to a loopback
/// host only (the sandbox). Checked by `nowgg_client_new`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_base_url(
    config: *mut nowgg_config,
    base_url: *const c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let url = text::required(base_url, "base_url")?;
        update(config, |b| b.base_url(url))
    }
}

/// Sets the deadline of one attempt, connect and response included, in milliseconds
/// (default 10000; 0 and more than a day are refused by `nowgg_client_new`).
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_timeout_ms(
    config: *mut nowgg_config,
    timeout_ms: u64,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        update(config, |b| b.timeout(Duration::from_millis(timeout_ms)))
    }
}

/// Sets the deadline to connect, TLS included, in milliseconds (default 3000; 0 and more
/// than a day are refused by `nowgg_client_new`).
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_connect_timeout_ms(
    config: *mut nowgg_config,
    timeout_ms: u64,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        update(config, |b| b.connect_timeout(Duration::from_millis(timeout_ms)))
    }
}

/// Sets how many times a verify is retried after a retryable failure (default 2, at
/// most 100). A consume's request is never sent twice in one call.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_max_retries(
    config: *mut nowgg_config,
    max_retries: u32,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        update(config, |b| b.max_retries(max_retries))
    }
}

/// Sets the bound on everything one call does, in milliseconds (default 30000; 0 and
/// more than a day are refused by `nowgg_client_new`): attempts, backoff, `Retry-After`
/// waits and a consume's reconciling verify. Past it the call fails with
/// `NOWGG_TIMEOUT`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_deadline_ms(
    config: *mut nowgg_config,
    deadline_ms: u64,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        update(config, |b| b.deadline(Duration::from_millis(deadline_ms)))
    }
}

/// Sets how many `_async` calls run at once, each on a thread of the library's own
/// (default 512; 1 to 65536, checked by `nowgg_client_new`). Further calls wait in
/// order. Blocking calls are not counted: they run on the caller's thread.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_max_in_flight(
    config: *mut nowgg_config,
    max_in_flight: u32,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let calls = usize::try_from(max_in_flight).unwrap_or(usize::MAX);
        update(config, |b| b.max_in_flight(calls))
    }
}

/// Sets text appended to the `User-Agent` header (e.g. your game's name and version).
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_user_agent(
    config: *mut nowgg_config,
    user_agent: *const c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let suffix = text::required(user_agent, "user_agent")?;
        update(config, |b| b.user_agent(suffix))
    }
}

/// Sets an HTTP(S) proxy URL, reached with CONNECT, e.g. `"http://proxy.internal:3128"`.
/// SOCKS proxies are refused by `nowgg_client_new` (this build has no SOCKS support), as
/// is any proxy with a plain-http base URL (the key would cross the proxy in clear).
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_proxy(
    config: *mut nowgg_config,
    proxy: *const c_char,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let url = text::required(proxy, "proxy")?;
        update(config, |b| b.proxy(url))
    }
}

/// Adds root certificates (PEM, `pem_len` bytes at `pem`; no NUL needed), trusted in
/// addition to the built-in Mozilla roots: for a TLS-inspecting proxy or the sandbox's
/// `--tls` mode. May be called repeatedly. The bytes are copied.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_add_ca_certs_pem(
    config: *mut nowgg_config,
    pem: *const u8,
    pem_len: usize,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        if pem.is_null() {
            return Err(text::invalid("pem is NULL".into()));
        }
        let pem = std::slice::from_raw_parts(pem, pem_len);
        update(config, |b| b.ca_certs_pem(pem))
    }
}

/// Sets the largest response body accepted, in bytes (default 1 MiB; 1 to 2^53 - 1); a
/// larger body fails with `NOWGG_DECODE`.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_max_response_bytes(
    config: *mut nowgg_config,
    max_response_bytes: u64,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        update(config, |b| b.max_response_bytes(max_response_bytes))
    }
}

/// Sets a callback given the report of every call a client built from this config makes
/// (`nowgg_call_report`: its attempts, the waits between them and why, its outcome), for
/// metrics and traces. See `nowgg_report_callback` for where and when it runs. Setting
/// it again replaces it. Without one, no report is built. A NULL `callback` is
/// `NOWGG_INVALID_ARGUMENT`.
///
/// `free_user_data` (may be NULL) is called with `user_data` once, on some thread, when
/// nothing can call `callback` any more (see `nowgg_user_data_free`), and at once when
/// this call fails: either way the library owns `user_data`'s release from here on.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_set_report_callback(
    config: *mut nowgg_config,
    callback: nowgg_report_callback,
    user_data: *mut c_void,
    free_user_data: nowgg_user_data_free,
    err_out: *mut *mut nowgg_error,
) -> nowgg_status {
    ffi_panic_boundary! { err_out = err_out;
        let listener = Listener::new(callback, user_data, free_user_data)?;
        update(config, |b| b.on_report(move |report| listener.hear(report)))
    }
}

/// Frees a config. NULL is ignored. Call it at most once per config; clients built from
/// it are not affected.
#[no_mangle]
pub unsafe extern "C" fn nowgg_config_free(config: *mut nowgg_config) {
    ffi_panic_boundary! {
        nowgg_config::free(config)
    }
}
