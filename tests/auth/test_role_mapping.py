"""Who gets which role from [readiness.roles], and what a signed-in identity becomes."""
from __future__ import annotations

import pytest

from readiness.auth import Role, RoleMapping, RoleMappingError, parse_role_mapping, role_for, signed_in_actor

MAPPING = {
    "default": "viewer",
    "admin": ["Ana@Example.com"],
    "approver": ["bo@example.com", "ana@example.com"],
    "contributor": ["cy@partner.example"],
    "@example.com": "contributor",
    "@audit.example": "approver",
}


@pytest.fixture
def roles() -> RoleMapping:
    return parse_role_mapping(MAPPING)


@pytest.mark.parametrize(("email", "role"), [
    ("ana@example.com", Role.ADMIN),  # listed as admin and approver: the highest wins
    ("ANA@EXAMPLE.COM", Role.ADMIN),  # addresses compare without regard to case
    ("  bo@example.com ", Role.APPROVER),
    ("cy@partner.example", Role.CONTRIBUTOR),
    ("dee@example.com", Role.CONTRIBUTOR),  # by the domain rule
    ("eve@Audit.Example", Role.APPROVER),
    ("cy@example.com.evil.test", Role.VIEWER),  # a domain matches whole, not as a prefix
    ("mallory@notexample.com", Role.VIEWER),
    ("someone@elsewhere.test", Role.VIEWER),
])
def test_role_for_gives_the_highest_matching_role_else_the_default(roles, email, role):
    assert role_for(email, roles) == role


@pytest.mark.parametrize("email", [None, "", "not-an-address", "@example.com", "ana@"])
def test_an_identity_without_a_usable_address_gets_the_default(roles, email):
    assert role_for(email, roles) == Role.VIEWER


def test_a_default_of_contributor_applies_to_people_not_listed():
    roles = parse_role_mapping({"default": "Contributor", "admin": ["ana@example.com"]})
    assert role_for("stranger@elsewhere.test", roles) == Role.CONTRIBUTOR
    assert role_for("ana@example.com", roles) == Role.ADMIN


def test_without_a_mapping_everybody_is_a_viewer():
    assert role_for("ana@example.com", parse_role_mapping(None)) == Role.VIEWER
    assert role_for("ana@example.com", parse_role_mapping({})) == Role.VIEWER


@pytest.mark.parametrize(("mapping", "says"), [
    ({"default": "admin"}, "default: admin is too much"),
    ({"default": "approver"}, "default: approver is too much"),
    ({"default": "boss"}, "default: 'boss' is not a role"),
    ({"@example.com": "admin"}, "'@example.com': a whole domain may be at most approver"),
    ({"@example.com": "chief"}, "'@example.com': 'chief' is not a role"),
    ({"@": "viewer"}, "'@': not an email domain"),
    ({"admin": "ana@example.com"}, "admin: must be a list of email addresses"),
    ({"admin": ["ana at example"]}, "admin: 'ana at example' is not an email address"),
    ({"admin": ["@example.com"]}, "admin: '@example.com' is a domain"),
    ({"admins": ["ana@example.com"]}, "admins: unknown key"),
])
def test_a_mapping_that_cannot_be_used_is_refused_naming_the_key(mapping, says):
    with pytest.raises(RoleMappingError) as caught:
        parse_role_mapping(mapping)
    assert any(says in problem for problem in caught.value.problems), caught.value.problems
    assert "[readiness.roles]" in str(caught.value)


def test_every_problem_of_a_mapping_is_reported_at_once():
    with pytest.raises(RoleMappingError) as caught:
        parse_role_mapping({"default": "admin", "admins": [], "approver": ["nobody"]})
    assert len(caught.value.problems) == 3


def test_a_signed_in_identity_becomes_an_actor_named_as_the_provider_says(roles):
    actor = signed_in_actor({"is_logged_in": True, "name": "  Ana   Lima ", "email": "ana@example.com",
                             "email_verified": True}, roles)
    assert (actor.name, actor.email, actor.role) == ("Ana Lima", "ana@example.com", Role.ADMIN)


def test_an_identity_without_a_name_is_named_by_its_address(roles):
    actor = signed_in_actor({"email": "dee@example.com"}, roles)
    assert (actor.name, actor.role) == ("dee@example.com", Role.CONTRIBUTOR)


def test_an_address_the_provider_has_not_verified_gets_only_the_default(roles):
    actor = signed_in_actor({"name": "Ana?", "email": "ana@example.com", "email_verified": False}, roles)
    assert actor.role == Role.VIEWER


def test_an_overlong_name_is_cut_to_what_the_store_keeps(roles):
    actor = signed_in_actor({"name": "A" * 500, "email": "dee@example.com"}, roles)
    assert len(actor.name) == 200
