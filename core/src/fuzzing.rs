//! Entry points for the fuzz targets in `fuzz/` (cargo feature `fuzzing`; not a stable
//! API). Each one is a thin call into the crate's internals, so the targets exercise the
//! code the client runs rather than a copy of it.

use std::time::Duration;

use crate::endpoint::{BaseUrl, CONSUME, VERIFY_SELLER, VERIFY_SELLERS};
use crate::envelope::{self, Secrets};
use crate::{ConsumeRequest, Error, Purchase};

/// Reads a verifyPurchase answer as the client does: the envelope, then its `data` as a
/// [`Purchase`] (`None` when the envelope carries no data object).
pub fn decode_purchase(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    api_key: &str,
    token: &str,
) -> Result<Option<Purchase>, Error> {
    let secrets = Secrets { api_key, token };
    Ok(envelope::decode(status, retry_after, body, &secrets)?.map(Purchase::from_data))
}

/// The form fields a consumePurchase sends, after the request's checks.
pub fn consume_form(request: &ConsumeRequest) -> Result<Vec<(&'static str, &str)>, Error> {
    request.form()
}

/// The check every purchase token passes before any I/O.
pub fn validate_token(token: &str) -> Result<(), Error> {
    crate::validate::token(token)
}

/// The check the API key passes when a client is built.
pub fn validate_api_key(key: &str) -> Result<(), Error> {
    crate::validate::api_key(key)
}

/// The URLs a client built with this base URL calls: verify (`seller`, `sellers`), then
/// consume.
pub fn endpoint_urls(base_url: &str) -> Result<[String; 3], Error> {
    let base = BaseUrl::parse(base_url)?;
    Ok([VERIFY_SELLER, VERIFY_SELLERS, CONSUME].map(|path| base.join(path)))
}
