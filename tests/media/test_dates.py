"""parse_date on the date texts museums write."""

from __future__ import annotations

import pytest

from artscope.media.dates import parse_date


@pytest.mark.parametrize(("text", "expected"), [
    ("1888", (1888, 1888)),
    ("c. 1650", (1650, 1650)),
    ("c.1650", (1650, 1650)),
    ("circa 1900?", (1900, 1900)),
    ("1503–1519", (1503, 1519)),
    ("ca. 1500-1510", (1500, 1510)),
    ("ca. 1665—1667", (1665, 1667)),
    ("1887-8", (1887, 1888)),
    ("1503-19", (1503, 1519)),
    ("18th century", (1700, 1799)),
    ("12th century", (1100, 1199)),
    ("19th c.", (1800, 1899)),
    ("1850s", (1850, 1859)),
    ("1620s–30s", (1620, 1639)),
    ("1800s", (1800, 1899)),
    ("late 19th century", (1866, 1899)),
    ("mid-19th century", (1833, 1866)),
    ("early 16th century", (1500, 1533)),
    ("first half of the 20th century", (1900, 1949)),
    ("third quarter of the 18th century", (1750, 1774)),
    ("17th-18th century", (1600, 1799)),
    ("2nd century BCE", (-200, -101)),
    ("1st century BC", (-100, -1)),
    ("3rd century B.C.", (-300, -201)),
    ("late 2nd century BCE", (-134, -101)),
    ("3rd millennium BCE", (-3000, -2001)),
    ("2nd century BCE - 480 CE", (-200, 480)),
    ("200-100 BC", (-200, -100)),
    ("50 B.C.", (-50, -50)),
    ("AD 79", (79, 79)),
    ("1st century", (1, 99)),
    ("Paris, 3 May 1808", (1808, 1808)),
    ("1888-05-12", (1888, 1888)),
    ("1856-01-01T00:00:00Z", (1856, 1856)),
    ("before 1600", (1600, 1600)),
    ("-500", (-500, -500)),  # a minus sign before a year that follows no number is BCE
    ("ca. -500", (-500, -500)),
    ("-500--400", (-500, -400)),
    ("\u2212750", (-750, -750)),  # the minus sign character
    ("500 BC", (-500, -500)),
    ("5th\u20134th century B.C.", (-500, -301)),
    ("1500-1600", (1500, 1600)),  # a range stays a range
])
def test_years_of_catalogue_dates(text: str, expected: tuple[int, int]) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["n.d.", "n. d.", "undated", "Unknown", "", "   ", None, "?", "early", "no. 3"])
def test_texts_without_a_year_give_none(text: str | None) -> None:
    assert parse_date(text) is None


def test_a_short_second_year_that_would_go_backwards_is_not_expanded() -> None:
    # "1888 - 12" is not 1888-1812: the 12 is not a year at all
    assert parse_date("1888 - 12") == (1888, 1888)
