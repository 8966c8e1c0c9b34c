# %% [markdown]
# ---
# title: "Data til download"
# description: "De offentliggjorte tabeller (aggregater efter diskretionering) som CSV-filer."
# ---

# %%
from IPython.display import Markdown

from boligmonitor.site import report

Markdown(report.data_banner())

# %% [markdown]
# Alle tabeller er aggregater pr. område og år. Celler, der ville vise færre end minimumsantallet af
# personer, er tomme, og rækken har `suppressed = true`; hver undertrykt celle står med sin begrundelse i
# `undertrykkelser.csv`. Filerne er UTF-8 med BOM, kommasepareret og med punktum som decimaltegn, så de
# kan læses af både Excel og statistikprogrammer.

# %%
Markdown(report.downloads_markdown(prefix="../"))
