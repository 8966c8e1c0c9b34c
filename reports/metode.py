# %% [markdown]
# ---
# title: "Metode"
# description: "Hvordan kriterierne og indikatorerne beregnes, efter hvilke regler, og hvilke valg beregningen bygger på."
# ---

# %%
from IPython.display import Markdown

from boligmonitor.site import docs, published, report

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

# %% [markdown]
# ## Helhedsplanens indikatorer
#
# Indikatorerne er helhedsplanens egne mål (den strategiske aftale og de fire delaftaler). De beregnes
# for hvert område, for alle fem områder samlet og for Randers Kommune, med en person i det område, hvor
# personen boede 1. januar. Definitionerne:

# %%
catalogue = published.load("indikatorkatalog")
Markdown(report.md_table(catalogue, {"id": "Id", "name_da": "Indikator", "definition": "Definition",
                                     "data_source": "Datakilde", "plan_section": "Afsnit i planen"}))

# %%
from IPython.display import display

from boligmonitor.site import goal_sections

display(*goal_sections.method_section())

# %% [markdown]
# ## Områderne og adresserne
#
# En beboer hører til et område gennem sin adresse pr. 1. januar. Adressen tildeles et område på to måder:
# efter helhedsplanens adresselister (vejnavn og husnummerintervaller, fx »Husarvej (ulige numre 1-29)«) og
# ved at slå adressens koordinat op i områdets polygon (EPSG:25832). De to metoder sammenlignes for hver
# adresse; uenigheder vises på siden *Datakvalitet*. Kortgrundlaget i standardudgaven er illustrativt
# (ingen rigtige koordinater er tilgængelige offline) og erstattes af kommunens GIS-data uden kodeændringer.
