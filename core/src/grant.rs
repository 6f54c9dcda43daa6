//! The grant check: whether a verified purchase may be delivered by this game's server.
//!
//! A genuine token proves that somebody paid for something; the check proves it was this
//! app's product, paid, not yet consumed, and not a test order (unless allowed). The
//! vendor's No Code sample verifies with a package name and a product id for this reason.

use crate::error::{Error, ErrorKind, Result};
use crate::purchase::Purchase;
use crate::redact::short_token;

/// What a purchase must be to be granted: see [`Purchase::check`] and
/// [`Client::verify_for_grant`](crate::Client::verify_for_grant).
///
/// ```
/// use nowgg_payments::GrantPolicy;
/// let policy = GrantPolicy::new()
///     .package_name("com.example.game")
///     .product_id("gems_100")
///     .product_id("gems_500");
/// # let _ = policy;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GrantPolicy {
    package_name: Option<String>,
    product_ids: Vec<String>,
    allow_test_orders: bool,
}

impl GrantPolicy {
    /// A policy that only asks for a paid, unconsumed, real (not test) purchase of any
    /// product of any package. Narrow it with the methods below.
    pub fn new() -> GrantPolicy {
        GrantPolicy::default()
    }

    /// The purchase's `packageName` must be this one.
    pub fn package_name(mut self, package_name: impl Into<String>) -> GrantPolicy {
        self.package_name = Some(package_name.into());
        self
    }

    /// Accepts this product id (call once per product). With none, any product passes.
    pub fn product_id(mut self, product_id: impl Into<String>) -> GrantPolicy {
        self.product_ids.push(product_id.into());
        self
    }

    /// Accepts each of these product ids.
    pub fn product_ids<I, S>(mut self, product_ids: I) -> GrantPolicy
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.product_ids
            .extend(product_ids.into_iter().map(Into::into));
        self
    }

    /// Whether test orders may be granted (default: no).
    pub fn allow_test_orders(mut self, allow: bool) -> GrantPolicy {
        self.allow_test_orders = allow;
        self
    }
}

impl Purchase {
    /// Checks that this purchase may be granted under `policy`, without any I/O. The
    /// checks run in this order, and the first that fails is the error:
    /// `NOT_PAID` (`purchaseState` is not 1), `ALREADY_CONSUMED` (`consumptionState` is
    /// 1), `PACKAGE_MISMATCH`, `PRODUCT_MISMATCH` (the product is `productId`, or
    /// `sellerGoodsId` where `productId` is absent, as in No Code purchases) and
    /// `TEST_ORDER`.
    ///
    /// Passing the check does not make a grant safe to repeat: record it under
    /// [`order_id`](Purchase::order_id) in your own database first (see the crate docs).
    pub fn check(&self, policy: &GrantPolicy) -> Result<()> {
        let refuse = |kind: ErrorKind, why: String| {
            Err(Error::NotGrantable {
                kind,
                message: format!(
                    "purchase {} (order {}) must not be granted: {why}",
                    short_token(self.purchase_token().unwrap_or("")),
                    self.order_id().unwrap_or("unknown")
                ),
            })
        };
        if !self.is_paid() {
            let state = self.purchase_state().map(|s| s.code());
            return refuse(
                ErrorKind::NotPaid,
                format!("it is not paid (purchaseState {})", shown(state)),
            );
        }
        if self.is_consumed() {
            return refuse(
                ErrorKind::AlreadyConsumed,
                "it is already consumed (consumptionState 1)".into(),
            );
        }
        if let Some(expected) = policy.package_name.as_deref() {
            if self.package_name() != Some(expected) {
                return refuse(
                    ErrorKind::PackageMismatch,
                    format!(
                        "its packageName is {}, not {expected:?}",
                        shown(self.package_name())
                    ),
                );
            }
        }
        if !policy.product_ids.is_empty() {
            let product = self.product_id().or(self.seller_goods_id());
            if !product.is_some_and(|p| policy.product_ids.iter().any(|id| id == p)) {
                return refuse(
                    ErrorKind::ProductMismatch,
                    format!(
                        "its product {} is not one of {:?}",
                        shown(product),
                        policy.product_ids
                    ),
                );
            }
        }
        if self.is_test_order() && !policy.allow_test_orders {
            return refuse(
                ErrorKind::TestOrder,
                "it is a test order, and the policy does not allow them".into(),
            );
        }
        Ok(())
    }
}

/// A field's value for a message: quoted when present, `null` when absent.
fn shown<T: std::fmt::Debug>(value: Option<T>) -> String {
    value.map_or_else(|| "null".to_owned(), |v| format!("{v:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purchase::tests::purchase;
    use serde_json::{json, Value};

    fn paid(extra: Value) -> Purchase {
        let mut data = json!({
            "purchaseState": 1, "consumptionState": 0, "packageName": "com.game",
            "productId": "gems", "isTestOrder": false, "orderId": "o-1",
            "purchaseToken": "-nowgg-0123456789abcdef"
        });
        for (k, v) in extra.as_object().into_iter().flatten() {
            data[k] = v.clone();
        }
        purchase(data)
    }

    fn refusal(p: &Purchase, policy: &GrantPolicy) -> Option<ErrorKind> {
        p.check(policy).err().map(|e| e.kind())
    }

    #[test]
    fn a_paid_unconsumed_purchase_of_the_policy_passes() {
        let policy = GrantPolicy::new()
            .package_name("com.game")
            .product_id("gems");
        assert_eq!(refusal(&paid(json!({})), &policy), None);
        assert_eq!(refusal(&paid(json!({})), &GrantPolicy::new()), None);
    }

    #[test]
    fn each_refusal_has_its_kind() {
        let policy = GrantPolicy::new()
            .package_name("com.game")
            .product_id("gems");
        let cases = [
            (json!({"purchaseState": 0}), ErrorKind::NotPaid),
            (json!({"purchaseState": null}), ErrorKind::NotPaid),
            (json!({"consumptionState": 1}), ErrorKind::AlreadyConsumed),
            (
                json!({"packageName": "com.other"}),
                ErrorKind::PackageMismatch,
            ),
            (json!({"packageName": null}), ErrorKind::PackageMismatch),
            (json!({"productId": "coins"}), ErrorKind::ProductMismatch),
            (json!({"isTestOrder": true}), ErrorKind::TestOrder),
        ];
        for (extra, kind) in cases {
            assert_eq!(
                refusal(&paid(extra.clone()), &policy),
                Some(kind),
                "{extra}"
            );
        }
        let tests_allowed = policy.allow_test_orders(true);
        assert_eq!(
            refusal(&paid(json!({"isTestOrder": true})), &tests_allowed),
            None
        );
    }

    #[test]
    fn seller_goods_id_stands_in_for_an_absent_product_id() {
        let policy = GrantPolicy::new().product_ids(["gems", "coins"]);
        let no_code = paid(json!({"productId": null, "sellerGoodsId": "coins"}));
        assert_eq!(refusal(&no_code, &policy), None);
        let neither = paid(json!({"productId": null, "sellerGoodsId": null}));
        assert_eq!(refusal(&neither, &policy), Some(ErrorKind::ProductMismatch));
        // productId decides when present, whatever sellerGoodsId says.
        let both = paid(json!({"productId": "other", "sellerGoodsId": "gems"}));
        assert_eq!(refusal(&both, &policy), Some(ErrorKind::ProductMismatch));
    }

    #[test]
    fn refusals_name_the_order_but_never_the_whole_token() {
        let err = paid(json!({"purchaseState": 0}))
            .check(&GrantPolicy::new())
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("o-1") && text.contains("not paid"), "{text}");
        assert!(!text.contains("0123456789abcdef"), "{text}");
        assert!(!err.is_retryable());
    }
}
