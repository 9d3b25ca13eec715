"""Every session-state key the app uses, in one place, so pages and widgets agree on them."""
from __future__ import annotations

# The context picked in the sidebar: ids only, never ORM objects.
PLATFORM_ID = "ctx_platform_id"
ENVIRONMENT = "ctx_environment"
ASSESSMENT_ID = "ctx_assessment_id"

# Sidebar widgets (their values are copied into the context keys above).
SIDEBAR_PLATFORM = "sidebar_platform"
SIDEBAR_ENVIRONMENT = "sidebar_environment"
SIDEBAR_ASSESSMENT = "sidebar_assessment"
NEW_TITLE = "sidebar_new_title"
NEW_ENVIRONMENT = "sidebar_new_environment"
NEW_FROM_PREVIOUS = "sidebar_new_from_previous"
NEW_SUBMIT = "sidebar_new_submit"

# Messages raised in a callback and shown by the next run: toasts, and errors per control.
TOASTS = "flash_toasts"
ERRORS = "flash_errors"

# Checklist: what each control's form showed when it was last loaded from the store.
CHECKLIST_SEEN = "checklist_seen"

# Sign-in: why the identity provider could not be reached, shown on the sign-in screen.
SIGN_IN_ERROR = "signin_error"

# Demo start: the problems of the demo's first run were shown to this session.
DEMO_PROBLEMS_SHOWN = "demo_start_problems_shown"
