//! The grant policy as Python callers spell it: keyword arguments of `check` and
//! `verify_for_grant`.

use nowgg_payments::GrantPolicy;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// `product_ids` as callers pass it: any iterable of str (a list, a tuple, a set), but
/// not a str itself, whose characters would each pass for a product id.
#[derive(Default)]
pub(crate) struct ProductIds(Vec<String>);

impl<'a, 'py> FromPyObject<'a, 'py> for ProductIds {
    type Error = PyErr;

    fn extract(ids: Borrowed<'a, 'py, PyAny>) -> PyResult<ProductIds> {
        if ids.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "product_ids must be an iterable of str, not a str",
            ));
        }
        ids.try_iter()?
            .map(|id| id?.extract::<String>())
            .collect::<PyResult<_>>()
            .map(ProductIds)
    }
}

impl ProductIds {
    /// The core's policy: these products (any when empty), `package_name` when given,
    /// test orders only when allowed.
    pub(crate) fn policy(
        self,
        package_name: Option<String>,
        allow_test_orders: bool,
    ) -> GrantPolicy {
        let policy = GrantPolicy::new()
            .product_ids(self.0)
            .allow_test_orders(allow_test_orders);
        match package_name {
            Some(name) => policy.package_name(name),
            None => policy,
        }
    }
}
