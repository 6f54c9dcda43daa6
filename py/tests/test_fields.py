"""One source of truth for the purchase's fields: the core's table (``_native.STRING_FIELDS``,
from ``for_each_string_field!``) drives the attributes, their docstrings and ``to_dict``
(and, through ``cargo xtask codegen``, the stubs). A field the core adds and this face
does not show, or a doc that drifts, fails here.
"""

from __future__ import annotations

import json

import nowgg_payments
from nowgg_payments import Purchase, _native


def test_every_field_of_the_core_is_an_attribute_with_its_doc() -> None:
    data = {api: f"value of {api}" for _attribute, api, _doc in _native.STRING_FIELDS}
    purchase = Purchase.from_json(json.dumps(data))
    as_dict = purchase.to_dict()
    for attribute, api, doc in _native.STRING_FIELDS:
        assert getattr(purchase, attribute) == f"value of {api}", attribute
        assert as_dict[attribute] == f"value of {api}", attribute
        assert " ".join(getattr(Purchase, attribute).__doc__.split()) == doc, attribute


def test_to_dict_is_the_table_plus_the_derived_values() -> None:
    attributes = [attribute for attribute, _, _ in _native.STRING_FIELDS]
    assert len(attributes) == len(set(attributes))
    # `purchase_time` is the datetime; the text as sent is `purchase_time_raw`.
    assert "purchase_time_raw" in attributes and "purchase_time" not in attributes
    derived = {"purchase_state", "consumption_state", "purchase_time_ms", "is_paid"}
    derived |= {"is_consumed", "is_test_order"}
    assert set(nowgg_payments.Purchase.from_json("{}").to_dict()) == set(attributes) | derived
