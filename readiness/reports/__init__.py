"""Reports: one report model of an assessment, rendered to HTML, PDF, Markdown and CSV."""
