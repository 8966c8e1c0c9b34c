# %% [markdown]
# ---
# title: "Data til download"
# description: "De offentliggjorte tabeller (aggregater efter diskretionering): til Excel, maskinlæsbare og med dataordbog."
# ---

# %%
from IPython.display import Markdown

from boligmonitor.site import downloads, report

if not downloads.excel_variants_current():
    downloads.write_excel_variants()
Markdown(report.data_banner())

# %% [markdown]
# Alle tabeller er aggregater pr. område og år. Hver tabel findes i tre filer:
#
# - **Excel**: til et dansk Excel – semikolon mellem kolonnerne, decimalkomma, danske kolonnenavne,
#   *ja*/*nej*, tal afrundet til læsning (hele tal uden decimaler, ellers to decimaler). Åbn den med
#   dobbeltklik.
# - **CSV**: maskinlæsbar til statistikprogrammer – komma mellem kolonnerne, decimalpunktum, fuld
#   præcision og kolonnenavnene fra koden. UTF-8 med BOM.
# - **Dataordbog**: hver kolonne med dens danske navn, navnet i den maskinlæsbare fil og betydningen.
#
# Celler, der ville vise færre end minimumsantallet af personer, er tomme, og rækken har
# *Skjult (diskretionering)* = ja (`suppressed = true`); hver skjult celle står med sin begrundelse i
# tabellen over undertrykte celler.

# %%
Markdown(downloads.downloads_markdown(prefix="../"))
