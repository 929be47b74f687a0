"""What a figure's chart draws: its bars in the reader's language, and where a bar of this period leads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrity.domain.statistics.figures import Compared
from integrity.domain.statistics.keys import KeyNames
from integrity.lib.i18n import N_, gettext

SERIES = (N_("This period"), N_("Period before"), N_("Same period last year"))


def chart(compared: Compared, names: KeyNames, link: Callable[[str], str]) -> dict[str, Any]:
    """ECharts' data for one figure (static/statistics.js draws it): `link(key)` opens a bar's records."""
    keys = compared.keys(names.order(compared.figure.keys))
    counted = (compared.now, compared.before, compared.year_before)
    return {
        "labels": [names.name(compared.figure.keys, k) for k in keys],
        "series": [
            {"name": gettext(title), "data": [c.get(k, 0) for k in keys]}
            for title, c in zip(SERIES, counted, strict=True)
        ],
        "links": [link(k) if compared.now.get(k) else None for k in keys],  # "this period" bars only
    }
