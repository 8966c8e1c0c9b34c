# %% [markdown]
# ---
# title: "Boligmonitor Randers"
# subtitle: "Monitorering af boligområderne i Den boligsociale Helhedsplan Randers 2021-25"
# toc: false
# ---

# %% [markdown]
# Den boligsociale Helhedsplan Randers 2021-25 omfatter fem boligområder nord for fjorden:
# Gl. Jennumparken, Glarbjergvej-området, Hermann Stillingsvej-området, Energivej-området og Vangdalen.
# Sjællandsgadekvarteret følges også. Boligmonitoren beregner hvert år de kriterier, som Social- og
# Boligstyrelsen offentliggør listerne efter 1. december, og helhedsplanens egne indikatorer, og
# sammenligner med Randers Kommune. Alle tal er beregnet af koden i dette projekt og kan genskabes.

# %%
#| tags: [parameters]
list_year = None  # the newest list year in the data, unless set

# %%
from IPython.display import Markdown, display

from boligmonitor.site import pages, published, report

for part in pages.front_page(list_year):
    display(part)

# %%
from IPython.display import display

from boligmonitor.site import goal_sections

display(*goal_sections.front_page_counts())

# %% [markdown]
# ## Årsrapporter og områder
#
# Hver årsrapport viser listen for året, kriterierne med afstanden til grænserne i personer,
# helhedsplanens indikatorer og, for det seneste år, en prognose for næste liste. *Tæt på grænsen*
# viser prognosen og alle scenarier. Områdesiderne viser udviklingen for ét område over alle år. Se
# *Metode* for, hvordan tallene er beregnet, og *Datakvalitet* for, hvad der er indlæst, og hvad der
# er undertrykt.

# %%
Markdown(report.report_links(published.load("klassifikation")))
