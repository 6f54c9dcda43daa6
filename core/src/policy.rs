//! Where the API key may travel in clear: plain `http://` is for the sandbox and tests,
//! so only to loopback, and never through a proxy.
//!
//! The rule is checked twice, for two reasons. When the client is built, a base URL's
//! host must be a loopback IP literal or `localhost` ([`plain_http_allowed`]), and a
//! proxy is refused with it ([`proxy_allowed`]): building does no I/O. At connect time,
//! every address a plain-http host resolved to must be loopback
//! ([`plain_http_addresses_allowed`]): `localhost` is loopback by name only, the system
//! resolver decides its addresses, and they can change after the client is built (the
//! hosts file, DNS, the resolver cache's next lookup).

use std::net::{IpAddr, SocketAddr};

use crate::error::{Error, Result};

/// Whether a base URL's `host` may be called over plain http: a loopback IP literal, or
/// `localhost` (whose addresses are checked again at connect time).
pub(crate) fn plain_http_allowed(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Refuses a proxy for a plain-http base URL: the request, key included, would cross the
/// proxy in cleartext, to the proxy's own loopback at that.
pub(crate) fn proxy_allowed(base_is_plain_http: bool) -> Result<()> {
    if base_is_plain_http {
        return Err(Error::invalid(
            "a proxy cannot be used with a plain http:// base_url: the API key would cross \
             the proxy in cleartext",
        ));
    }
    Ok(())
}

/// Refuses to connect over plain http to `host` when any of the `addrs` it resolved to
/// is not loopback; HTTPS may go anywhere. Says why, for the connect error.
pub(crate) fn plain_http_addresses_allowed(
    scheme: Option<&str>,
    host: &str,
    addrs: &[SocketAddr],
) -> std::result::Result<(), String> {
    if scheme != Some("http") {
        return Ok(());
    }
    match addrs.iter().find(|addr| !addr.ip().is_loopback()) {
        None => Ok(()),
        Some(addr) => Err(format!(
            "plain http is allowed to loopback addresses only, and {host} resolves to {}",
            addr.ip()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn plain_http_hosts_are_loopback_literals_or_localhost() {
        for host in ["127.0.0.1", "127.9.9.9", "localhost", "LocalHost", "[::1]"] {
            assert!(plain_http_allowed(host), "{host}");
        }
        for host in [
            "10.0.0.1",
            "payments-api.now.gg",
            "localhost.example",
            "[::2]",
        ] {
            assert!(!plain_http_allowed(host), "{host}");
        }
    }

    #[test]
    fn plain_http_names_must_resolve_to_loopback_only() {
        let check = plain_http_addresses_allowed;
        let loopback = addrs(&["127.0.0.1:8080", "[::1]:8080"]);
        assert!(check(Some("http"), "localhost", &loopback).is_ok());
        // A hosts file or DNS server that points `localhost` elsewhere, even in part.
        let elsewhere = addrs(&["127.0.0.1:8080", "192.0.2.1:8080"]);
        let why = check(Some("http"), "localhost", &elsewhere).unwrap_err();
        assert!(why.contains("localhost resolves to 192.0.2.1"), "{why}");
        // HTTPS may go anywhere.
        assert!(check(Some("https"), "localhost", &elsewhere).is_ok());
    }
}
