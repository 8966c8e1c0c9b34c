# %% [markdown]
# ---
# title: "Ordliste"
# description: "Danske fagudtryk i helhedsplanen, loven og rapporten, og hvad de hedder i koden."
# ---

# %%
from IPython.display import Markdown

from boligmonitor.site import texts

Markdown(texts.glossary_markdown())
