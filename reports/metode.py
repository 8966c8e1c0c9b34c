# %% [markdown]
# ---
# title: "Metode"
# description: "Hvordan kriterierne og indikatorerne beregnes, efter hvilke regler, og hvilke valg beregningen bygger på."
# ---

# %%
from IPython.display import Markdown

from boligmonitor.site import docs, published, report, texts

DOC = "criteria-method"  # docs/criteria-method.md: one heading cell per section below

Markdown(docs.doc_section(DOC, ""))

# %% [markdown]
# ## 1. Reglerne efter lovversion

# %%
Markdown(texts.transpose_tables(texts.legal_lists(docs.doc_section(DOC, "1. Reglerne efter lovversion")),
                                "Kategori"))

# %% [markdown]
# ## 2. Fra registre til kriterier

# %%
Markdown(docs.doc_section(DOC, "2. Fra registre til kriterier"))

# %% [markdown]
# ## 3. Indstillinger for det, loven ikke afgør
#
# Hvor loven eller praksis ikke er entydig, bygger beregningen på et navngivet valg. Tabellen viser de valg,
# som den offentliggjorte beregning er lavet med. De kan ændres uden at ændre koden; navnet under hver
# indstilling er det, den hedder i indstillingsfilen.

# %%
Markdown(texts.settings_markdown(published.load("kriterier_indstillinger")))

# %% [markdown]
# ## 4. Marginer

# %%
Markdown(docs.doc_section(DOC, "4. Marginer"))

# %% [markdown]
# ## 5. Prognose og scenarier

# %%
Markdown(docs.doc_section(DOC, "5. Prognose og scenarier"))

# %% [markdown]
# ## 6. Kontrol mod helhedsplanen

# %%
Markdown(docs.doc_section(DOC, "6. Kontrol mod helhedsplanen"))

# %% [markdown]
# ## 7. Flytninger og kriteriernes ændring

# %%
Markdown(docs.doc_section(DOC, "7. Flytninger og kriteriernes ændring"))

# %% [markdown]
# ## 8. Kendte usikkerheder

# %%
Markdown(docs.doc_section(DOC, "8. Kendte usikkerheder"))

# %% [markdown]
# ## Diskretionering

# %%
Markdown(texts.disclosure_markdown())

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
