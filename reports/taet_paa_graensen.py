# %% [markdown]
# ---
# title: "Tæt på grænsen"
# description: "Prognosen for næste liste og alle scenarier – helhedsplanens mål, uændret udvikling og egne scenarier – i procent og i personer."
# ---

# %%
from IPython.display import display

from boligmonitor.site import pages

for part in pages.near_threshold_page():
    display(part)
