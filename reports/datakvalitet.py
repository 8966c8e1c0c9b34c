# %% [markdown]
# ---
# title: "Datakvalitet"
# description: "Hvad kom ind, hvad blev sat i karantæne og hvorfor, hvordan adresserne blev tildelt, og hvad diskretioneringen skjulte."
# ---

# %%
from IPython.display import Markdown

from boligmonitor import quality
from boligmonitor.site import published, report, texts

Markdown(report.data_banner())

# %% [markdown]
# ## Indlæste filer
#
# For hver fil: rækker læst, indlæst og sat i karantæne. For hver fil skal læst = indlæst + karantæne.

# %%
loads = published.load("indlaesning")
assert quality.reconciles(loads), "rows read != loaded + quarantined for some file"
Markdown(quality.load_summary_markdown(texts.with_register_titles(loads)))

# %% [markdown]
# ## Tal, der ikke kan måles
#
# Et registerår, der har mistet mere end en lille andel af sine rækker til karantænen, eller en fil, der
# mangler, gør de kriterier og indikatorer, der bygger på det, ukendte: de beregnes ikke af resten af
# rækkerne. Her står for hvert sådant registerår, hvilke tal det gælder.

# %%
from boligmonitor.site import gaps

Markdown(gaps.affected_markdown(published.load("indikatorer"), published.load("kriterier")))

# %% [markdown]
# ## Rækker i karantæne
#
# Rækker, der ikke kunne indlæses, er ikke smidt væk: de ligger i tabellen `staging.quarantine` med fil,
# linje, kolonne og årsag. Her vises antallet pr. årsag (uden værdierne).

# %%
Markdown(quality.quarantine_markdown(texts.with_register_titles(published.load("karantaene"))))

# %% [markdown]
# ## Adresser og områder
#
# Hver registeradresse er tildelt et område på to måder: efter helhedsplanens adresseintervaller og ved et
# geografisk opslag i områdepolygonerne. Tabellen viser for det seneste år, hvor mange adresser og beboere
# der falder i hver gruppe. *Begge* betyder, at de to metoder er enige.

# %%
Markdown(quality.reconciliation_markdown(published.load("adresseafstemning")))

# %% [markdown]
# ## Diskretionering
#
# Celler, der ville vise færre end minimumsantallet af personer, er undertrykt (`..`), og hvor et tal
# ellers kunne regnes ud af andre offentliggjorte tal, er endnu en celle undertrykt (se *Metode*).

# %%
from boligmonitor import disclosure

Markdown(disclosure.suppression_summary(published.load("undertrykkelser")))

# %%
from IPython.display import display

from boligmonitor.site import goal_sections

display(*goal_sections.baseline_section())
