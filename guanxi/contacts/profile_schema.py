"""The documented structure of a contact's profile (004 客户信息分类).

Columns on `Contact` hold what lists filter and sort on. Everything else a KAM learns about a
person is a *profile fact*: a value in one of the groups below, stored as a `ProfileFact` row
that remembers who recorded it, when, from which source and whether it was verified
(004 信息操作流程: 多方收集 → 集中评审 → 巧妙验证 → 及时传递).

Family members, drivers and secretaries (附属客户信息) and anniversaries are rows of their
own (`RelatedPerson`, `KeyDate`) because later work (gift tasks) queries their dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.core.formatting import join_words


@dataclass(frozen=True)
class FactField:
    key: str
    label: Promise
    kind: str = "text"  # text | longtext | int | decimal | date | choice | list
    help: Promise | str = ""
    choices: tuple[tuple[str, Promise], ...] = ()
    example: Promise | str = ""  # a translated sample value, shown as "e.g. …"

    def parse(self, raw: Any) -> Any:
        """Turn user input into the stored JSON value, or raise ValueError with a reason."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if self.kind in {"text", "longtext"}:
            value = str(raw).strip()
            limit = 200 if self.kind == "text" else 4000
            if len(value) > limit:
                raise ValueError(gettext("longer than %(limit)d characters") % {"limit": limit})
            return value
        if self.kind == "int":
            try:
                value = int(str(raw).strip())
            except ValueError:
                raise ValueError(gettext("not a whole number")) from None
            if value < 0:
                raise ValueError(gettext("must not be negative"))
            return value
        if self.kind == "decimal":
            try:
                value = Decimal(str(raw).strip())
            except InvalidOperation:
                raise ValueError(gettext("not a number")) from None
            if value < 0 or not value.is_finite():
                raise ValueError(gettext("must be a non-negative number"))
            return str(value)
        if self.kind == "date":
            if isinstance(raw, dt.date):
                return raw.isoformat()
            try:
                return dt.date.fromisoformat(str(raw).strip()).isoformat()
            except ValueError:
                raise ValueError(gettext("not a date (YYYY-MM-DD)")) from None
        if self.kind == "choice":
            value = str(raw).strip()
            if value not in {c for c, _label in self.choices}:
                allowed = ", ".join(c for c, _label in self.choices)
                raise ValueError(gettext("must be one of: %(allowed)s") % {"allowed": allowed})
            return value
        if self.kind == "list":
            items = raw if isinstance(raw, list | tuple) else str(raw).replace("，", ",").split(",")
            return [str(i).strip() for i in items if str(i).strip()]
        raise ValueError(f"unknown field kind {self.kind}")

    def display(self, value: Any) -> str:
        if value is None:
            return ""
        if self.kind == "list":
            return join_words(value)
        if self.kind == "choice":
            return str(dict(self.choices).get(value, value))
        return str(value)


@dataclass(frozen=True)
class FactGroup:
    key: str
    label: Promise
    description: Promise
    fields: tuple[FactField, ...] = field(default_factory=tuple)

    def get(self, key: str) -> FactField | None:
        return next((f for f in self.fields if f.key == key), None)


EDUCATION = (
    ("secondary", _("Secondary school")),
    ("college", _("College")),
    ("bachelor", _("Bachelor")),
    ("master", _("Master / MBA")),
    ("doctorate", _("Doctorate")),
)

GROUPS: tuple[FactGroup, ...] = (
    FactGroup(
        "basic",
        _("Basic information"),
        _("Who the person is beyond name and birthday."),
        (
            FactField("native_place", _("Native place"), example=_("Bozhou, Anhui")),
            FactField("birthplace", _("Birthplace")),
            FactField("ethnicity", _("Ethnicity"), example=_("Hui")),
            FactField("religion", _("Religion")),
            FactField("education", _("Education"), "choice", choices=EDUCATION),
            FactField("height_cm", _("Height (cm)"), "int"),
            FactField("weight_kg", _("Weight (kg)"), "int"),
            FactField(
                "appearance",
                _("Physical features"),
                "longtext",
                example=_("Square-rimmed glasses, likes suits"),
            ),
            FactField("personality", _("Personality"), "longtext"),
        ),
    ),
    FactGroup(
        "work",
        _("Work"),
        _("Everything at the person's organisation: culture, results, promotions, trips, events."),
        (
            FactField("responsibilities", _("Responsibilities"), "longtext"),
            FactField("promotions", _("Promotions and career moves"), "longtext"),
            FactField("business_trips", _("Business travel pattern"), "longtext"),
            FactField("company_events", _("Company milestones and events"), "longtext"),
            FactField("company_culture", _("Company culture"), "longtext"),
        ),
    ),
    FactGroup(
        "life",
        _("Life"),
        _("Home and family; family members and anniversaries are listed separately."),
        (
            FactField("home_address", _("Home address")),
            FactField(
                "marital_status",
                _("Marital status"),
                "choice",
                choices=(
                    ("single", _("Single")),
                    ("married", _("Married")),
                    ("other", _("Other")),
                ),
            ),
            FactField("family_events", _("Important family events"), "longtext"),
        ),
    ),
    FactGroup(
        "experience",
        _("Experience"),
        _("Upbringing and background, including the food of the place they grew up."),
        (
            FactField("background", _("Background and career"), "longtext"),
            FactField("hometown_food", _("Food of their home region"), "longtext"),
        ),
    ),
    FactGroup(
        "product_needs",
        _("Product needs"),
        _("Personal requirements on taste, speed of service, environment, rooms and meetings."),
        (
            FactField("taste", _("Taste"), example=_("Mild, likes sweets")),
            FactField("service_speed", _("Service speed"), example=_("Quick and efficient")),
            FactField("environment", _("Preferred environment"), example=_("A quiet private room")),
            FactField(
                "room_preferences", _("Room preferences"), example=_("High floor, non-smoking")
            ),
            FactField("meeting_preferences", _("Meeting & event preferences"), "longtext"),
        ),
    ),
    FactGroup(
        "value",
        _("Spend and value"),
        _("Spend, frequency and what they spent elsewhere before."),
        (
            FactField("spend_per_visit", _("Typical spend per visit (CNY)"), "decimal"),
            FactField("visits_per_month", _("Visits per month"), "int"),
            FactField("previous_venues", _("Previous venues and their level"), "longtext"),
            FactField("previous_spend", _("Spend at previous venues (CNY)"), "decimal"),
            FactField("distance_km", _("Distance from office/home (km)"), "decimal"),
        ),
    ),
    FactGroup(
        "preferences",
        _("Personal preferences"),
        _("Brands, sports, favourite dishes and drinks, colours, reading."),
        (
            FactField("brands", _("Brands"), "list", example=_("Hugo Boss, Huawei")),
            FactField("sports", _("Sports"), "list", example=_("Golf, tennis")),
            FactField("favourite_dishes", _("Favourite dishes"), "list"),
            FactField("favourite_drinks", _("Favourite drinks"), "list"),
            FactField("colours", _("Colours"), "list"),
            FactField("reading", _("Reading"), "list"),
            FactField("habits", _("Consumption habits"), "longtext"),
        ),
    ),
    FactGroup(
        "taboos",
        _("Taboos"),
        _("What must never happen: dietary rules, allergies, sensitive topics."),
        (
            FactField("dietary", _("Dietary taboos"), "list", example=_("Pork")),
            FactField("allergies", _("Allergies"), "list"),
            FactField("other", _("Other taboos"), "longtext"),
        ),
    ),
)

GROUPS_BY_KEY = {g.key: g for g in GROUPS}


def get_field(group: str, key: str) -> FactField:
    try:
        g = GROUPS_BY_KEY[group]
    except KeyError:
        raise ValueError(f"unknown profile group '{group}'") from None
    f = g.get(key)
    if f is None:
        raise ValueError(f"unknown field '{key}' in profile group '{group}'")
    return f
