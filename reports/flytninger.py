# %% [markdown]
# ---
# title: "Flytninger"
# description: "Hvem flytter ind i og ud af områderne, hvorfra og hvorhen, og hvor meget af kriteriernes ændring flytningerne forklarer."
# ---

# %%
from IPython.display import display

from boligmonitor.site import flow_sections

for part in flow_sections.flows_page():
    display(part)
