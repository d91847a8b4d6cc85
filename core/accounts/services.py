"""People, platform roles and memberships: creating them, finding them, checking passwords.

No request objects here; routes pass in what they read from the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core import clock, db
from core.accounts import passwords
from core.accounts.tables import Membership, MembershipRole, Person, PlatformRole
from core.events import names
from core.events import services as events
from core.errors import Conflict, GongzhiError
from core.forms import FieldError, email, phone, text
from core.i18n import Message
from core.tenancy import TenantScope


@dataclass(frozen=True)
class Actor:
    """The signed-in person, as a request sees them."""

    id: int
    display_name: str
    phone: str | None
    email: str | None
    platform_roles: frozenset[str]
    has_second_factor: bool = False

    def has_platform_role(self, role: str) -> bool:
        return role in self.platform_roles


class AuthenticationFailed(GongzhiError):
    status_code = 400
    title = "Sign-in failed"

    def __init__(self) -> None:
        # One message whether the account is missing or the password wrong.
        super().__init__(Message("The account or password is not right."))


@dataclass(frozen=True)
class Identifier:
    kind: str  # "phone" or "email"
    value: str


def clean_identifier(value: Any) -> Identifier:
    """A mobile number or an email address, normalised."""
    raw = text(value, max_length=254)
    if "@" in raw:
        return Identifier("email", email(raw))
    try:
        return Identifier("phone", phone(raw))
    except FieldError:
        raise FieldError(Message("Enter an 11-digit mobile number or an email address.")) from None


def clean_password(value: Any) -> str:
    value = "" if value is None else str(value)
    if not value:
        raise FieldError(Message("This field is required."))
    if "\x00" in value:
        raise FieldError(Message("Contains characters that cannot be used."))
    if len(value) < passwords.MIN_LENGTH:
        raise FieldError(Message("At least %(min)d characters.", {"min": passwords.MIN_LENGTH}))
    if len(value) > passwords.MAX_LENGTH:
        raise FieldError(
            Message("At most %(max)d characters (you typed %(count)d).",
                    {"max": passwords.MAX_LENGTH, "count": len(value)})
        )
    return value


def clean_display_name(value: Any) -> str:
    return text(value, max_length=50)


async def find_person(identifier: Identifier) -> Person | None:
    column = Person.phone if identifier.kind == "phone" else Person.email
    return await Person.objects().where(column == identifier.value).first()


async def create_person(display_name: str, identifier: Identifier, password: str | None) -> Person:
    async with db.transaction(write=True):
        if await find_person(identifier) is not None:
            field = identifier.kind
            raise Conflict(Message("An account with this phone number or email already exists."), field=field)
        person = Person(
            display_name=display_name,
            phone=identifier.value if identifier.kind == "phone" else None,
            email=identifier.value if identifier.kind == "email" else None,
            password_hash=passwords.hash_password(password) if password else None,
            created_at=clock.now(),
        )
        await person.save()
    return person


async def authenticate(identifier: Identifier, password: str) -> Person:
    person = await find_person(identifier)
    if not passwords.verify_password(person.password_hash if person else None, password):
        raise AuthenticationFailed()
    assert person is not None
    if passwords.needs_rehash(person.password_hash):
        person.password_hash = passwords.hash_password(password)
        await person.save([Person.password_hash])
    return person


async def platform_roles(person_id: int) -> frozenset[str]:
    rows = await PlatformRole.select(PlatformRole.role).where(PlatformRole.person == person_id)
    return frozenset(row["role"] for row in rows)


async def grant_platform_role(person_id: int, role: str) -> None:
    async with db.transaction(write=True):
        if role not in await platform_roles(person_id):
            await PlatformRole(person=person_id, role=role).save()


async def revoke_platform_role(person_id: int, role: str) -> bool:
    """Take a platform role away; False when the person did not hold it."""
    async with db.transaction(write=True):
        if role not in await platform_roles(person_id):
            return False
        await PlatformRole.delete().where(PlatformRole.person == person_id, PlatformRole.role == role)
    return True


async def actor_for(person: Person) -> Actor:
    return Actor(
        id=person.id,
        display_name=person.display_name,
        phone=person.phone,
        email=person.email,
        platform_roles=await platform_roles(person.id),
        has_second_factor=person.totp_enabled_at is not None,
    )


async def add_membership(
    scope: TenantScope, person_id: int, roles: Iterable[str], unit_kind: str = "", unit_id: int | None = None
) -> Membership:
    """Give a person roles in the scope's district (in one unit); adding again adds only what is new."""
    async with scope.transaction(write=True):
        membership = (
            await scope.objects(Membership)
            .where(Membership.person == person_id, Membership.unit_kind == unit_kind,
                   Membership.unit_id.is_null() if unit_id is None else Membership.unit_id == unit_id)
            .first()
        )
        if membership is None:
            membership = await scope.create(
                Membership, person=person_id, unit_kind=unit_kind, unit_id=unit_id, created_at=clock.now()
            )
        held = {row["role"] for row in await scope.select(MembershipRole, MembershipRole.role)
                .where(MembershipRole.membership == membership.id)}
        added = []
        for role in roles:
            if role not in held:
                await scope.create(MembershipRole, membership=membership.id, role=role)
                held.add(role)
                added.append(role)
        if added:
            await events.emit(scope, names.MEMBERSHIP_CHANGED, {
                "person_id": person_id, "membership_id": membership.id, "added": added, "removed": [],
                "unit_kind": unit_kind, "unit_id": unit_id})
    return membership


@dataclass(frozen=True)
class Place:
    """One membership: where in the district (a unit, or the whole district) and which roles."""

    unit_kind: str
    unit_id: int | None
    roles: frozenset[str]


async def places_of(scope: TenantScope, person_id: int) -> list[Place]:
    memberships = await scope.select(Membership, Membership.id, Membership.unit_kind, Membership.unit_id).where(
        Membership.person == person_id)
    if not memberships:
        return []
    rows = await scope.select(MembershipRole, MembershipRole.membership, MembershipRole.role).where(
        MembershipRole.membership.is_in([m["id"] for m in memberships]))
    roles: dict[int, set[str]] = {}
    for row in rows:
        roles.setdefault(row["membership"], set()).add(row["role"])
    return [Place(m["unit_kind"], m["unit_id"], frozenset(roles.get(m["id"], ()))) for m in memberships]


async def roles_in(scope: TenantScope, person_id: int) -> frozenset[str]:
    """Every role the person holds in the scope's district, over all their memberships."""
    memberships = await scope.select(Membership, Membership.id).where(Membership.person == person_id)
    if not memberships:
        return frozenset()
    ids = [row["id"] for row in memberships]
    rows = await scope.select(MembershipRole, MembershipRole.role).where(MembershipRole.membership.is_in(ids))
    return frozenset(row["role"] for row in rows)
