"""Who is acting and what they may do. Enforced by the domain on every write, not by the pages."""
from __future__ import annotations

from enum import IntEnum
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict

from readiness.errors import InvalidInput, PermissionDenied


class Role(IntEnum):
    """Each role may do everything the roles below it may."""

    VIEWER = 1  # executives: read everything
    CONTRIBUTOR = 2  # answer controls, request waivers, run evidence collection
    APPROVER = 3  # approve waivers, move assessments, record decisions and sign-offs
    ADMIN = 4  # platforms and checklists

    @property
    def label(self) -> str:
        return self.name.lower()


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    role: Role = Role.VIEWER
    email: str | None = None

    def can(self, role: Role) -> bool:
        return self.role >= role


def require(actor: Actor, role: Role, action: str) -> None:
    if not actor.can(role):
        raise PermissionDenied(
            f"{actor.name} is a {actor.role.label} and may not {action}: it needs the {role.label} role."
        )


LOCAL_USER = Actor(name="local user", role=Role.ADMIN)
SYSTEM = Actor(name="readiness", role=Role.ADMIN)


# ---- who gets which role when people sign in -------------------------------------------------

ROLES_SECTION = "[readiness.roles]"
DEFAULT_KEY = "default"
# Anyone the identity provider lets in gets the default role, and anyone with an address at a
# domain gets that domain's role: neither may reach as far as a person named in the config.
HIGHEST_DEFAULT = Role.CONTRIBUTOR
HIGHEST_FOR_DOMAIN = Role.APPROVER
MAX_NAME = 200


class RoleMappingError(InvalidInput):
    """The role mapping cannot be used: every problem found in it, each naming its key."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"{ROLES_SECTION} in .streamlit/secrets.toml: " + "; ".join(self.problems))


class RoleMapping(BaseModel):
    """Roles by email address and by email domain, and the role of everybody else."""

    model_config = ConfigDict(frozen=True)

    people: dict[str, Role] = {}  # casefolded address -> the highest role it is listed under
    domains: dict[str, Role] = {}  # casefolded domain, without the "@"
    default: Role = Role.VIEWER


def _role_named(value: Any) -> Role | None:
    if isinstance(value, str):
        return next((r for r in Role if r.label == value.strip().lower()), None)
    return None


def _address(value: Any) -> str | None:
    """A plausible email address, casefolded, or None."""
    if not isinstance(value, str):
        return None
    local, at, domain = value.strip().casefold().rpartition("@")
    if not at or not local or not domain or "." not in domain or any(c.isspace() for c in value.strip()):
        return None
    return f"{local}@{domain}"


def parse_role_mapping(raw: Mapping[str, Any] | None) -> RoleMapping:
    """Read the `[readiness.roles]` table of the secrets file; every mistake in it is reported at once.

    ```toml
    [readiness.roles]
    default = "viewer"                      # everyone else who can sign in
    admin = ["ana@example.com"]
    approver = ["bo@example.com"]
    contributor = ["cy@partner.example"]
    "@example.com" = "contributor"         # everyone with an address at this domain
    ```
    """
    if raw is None:
        return RoleMapping()
    if not isinstance(raw, Mapping):
        raise RoleMappingError(["must be a table of roles, e.g. admin = [\"ana@example.com\"]"])
    problems: list[str] = []
    people: dict[str, Role] = {}
    domains: dict[str, Role] = {}
    default = Role.VIEWER
    labels = ", ".join(r.label for r in Role)
    for key, value in raw.items():
        key = str(key)
        if key == DEFAULT_KEY:
            role = _role_named(value)
            if role is None:
                problems.append(f"default: {value!r} is not a role; use one of {labels}")
            elif role > HIGHEST_DEFAULT:
                problems.append(f"default: {role.label} is too much for everybody who can sign in; "
                                f"the default may be at most {HIGHEST_DEFAULT.label}")
            else:
                default = role
        elif key.startswith("@"):
            domain = key[1:].strip().casefold()
            role = _role_named(value)
            if not domain or "." not in domain or "@" in domain:
                problems.append(f"{key!r}: not an email domain like \"@example.com\"")
            elif role is None:
                problems.append(f"{key!r}: {value!r} is not a role; use one of {labels}")
            elif role > HIGHEST_FOR_DOMAIN:
                problems.append(f"{key!r}: a whole domain may be at most {HIGHEST_FOR_DOMAIN.label}; "
                                f"list administrators by address under admin")
            else:
                domains[domain] = max(role, domains.get(domain, Role.VIEWER))
        elif (role := _role_named(key)) is not None:
            if isinstance(value, str) or not isinstance(value, (list, tuple)):
                problems.append(f"{key}: must be a list of email addresses, e.g. {key} = [\"ana@example.com\"]")
                continue
            for entry in value:
                address = _address(entry)
                if isinstance(entry, str) and entry.strip().startswith("@"):
                    problems.append(f"{key}: {entry!r} is a domain; give a whole domain a role with "
                                    f"\"{entry.strip()}\" = \"{key}\"")
                elif address is None:
                    problems.append(f"{key}: {entry!r} is not an email address")
                else:
                    people[address] = max(role, people.get(address, Role.VIEWER))
        else:
            problems.append(f"{key}: unknown key; expected {labels}, default, or an email domain like "
                            f"\"@example.com\"")
    if problems:
        raise RoleMappingError(problems)
    return RoleMapping(people=people, domains=domains, default=default)


def role_for(email: str | None, mapping: RoleMapping) -> Role:
    """The highest role the address is given, by name or by domain; anyone else gets the default."""
    address = _address(email)
    if address is None:
        return mapping.default
    domain = address.rpartition("@")[2]
    return max(mapping.default, mapping.people.get(address, Role.VIEWER), mapping.domains.get(domain, Role.VIEWER))


def signed_in_actor(claims: Mapping[str, Any], mapping: RoleMapping) -> Actor:
    """The actor for the identity the provider vouched for (its OIDC claims).

    An address the provider says it has not verified could be anyone's: it gets the default role only.
    """
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    email = email.strip() if email and email.strip() else None
    verified = claims.get("email_verified") is not False
    raw_name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    name = " ".join(raw_name.split()) or email or str(claims.get("sub") or "signed-in user")
    role = role_for(email, mapping) if verified else mapping.default
    return Actor(name=name[:MAX_NAME], email=email, role=role)


# ---- the [auth] section that turns sign-in on ------------------------------------------------

AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url",
             "client_kwargs", "expose_tokens")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
MIN_COOKIE_SECRET = 32
# The provider's keys are fetched from this address: over TLS, or from a provider on this machine.
SAFE_METADATA_URLS = ("https://", "http://localhost:", "http://localhost/", "http://127.0.0.1:", "http://127.0.0.1/")
PLACEHOLDER = "REPLACE-WITH"  # how .streamlit/secrets.toml.example marks what must be filled in


def sign_in_providers(auth: Mapping[str, Any]) -> list[str]:
    """The providers people can sign in with: "default" for keys at the top of [auth], else each [auth.NAME]."""
    named = [str(k) for k, v in auth.items() if isinstance(v, Mapping) and k not in AUTH_KEYS]
    return named or ["default"]


def sign_in_problems(auth: Mapping[str, Any]) -> list[str]:
    """What is missing or unsafe in the [auth] section, in words an administrator can act on."""
    problems = _placeholders(auth, "")
    redirect = auth.get("redirect_uri")
    if not isinstance(redirect, str) or not redirect.rstrip().endswith("/oauth2callback"):
        problems.append("redirect_uri: must be the app's address ending in /oauth2callback, "
                        "e.g. https://readiness.example.com/oauth2callback")
    secret = auth.get("cookie_secret")
    if not isinstance(secret, str) or len(secret.strip()) < MIN_COOKIE_SECRET:
        problems.append(f"cookie_secret: must be a random string of at least {MIN_COOKIE_SECRET} characters "
                        "(python -c \"import secrets; print(secrets.token_hex(32))\")")
    for provider in sign_in_providers(auth):
        section = auth if provider == "default" else auth[provider]
        where = "" if provider == "default" else f"{provider}."
        if provider != "default":
            problems.extend(_placeholders(section, where))
        if "_" in provider:
            problems.append(f"[auth.{provider}]: a provider name may not contain an underscore")
        missing = [k for k in PROVIDER_KEYS if not isinstance(section.get(k), str) or not section.get(k).strip()]
        problems.extend(f"{where}{k}: missing" for k in missing)
        url = section.get("server_metadata_url")
        if isinstance(url, str) and url.strip() and not url.strip().startswith(SAFE_METADATA_URLS):
            problems.append(f"{where}server_metadata_url: must be the provider's https:// address of "
                            "/.well-known/openid-configuration (http:// only for a provider on localhost)")
    return problems


def _placeholders(section: Mapping[str, Any], where: str) -> list[str]:
    return [f"{where}{key}: still the placeholder of secrets.toml.example" for key, value in section.items()
            if isinstance(value, str) and PLACEHOLDER in value.upper()]
