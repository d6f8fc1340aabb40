"""parse_figure's integer shortcuts give the same floats as exact decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from annotator.text.figures import parse_figure

_SCALES = {"": 1, " hundred": 100, " thousand": 10**3, " million": 10**6, " billion": 10**9,
           " trillion": 10**12, " dozen": 12, " million million": 10**12, "bn": 10**9}


@given(st.integers(min_value=0, max_value=10**16), st.sampled_from(sorted(_SCALES)))
def test_integer_values_match_decimal_arithmetic(number: int, scale: str) -> None:
    parsed = parse_figure(f"{number}{scale} people")
    assert parsed is not None
    assert parsed.value == float(Decimal(number) * Decimal(_SCALES[scale]))


@given(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False))
def test_decimal_values_keep_decimal_arithmetic(number: Decimal) -> None:
    parsed = parse_figure(f"{number:f} million people")
    assert parsed is not None
    assert parsed.value == float(number * 10**6)



@given(
    st.integers(min_value=0, max_value=10**8),
    st.text("0123456789", min_size=1, max_size=8),
    st.sampled_from(sorted(_SCALES)),
    st.booleans(),
)
def test_decimal_points_match_decimal_arithmetic(
    whole: int, fraction: str, scale: str, negative: bool
) -> None:
    # Up to 15 digits with a decimal point: an integer division, correctly rounded as the
    # Decimal product's float is; more digits take the Decimal path itself.
    number = f"{whole}.{fraction}"
    parsed = parse_figure(f"{'-' if negative else ''}{number}{scale} people")
    assert parsed is not None
    exact = Decimal(number) * Decimal(_SCALES[scale])
    assert parsed.value == float(-exact if negative else exact)


def test_decimal_point_without_leading_digits() -> None:
    parsed = parse_figure(".5 million people")
    assert parsed is not None and parsed.value == float(Decimal(".5") * 10**6) == 500000.0
