"""The Streamlit side of Readiness: the only package outside pages/ that imports streamlit."""
