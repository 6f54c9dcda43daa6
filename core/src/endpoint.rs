//! The URLs calls go to: a checked base URL and the API's paths.

use crate::error::{Error, Result};
use crate::policy;

/// verifyPurchase as the reference's prose (and the No Code page) spell it.
pub(crate) const VERIFY_SELLER: &str = "/v2/seller/order/verifyPurchase";
/// verifyPurchase as the reference's code samples spell it.
pub(crate) const VERIFY_SELLERS: &str = "/v2/sellers/order/verifyPurchase";
/// consumePurchase.
pub(crate) const CONSUME: &str = "/v2/order/consumePurchase";

/// A base URL that passed the transport rules: HTTPS, or HTTP to a loopback host only
/// ([`policy`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BaseUrl(String);

impl BaseUrl {
    pub(crate) fn parse(raw: &str) -> Result<BaseUrl> {
        // Messages quote the URL without any `user:password@`.
        let url = &*without_userinfo(raw);
        if url != raw {
            return Err(Error::invalid(format!(
                "base_url {url:?} must not hold credentials: the API key is the only ones sent"
            )));
        }
        let uri: ureq::http::Uri = url
            .parse()
            .map_err(|_| Error::invalid(format!("base_url {url:?} is not a valid URL")))?;
        let host = uri
            .host()
            .ok_or_else(|| Error::invalid(format!("base_url {url:?} has no host")))?;
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if policy::plain_http_allowed(host) => {}
            Some("http") => {
                return Err(Error::invalid(format!(
                    "base_url {url:?} is plain http to a non-loopback host: use https"
                )))
            }
            _ => {
                return Err(Error::invalid(format!(
                    "base_url {url:?} must start with https://"
                )))
            }
        }
        if uri.query().is_some() {
            return Err(Error::invalid(format!(
                "base_url {url:?} must not have a query"
            )));
        }
        // The URI parser drops a fragment, but `join` appends after it: every call would
        // go to the base's own path (and a query hidden behind `#` would slip through).
        if url.contains('#') {
            return Err(Error::invalid(format!(
                "base_url {url:?} must not have a fragment"
            )));
        }
        Ok(BaseUrl(url.trim_end_matches('/').to_owned()))
    }

    /// The full URL of an API path.
    pub(crate) fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// True for an `http://` base (which `parse` allows to loopback hosts only).
    pub(crate) fn is_plain_http(&self) -> bool {
        self.0.starts_with("http://")
    }
}

/// `url` with the user-info part of its authority (if any) replaced by `***`.
fn without_userinfo(url: &str) -> std::borrow::Cow<'_, str> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    match url[start..end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]).into(),
        None => url.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(BaseUrl::parse("https://payments-api.now.gg").is_ok());
        assert!(BaseUrl::parse("http://127.0.0.1:8080").is_ok());
        assert!(BaseUrl::parse("http://127.9.9.9:1").is_ok());
        assert!(BaseUrl::parse("http://localhost:1/").is_ok());
        assert!(BaseUrl::parse("http://[::1]:8080").is_ok());
        assert!(BaseUrl::parse("http://10.0.0.1").is_err());
        assert!(BaseUrl::parse("http://payments-api.now.gg").is_err());
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("not a url").is_err());
        let err = BaseUrl::parse("https://user:s3cret@gw.example/pay").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        assert!(err.to_string().contains("***@gw.example"), "{err}");
        // Found by fuzz/ (consume_request): joined paths landed in the fragment.
        assert!(BaseUrl::parse("https://gw.example/pay#").is_err());
        assert!(BaseUrl::parse("https://gw.example/#x?y=1").is_err());
    }

    #[test]
    fn join_keeps_a_prefix_and_drops_a_trailing_slash() {
        let base = BaseUrl::parse("https://gw.example/pay/").unwrap();
        assert_eq!(
            base.join(CONSUME),
            "https://gw.example/pay/v2/order/consumePurchase"
        );
    }
}
