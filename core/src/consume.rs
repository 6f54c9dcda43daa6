//! What a consumePurchase call sends: the store the purchase came from, and the fields
//! multi-store purchases need.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

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
        crate::validate::token(&self.token)?;
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
        let mut form = vec![("purchaseToken", self.token.as_str())];
        let optional = [
            ("productId", product_id),
            ("currency", self.currency.as_deref()),
            ("developerPayload", self.developer_payload.as_deref()),
        ];
        form.extend(
            optional
                .into_iter()
                .filter_map(|(name, v)| Some((name, v?))),
        );
        if self.store.is_multistore() {
            form.push(("type", self.store.as_str()));
        }
        Ok(form)
    }
}

impl fmt::Debug for ConsumeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumeRequest")
            .field("token", &crate::redact::short_token(&self.token))
            .field("store", &self.store)
            .field("product_id", &self.product_id)
            .field("currency", &self.currency)
            .field("developer_payload", &self.developer_payload)
            .finish()
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
