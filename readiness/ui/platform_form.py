"""The Settings page's editors of a platform: a table of its environments, or its YAML; both save through the domain."""
from __future__ import annotations

from itertools import permutations
from typing import Callable

import pandas as pd
import streamlit as st

from readiness.errors import ReadinessError, StaleEdit
from readiness.platform import Platform
from readiness.platform_editing import (COLUMNS, TEMPLATE_YAML, PlatformFormError, compare_label, environment_rows,
                                        platform_from_rows, platform_from_yaml, save_platform_edit)
from readiness.ui import context, flash, store
from readiness.yamlsource import ConfigError

PENDING_PLATFORM = "settings_pending_platform"  # the platform to select on the next run, after a save
# Set by a button's callback, acted on by the run that follows: a callback outlives a rerun, a return value not.
SAVE_TABLE, SAVE_YAML, VALIDATE_YAML = "settings_save_table", "settings_save_yaml", "settings_validate_yaml"
STALE = "settings_stale"  # where a refused stale save leaves its message for the next run


def _request(flag: str) -> None:
    st.session_state[flag] = True


def _suffix(platform_id: int | None) -> str:
    return str(platform_id) if platform_id else "new"


def _remember_loaded(platform: Platform, platform_id: int | None) -> None:
    """The stored settings the editors start from: a save made on top of a newer version is refused."""
    if platform_id:
        st.session_state.setdefault(f"settings_seen_{platform_id}", platform.to_yaml())


def _reload(suffix: str) -> None:
    """Drop the editors' state and what they were loaded from: the next run loads them from the store."""
    for part in ("name", "environments", "compare", "yaml", "seen"):
        st.session_state.pop(f"settings_{part}_{suffix}", None)


def environments_form(platform: Platform, platform_id: int | None, *, disabled: bool) -> None:
    """Name, environments (one row each: access and how its resources are selected) and compare pairs."""
    suffix = _suffix(platform_id)
    editing = platform.name if platform_id else None
    _remember_loaded(platform, platform_id)
    with st.form(f"settings_environments_form_{suffix}", border=False):
        name = st.text_input("Name", value=platform.name if platform_id else "", key=f"settings_name_{suffix}",
                             max_chars=120, disabled=disabled or platform_id is not None,
                             help="How the platform is known; it cannot change once created."
                             if platform_id else "A new platform's name.")
        edited = st.data_editor(
            pd.DataFrame(environment_rows(platform), columns=list(COLUMNS)), key=f"settings_environments_{suffix}",
            num_rows="dynamic", hide_index=True, disabled=disabled, width="stretch", column_config={
                "name": st.column_config.TextColumn("Name", required=True, help="staging, production, …"),
                "tier": st.column_config.SelectboxColumn("Tier", options=["staging", "production", "other"],
                                                         required=True, default="other"),
                "profile": st.column_config.TextColumn("Profile", help="A named AWS profile; empty: the default "
                                                                       "credential chain"),
                "role_arn": st.column_config.TextColumn("Role ARN", width="medium",
                                                        help="The read-only role Readiness assumes there"),
                "external_id": st.column_config.TextColumn("External id", help="Required by the role's trust policy"),
                "regions": st.column_config.ListColumn("Regions", help="e.g. us-east-1"),
                "tags": st.column_config.TextColumn("Tags", help="Resources carrying all these tags: "
                                                                 "Environment=production, Team=wealth"),
                "name_prefix": st.column_config.TextColumn("Name prefix", help="Resources whose names start so"),
                "ssm_path": st.column_config.TextColumn("Parameter path", help="Parameter Store path, e.g. /app/prod/"),
                "secrets_prefix": st.column_config.TextColumn("Secrets prefix", help="e.g. app/prod/"),
            })
        names = [env.name for env in platform.environments]
        pairs = [tuple(p) for p in permutations(names, 2)]
        compare = st.multiselect("Compare (baseline → target)", pairs, default=[tuple(p) for p in platform.compare
                                                                              if tuple(p) in pairs],
                                 format_func=compare_label, key=f"settings_compare_{suffix}", disabled=disabled,
                                 help="Drift pairs: the target should match its baseline. Save new environments "
                                      "first to pair them.")
        st.form_submit_button("Save", type="primary", icon=":material/save:", disabled=disabled,
                              key=f"settings_environments_save_{suffix}", on_click=_request, args=(SAVE_TABLE,))
    if st.session_state.pop(SAVE_TABLE, False):
        rows = edited.to_dict("records")
        _save(lambda: platform_from_rows(platform, name=name, rows=rows, compare=compare), editing, suffix)


def yaml_form(platform: Platform, platform_id: int | None, *, disabled: bool) -> None:
    """Every setting, as the platform file has it; errors name their line."""
    suffix = _suffix(platform_id)
    editing = platform.name if platform_id else None
    _remember_loaded(platform, platform_id)
    with st.form(f"settings_yaml_form_{suffix}", border=False):
        text = st.text_area("Platform YAML", value=platform.to_yaml() if platform_id else TEMPLATE_YAML, height=460,
                            key=f"settings_yaml_{suffix}", max_chars=200_000,
                            help="The same format as the files under data/platforms/ (see 'Point Readiness "
                                 "at your real AWS accounts' in the README).")
        with st.container(horizontal=True, gap="small"):
            st.form_submit_button("Validate", icon=":material/rule:", key=f"settings_yaml_validate_{suffix}",
                                  on_click=_request, args=(VALIDATE_YAML,))
            st.form_submit_button("Save", type="primary", icon=":material/save:", disabled=disabled,
                                  key=f"settings_yaml_save_{suffix}", on_click=_request, args=(SAVE_YAML,))
    if st.session_state.pop(VALIDATE_YAML, False):
        try:
            checked = platform_from_yaml(text)
        except ConfigError as exc:
            _problems("The YAML is not a valid platform", [_line(p) for p in exc.problems])
        else:
            st.success(f"Valid: {checked.name}, with {len(checked.environments)} environment(s).",
                       icon=":material/check_circle:")
    if st.session_state.pop(SAVE_YAML, False):
        _save(lambda: platform_from_yaml(text), editing, suffix)


def _save(build: Callable[[], Platform], editing: str | None, suffix: str) -> None:
    try:
        platform = build()
        with store.transaction() as session:
            row = save_platform_edit(session, platform=platform, actor=context.current_actor(), editing=editing,
                                     seen=st.session_state.get(f"settings_seen_{suffix}"))
            saved_id = row.id
    except StaleEdit as exc:
        flash.error_later(STALE, f"Not saved. {exc}")
        _reload(suffix)
        st.rerun()
    except ConfigError as exc:
        _problems("Not saved: the YAML is not a valid platform", [_line(p) for p in exc.problems])
    except PlatformFormError as exc:
        _problems("Not saved: the form is not a valid platform", exc.problems)
    except ReadinessError as exc:
        st.error(f"Not saved. {exc}", icon=":material/error:")
    else:
        flash.toast_later(f"Saved {platform.name}.")
        st.session_state[PENDING_PLATFORM] = saved_id
        _reload(suffix)  # both editors show what is stored now
        st.rerun()


def stale_warning() -> None:
    """Why the last save was refused, once the editors have reloaded the stored settings."""
    message = flash.take_error(STALE)
    if message:
        st.error(message, icon=":material/sync_problem:")


def _line(problem) -> str:
    where = f"Line {problem.line}" if problem.line else "File"
    return f"{where} · `{problem.field}`: {problem.message}" if problem.field else f"{where}: {problem.message}"


def _problems(title: str, problems: list[str]) -> None:
    st.error(f"**{title}.** Fix {'these' if len(problems) != 1 else 'this'} and save again:\n\n"
             + "\n".join(f"- {p}" for p in problems), icon=":material/error:")
