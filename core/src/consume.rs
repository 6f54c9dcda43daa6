//! A consumePurchase call: what it sends (the store the purchase came from, and the
//! fields multi-store purchases need), and what a failed one means once a verify of the
//! same purchase says whether it is consumed.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};
use crate::purchase::Purchase;
use crate::redact::short_token;
use crate::transport::Failure;
use crate::validate::{self, MAX_CURRENCY_LEN, MAX_DEVELOPER_PAYLOAD_LEN, MAX_PRODUCT_ID_LEN};

/// The store a purchase was made in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Store {
    /// now.gg itself (the default: no `type` is sent).
    #[default]
    Nowgg,
    /// Xiaomi (multi-store: `productId` required).
    Xiaomi,
    /// ONEStore (multi-store: `productId` required).
    Onestore,
    /// Amazon: consumed on the client only, never server-side.
    Amazon,
    /// Huawei: consumed on the client only, never server-side.
    Huawei,
}

impl Store {
    /// The store's name as the API and every face spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Store::Nowgg => "nowgg",
            Store::Xiaomi => "xiaomi",
            Store::Onestore => "onestore",
            Store::Amazon => "amazon",
            Store::Huawei => "huawei",
        }
    }

    /// Whether the store's purchases are consumed through a multi-store `type`.
    const fn is_multistore(self) -> bool {
        matches!(self, Store::Xiaomi | Store::Onestore)
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Store {
    type Err = Error;

    /// Parses a store name, ignoring ASCII case (`"nowgg"`, `"Xiaomi"`, ...).
    fn from_str(name: &str) -> Result<Store, Error> {
        [
            Store::Nowgg,
            Store::Xiaomi,
            Store::Onestore,
            Store::Amazon,
            Store::Huawei,
        ]
        .into_iter()
        .find(|store| store.as_str().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            Error::invalid(format!(
                "unknown store {name:?}: expected nowgg, xiaomi, onestore, amazon or huawei"
            ))
        })
    }
}

/// A consumePurchase call.
///
/// ```
/// use nowgg_payments::{ConsumeRequest, Store};
/// let nowgg = ConsumeRequest::new("-nowgg-4f1c");
/// let xiaomi = ConsumeRequest::new("PFR2511...")
///     .store(Store::Xiaomi)
///     .product_id("gems_100")
///     .currency("EUR");
/// # let _ = (nowgg, xiaomi);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ConsumeRequest {
    pub(crate) token: String,
    pub(crate) store: Store,
    pub(crate) product_id: Option<String>,
    pub(crate) currency: Option<String>,
    pub(crate) developer_payload: Option<String>,
}

impl ConsumeRequest {
    /// A request to consume the purchase with this token, from the now.gg store.
    pub fn new(token: impl Into<String>) -> ConsumeRequest {
        ConsumeRequest {
            token: token.into(),
            store: Store::Nowgg,
            product_id: None,
            currency: None,
            developer_payload: None,
        }
    }

    /// The store the purchase was made in.
    pub fn store(mut self, store: Store) -> ConsumeRequest {
        self.store = store;
        self
    }

    /// The product id: required for xiaomi and onestore.
    pub fn product_id(mut self, product_id: impl Into<String>) -> ConsumeRequest {
        self.product_id = Some(product_id.into());
        self
    }

    /// The purchase's currency (multi-store).
    pub fn currency(mut self, currency: impl Into<String>) -> ConsumeRequest {
        self.currency = Some(currency.into());
        self
    }

    /// A string of the developer's (multi-store, optional).
    pub fn developer_payload(mut self, payload: impl Into<String>) -> ConsumeRequest {
        self.developer_payload = Some(payload.into());
        self
    }

    /// The token this request consumes.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The form fields to send, after checking the store's rules.
    pub(crate) fn form(&self) -> Result<Vec<(&'static str, &str)>, Error> {
        validate::token(&self.token)?;
        if matches!(self.store, Store::Amazon | Store::Huawei) {
            return Err(Error::invalid(format!(
                "{} purchases cannot be consumed server-side: consume them on the client",
                self.store
            )));
        }
        let product_id = self.product_id.as_deref();
        if self.store.is_multistore() && product_id.is_none_or(str::is_empty) {
            return Err(Error::invalid(format!(
                "product_id is required to consume a {} purchase",
                self.store
            )));
        }
        // (form name, name in messages as every face's snake_case spells it, limit)
        let optional = [
            ("productId", "product_id", product_id, MAX_PRODUCT_ID_LEN),
            (
                "currency",
                "currency",
                self.currency.as_deref(),
                MAX_CURRENCY_LEN,
            ),
            (
                "developerPayload",
                "developer_payload",
                self.developer_payload.as_deref(),
                MAX_DEVELOPER_PAYLOAD_LEN,
            ),
        ];
        let mut form = vec![("purchaseToken", self.token.as_str())];
        for (form_name, name, value, max_len) in optional {
            if let Some(value) = value {
                validate::field(name, value, max_len)?;
                form.push((form_name, value));
            }
        }
        if self.store.is_multistore() {
            form.push(("type", self.store.as_str()));
        }
        Ok(form)
    }
}

impl fmt::Debug for ConsumeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumeRequest")
            .field("token", &short_token(&self.token))
            .field("store", &self.store)
            .field("product_id", &self.product_id)
            .field("currency", &self.currency)
            .field("developer_payload", &self.developer_payload)
            .finish()
    }
}

/// How a consume ended well: either way the purchase is now consumed.
///
/// Consume means "make sure it is consumed" and is safe to call again: only the grant
/// record in your own database (keyed by `orderId`) says whether the product was
/// delivered, never this outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConsumeOutcome {
    /// This request consumed the purchase.
    Consumed,
    /// The purchase was consumed before this call, or this call's answer was lost and
    /// a verify shows it consumed.
    AlreadyConsumed,
}

impl ConsumeOutcome {
    /// The outcome as every face spells it: `consumed` or `already_consumed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConsumeOutcome::Consumed => "consumed",
            ConsumeOutcome::AlreadyConsumed => "already_consumed",
        }
    }
}

impl fmt::Display for ConsumeOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a consume of `token` that ended in `failure` means, asking `verify` (a verify of
/// the same token, within the call's deadline) only when the answer leaves it open:
///
/// - 3800: consumed before (`AlreadyConsumed`), or not consumable, not paid (the 3800);
/// - an answer that was lost after the request may have gone out: `AlreadyConsumed` if
///   the verify shows it consumed, else a retryable error saying so;
/// - anything else is the consume's own error. The request is never sent again here.
pub(crate) fn reconcile(
    token: &str,
    failure: Failure,
    verify: impl FnOnce() -> Result<Purchase>,
) -> Result<ConsumeOutcome> {
    if failure.error.kind() == ErrorKind::ErrorConsumingProduct {
        // Consumed before, or not consumable (not paid): only a verify tells which.
        return match verify() {
            Ok(purchase) if purchase.is_consumed() => Ok(ConsumeOutcome::AlreadyConsumed),
            Err(e) if e.is_retryable() => Err(e.context(
                "consume answered 3800 and the verify that tells consumed from unpaid failed",
            )),
            _ => Err(failure.error),
        };
    }
    if !failure.maybe_delivered {
        return Err(failure.error);
    }
    log::info!(
        "consume of {} ended without a clear answer ({}); verifying whether it took effect",
        short_token(token),
        failure.error.kind()
    );
    match verify() {
        Ok(purchase) if purchase.is_consumed() => {
            log::info!("consume of {} took effect", short_token(token));
            Ok(ConsumeOutcome::AlreadyConsumed)
        }
        Ok(_) => Err(failure.error),
        // Nothing proves it consumed: answer with an error that says "try again".
        Err(verify) => {
            let (error, other) = if failure.error.is_retryable() || !verify.is_retryable() {
                (failure.error, verify)
            } else {
                (verify, failure.error)
            };
            Err(error.context(&format!(
                "consume's answer was lost ({}) and the verify that would show whether it \
                 took effect failed too",
                other.kind()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn nowgg_sends_only_the_token() {
        let req = ConsumeRequest::new("-nowgg-abc");
        let form = req.form().unwrap();
        assert_eq!(form, vec![("purchaseToken", "-nowgg-abc")]);
    }

    #[test]
    fn multistore_sends_type_and_requires_product_id() {
        let req = ConsumeRequest::new("t1").store(Store::Onestore);
        assert_eq!(req.form().unwrap_err().kind(), ErrorKind::InvalidArgument);
        let req = req.product_id("p").currency("KRW");
        let form = req.form().unwrap();
        assert_eq!(
            form,
            vec![
                ("purchaseToken", "t1"),
                ("productId", "p"),
                ("currency", "KRW"),
                ("type", "onestore")
            ]
        );
    }

    #[test]
    fn other_fields_follow_the_token_rules_and_are_named() {
        let base = || {
            ConsumeRequest::new("t1")
                .store(Store::Xiaomi)
                .product_id("p")
        };
        let cases = [
            (base().product_id("p\r\nx: 1"), "product_id contains"),
            (
                base().product_id("p".repeat(257)),
                "product_id is 257 bytes",
            ),
            (base().currency(""), "currency is empty"),
            (base().currency("EUR\n"), "currency contains"),
            (base().developer_payload(""), "developer_payload is empty"),
            (
                base().developer_payload("d".repeat(4097)),
                "developer_payload is 4097 bytes",
            ),
            (
                ConsumeRequest::new("t1").product_id(""),
                "product_id is empty",
            ),
        ];
        for (request, why) in cases {
            let err = request.form().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
            assert!(err.to_string().starts_with(why), "{err}");
        }
        let fine = base().currency("EUR").developer_payload("d".repeat(4096));
        assert_eq!(fine.form().unwrap().len(), 5);
    }

    #[test]
    fn client_side_stores_are_refused() {
        for store in [Store::Amazon, Store::Huawei] {
            let err = ConsumeRequest::new("t").store(store).form().unwrap_err();
            assert!(err.to_string().contains("on the client"), "{err}");
        }
    }

    #[test]
    fn store_names_parse_case_insensitively() {
        assert_eq!("XiaoMi".parse::<Store>().unwrap(), Store::Xiaomi);
        assert_eq!(
            "steam".parse::<Store>().unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
