//! Name resolution without a thread per request.
//!
//! ureq's default resolver, whenever a deadline is set (and ours always is), runs every
//! lookup on a freshly spawned thread so it can give up on it, even for an IP literal
//! and even when the request then reuses a pooled connection. Measured with 256 calls in
//! flight at 20 ms: 220 µs of CPU per call against 92 with this resolver, and half the
//! calls per second; on loopback, 124 against 46 µs sequentially. A client talks
//! to one host, so: IP literals need no lookup at all, and a name's addresses are kept
//! for a short while, looked up again (by ureq's resolver, deadline and all) when stale.
//!
//! This uses ureq's `unversioned` resolver API, which may change in a minor release:
//! the workspace pins ureq to 3.5.x for that reason.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long looked-up addresses are reused: short enough to follow a DNS change of the
/// API's load balancer within a minute.
const TTL: Duration = Duration::from_secs(30);

/// ureq's resolver, with IP literals answered directly and names cached for [`TTL`].
#[derive(Debug)]
pub(crate) struct CachingResolver {
    lookup: Box<dyn Resolver>,
    cache: DnsCache,
}

impl Default for CachingResolver {
    fn default() -> CachingResolver {
        CachingResolver::with_lookup(DefaultResolver::default())
    }
}

impl CachingResolver {
    /// A resolver that looks names up with `lookup` (ureq's own, but for tests).
    fn with_lookup(lookup: impl Resolver) -> CachingResolver {
        CachingResolver {
            lookup: Box::new(lookup),
            cache: DnsCache::default(),
        }
    }

    /// The cache, shared with the connector so that it can evict addresses it could not
    /// connect to.
    pub(crate) fn cache(&self) -> DnsCache {
        self.cache.clone()
    }
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
        if let Some(addrs) = self.cache.fresh(authority) {
            return Ok(addrs);
        }
        // Looked up with the lock released, so one slow lookup never stalls other threads'
        // cache hits for other hosts (a proxy) or queues them behind its deadline.
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        self.cache.store(authority, &addrs);
        Ok(addrs)
    }
}

/// The one host name a client looks up, with its addresses: shared by the resolver,
/// which fills it, and the connector, which empties it when none of them connects.
#[derive(Clone, Debug, Default)]
pub(crate) struct DnsCache(Arc<Mutex<Option<Cached>>>);

#[derive(Debug)]
struct Cached {
    authority: String,
    at: Instant,
    addrs: ResolvedSocketAddrs,
}

impl DnsCache {
    fn lock(&self) -> MutexGuard<'_, Option<Cached>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The addresses of `authority`, if looked up less than [`TTL`] ago.
    fn fresh(&self, authority: &str) -> Option<ResolvedSocketAddrs> {
        let cached = self.lock();
        let hit = cached.as_ref()?;
        (hit.authority == authority && hit.at.elapsed() < TTL).then(|| hit.addrs.clone())
    }

    fn store(&self, authority: &str, addrs: &ResolvedSocketAddrs) {
        *self.lock() = Some(Cached {
            authority: authority.to_owned(),
            at: Instant::now(),
            addrs: addrs.clone(),
        });
    }

    /// Forgets the cached addresses if they are `addrs`, none of which could be connected
    /// to: the host may have moved, so the next call looks its name up again instead of
    /// failing on the same addresses until the entry expires.
    pub(crate) fn evict(&self, addrs: &[SocketAddr]) {
        let mut cached = self.lock();
        if cached.as_ref().is_some_and(|hit| hit.addrs[..] == *addrs) {
            *cached = None;
        }
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
pub(crate) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A lookup that answers `addrs` for any name and counts the lookups it made.
    #[derive(Debug, Default)]
    pub(crate) struct FixedLookup {
        pub addrs: Vec<SocketAddr>,
        pub lookups: Arc<AtomicUsize>,
    }

    impl Resolver for FixedLookup {
        fn resolve(
            &self,
            _: &Uri,
            _: &Config,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            let mut addrs = self.empty();
            for addr in &self.addrs {
                addrs.push(*addr);
            }
            Ok(addrs)
        }
    }

    /// A caching resolver whose lookups answer `addrs`, and its lookup count.
    pub(crate) fn fixed(addrs: &[&str]) -> (CachingResolver, Arc<AtomicUsize>) {
        let lookup = FixedLookup {
            addrs: addrs.iter().map(|a| a.parse().unwrap()).collect(),
            lookups: Arc::default(),
        };
        let lookups = lookup.lookups.clone();
        (CachingResolver::with_lookup(lookup), lookups)
    }

    fn resolve(resolver: &CachingResolver, uri: &str) -> Result<Vec<SocketAddr>, ureq::Error> {
        let uri: Uri = uri.parse().unwrap();
        let addrs = resolver.resolve(&uri, &Config::default(), NextTimeout::default())?;
        Ok(addrs.to_vec())
    }

    #[test]
    fn ip_literals_need_no_lookup() {
        let uri: Uri = "http://127.0.0.1:8080/v2/x".parse().unwrap();
        assert_eq!(literal(&uri), Some("127.0.0.1:8080".parse().unwrap()));
        let uri: Uri = "https://[::1]/x".parse().unwrap();
        assert_eq!(literal(&uri), Some("[::1]:443".parse().unwrap()));
        let uri: Uri = "https://payments-api.now.gg/x".parse().unwrap();
        assert_eq!(literal(&uri), None);
        let (resolver, lookups) = fixed(&["192.0.2.1:443"]);
        resolve(&resolver, "https://192.0.2.7/x").unwrap();
        assert_eq!(lookups.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn names_are_looked_up_once_then_cached() {
        let (resolver, lookups) = fixed(&["192.0.2.1:443", "192.0.2.2:443"]);
        let first = resolve(&resolver, "https://gw.example/v2/a").unwrap();
        let again = resolve(&resolver, "https://gw.example/v2/b").unwrap();
        assert_eq!(first, again);
        assert_eq!(lookups.load(Ordering::SeqCst), 1);
        // Another host (a proxy, say) replaces the entry.
        resolve(&resolver, "https://other.example/").unwrap();
        resolve(&resolver, "https://gw.example/").unwrap();
        assert_eq!(lookups.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn evicted_addresses_are_looked_up_again() {
        let (resolver, lookups) = fixed(&["192.0.2.1:443"]);
        let addrs = resolve(&resolver, "https://gw.example/").unwrap();
        // Other addresses than the cached ones leave the entry alone.
        resolver.cache().evict(&["192.0.2.9:443".parse().unwrap()]);
        resolve(&resolver, "https://gw.example/").unwrap();
        assert_eq!(lookups.load(Ordering::SeqCst), 1);
        resolver.cache().evict(&addrs);
        resolve(&resolver, "https://gw.example/").unwrap();
        assert_eq!(lookups.load(Ordering::SeqCst), 2);
    }
}
