//! Name resolution without a thread per request.
//!
//! ureq's default resolver, whenever a deadline is set (and ours always is), runs every
//! lookup on a freshly spawned thread so it can give up on it, even for an IP literal
//! and even when the request then reuses a pooled connection. On a busy 2-core server
//! that spawn costs milliseconds at p99 and dominated loopback benchmarks. A client talks
//! to one host, so: IP literals need no lookup at all, and a name's addresses are kept
//! for a short while, looked up again (by ureq's resolver, deadline and all) when stale.
//!
//! This uses ureq's `unversioned` resolver API, which may change in a minor release:
//! the workspace pins ureq to 3.5.x for that reason.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long looked-up addresses are reused: short enough to follow a DNS change of the
/// API's load balancer within a minute.
const TTL: Duration = Duration::from_secs(30);

/// ureq's resolver, with IP literals answered directly and names cached for [`TTL`].
#[derive(Debug, Default)]
pub(crate) struct CachingResolver {
    lookup: DefaultResolver,
    cached: Mutex<Option<Cached>>,
}

#[derive(Debug)]
struct Cached {
    authority: String,
    at: Instant,
    addrs: ResolvedSocketAddrs,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        if let Some(addr) = literal(uri) {
            let mut addrs = self.empty();
            addrs.push(addr);
            return Ok(addrs);
        }
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
        let mut cached = self
            .cached
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(hit) = cached.as_ref() {
            if hit.authority == authority && hit.at.elapsed() < TTL {
                return Ok(hit.addrs.clone());
            }
        }
        // Looked up with the lock released, so one slow lookup never stalls other threads'
        // cache hits for other hosts (a proxy) or queues them behind its deadline.
        drop(cached);
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        cached = self
            .cached
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *cached = Some(Cached {
            authority: authority.to_owned(),
            at: Instant::now(),
            addrs: addrs.clone(),
        });
        Ok(addrs)
    }
}

/// The socket address of a URI whose host is an IP literal.
fn literal(uri: &Uri) -> Option<SocketAddr> {
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = host.parse().ok()?;
    let port = uri.port_u16().or_else(|| match uri.scheme_str()? {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })?;
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_need_no_lookup() {
        let uri: Uri = "http://127.0.0.1:8080/v2/x".parse().unwrap();
        assert_eq!(literal(&uri), Some("127.0.0.1:8080".parse().unwrap()));
        let uri: Uri = "https://[::1]/x".parse().unwrap();
        assert_eq!(literal(&uri), Some("[::1]:443".parse().unwrap()));
        let uri: Uri = "https://payments-api.now.gg/x".parse().unwrap();
        assert_eq!(literal(&uri), None);
    }

    #[test]
    fn names_are_looked_up_once_then_cached() {
        let resolver = CachingResolver::default();
        let uri: Uri = "http://localhost:8080/".parse().unwrap();
        let config = Config::default();
        let first = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap();
        assert!(first
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 8080));
        let again = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap();
        assert_eq!(&first[..], &again[..]);
        assert!(resolver.cached.lock().unwrap().is_some());
    }
}
