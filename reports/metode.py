# %% [markdown]
# ---
# title: "Metode"
# description: "Hvordan kriterierne og indikatorerne beregnes, efter hvilke regler, og hvilke valg beregningen bygger på."
# ---

# %%
from IPython.display import Markdown

from boligmonitor import docs, published, report

Markdown(docs.doc_markdown("criteria-method"))

# %% [markdown]
# ## Indstillinger i denne beregning
#
# Hvor loven eller praksis ikke er entydig, bygger beregningen på et navngivet valg. Tabellen viser de valg,
# som den offentliggjorte beregning er lavet med (de kan ændres uden at ændre koden).

# %%
Markdown(report.md_table(published.load("kriterier_indstillinger"),
                         {"name": "Indstilling", "value_text": "Værdi", "description": "Betydning",
                          "reason": "Begrundelse"}))

# %% [markdown]
# ## Diskretionering
#
# Ingen offentliggjort celle må vise færre end minimumsantallet af personer. Reglerne står i
# `src/boligmonitor/disclosure.py`:

# %%
from boligmonitor import disclosure

Markdown(docs.module_doc(disclosure))
