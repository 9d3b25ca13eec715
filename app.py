"""Readiness: the Streamlit app. It only routes: page config, the sidebar context, the pages."""
import streamlit as st

from readiness.ui import context, demo_start, store

# One line per page; a section lists its pages in the order the sidebar shows them.
PAGES = {
    "Leadership": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/decision.py", title="Go / No-Go", icon=":material/gavel:"),
        st.Page("pages/history.py", title="History", icon=":material/timeline:"),
        st.Page("pages/inventory.py", title="Estate", icon=":material/inventory_2:"),
    ],
    "Teams": [
        st.Page("pages/checklist.py", title="Checklist", icon=":material/checklist:"),
        st.Page("pages/evidence.py", title="Evidence", icon=":material/fact_check:"),
        st.Page("pages/drift.py", title="Drift", icon=":material/compare_arrows:"),
        st.Page("pages/data_accuracy.py", title="Data accuracy", icon=":material/dataset:"),
    ],
    "Admin": [
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
    ],
}

st.set_page_config(page_title="Readiness", page_icon=":material/verified:", layout="wide")
page = st.navigation(PAGES)  # first, so the menu is in place while the demo is prepared
store.open_or_stop()
demo_start.prepare_on_first_visit()
context.sidebar()
page.run()
