"""One source of truth for the purchase's fields: the core's table (``_native.STRING_FIELDS``,
from ``for_each_string_field!``) drives the attributes, their docstrings, ``to_dict`` and
the section of ``_native.pyi`` between its ``string fields`` markers. A field the core adds
and this face does not show, or a doc that drifts, fails here.

``python py/tests/test_fields.py`` rewrites that section of the stubs from the table.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import nowgg_payments
from nowgg_payments import Purchase, _native

STUB = Path(__file__).resolve().parents[1] / "python/nowgg_payments/_native.pyi"
BEGIN = "    # string fields: generated from _native.STRING_FIELDS by py/tests/test_fields.py\n"
END = "    # end of the string fields\n"


def stub_section() -> str:
    """The stubs' string properties, each with the core's doc as its docstring."""
    out = [BEGIN]
    for attribute, _api, doc in _native.STRING_FIELDS:
        out.append(f"    @property\n    def {attribute}(self) -> str | None:\n")
        lines = textwrap.wrap(f'"""{doc}"""', width=100 - 8)
        out += [f"        {line}\n" for line in lines]
    out.append(END)
    return "".join(out)


def test_the_stubs_show_every_field_with_the_cores_doc() -> None:
    text = STUB.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == stub_section(), "run `python py/tests/test_fields.py` to update"


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


if __name__ == "__main__":
    text = STUB.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    STUB.write_text(text[:start] + stub_section() + text[end:])
    print(f"{STUB}: {len(_native.STRING_FIELDS)} string fields written", file=sys.stderr)
