//! `Purchase`: a verified purchase, read-only, its attributes converted on access.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use nowgg_payments::{ConsumptionState, PurchaseState, StringField, STRING_FIELD_COUNT};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::errors::{invalid, to_py};
use crate::grant::ProductIds;

static PURCHASE_STATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static CONSUMPTION_STATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A verified purchase: the `data` of a verifyPurchase answer. Immutable; equal when
/// their data is; picklable. Every documented field is an attribute in snake_case, `None`
/// when absent or null (multi-store purchases have many nulls); `raw` is the whole `data`
/// dict, fields unknown to this version included.
///
/// Whether it may be granted is `check()` (or `verify_for_grant` on the client); the
/// grant itself is recorded under `order_id` in your own database before the consume.
#[pyclass(frozen, eq, module = "nowgg_payments")]
#[derive(PartialEq)]
pub struct Purchase(nowgg_payments::Purchase);

impl From<nowgg_payments::Purchase> for Purchase {
    fn from(purchase: nowgg_payments::Purchase) -> Purchase {
        Purchase(purchase)
    }
}

/// One getter per entry of the core's string-field table (`for_each_string_field!`),
/// its docstring the core's text, and [`ATTRIBUTES`]: each field's Python name. A field
/// added to the core is an attribute here without a change to this file.
///
/// The names are the core's snake_case ones, but for `purchaseTime`: its text as sent is
/// `purchase_time_raw`, since `purchase_time` is the normalised `datetime`.
macro_rules! string_getters {
    (@emit $( [$($doc:tt)*] $python:ident $variant:ident )*) => {
        /// Each string field's Python attribute, in the core's order.
        pub(crate) const ATTRIBUTES: [(&str, StringField); STRING_FIELD_COUNT] =
            [$( (stringify!($python), StringField::$variant), )*];

        #[pymethods]
        impl Purchase {
            $(
                $(#[doc = $doc])*
                #[getter($python)]
                #[allow(non_snake_case)]
                fn $variant(&self) -> Option<&str> {
                    self.0.string_field(StringField::$variant)
                }
            )*
        }
    };
    (@rename [$($done:tt)*]) => { string_getters!(@emit $($done)*); };
    (@rename [$($done:tt)*]
        $(#[doc = $doc:tt])* purchase_time / $variant:ident => $api:literal, $($rest:tt)*) => {
        string_getters!(@rename [$($done)* [$($doc)*] purchase_time_raw $variant] $($rest)*);
    };
    (@rename [$($done:tt)*]
        $(#[doc = $doc:tt])* $field:ident / $variant:ident => $api:literal, $($rest:tt)*) => {
        string_getters!(@rename [$($done)* [$($doc)*] $field $variant] $($rest)*);
    };
    ($($entries:tt)*) => { string_getters!(@rename [] $($entries)*); };
}

nowgg_payments::for_each_string_field!(string_getters);

/// The string fields as `(attribute, API name, doc)`, for `_native.STRING_FIELDS`: the
/// tests hold the stubs' docstrings and attributes against it.
pub(crate) fn string_fields() -> [(&'static str, &'static str, &'static str); STRING_FIELD_COUNT] {
    ATTRIBUTES.map(|(name, field)| (name, field.api_name(), field.doc()))
}

#[pymethods]
impl Purchase {
    /// A purchase from the JSON text of a verifyPurchase `data` object (as `pickle` and
    /// tests use it). Raises `InvalidArgument` when the text is not a JSON object.
    #[classmethod]
    fn from_json(_cls: &Bound<'_, PyType>, py: Python<'_>, text: String) -> PyResult<Purchase> {
        match serde_json::from_str(&text) {
            Ok(serde_json::Value::Object(data)) => {
                Ok(Purchase(nowgg_payments::Purchase::from_data(data)))
            }
            _ => Err(invalid(
                py,
                "Purchase.from_json expects the JSON text of an object",
            )),
        }
    }

    /// Checks that this purchase may be granted, without any I/O: raises `NotPaid`,
    /// `AlreadyConsumed`, `PackageMismatch`, `ProductMismatch` (the product is
    /// `product_id`, or `seller_goods_id` where that is absent) or `TestOrder`.
    #[pyo3(signature = (*, package_name = None, product_ids = ProductIds::default(), allow_test_orders = false))]
    fn check(
        &self,
        py: Python<'_>,
        package_name: Option<String>,
        product_ids: ProductIds,
        allow_test_orders: bool,
    ) -> PyResult<()> {
        let policy = product_ids.policy(package_name, allow_test_orders);
        self.0.check(&policy).map_err(|e| to_py(py, e))
    }

    /// A `PurchaseState` (UNPAID, PAID, FAILED), a plain int for a value the vendor has not
    /// documented, or `None` when absent.
    #[getter]
    fn purchase_state<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let state = self.0.purchase_state();
        let documented = state.map(|s| (s.code(), !matches!(s, PurchaseState::Unknown(_))));
        state_object(py, documented, &PURCHASE_STATE, "PurchaseState")
    }

    /// A `ConsumptionState` (NOT_CONSUMED, CONSUMED), a plain int for an undocumented
    /// value, or `None` when absent.
    #[getter]
    fn consumption_state<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let state = self.0.consumption_state();
        let documented = state.map(|s| (s.code(), !matches!(s, ConsumptionState::Unknown(_))));
        state_object(py, documented, &CONSUMPTION_STATE, "ConsumptionState")
    }

    /// Milliseconds since the epoch. `purchaseTime` is documented in seconds but sent in
    /// milliseconds, so both are read; falls back to `purchaseTimeMillis`.
    #[getter]
    fn purchase_time_ms(&self) -> Option<i64> {
        self.0.purchase_time_ms()
    }

    /// `purchase_time_ms` as an aware UTC `datetime`, or `None` (absent, or out of
    /// `datetime`'s range).
    #[getter]
    fn purchase_time<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(ms) = self.0.purchase_time_ms() else {
            return Ok(None);
        };
        let epoch = EPOCH.get_or_try_init(py, || {
            let datetime = py.import("datetime")?;
            let utc = datetime.getattr("timezone")?.getattr("utc")?;
            Ok::<_, PyErr>(
                datetime
                    .getattr("datetime")?
                    .call1((1970, 1, 1, 0, 0, 0, 0, utc))?
                    .unbind(),
            )
        })?;
        let delta = TIMEDELTA.import(py, "datetime", "timedelta")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("milliseconds", ms)?;
        // Integer arithmetic on timedelta: exact to the millisecond, unlike a float stamp.
        match delta
            .call((), Some(&kwargs))
            .and_then(|d| epoch.bind(py).add(d))
        {
            Ok(time) => Ok(Some(time)),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// True when the purchase is paid (`purchaseState` 1).
    #[getter]
    fn is_paid(&self) -> bool {
        self.0.is_paid()
    }

    /// True when the purchase has been consumed (`consumptionState` 1): never grant it again.
    #[getter]
    fn is_consumed(&self) -> bool {
        self.0.is_consumed()
    }

    /// True when the vendor marks this as a test order.
    #[getter]
    fn is_test_order(&self) -> bool {
        self.0.is_test_order()
    }

    /// The `data` object as the vendor sent it, unknown fields included (a new dict on
    /// each access, so the purchase itself stays unchanged).
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // The core writes the JSON text straight from its map; `json.loads` makes the
        // dict exactly as `json.loads` of the vendor's answer would.
        JSON_LOADS
            .import(py, "json", "loads")?
            .call1((self.0.raw_json(),))
    }

    /// Every attribute but `raw` and `purchase_time` as a dict that `json.dumps` accepts.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, field) in ATTRIBUTES {
            dict.set_item(name, self.0.string_field(field))?;
        }
        dict.set_item("purchase_state", self.purchase_state(py)?)?;
        dict.set_item("consumption_state", self.consumption_state(py)?)?;
        dict.set_item("purchase_time_ms", self.0.purchase_time_ms())?;
        dict.set_item("is_paid", self.0.is_paid())?;
        dict.set_item("is_consumed", self.0.is_consumed())?;
        dict.set_item("is_test_order", self.0.is_test_order())?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.0;
        // A whole token can be replayed: logs and tracebacks get a prefix only.
        let token = p.purchase_token().map(nowgg_payments::short_token);
        let fields = [
            ("order_id", p.order_id().into_pyobject(py)?),
            ("product_id", p.product_id().into_pyobject(py)?),
            ("order_amount", p.order_amount().into_pyobject(py)?),
            ("currency", p.currency().into_pyobject(py)?),
            (
                "purchase_state",
                self.purchase_state(py)?.into_pyobject(py)?,
            ),
            (
                "consumption_state",
                self.consumption_state(py)?.into_pyobject(py)?,
            ),
            ("purchase_token", token.into_pyobject(py)?),
        ];
        let fields = fields
            .iter()
            .map(|(name, value)| Ok(format!("{name}={}", value.repr()?)))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(format!("Purchase({})", fields.join(", ")))
    }

    /// Equal purchases have the same token and order id, so these are hashed.
    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        (self.0.purchase_token(), self.0.order_id()).hash(&mut hasher);
        hasher.finish()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let rebuild = slf.get_type().getattr("from_json")?;
        let text = slf.get().0.raw_json();
        PyTuple::new(py, [rebuild, PyTuple::new(py, [text])?.into_any()])
    }
}

/// A state as Python sees it: `class_name(code)`, the IntEnum of `nowgg_payments.states`,
/// when the core knows the code (`documented`), else the plain int; `None` when absent.
fn state_object<'py>(
    py: Python<'py>,
    state: Option<(i64, bool)>,
    class: &PyOnceLock<Py<PyType>>,
    class_name: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    Ok(match state {
        None => None,
        Some((code, true)) => Some(
            class
                .import(py, "nowgg_payments.states", class_name)?
                .call1((code,))?,
        ),
        Some((code, false)) => Some(code.into_pyobject(py)?.into_any()),
    })
}
