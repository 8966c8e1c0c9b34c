# %% [markdown]
# ---
# title: "Boligmonitor Randers"
# subtitle: "Monitorering af boligområderne i Den boligsociale Helhedsplan Randers 2021-25"
# ---

# %% [markdown]
# Den boligsociale Helhedsplan Randers 2021-25 omfatter fem boligområder nord for fjorden:
# Gl. Jennumparken, Glarbjergvej-området, Hermann Stillingsvej-området, Energivej-området og Vangdalen.
# Sjællandsgadekvarteret følges også. Boligmonitoren beregner hvert år de kriterier, som Social- og
# Boligstyrelsen offentliggør listerne efter 1. december, og helhedsplanens egne indikatorer, og
# sammenligner med Randers Kommune. Alle tal er beregnet af koden i dette projekt og kan genskabes.

# %%
#| tags: [parameters]
from boligmonitor.site import published

list_year = None  # the newest list year in the data, unless set

# %%
from IPython.display import Markdown

from boligmonitor.site import charts, report

classification = published.load("klassifikation")
population = published.load("befolkning")
list_year = list_year or report.latest_list_year(classification)
Markdown(report.data_banner())

# %%
Markdown(f"## Status på listen {list_year}\n\n" + report.status_summary(classification, list_year))

# %%
Markdown(report.status_table(classification, list_year))

# %% [markdown]
# ## Beboere pr. 1. januar
#
# Et område kan kun komme på listerne, hvis det har mindst 1.000 beboere.

# %%
Markdown(report.residents_table(population))

# %%
charts.show(report.residents_chart(population),
            "Linjediagram: beboere pr. 1. januar i hvert område og år med grænsen på 1.000 beboere.")

# %%
from IPython.display import display

from boligmonitor.site import goal_sections

display(*goal_sections.front_page_counts())

# %% [markdown]
# ## Årsrapporter og områder
#
# Hver årsrapport viser listen for året, kriterierne med afstanden til grænserne i personer,
# helhedsplanens indikatorer og, for det seneste år, en prognose for næste liste og helhedsplanens
# målscenarie. Områdesiderne viser udviklingen for ét område over alle år. Se *Metode* for, hvordan
# tallene er beregnet, og *Datakvalitet* for, hvad der er indlæst, og hvad der er undertrykt.

# %%
Markdown(report.report_links(classification))
