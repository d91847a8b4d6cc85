"""The two registries the feedback loop is built on: responsible-party types and categories.

Core registers its own here; the plugin host registers plugins' (a property firm, a law
office) the same way, so that these registries are the one way types and categories come
to exist. A district's categories are rows made from the registered ones (and its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import N_


@dataclass(frozen=True)
class PartyType:
    """A kind of responsible party. ``escalates_to`` is the next level up when a deadline
    passes (grid → community → street → district supervision); None: escalation stops."""

    name: str
    label: str
    escalates_to: str | None = None
    plugin: str | None = None


@dataclass(frozen=True)
class CategorySpec:
    key: str
    name: str  # as districts see it first (zh-Hans); a district may rename its copy
    accept_hours: int
    resolve_hours: int
    default_party: str
    private: bool = False
    plugin: str | None = None


PARTY_TYPES: dict[str, PartyType] = {}
CATEGORIES: dict[str, CategorySpec] = {}


def register_party_type(party_type: PartyType) -> None:
    if party_type.name in PARTY_TYPES and PARTY_TYPES[party_type.name] != party_type:
        raise ValueError(f"responsible-party type {party_type.name!r} is registered twice")
    PARTY_TYPES[party_type.name] = party_type


def register_category(spec: CategorySpec) -> None:
    if spec.default_party not in PARTY_TYPES:
        raise ValueError(f"category {spec.key!r}: unknown responsible-party type {spec.default_party!r}")
    if spec.accept_hours <= 0 or spec.resolve_hours < spec.accept_hours:
        raise ValueError(f"category {spec.key!r}: deadlines must be positive, resolving after accepting")
    if spec.key in CATEGORIES and CATEGORIES[spec.key] != spec:
        raise ValueError(f"category {spec.key!r} is registered twice")
    CATEGORIES[spec.key] = spec


def escalation_chain(start: str) -> list[str]:
    """The party types an item climbs from ``start``, ``start`` included."""
    chain, current = [], start
    while current is not None and current not in chain:
        chain.append(current)
        current = PARTY_TYPES[current].escalates_to
    return chain


for _type in (
    PartyType("grid", N_("Grid"), "community"),
    PartyType("community", N_("Community"), "street"),
    PartyType("street", N_("Street office"), "supervision"),
    PartyType("supervision", N_("District supervision")),
    PartyType("department", N_("Department")),
):
    register_party_type(_type)

for _spec in (
    CategorySpec("sanitation", "环境卫生", 24, 72, "grid"),
    CategorySpec("public_order", "市容秩序", 24, 72, "grid"),
    CategorySpec("facilities", "公共设施维修", 24, 120, "community"),
    CategorySpec("property", "物业服务", 24, 120, "community"),
    CategorySpec("neighbours", "邻里纠纷", 24, 168, "community"),
    CategorySpec("suggestion", "意见建议", 48, 240, "community"),
    CategorySpec("question", "政策咨询", 24, 120, "community"),  # also where questions on notices go
    CategorySpec("family", "家庭困难求助", 24, 120, "community", private=True),
):
    register_category(_spec)
