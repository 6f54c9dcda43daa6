//! `Purchase`: a verified purchase, read-only, its attributes converted on access.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use nowgg_payments::{ConsumptionState, PurchaseState, STRING_FIELD_COUNT};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::errors::invalid;
use crate::json;

/// The Python attribute of each string field, in the order of the core's
/// `Purchase::string_fields`. `purchaseTime` as sent is `purchase_time_raw`, since
/// `purchase_time` is the normalised datetime.
const STRING_ATTRIBUTES: [&str; STRING_FIELD_COUNT] = [
    "app_id",
    "country_code",
    "currency",
    "developer_payload",
    "environment",
    "kind",
    "order_amount",
    "order_id",
    "package_name",
    "pay_status_txt",
    "pay_time_txt",
    "product_id",
    "product_name",
    "purchase_time_raw",
    "purchase_time_millis",
    "purchase_token",
    "region_code",
    "seller_goods_id",
];

static PURCHASE_STATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static CONSUMPTION_STATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A verified purchase: the `data` of a verifyPurchase answer. Immutable; equal when
/// their data is; picklable. Every documented field is an attribute in snake_case, `None`
/// when absent or null (multi-store purchases have many nulls); `raw` is the whole `data`
/// dict, fields unknown to this version included.
///
/// Grant only when `is_paid and not is_consumed`, and consume before granting.
#[pyclass(frozen, eq, module = "nowgg_payments")]
#[derive(PartialEq)]
pub struct Purchase(nowgg_payments::Purchase);

impl From<nowgg_payments::Purchase> for Purchase {
    fn from(purchase: nowgg_payments::Purchase) -> Purchase {
        Purchase(purchase)
    }
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

    /// The app's id (the same as its Payment ID).
    #[getter]
    fn app_id(&self) -> Option<&str> {
        self.0.app_id()
    }
    /// The buyer's country at purchase time; some stores send null.
    #[getter]
    fn country_code(&self) -> Option<&str> {
        self.0.country_code()
    }
    /// The currency, e.g. "USD".
    #[getter]
    fn currency(&self) -> Option<&str> {
        self.0.currency()
    }
    /// The string the game attached to the order.
    #[getter]
    fn developer_payload(&self) -> Option<&str> {
        self.0.developer_payload()
    }
    /// "release" or "sandbox".
    #[getter]
    fn environment(&self) -> Option<&str> {
        self.0.environment()
    }
    /// "nowgg#productPurchase" where sent.
    #[getter]
    fn kind(&self) -> Option<&str> {
        self.0.kind()
    }
    /// The amount as text (money is never a float): `decimal.Decimal(p.order_amount)`.
    #[getter]
    fn order_amount(&self) -> Option<&str> {
        self.0.order_amount()
    }
    /// The unique transaction id: record it with the grant.
    #[getter]
    fn order_id(&self) -> Option<&str> {
        self.0.order_id()
    }
    /// The app's package name.
    #[getter]
    fn package_name(&self) -> Option<&str> {
        self.0.package_name()
    }
    /// "Paid" or "Unpaid", as the vendor words it (decide on `is_paid`).
    #[getter]
    fn pay_status_txt(&self) -> Option<&str> {
        self.0.pay_status_txt()
    }
    /// When the payment happened, as the vendor formats it.
    #[getter]
    fn pay_time_txt(&self) -> Option<&str> {
        self.0.pay_time_txt()
    }
    /// The product bought.
    #[getter]
    fn product_id(&self) -> Option<&str> {
        self.0.product_id()
    }
    /// The product's name.
    #[getter]
    fn product_name(&self) -> Option<&str> {
        self.0.product_name()
    }
    /// `purchaseTime` exactly as sent (seconds or milliseconds: see `purchase_time_ms`).
    #[getter]
    fn purchase_time_raw(&self) -> Option<&str> {
        self.0.purchase_time()
    }
    /// `purchaseTimeMillis` as sent (deprecated by the vendor).
    #[getter]
    fn purchase_time_millis(&self) -> Option<&str> {
        self.0.purchase_time_millis()
    }
    /// The purchase token.
    #[getter]
    fn purchase_token(&self) -> Option<&str> {
        self.0.purchase_token()
    }
    /// The ISO 3166-1 alpha-2 billing region.
    #[getter]
    fn region_code(&self) -> Option<&str> {
        self.0.region_code()
    }
    /// The same as `product_id`, kept by the vendor for older clients.
    #[getter]
    fn seller_goods_id(&self) -> Option<&str> {
        self.0.seller_goods_id()
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
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        json::object_to_python(py, self.0.raw())
    }

    /// Every attribute but `raw` and `purchase_time` as a dict that `json.dumps` accepts.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, (_, value)) in STRING_ATTRIBUTES.iter().zip(self.0.string_fields()) {
            dict.set_item(name, value)?;
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
        let text = serde_json::Value::Object(slf.get().0.raw().clone()).to_string();
        let rebuild = slf.get_type().getattr("from_json")?;
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
