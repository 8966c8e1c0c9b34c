# %% [markdown]
# ---
# title: "Datakatalog"
# description: "Hver registerfil: kolonner, typer, koder og betydning. Genereret fra den ene erklæring i boligmonitor.registers."
# ---

# %% [markdown]
# Datakataloget er genereret af koden fra den samme erklæring, som det syntetiske udtræk skrives efter, og
# som indlæsningen validerer imod (`src/boligmonitor/registers.py`). Rigtige udtræk lægges i samme mapper,
# med de samme filnavne og kolonner.

# %%
from IPython.display import Markdown

from boligmonitor.dictionary import dictionary_markdown
from boligmonitor.site import texts

Markdown(texts.compact_dictionary(dictionary_markdown()))
