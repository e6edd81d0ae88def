"""The statistics endpoints' bridge to transparency.datasets (THE registry the dashboard, its
downloads and the API read). Figures are never computed here, and the JSON is the registry's own
(`DatasetResult.as_json()`, the same as the dashboard's JSON download): suppressed values are
null, with their text ("fewer than 5", "hidden") in the row's "suppressed" object.
"""

from __future__ import annotations

from typing import Any

from portal.models import District
from transparency import datasets

PERIODS = ("month", "quarter", "year")
DatasetNotFound = datasets.DatasetNotFound
DatasetFilterError = datasets.DatasetFilterError


def dataset_catalogue() -> list[tuple[str, str, str]]:
    """(slug, title, description) of every dataset, in the registry's order."""
    return [(slug, str(dataset.title), str(dataset.description)) for slug, dataset in datasets.DATASETS.items()]


def dataset_exists(slug: str) -> bool:
    return slug in datasets.DATASETS


def dataset_json(slug: str, *, district: District | None, period: str) -> dict[str, Any]:
    return datasets.dataset_result(slug, district=district, period=period).as_json()
