"""Catalogues (sources, categories, disposals…): seeded data an administrator can adjust."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class CatalogueItem(SQLModel, table=True):
    """One entry of a named catalogue, with Chinese and English labels."""

    __tablename__ = "catalogue_items"

    catalogue: str = Field(max_length=32, primary_key=True)
    code: str = Field(max_length=32, primary_key=True)
    name: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    sort: int = 0
    active: bool = True
